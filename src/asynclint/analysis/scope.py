"""Scopes, bindings and qualified-name resolution, built by our own pass.

libcst's ScopeProvider and QualifiedNameProvider cost several times the parse itself, so
asynclint keeps a scope chain of plain dicts, filled in traversal order. A name resolves to
the binding seen last along the chain, which is how the code reads top to bottom; function
bodies are walked after the module body (see walker.py), so they see every module-level name.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field

from asynclint._lazy import libcst as cst

from asynclint.analysis.tree import children

BUILTIN_NAMES = frozenset(dir(builtins))


@dataclass(slots=True)
class Binding:
    """What a name holds, as far as a static reading can tell.

    `qualname` is set when the name stands for something importable (`import requests as rq`
    binds `rq` to "requests"; `sleep = time.sleep` binds `sleep` to "time.sleep").
    `type` is set when the name holds an instance of a known type (`s = requests.Session()`).
    `origin` is the expression the value came from (the call in `f = open(p)`), when known.
    `definition` is the `def` or `class` statement that bound the name, for those.
    A binding with none of these still matters: it shadows outer names.
    """

    qualname: str | None = None
    type: str | None = None
    origin: cst.BaseExpression | None = None
    definition: cst.FunctionDef | cst.ClassDef | None = None


@dataclass(slots=True)
class ClassFacts:
    name: str
    attr_types: dict[str, str] = field(default_factory=dict)  # self.x -> type of x
    # self.x -> the expression first assigned to it (`__init__` runs first, see walker.py)
    attr_origins: dict[str, cst.BaseExpression] = field(default_factory=dict)


@dataclass(slots=True)
class Scope:
    kind: str  # "module" | "class" | "function" | "lambda" | "comprehension"
    parent: Scope | None
    names: dict[str, Binding] = field(default_factory=dict)
    class_facts: ClassFacts | None = None  # for kind == "class"

    def lookup(self, name: str) -> Binding | None:
        """Python's rule: class bodies are not visible from the functions nested in them."""
        scope: Scope | None = self
        while scope is not None:
            if scope is self or scope.kind != "class":
                binding = scope.names.get(name)
                if binding is not None:
                    return binding
            scope = scope.parent
        return None


def dotted_name(expr: cst.BaseExpression) -> str | None:
    """`a.b.c` as written, or None when the expression is not a plain dotted name."""
    parts = []
    while isinstance(expr, cst.Attribute):
        parts.append(expr.attr.value)
        expr = expr.value
    if not isinstance(expr, cst.Name):
        return None
    parts.append(expr.value)
    return ".".join(reversed(parts))


def bind_import(scope: Scope, node: cst.Import) -> None:
    for alias in node.names:
        module = dotted_name(alias.name)
        if module is None:
            continue
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            scope.names[alias.asname.name.value] = Binding(qualname=module)
        else:
            # `import a.b.c` binds only `a`, which stands for the package `a`.
            top = module.split(".", 1)[0]
            scope.names[top] = Binding(qualname=top)


def bind_import_from(scope: Scope, node: cst.ImportFrom) -> None:
    if isinstance(node.names, cst.ImportStar):
        return
    module = dotted_name(node.module) if node.module is not None else ""
    prefix = "." * len(node.relative) + (module or "")
    for alias in node.names:
        name = dotted_name(alias.name)
        if name is None:
            continue
        qualname = f"{prefix}.{name}" if prefix and not prefix.endswith(".") else prefix + name
        local = name
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            local = alias.asname.name.value
        scope.names[local] = Binding(qualname=qualname)


def target_names(target: cst.BaseExpression) -> list[str]:
    """Plain names bound by an assignment target (tuples and starred parts included)."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        names: list[str] = []
        for element in target.elements:
            names.extend(target_names(element.value))
        return names
    if isinstance(target, cst.StarredElement):
        return target_names(target.value)
    return []


# --- every binding in the file: the names a fix may write -------------------------------------
#
# The chain above is filled as the walk goes, so at a given node it holds only what came before
# it (and keeps `x = requests.Session()` over a later `x = None`): right for reading what a
# name holds, not for deciding what a fix may write. A fix's `asyncio.sleep` means the module
# only when no binding anywhere says otherwise (a parameter, a later `for asyncio in ...`, a
# `global` rebinding elsewhere), so fixes ask a table of every binding in the file, built once,
# on first use, by Python's own scoping rules (a name bound anywhere in a function is local to
# all of it; class bodies are not seen from the scopes nested in them).


@dataclass(frozen=True, slots=True)
class Site:
    """One place that binds a name."""

    module: str | None  # what an import binds the name to ("asyncio"); None for every other binding
    unconditional: bool  # a statement of its scope's own body, so it runs whenever the body gets past it
    order: int  # the index, in its scope's body, of the statement it stands in


@dataclass(slots=True, eq=False)
class ScopeBindings:
    """Every binding of one scope, wherever in the scope it stands."""

    # "module" | "class" | "function" | "lambda" | "comprehension" | "type parameters"
    kind: str
    parent: ScopeBindings | None
    sites: dict[str, list[Site]] = field(default_factory=dict)
    declared_global: set[str] = field(default_factory=set)
    declared_nonlocal: set[str] = field(default_factory=set)
    star_import: bool = False  # `from x import *`: it may bind any name

    def binder(self, name: str) -> ScopeBindings | None:
        """The scope whose binding of `name` code in this scope reads; None when no scope
        binds it (a builtin, or a name never bound)."""
        scope: ScopeBindings | None = self
        while scope is not None:
            if scope is self or scope.kind != "class":
                if name in scope.declared_global:
                    scope = _outermost(scope)
                    return scope if name in scope.sites else None
                if name in scope.sites:
                    return scope
            scope = scope.parent
        return None


def _outermost(scope: ScopeBindings) -> ScopeBindings:
    while scope.parent is not None:
        scope = scope.parent
    return scope


@dataclass(frozen=True, slots=True)
class ModuleReference:
    """How a fix names a module where it writes code."""

    name: str  # what the fix writes: "asyncio", "aio", "anyio.to_thread", "asyncio_"
    imports: tuple[str, ...]  # the import it must add for that: "asyncio", "asyncio as asyncio_"
    safe: bool  # the name is certain to mean the module whenever the fix's code runs


# How a name stands at a point, for a fix that wants it to mean a module.
_BOUND = "bound"  # only imports of the module bind it, and one certainly ran before the point
_IMPORTABLE = "importable"  # unbound, or bound only by unconditional module-level imports of it
_CONDITIONAL = "conditional"  # bound at module level only by imports of it that may not run
_OTHER = "other"  # something else may be bound to it there


@dataclass(slots=True, eq=False)
class FileBindings:
    module: ScopeBindings
    # Each scope, by the node that opens it: the Module, a def, lambda, class or comprehension.
    scopes: dict[cst.CSTNode, ScopeBindings]
    imported_as: dict[str, set[str]]  # module -> the names imports bind to it, anywhere
    names: set[str]  # every name written anywhere in the file

    def reference(self, module: str, parents: list[cst.CSTNode]) -> ModuleReference:
        """How a fix writing code at the end of `parents` (the nodes from the Module down)
        names `module`. Safe only when the name is certain to mean the module there:

        - bound there only by imports of the module, one of which is a statement of its scope's
          own body before the statement the code is in: nothing to add;
        - or not bound at all, or bound only by unconditional module-level imports of it (after
          the code's function): `import module` is added to the top of the file.

        Anything else binding the name in the scopes the code reads (a parameter, an
        assignment or loop anywhere in the function, a `global` rebinding elsewhere, an
        import of something else, a star import) leaves no safe name. The fix is then unsafe:
        it writes the name and adds the import where the name's only bindings are module-level
        imports of the module that may not run (under `if TYPE_CHECKING:`, in a `try`), and
        otherwise imports the module under a name the file does not use (`asyncio_`)."""
        scope, orders = self._scope_at(parents)
        top = module.split(".", 1)[0]

        def standing(name: str, bound_to: str) -> str:
            binder = scope.binder(name)
            if (binder is None or binder is self.module) and self.module.star_import:
                return _OTHER
            if binder is None:
                return _IMPORTABLE
            sites = binder.sites[name]
            if any(site.module != bound_to for site in sites):
                return _OTHER
            if any(site.unconditional and site.order < orders.get(binder, 0) for site in sites):
                return _BOUND
            if binder is not self.module:
                return _OTHER  # a local import after the code, or one that may not run
            return _IMPORTABLE if all(site.unconditional for site in sites) else _CONDITIONAL

        # `import anyio` binds `anyio` to the package; the fix imports the submodule itself.
        plain = standing(top, top)
        if module == top and plain == _BOUND:
            return ModuleReference(module, (), True)
        for name in sorted(self.imported_as.get(module, ())):  # an alias: `import asyncio as aio`
            if name != top and standing(name, module) == _BOUND:
                return ModuleReference(name, (), True)
        if plain in (_BOUND, _IMPORTABLE):
            return ModuleReference(module, (module,), True)
        if plain == _CONDITIONAL:
            return ModuleReference(module, (module,), False)
        alias = self._free_name(module.replace(".", "_") + "_")
        return ModuleReference(alias, (f"{module} as {alias}",), False)

    def means_builtin(self, name: str, parents: list[cst.CSTNode]) -> bool:
        """Whether `name`, written at the end of `parents`, is certain to be the builtin."""
        scope, _ = self._scope_at(parents)
        return scope.binder(name) is None and not self.module.star_import

    def _scope_at(self, parents: list[cst.CSTNode]) -> tuple[ScopeBindings, dict[ScopeBindings, int]]:
        """The innermost scope at the end of `parents`, and for each scope around it that has
        a body of statements, the index of the statement of that body the point is in."""
        scope = self.module
        orders: dict[ScopeBindings, int] = {}
        for index, node in enumerate(parents[:-1]):
            inner = self.scopes.get(node)
            if inner is None:
                continue
            child = parents[index + 1]
            body = None
            if isinstance(node, cst.Module):
                body, statement = node.body, child
            elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                if child is not node.body:
                    continue  # decorators, defaults, annotations, bases: the enclosing scope's
                body, statement = node.body.body, parents[index + 2] if index + 2 < len(parents) else None
            elif isinstance(node, cst.Lambda):
                if child is not node.body:
                    continue
            elif child is node.for_in and index + 2 < len(parents) and parents[index + 2] is node.for_in.iter:
                continue  # a comprehension's first iterable runs in the enclosing scope
            scope = inner
            if body is not None:
                orders[inner] = next((i for i, s in enumerate(body) if s is statement), len(body))
        return scope, orders

    def _free_name(self, base: str) -> str:
        name, number = base, 1
        while name in self.names:
            number += 1
            name = f"{base}{number}"
        return name


def file_bindings(module: cst.Module) -> FileBindings:
    """Every binding in `module`, by scope (see FileBindings)."""
    collector = _BindingCollector(module)
    collector.statements(module.body, collector.table.module)
    collector.move_nonlocal_bindings()
    return collector.table


_COMPREHENSIONS = ("ListComp", "SetComp", "GeneratorExp", "DictComp")


class _BindingCollector:
    """One pass over the whole tree that records every binding in the scope it belongs to."""

    def __init__(self, module: cst.Module) -> None:
        self._children = children
        root = ScopeBindings("module", None)
        self.table = FileBindings(root, {module: root}, {}, set())
        self._order: dict[ScopeBindings, int] = {}  # the statement of each scope's body being read
        self._handlers = {
            cst.Name: self._name,
            cst.FunctionDef: self._function_def,
            cst.ClassDef: self._class_def,
            cst.Lambda: self._lambda,
            cst.Import: self._import,
            cst.ImportFrom: self._import_from,
            cst.Assign: self._assign,
            cst.AugAssign: self._target_and_value,
            cst.AnnAssign: self._target_and_value,
            cst.For: self._for,
            cst.WithItem: self._with_item,
            cst.ExceptHandler: self._except_handler,
            cst.ExceptStarHandler: self._except_handler,
            cst.NamedExpr: self._named_expr,
            cst.Del: self._del,
            cst.Global: self._global,
            cst.Nonlocal: self._nonlocal,
            cst.MatchAs: self._match_capture,
            cst.MatchStar: self._match_capture,
            cst.MatchMapping: self._match_capture,
            cst.TypeAlias: self._type_alias,
            **{getattr(cst, name): self._comprehension for name in _COMPREHENSIONS},
        }

    # --- driving ------------------------------------------------------------------------

    def statements(self, body, scope: ScopeBindings) -> None:
        """The statements of a scope's own body: what they bind is unconditional."""
        for index, statement in enumerate(body):
            self._order[scope] = index
            self.visit(statement, scope, False)

    def visit(self, node: cst.CSTNode, scope: ScopeBindings, conditional: bool) -> None:
        handler = self._handlers.get(type(node))
        if handler is not None:
            handler(node, scope, conditional)
            return
        # Inside an if, try, loop, with or match, a statement may not run.
        conditional = conditional or isinstance(node, cst.BaseCompoundStatement)
        for child in self._children(node):
            self.visit(child, scope, conditional)

    def _open(self, node: cst.CSTNode, kind: str, parent: ScopeBindings) -> ScopeBindings:
        scope = ScopeBindings(kind, parent)
        self.table.scopes[node] = scope
        return scope

    def bind(self, scope: ScopeBindings, name: str, conditional: bool, module: str | None = None) -> None:
        unconditional = not conditional
        if scope.parent is not None and name in scope.declared_global:
            scope, unconditional = self.table.module, False
        scope.sites.setdefault(name, []).append(Site(module, unconditional, self._order.get(scope, 0)))
        self.table.names.add(name)
        if module is not None:
            self.table.imported_as.setdefault(module, set()).add(name)

    def _bind_target(self, target: cst.BaseExpression, scope: ScopeBindings, conditional: bool) -> None:
        for name in target_names(target):
            self.bind(scope, name, conditional)
        self.visit(target, scope, conditional)  # `a[(i := 0)] = x` binds in its subscript

    def move_nonlocal_bindings(self) -> None:
        """A binding of a `nonlocal` name belongs to the enclosing function that has it."""
        for scope in self.table.scopes.values():
            for name in scope.declared_nonlocal & scope.sites.keys():
                owner = scope.parent.binder(name) if scope.parent is not None else None
                if owner is not None:
                    owner.sites[name].extend(Site(s.module, False, s.order) for s in scope.sites[name])
                del scope.sites[name]

    # --- scopes -------------------------------------------------------------------------

    def _function_def(self, node: cst.FunctionDef, scope: ScopeBindings, conditional: bool) -> None:
        for decorator in node.decorators:
            self.visit(decorator, scope, conditional)
        self._parameters_head(node.params, scope, conditional)
        if node.returns is not None:
            self.visit(node.returns, scope, conditional)
        inner = self._open(node, "function", self._type_parameters(node, scope))
        self._parameters(node.params, inner)
        self.statements(node.body.body, inner)
        self.bind(scope, node.name.value, conditional)

    def _class_def(self, node: cst.ClassDef, scope: ScopeBindings, conditional: bool) -> None:
        for part in (*node.decorators, *node.bases, *node.keywords):
            self.visit(part, scope, conditional)
        inner = self._open(node, "class", self._type_parameters(node, scope))
        self.statements(node.body.body, inner)
        self.bind(scope, node.name.value, conditional)

    def _lambda(self, node: cst.Lambda, scope: ScopeBindings, conditional: bool) -> None:
        self._parameters_head(node.params, scope, conditional)
        inner = self._open(node, "lambda", scope)
        self._parameters(node.params, inner)
        self.visit(node.body, inner, True)

    def _comprehension(self, node: cst.BaseComp, scope: ScopeBindings, conditional: bool) -> None:
        first = node.for_in
        self.visit(first.iter, scope, conditional)  # evaluated in the enclosing scope
        inner = self._open(node, "comprehension", scope)
        comp_for: cst.CompFor | None = first
        while comp_for is not None:
            if comp_for is not first:
                self.visit(comp_for.iter, inner, True)
            self._bind_target(comp_for.target, inner, True)
            for condition in comp_for.ifs:
                self.visit(condition, inner, True)
            comp_for = comp_for.inner_for_in
        results = (node.key, node.value) if isinstance(node, cst.DictComp) else (node.elt,)
        for result in results:
            self.visit(result, inner, True)

    def _type_parameters(self, node: cst.FunctionDef | cst.ClassDef, scope: ScopeBindings) -> ScopeBindings:
        """`def f[T]()`, `class C[T]`: the parameters live in a scope of their own around the
        def or class body (Python 3.12)."""
        if node.type_parameters is None:
            return scope
        inner = self._open(node.type_parameters, "type parameters", scope)
        for parameter in node.type_parameters.params:
            self.bind(inner, parameter.param.name.value, False)
        return inner

    def _parameters_head(self, params: cst.Parameters, scope: ScopeBindings, conditional: bool) -> None:
        """Defaults and annotations run where the def or lambda stands."""
        for param in _parameters(params):
            for part in (param.default, param.annotation):
                if part is not None:
                    self.visit(part, scope, conditional)

    def _parameters(self, params: cst.Parameters, scope: ScopeBindings) -> None:
        for param in _parameters(params):
            self.bind(scope, param.name.value, False)

    # --- bindings -----------------------------------------------------------------------

    def _name(self, node: cst.Name, scope: ScopeBindings, conditional: bool) -> None:
        self.table.names.add(node.value)

    def _import(self, node: cst.Import, scope: ScopeBindings, conditional: bool) -> None:
        for alias in node.names:
            module = dotted_name(alias.name)
            if module is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.bind(scope, alias.asname.name.value, conditional, module)
            else:
                top = module.split(".", 1)[0]  # `import a.b` binds `a`, the package
                self.bind(scope, top, conditional, top)

    def _import_from(self, node: cst.ImportFrom, scope: ScopeBindings, conditional: bool) -> None:
        if isinstance(node.names, cst.ImportStar):
            scope.star_import = True
            return
        module = dotted_name(node.module) if node.module is not None else ""
        prefix = "." * len(node.relative) + (module or "")
        for alias in node.names:
            name = dotted_name(alias.name)
            if name is None:
                continue
            qualname = f"{prefix}.{name}" if prefix and not prefix.endswith(".") else prefix + name
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self.bind(scope, local, conditional, qualname)

    def _assign(self, node: cst.Assign, scope: ScopeBindings, conditional: bool) -> None:
        for target in node.targets:
            self._bind_target(target.target, scope, conditional)
        self.visit(node.value, scope, conditional)

    def _target_and_value(self, node: cst.AugAssign | cst.AnnAssign, scope: ScopeBindings, conditional: bool) -> None:
        """`x += 1`, and `x: int` with or without a value: either makes `x` a local."""
        self._bind_target(node.target, scope, conditional)
        if isinstance(node, cst.AnnAssign):
            self.visit(node.annotation, scope, conditional)
        if node.value is not None:
            self.visit(node.value, scope, conditional)

    def _for(self, node: cst.For, scope: ScopeBindings, conditional: bool) -> None:
        self.visit(node.iter, scope, True)
        self._bind_target(node.target, scope, True)
        self.visit(node.body, scope, True)
        if node.orelse is not None:
            self.visit(node.orelse, scope, True)

    def _with_item(self, node: cst.WithItem, scope: ScopeBindings, conditional: bool) -> None:
        self.visit(node.item, scope, conditional)
        if node.asname is not None:
            self._bind_target(node.asname.name, scope, conditional)

    def _except_handler(self, node: cst.ExceptHandler | cst.ExceptStarHandler, scope: ScopeBindings, conditional: bool) -> None:
        if node.type is not None:
            self.visit(node.type, scope, conditional)
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self.bind(scope, node.name.name.value, conditional)
        self.visit(node.body, scope, conditional)

    def _named_expr(self, node: cst.NamedExpr, scope: ScopeBindings, conditional: bool) -> None:
        """`(x := v)` binds in the scope around any comprehensions it stands in."""
        owner = scope
        while owner.kind == "comprehension" and owner.parent is not None:
            owner = owner.parent
        self.visit(node.value, scope, conditional)
        self._bind_target(node.target, owner, True)

    def _del(self, node: cst.Del, scope: ScopeBindings, conditional: bool) -> None:
        self._bind_target(node.target, scope, conditional)

    def _global(self, node: cst.Global, scope: ScopeBindings, conditional: bool) -> None:
        scope.declared_global.update(item.name.value for item in node.names)

    def _nonlocal(self, node: cst.Nonlocal, scope: ScopeBindings, conditional: bool) -> None:
        scope.declared_nonlocal.update(item.name.value for item in node.names)

    def _match_capture(self, node: cst.MatchAs | cst.MatchStar | cst.MatchMapping, scope: ScopeBindings, conditional: bool) -> None:
        for child in self._children(node):
            self.visit(child, scope, conditional)
        captured = node.rest if isinstance(node, cst.MatchMapping) else node.name
        if isinstance(captured, cst.Name):
            self.bind(scope, captured.value, conditional)

    def _type_alias(self, node: cst.TypeAlias, scope: ScopeBindings, conditional: bool) -> None:
        self.bind(scope, node.name.value, conditional)
        self.visit(node.value, scope, True)


def _parameters(params: cst.Parameters) -> list[cst.Param]:
    found = [*params.posonly_params, *params.params, *params.kwonly_params]
    for extra in (params.star_arg, params.star_kwarg):
        if isinstance(extra, cst.Param):
            found.append(extra)
    return found
