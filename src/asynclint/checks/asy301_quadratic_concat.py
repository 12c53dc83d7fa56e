"""ASY301 quadratic-concat: see docs/rules/ASY301.md. What the accumulator holds comes from
analysis/values.py, whether the loop re-initialises it from analysis/loops.py."""

from __future__ import annotations

from dataclasses import dataclass

from asynclint._lazy import NodeTypes
from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context
from asynclint.analysis.loops import assignments, is_constant_size
from asynclint.analysis.scope import dotted_name
from asynclint.analysis.kinds import value_kind
from asynclint.analysis.values import origin_of
from asynclint.checks._held import shorten
from asynclint.checks.base import Check, NodeEdit, ProposedFix
from asynclint.checks.fixes import code_of, display_fix
from asynclint.diagnostic import Applicability
from asynclint.tables import Tables

# The immutable sequences whose `+=` copies the whole value each time.
_COPIED_ON_GROWTH = frozenset({"bytes", "str"})


class QuadraticConcat(Check):
    code = "ASY301"

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        return (frozenset({"async"}),)  # reported in async context only (see the doc page)

    def start_file(self) -> None:
        super().start_file()
        # (function, accumulator) -> its bytearray rewrite, or None where there is none
        self._rewrites: dict[tuple[int, str], Rewrite | None] = {}
        # (outermost loop, accumulator) already reported: one finding per accumulator and loop,
        # however many lines grow it
        self._reported: set[tuple[int, str]] = set()

    def visit_AugAssign(self, node: cst.AugAssign, ctx: Context) -> None:
        if isinstance(node.operator, cst.AddAssign):
            self._judge(node, node.target, node.value, ctx)

    def visit_Assign(self, node: cst.Assign, ctx: Context) -> None:
        value = node.value
        if (
            len(node.targets) == 1
            and isinstance(value, cst.BinaryOperation)
            and isinstance(value.operator, cst.Add)
            and dotted_name(value.left) is not None
            and dotted_name(value.left) == dotted_name(node.targets[0].target)
        ):
            self._judge(node, node.targets[0].target, value.right, ctx)

    def _judge(
        self, node: cst.CSTNode, accumulator: cst.BaseExpression, part: cst.BaseExpression, ctx: Context
    ) -> None:
        if not ctx.loops or not ctx.in_async:
            return
        name = dotted_name(accumulator)
        frame = ctx.loops[-1]
        if name is None or name in assignments(frame).rebound or is_constant_size(frame, ctx):
            return  # re-initialised on every iteration, or a handful of iterations at most
        kind = value_kind(accumulator, ctx)
        if kind not in _COPIED_ON_GROWTH:
            return
        key = (id(ctx.loops[0].node), name)
        if key in self._reported:
            return  # the same accumulator in the same loop: reported at its first growth
        self._reported.add(key)
        self.report(
            node,
            f"`{name}` is `{kind}` and grows by concatenation in a loop: each step copies "
            "everything gathered so far, so the work grows with the square of its size",
            ctx.statement(),
            self._fix(kind, accumulator, part, ctx),
        )

    def _fix(self, kind: str, accumulator: cst.BaseExpression, part: cst.BaseExpression, ctx: Context) -> ProposedFix:
        name = code_of(accumulator)
        added = shorten(code_of(part), 30)
        if kind == "str":
            parts = f"{name}_parts"
            return display_fix(
                f"Collect the parts in a list: `{parts}.append({added})` in the loop, then "
                f'`"".join({parts})` once after it'
            )
        rewrite = None
        function = ctx.function.node
        if isinstance(accumulator, cst.Name) and isinstance(function, cst.FunctionDef):
            key = (id(function), name)
            if key not in self._rewrites:
                self._rewrites[key] = bytearray_rewrite(function, name, ctx)
            rewrite = self._rewrites[key]
        if rewrite is None:
            origin = origin_of(accumulator, ctx)
            start = "" if origin is None or _bytes_literal(origin, ctx) == "" else shorten(code_of(origin), 30)
            return display_fix(
                f"Make `{name}` a `bytearray` where it starts (`{name} = bytearray({start})`), so "
                f"`{name} += {added}` extends it in place; take `bytes({name})` where bytes are needed"
            )
        title = f"Accumulate in a `bytearray`: `{name} = bytearray()`"
        if rewrite.wrapped:
            title += f", and `bytes({name})` where the result is used"
        return ProposedFix(title, Applicability.UNSAFE, rewrite.edits)


# --- the bytearray rewrite --------------------------------------------------------------------

# Uses that read a bytearray exactly as they read bytes, so they stay as written.
_SAME_ON_BYTEARRAY_METHODS = frozenset(
    {"count", "endswith", "find", "index", "rfind", "rindex", "startswith"}
)
_NESTED_SCOPES = NodeTypes("FunctionDef", "Lambda", "ClassDef", "ListComp", "SetComp", "DictComp", "GeneratorExp")


@dataclass(frozen=True, slots=True)
class Rewrite:
    edits: tuple[NodeEdit, ...]
    wrapped: int  # how many uses became `bytes(name)`


def bytearray_rewrite(function: cst.FunctionDef, name: str, ctx: Context) -> Rewrite | None:
    """`name = b""` ... `name += part` ... `return name` in `function` becomes
    `name = bytearray()` ... `name += part` ... `return bytes(name)`, when that keeps every
    result the same:

    - `name` is a local of `function`, bound once (`name = b""`, `bytes()` or a bytes literal,
      not annotated) and otherwise only grown with `name += part` (or `name = name + part`,
      which becomes `+=`); it is not a parameter, `global`, `nonlocal`, deleted or used by a
      nested function, lambda, class or comprehension;
    - every other read either gives the same result on a bytearray and stays as written
      (`len(name)`, `name.find(...)` and the other searches, `x in name`, `name == other`, a
      truth test), or is wrapped in `bytes(name)`, which gives back the very bytes the original
      held at that point. A wrapped read must not run more often than the initialisation (no
      copy per iteration), except a `return`.

    None where any of this does not hold: the suggestion is then display-only."""
    if not all(ctx.means_builtin(builtin) for builtin in ("bytes", "bytearray", "len")):
        return None  # maybe shadowed: the rewrite (or the reading of `len(name)`) would not mean the builtins
    from libcst.metadata import ExpressionContext, ExpressionContextProvider, MetadataWrapper, ParentNodeProvider

    wrapper = MetadataWrapper(cst.Module(body=[function]), unsafe_skip_copy=True)
    contexts = wrapper.resolve(ExpressionContextProvider)
    parents = wrapper.resolve(ParentNodeProvider)

    def ancestors(node: cst.CSTNode):
        """The nodes around `node`, up to (not including) `function`."""
        node = parents[node]
        while node is not function:
            yield node
            node = parents[node]

    def loops_around(node: cst.CSTNode) -> list[cst.CSTNode]:
        found = []
        child = node
        for ancestor in ancestors(node):
            if isinstance(ancestor, cst.While) or isinstance(ancestor, cst.For) and child is not ancestor.iter:
                found.append(ancestor)
            child = ancestor
        return found

    names = _names(function, name)
    if any(param.name.value == name for param in _params(function)):
        return None
    initialisers: list[cst.Assign] = []
    edits: list[NodeEdit] = []
    wraps: list[cst.Name] = []
    for node in names:
        parent = parents[node]
        if isinstance(parent, cst.Attribute) and parent.attr is node:
            continue  # `x.name`: an attribute, not the variable
        if isinstance(parent, cst.Arg) and parent.keyword is node:
            continue  # `f(name=...)`: a keyword
        if any(isinstance(a, _NESTED_SCOPES()) for a in ancestors(node)):
            return None
        context = contexts.get(node)
        if context is ExpressionContext.STORE:
            if isinstance(parent, cst.AugAssign) and isinstance(parent.operator, cst.AddAssign):
                continue  # `name += part`: grows a bytearray in place
            if isinstance(parent, cst.AssignTarget):
                assign = parents[parent]
                if _grows(assign, name):
                    edits.append(NodeEdit(assign, f"{name} += {code_of(assign.value.right)}"))
                    continue
                if len(assign.targets) == 1 and _bytes_literal(assign.value, ctx) is not None:
                    initialisers.append(assign)
                    continue
            return None
        if context is not ExpressionContext.LOAD:
            return None
        if isinstance(parent, cst.BinaryOperation) and parent.left is node and _grows(parents[parent], name):
            continue  # the `name` of `name = name + part`
        if _same_on_bytearray(node, parent, parents):
            continue
        if isinstance(parent, cst.FormattedStringExpression) and parent.equal is not None:
            return None  # `f"{name=}"` prints the expression's text
        wraps.append(node)
    if len(initialisers) != 1:
        return None
    initialiser = initialisers[0]
    around_init = set(map(id, loops_around(initialiser)))
    for node in wraps:
        if isinstance(parents[node], cst.Return):
            continue  # runs once
        if not set(map(id, loops_around(node))) <= around_init:
            return None  # it would copy on every iteration of a loop the original passes by reference
    literal = _bytes_literal(initialiser.value, ctx)
    edits.append(NodeEdit(initialiser.value, f"bytearray({literal})" if literal else "bytearray()"))
    edits += [NodeEdit(node, f"bytes({name})") for node in wraps]
    return Rewrite(tuple(edits), len(wraps))


def _names(function: cst.FunctionDef, name: str) -> list[cst.Name]:
    found: list[cst.Name] = []

    class _Collect(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            if node.value == name:
                found.append(node)

    function.body.visit(_Collect())
    return found


def _params(function: cst.FunctionDef) -> list[cst.Param]:
    params = function.params
    found = [*params.posonly_params, *params.params, *params.kwonly_params]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            found.append(star)
    return found


def _grows(assign: cst.CSTNode, name: str) -> bool:
    """`name = name + part`."""
    return (
        isinstance(assign, cst.Assign)
        and len(assign.targets) == 1
        and isinstance(assign.targets[0].target, cst.Name)
        and assign.targets[0].target.value == name
        and isinstance(assign.value, cst.BinaryOperation)
        and isinstance(assign.value.operator, cst.Add)
        and isinstance(assign.value.left, cst.Name)
        and assign.value.left.value == name
    )


def _bytes_literal(value: cst.BaseExpression, ctx: Context) -> str | None:
    """For `b"..."` the literal ("" when it is empty), for `bytes()` ""; None otherwise."""
    if isinstance(value, cst.SimpleString) and "b" in value.prefix.lower():
        return "" if value.evaluated_value == b"" else code_of(value)
    if isinstance(value, cst.Call) and not value.args and ctx.qualified_name(value.func) == "builtins.bytes":
        return ""
    return None


def _same_on_bytearray(node: cst.Name, parent: cst.CSTNode, parents) -> bool:
    """A read whose result is the same for a bytearray as for bytes holding the same data."""
    if isinstance(parent, cst.Arg) and parent.value is node and not parent.star and not parent.keyword:
        call = parents[parent]
        return (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Name)
            and call.func.value == "len"
            and len(call.args) == 1
        )
    if isinstance(parent, cst.Attribute) and parent.value is node:
        call = parents[parent]
        return (
            parent.attr.value in _SAME_ON_BYTEARRAY_METHODS
            and isinstance(call, cst.Call)
            and call.func is parent
        )
    if isinstance(parent, cst.ComparisonTarget) and parent.comparator is node:
        return isinstance(parent.operator, (cst.In, cst.NotIn, cst.Equal, cst.NotEqual))
    if isinstance(parent, cst.Comparison) and parent.left is node:
        return all(isinstance(t.operator, (cst.Equal, cst.NotEqual)) for t in parent.comparisons)
    if isinstance(parent, (cst.If, cst.While, cst.IfExp, cst.Assert)) and parent.test is node:
        return True
    return isinstance(parent, cst.UnaryOperation) and isinstance(parent.operator, cst.Not)
