"""What a check can ask about the node it is looking at.

The walker keeps this object up to date as it moves through the tree; checks read it and never
keep flags of their own about where they are (a nested sync `def` inside an `async def` is the
classic way such flags go wrong).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from asynclint._lazy import libcst as cst

from asynclint.analysis.scope import (
    BUILTIN_NAMES,
    ClassFacts,
    FileBindings,
    ModuleReference,
    Scope,
    file_bindings,
)
from asynclint.tables import Tables


@dataclass(slots=True)
class FunctionFrame:
    """The function (or class body, or lambda) whose code is running at this point."""

    node: cst.FunctionDef | cst.Lambda | cst.ClassDef | None
    is_async: bool
    self_name: str | None = None  # the first parameter of a method: `self`, `cls`
    class_facts: ClassFacts | None = None  # the class a method belongs to


@dataclass(slots=True)
class LoopFrame:
    """A loop, or a comprehension, that re-runs the code inside it once per item."""

    node: cst.CSTNode
    target_names: frozenset[str] = field(default_factory=frozenset)
    iter: cst.BaseExpression | None = None  # what a `for` clause iterates; None for `while`
    facts: object = None  # filled on first use by analysis/loops.py (what the body assigns)


_UNION_WRAPPERS = frozenset(
    {"typing.Optional", "typing.Union", "typing_extensions.Optional", "typing_extensions.Union"}
)
# Qualifiers around the type: `Annotated[T, ...]`, `Final[T]`, `ClassVar[T]` are T. Written
# bare (`X: Final = threading.Lock()`) they say nothing, and the value gives the type.
_QUALIFIERS = frozenset(
    f"{module}.{name}"
    for module in ("typing", "typing_extensions")
    for name in ("Annotated", "Final", "ClassVar")
)


class Context:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self._known_modules = tables.known_modules()
        self._aliases = tables.aliases
        self._returns = tables.returns
        self.scope = Scope("module", None)
        self.function = FunctionFrame(None, is_async=False)
        self.loops: list[LoopFrame] = []
        # Locks held at this point of the current function (analysis/locks.py `Hold`s).
        self.holds: list = []
        self.parents: list[cst.CSTNode] = []
        self._callee_memo: tuple[cst.Call | None, str | None] = (None, None)
        self._file_bindings: FileBindings | None = None

    # --- where we are -------------------------------------------------------------------

    @property
    def in_async(self) -> bool:
        """True inside an `async def` body, but not in a def, lambda or class nested in it."""
        return self.function.is_async

    @property
    def parent(self) -> cst.CSTNode | None:
        """The parent of the node being visited."""
        return self.parents[-2] if len(self.parents) >= 2 else None

    def is_awaited(self, node: cst.CSTNode) -> bool:
        """True when `node` (the node being visited) is the operand of `await`."""
        parent = self.parent
        return isinstance(parent, cst.Await) and parent.expression is node

    def placement_anchor(self) -> tuple[cst.CSTNode, tuple[str | None, ...]] | None:
        """The innermost `def` or `class` around the node being visited (else its top-level
        statement), with the indents of the blocks around it (None: the module's default). Generating the code of that
        anchor alone places a reported node in the file far more cheaply than generating the
        whole file (see positions.node_ranges)."""
        parents = self.parents
        for index in range(len(parents) - 2, -1, -1):
            if isinstance(parents[index], (cst.FunctionDef, cst.ClassDef)):
                indents = tuple(
                    p.indent for p in parents[:index] if isinstance(p, cst.IndentedBlock)
                )
                return parents[index], indents
        # At module level: the top-level statement (parents[0] is the Module).
        if len(parents) >= 3 and isinstance(parents[0], cst.Module):
            return parents[1], ()
        return None

    def statement(self) -> cst.CSTNode | None:
        """The innermost statement holding the node being visited."""
        for node in reversed(self.parents):
            if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                return node
        return None

    # --- what names stand for ----------------------------------------------------------

    def canonical(self, name: str) -> str:
        return self._aliases.get(name, name)

    def qualified_name(self, expr: cst.BaseExpression) -> str | None:
        """The importable thing a Name or dotted Attribute stands for, e.g. "time.sleep"."""
        if isinstance(expr, cst.Name):
            binding = self.scope.lookup(expr.value)
            if binding is not None:
                # `from redis.client import Redis` binds the name the tables call redis.Redis.
                return self.canonical(binding.qualname) if binding.qualname else None
            if expr.value in BUILTIN_NAMES:
                return "builtins." + expr.value
            if expr.value in self._known_modules:
                # Never bound in the file but a module the tables know: a snippet, or a name
                # that came in through `from x import *`.
                return expr.value
            return None
        if isinstance(expr, cst.Attribute):
            base = self.qualified_name(expr.value)
            if base is None:
                return None
            return self.canonical(f"{base}.{expr.attr.value}")
        return None

    def module_reference(self, module: str) -> ModuleReference:
        """How a fix writing code at the node being visited names `module` ("asyncio",
        "anyio.to_thread", "functools"): the name to write, the import to add for it, and
        whether that name is certain to mean the module when the code runs (decided from
        every binding in the file: see FileBindings.reference). Every fix that writes a
        module's name gets it here."""
        return self.file_bindings().reference(module, self.parents)

    def means_builtin(self, name: str) -> bool:
        """Whether `name` ("bytes"), written by a fix at the node being visited, is certain to
        be the builtin: no scope the code reads binds it, and no star import may."""
        return self.file_bindings().means_builtin(name, self.parents)

    def file_bindings(self) -> FileBindings:
        """Every binding in the file, by scope; built on first use (only fixes need it)."""
        if self._file_bindings is None:
            self._file_bindings = file_bindings(self.parents[0])
        return self._file_bindings

    def imported_frameworks(self) -> frozenset[str]:
        """Which of asyncio, trio and anyio the module imports at its top level."""
        module_scope = self.scope
        while module_scope.parent is not None:
            module_scope = module_scope.parent
        roots = {
            binding.qualname.split(".", 1)[0]
            for binding in module_scope.names.values()
            if binding.qualname is not None
        }
        return frozenset(roots & {"asyncio", "trio", "anyio"})

    def value_origin(self, expr: cst.BaseExpression) -> cst.BaseExpression | None:
        """The expression a plain name's value came from: `f` after `f = open(p)` (or
        `with open(p) as f`) gives the `open(p)` call."""
        if isinstance(expr, cst.Name):
            binding = self.scope.lookup(expr.value)
            return binding.origin if binding is not None else None
        return None

    def receiver_origin(self, call: cst.Call) -> cst.BaseExpression | None:
        """Where the object a method is called on came from: `f.read()` after `f = open(p)`
        gives the `open(p)` call, and `open(p).read()` gives it too. Only for receivers that
        are plain names or calls."""
        func = call.func
        if not isinstance(func, cst.Attribute):
            return None
        if isinstance(func.value, cst.Call):
            return func.value
        return self.value_origin(func.value)

    def handled_exceptions(self) -> frozenset[str]:
        """Qualified names of the exceptions handled around the node being visited, within
        the current function: by a `try` whose body holds it, or by the
        `with contextlib.suppress(...)` it stands in."""
        handled: set[str] = set()
        for holder, child in zip(self.parents, self.parents[1:]):
            if child is not getattr(holder, "body", None):
                continue
            if isinstance(holder, (cst.Try, cst.TryStar)):
                for handler in holder.handlers:
                    handled.update(self._exception_names(handler.type))
            elif isinstance(holder, cst.With):
                for item in holder.items:
                    manager = item.item
                    if (
                        isinstance(manager, cst.Call)
                        and self.qualified_name(manager.func) == "contextlib.suppress"
                    ):
                        for arg in manager.args:
                            handled.update(self._exception_names(arg.value))
        return frozenset(handled)

    def _exception_names(self, expr: cst.BaseExpression | None) -> list[str]:
        if isinstance(expr, cst.Tuple):
            return [name for el in expr.elements for name in self._exception_names(el.value)]
        name = self.qualified_name(expr) if expr is not None else None
        return [name] if name is not None else []

    def value_type(self, expr: cst.BaseExpression) -> str | None:
        """The qualified type of the value `expr` evaluates to, when a local fact tells it."""
        if isinstance(expr, cst.Name):
            binding = self.scope.lookup(expr.value)
            return binding.type if binding is not None else None
        if isinstance(expr, cst.Attribute):
            facts = self.function.class_facts
            if (
                facts is not None
                and isinstance(expr.value, cst.Name)
                and expr.value.value == self.function.self_name
            ):
                return facts.attr_types.get(expr.attr.value)
            return None
        if isinstance(expr, cst.Call):
            callee = self.callee(expr)
            return self._returns.get(callee) if callee is not None else None
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Divide):
            # `path / "name"` keeps the path's type (pathlib's operator).
            return self.value_type(expr.left)
        if isinstance(expr, cst.Await) and isinstance(expr.expression, cst.Call):
            # For a coroutine function, the tables give the type of what awaiting it returns.
            return self.value_type(expr.expression)
        return None

    def callee(self, call: cst.Call) -> str | None:
        """The qualified name of what a call calls: a function, a class, or a method named by
        its receiver's type (`s.get(...)` with `s = requests.Session()` is
        "requests.Session.get"). None when no local fact tells."""
        if self._callee_memo[0] is call:
            return self._callee_memo[1]
        func = call.func
        name = self.qualified_name(func)
        if name is None and isinstance(func, cst.Attribute):
            receiver = self.value_type(func.value)
            if receiver is not None:
                name = self.canonical(f"{receiver}.{func.attr.value}")
        self._callee_memo = (call, name)
        return name

    def annotation_type(self, annotation: cst.BaseExpression) -> str | None:
        """The type an annotation names; `Optional[T]`, `Union[T, None]` and `T | None` give T,
        so do `Annotated[T, ...]`, `Final[T]`, `ClassVar[T]` and a generic `T[int]`, and a
        quoted annotation is read as the expression it quotes (forward references, names
        imported under TYPE_CHECKING)."""
        if isinstance(annotation, (cst.SimpleString, cst.ConcatenatedString)):
            quoted = annotation.evaluated_value
            if not isinstance(quoted, str):
                return None
            try:
                return self.annotation_type(cst.parse_expression(quoted.strip()))
            except cst.ParserSyntaxError:
                return None
        if isinstance(annotation, cst.BinaryOperation) and isinstance(
            annotation.operator, cst.BitOr
        ):
            sides = [annotation.left, annotation.right]
            real = [s for s in sides if not _is_none(s)]
            return self.annotation_type(real[0]) if len(real) == 1 else None
        if isinstance(annotation, cst.Subscript):
            members = [el.slice.value for el in annotation.slice if isinstance(el.slice, cst.Index)]
            wrapper = self.qualified_name(annotation.value) or self._unbound_typing_name(annotation.value)
            if wrapper in _QUALIFIERS:
                return self.annotation_type(members[0]) if members else None
            if wrapper in _UNION_WRAPPERS:
                real = [m for m in members if not _is_none(m)]
                return self.annotation_type(real[0]) if len(real) == 1 else None
            return self.canonical(wrapper) if wrapper is not None else None
        name = self.qualified_name(annotation)
        if name is None or name in _QUALIFIERS:
            return None
        return self.canonical(name)


    def _unbound_typing_name(self, expr: cst.BaseExpression) -> str | None:
        """`Optional[...]` where `Optional` is bound nowhere in the file (a snippet, or
        `from typing import *`): in an annotation, the typing form is the only thing it can
        name."""
        if (
            isinstance(expr, cst.Name)
            and expr.value in _TYPING_FORMS
            and self.scope.lookup(expr.value) is None
        ):
            return f"typing.{expr.value}"
        return None


_TYPING_FORMS = frozenset(name.rsplit(".", 1)[1] for name in _UNION_WRAPPERS | _QUALIFIERS)


def _is_none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"
