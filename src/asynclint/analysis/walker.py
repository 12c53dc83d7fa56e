"""One traversal per file that keeps the shared facts current and calls every enabled check.

Why not libcst's visitor: `CSTNode.visit` rebuilds each node as it goes and costs nearly as much
as the parse. This walker reads only the fields that can hold code (whitespace, punctuation
and comments are skipped), which makes a full traversal cost a few percent of the parse.

Order of traversal, ruff-style: a function's decorators, defaults and annotations are visited
where the `def` stands, but its body is visited after the enclosing body is complete. So a body
sees every module-level binding however late it appears, and `__init__` (which runs first)
is visited before the other methods of its class, so `self.x = threading.Lock()` is known to
all of them.

Hooks, fixit-style: a check's `visit_<Node>` runs when the walk enters a node of that libcst
type, before its children; `leave_<Node>` when it leaves it, after them (for a `def`, after its
deferred body, while `ctx.function` is still that function). Facts that cost a walk hook of
their own are computed only when a check declares it reads them (`Check.facts`): today the
locks held (`ctx.holds`, analysis/locks.py).
"""

from __future__ import annotations

import dataclasses
from collections import deque
from typing import Callable

from asynclint._lazy import libcst as cst

from asynclint.analysis import locks
from asynclint.analysis.context import Context, FunctionFrame, LoopFrame
from asynclint.analysis.scope import (
    Binding,
    ClassFacts,
    Scope,
    bind_import,
    bind_import_from,
    target_names,
)
from asynclint.analysis.tree import children, code_fields

# Quoted: naming a libcst class here would load libcst when this module is imported.
Visitor = Callable[["cst.CSTNode", Context], None]
# Every fact a check can declare (Check.facts).
FACTS = frozenset({locks.LOCK_HOLDS})


@dataclasses.dataclass(frozen=True)
class Hooks:
    """What the walk calls for a set of checks, by libcst node type, and the facts they read."""

    visitors: dict[type, list[Visitor]]
    leavers: dict[type, list[Visitor]]
    facts: frozenset[str]


def hooks_for(checks) -> Hooks:
    """The `visit_<Node>` and `leave_<Node>` methods of `checks`, and the facts they declare."""
    visitors: dict[type, list[Visitor]] = {}
    leavers: dict[type, list[Visitor]] = {}
    for check in checks:
        for attribute in dir(check):
            prefix, _, node_name = attribute.partition("_")
            if prefix in ("visit", "leave") and node_name[:1].isupper():
                hooks = visitors if prefix == "visit" else leavers
                hooks.setdefault(getattr(cst, node_name), []).append(getattr(check, attribute))
    facts = frozenset().union(*(check.facts for check in checks))
    unknown = facts - FACTS
    if unknown:
        raise ValueError(f"no such shared fact: {', '.join(sorted(unknown))} (known: {', '.join(sorted(FACTS))})")
    return Hooks(visitors, leavers, facts)


# What the walk does at a node of some type (see Walker._plan).
_Plan = tuple[tuple[Visitor, ...], "Callable[[cst.CSTNode], None] | None", tuple[Visitor, ...]]
_NOTHING_TO_DO: _Plan = ((), None, ())


@dataclasses.dataclass(slots=True, eq=False)
class _DeferredBody:
    node: cst.FunctionDef
    scope: Scope  # the scope the def stands in
    class_facts: ClassFacts | None
    parents: tuple  # the nodes enclosing the def, the def last: where its body sits


class Walker:
    def __init__(
        self,
        context: Context,
        visitors: dict[type, list[Visitor]],
        leavers: dict[type, list[Visitor]] | None = None,
        facts: frozenset[str] = FACTS,
    ) -> None:
        """`visitors` and `leavers` as `hooks_for` gives them; `facts`: those to keep current."""
        self.ctx = context
        self._visitors = visitors
        self._leavers = leavers or {}
        self._tracks_locks = locks.LOCK_HOLDS in facts
        self._deferred: deque[_DeferredBody] = deque()
        self._plans: dict[type, _Plan] = {}
        self._handlers: dict[type, Callable[[cst.CSTNode], None]] = {
            cst.FunctionDef: self._function_def,
            cst.Lambda: self._lambda,
            cst.ClassDef: self._class_def,
            cst.Import: self._import,
            cst.ImportFrom: self._import_from,
            cst.Assign: self._assign,
            cst.AnnAssign: self._ann_assign,
            cst.NamedExpr: self._named_expr,
            cst.For: self._for,
            cst.While: self._while,
            cst.With: self._with,
            cst.WithItem: self._with_item,
            cst.Expr: self._expression_statement,
            cst.ExceptHandler: self._except_handler,
            cst.MatchAs: self._match_capture,
            cst.MatchStar: self._match_capture,
            cst.MatchMapping: self._match_capture,
            cst.ListComp: self._comprehension,
            cst.SetComp: self._comprehension,
            cst.GeneratorExp: self._comprehension,
            cst.DictComp: self._comprehension,
        }

    # --- driving ------------------------------------------------------------------------

    def walk_module(self, module: cst.Module) -> None:
        self.visit(module)
        while self._deferred:
            self._function_body(self._deferred.popleft())

    def visit(self, node: cst.CSTNode) -> None:
        plan = self._plans.get(type(node))
        if plan is None:
            plan = self._plan(type(node))
        if plan is _NOTHING_TO_DO:
            return
        visitors, handler, leavers = plan
        ctx = self.ctx
        parents = ctx.parents
        parents.append(node)
        for visitor in visitors:
            visitor(node, ctx)
        if handler is not None:
            handler(node)
        else:
            for child in children(node):
                self.visit(child)
        for leaver in leavers:
            leaver(node, ctx)
        parents.pop()

    def _plan(self, node_type: type) -> _Plan:
        """What `visit` does at a node of `node_type`: its visitors, its handler (None: visit
        its children) and its leavers; or nothing at all, for a node no hook reads that holds
        no code (a Name, a string, a number: a third of the nodes)."""
        visitors = tuple(self._visitors.get(node_type, ()))
        handler = self._handlers.get(node_type)
        # A def's leavers run after its deferred body, from _function_body.
        leavers = () if node_type is cst.FunctionDef else tuple(self._leavers.get(node_type, ()))
        if not visitors and handler is None and not leavers and not code_fields(node_type):
            plan: _Plan = _NOTHING_TO_DO
        else:
            plan = (visitors, handler, leavers)
        self._plans[node_type] = plan
        return plan

    def _visit_all(self, nodes) -> None:
        for node in nodes:
            if node is not None:
                self.visit(node)

    # --- functions and classes ----------------------------------------------------------

    def _bind(self, name: str, binding: Binding | None = None) -> None:
        self.ctx.scope.names[name] = binding or Binding()

    def _parameters_head(self, params: cst.Parameters) -> None:
        """Defaults and annotations run where the def stands, not in the body."""
        for param in _all_params(params):
            if param.default is not None:
                self.visit(param.default)
            if param.annotation is not None:
                self.visit(param.annotation.annotation)

    def _function_def(self, node: cst.FunctionDef) -> None:
        self._visit_all(d.decorator for d in node.decorators)
        self._parameters_head(node.params)
        if node.returns is not None:
            self.visit(node.returns.annotation)
        self._bind(node.name.value, Binding(definition=node))
        scope = self.ctx.scope
        self._deferred.append(_DeferredBody(node, scope, scope.class_facts, tuple(self.ctx.parents)))

    def _function_body(self, deferred: _DeferredBody) -> None:
        node = deferred.node
        ctx = self.ctx
        saved = (ctx.scope, ctx.function, ctx.loops, ctx.parents, ctx.holds)
        ctx.holds = []
        ctx.scope = Scope("function", deferred.scope)
        ctx.function = FunctionFrame(
            node,
            is_async=node.asynchronous is not None,
            self_name=_self_name(node) if deferred.class_facts is not None else None,
            class_facts=deferred.class_facts,
        )
        ctx.loops = []
        ctx.parents = list(deferred.parents)
        for param in _all_params(node.params):
            annotation = param.annotation
            ctx.scope.names[param.name.value] = Binding(
                type=ctx.annotation_type(annotation.annotation) if annotation else None
            )
        self.visit(node.body)
        for leaver in self._leavers.get(cst.FunctionDef, ()):
            leaver(node, ctx)
        ctx.scope, ctx.function, ctx.loops, ctx.parents, ctx.holds = saved

    def _lambda(self, node: cst.Lambda) -> None:
        self._parameters_head(node.params)
        ctx = self.ctx
        saved = (ctx.scope, ctx.function, ctx.loops)
        ctx.scope = Scope("lambda", ctx.scope)
        ctx.function = FunctionFrame(node, is_async=False)
        ctx.loops = []
        for param in _all_params(node.params):
            ctx.scope.names[param.name.value] = Binding()
        self.visit(node.body)
        ctx.scope, ctx.function, ctx.loops = saved

    def _class_def(self, node: cst.ClassDef) -> None:
        ctx = self.ctx
        self._visit_all(d.decorator for d in node.decorators)
        self._visit_all(arg.value for arg in node.bases)
        self._visit_all(arg.value for arg in node.keywords)
        facts = ClassFacts(node.name.value)
        saved = (ctx.scope, ctx.function, ctx.loops)
        ctx.scope = Scope("class", ctx.scope, class_facts=facts)
        ctx.function = FunctionFrame(node, is_async=False)
        ctx.loops = []
        first_method = len(self._deferred)
        self.visit(node.body)
        _run_initializers_first(self._deferred, first_method)
        ctx.scope, ctx.function, ctx.loops = saved
        self._bind(node.name.value, Binding(definition=node))

    # --- bindings -----------------------------------------------------------------------

    def _import(self, node: cst.Import) -> None:
        bind_import(self.ctx.scope, node)

    def _import_from(self, node: cst.ImportFrom) -> None:
        bind_import_from(self.ctx.scope, node)

    def _value_binding(self, value: cst.BaseExpression | None, type_: str | None = None) -> Binding:
        if value is None:
            return Binding(type=type_)
        ctx = self.ctx
        return Binding(ctx.qualified_name(value), type_ or ctx.value_type(value), origin=value)

    def _bind_target(self, target: cst.BaseExpression, binding: Binding) -> None:
        if isinstance(target, cst.Name):
            if _is_none(binding.origin) and self._says_what_it_holds(target.value):
                # `x = None` next to `x = requests.Session()` (or the `except ImportError:
                # pymysql = None` fallback): any method call on x runs only when x is not
                # None, so the binding that says what x holds is the one that matters.
                return
            self._bind(target.value, binding)
            scope = self.ctx.scope
            if scope.kind == "class" and binding.type is not None:
                # `lock = threading.Lock()` or `lock: threading.Lock` in a class body types
                # `self.lock` in its methods.
                scope.class_facts.attr_types[target.value] = binding.type
            return
        if isinstance(target, cst.Attribute):
            self._bind_self_attribute(target, binding.type)
            return
        for name in target_names(target):  # unpacking: the parts' types are unknown
            self._bind(name)

    def _says_what_it_holds(self, name: str) -> bool:
        known = self.ctx.scope.names.get(name)
        return known is not None and (known.qualname is not None or known.type is not None)

    def _bind_self_attribute(self, target: cst.Attribute, type_: str | None) -> None:
        frame = self.ctx.function
        if (
            type_ is not None
            and frame.class_facts is not None
            and isinstance(target.value, cst.Name)
            and target.value.value == frame.self_name
        ):
            frame.class_facts.attr_types[target.attr.value] = type_

    def _note_attribute_origin(self, target: cst.Attribute, value: cst.BaseExpression) -> None:
        """`self.buf = b""`: the first value assigned tells what the attribute holds."""
        frame = self.ctx.function
        if (
            frame.class_facts is not None
            and isinstance(target.value, cst.Name)
            and target.value.value == frame.self_name
        ):
            frame.class_facts.attr_origins.setdefault(target.attr.value, value)

    def _assign(self, node: cst.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self.visit(target.target)
        binding = self._value_binding(node.value)
        for target in node.targets:
            self._bind_target(target.target, binding)
            if isinstance(target.target, cst.Attribute):
                self._note_attribute_origin(target.target, node.value)

    def _ann_assign(self, node: cst.AnnAssign) -> None:
        self.visit(node.annotation.annotation)
        if node.value is not None:
            self.visit(node.value)
        self.visit(node.target)
        declared = self.ctx.annotation_type(node.annotation.annotation)
        self._bind_target(node.target, self._value_binding(node.value, declared))

    def _named_expr(self, node: cst.NamedExpr) -> None:
        self.visit(node.value)
        self._bind_target(node.target, self._value_binding(node.value))

    def _match_capture(self, node: cst.MatchAs | cst.MatchStar | cst.MatchMapping) -> None:
        """`case {"k": x}`, `case [*rest]`, `case {**rest}`, `case P() as p`: a pattern binds
        the names it captures (a `case` visits its pattern before its body)."""
        for child in children(node):
            self.visit(child)
        captured = node.rest if isinstance(node, cst.MatchMapping) else node.name
        if isinstance(captured, cst.Name):
            self._bind(captured.value)

    def _except_handler(self, node: cst.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self._bind(node.name.name.value)
        self.visit(node.body)

    def _with_item(self, node: cst.WithItem) -> None:
        self.visit(node.item)
        if node.asname is not None:
            self.visit(node.asname.name)
            # `with requests.Session() as s:` -- the session's type passes to `s`.
            binding = Binding(type=self.ctx.value_type(node.item), origin=node.item)
            self._bind_target(node.asname.name, binding)

    # --- locks held (analysis/locks.py) -------------------------------------------------

    def _with(self, node: cst.With) -> None:
        holds = self.ctx.holds
        taken = 0
        for item in node.items:
            self.visit(item)
            hold = locks.with_hold(node, item, self.ctx) if self._tracks_locks else None
            if hold is not None:
                holds.append(hold)
                taken += 1
        self.visit(node.body)
        if taken:
            holds[:] = [hold for hold in holds if hold.taken_by is not node]

    def _expression_statement(self, node: cst.Expr) -> None:
        value = node.value
        self.visit(value)
        if type(value) is cst.Await:
            value = value.expression
        # `lock.acquire()` / `lock.release()`: the test is inline, this runs for every call
        # statement.
        if (
            self._tracks_locks
            and type(value) is cst.Call
            and type(value.func) is cst.Attribute
            and value.func.attr.value in locks.LOCK_METHODS
        ):
            locks.track_statement(value, self.ctx)

    # --- loops --------------------------------------------------------------------------

    def _for(self, node: cst.For) -> None:
        ctx = self.ctx
        self.visit(node.iter)  # evaluated once, before the loop
        ctx.loops.append(LoopFrame(node, frozenset(target_names(node.target)), node.iter))
        self._bind_target(node.target, Binding())
        self.visit(node.target)
        self.visit(node.body)
        ctx.loops.pop()
        if node.orelse is not None:
            self.visit(node.orelse)

    def _while(self, node: cst.While) -> None:
        ctx = self.ctx
        ctx.loops.append(LoopFrame(node))
        self.visit(node.test)  # re-evaluated on every iteration
        self.visit(node.body)
        ctx.loops.pop()
        if node.orelse is not None:
            self.visit(node.orelse)

    def _comprehension(self, node: cst.BaseComp) -> None:
        ctx = self.ctx
        first = node.for_in
        self.visit(first.iter)  # the outermost iterable is evaluated in the enclosing scope
        saved_scope = ctx.scope
        ctx.scope = Scope("comprehension", saved_scope)
        pushed = 0
        comp_for: cst.CompFor | None = first
        while comp_for is not None:
            if comp_for is not first:
                self.visit(comp_for.iter)
            names = frozenset(target_names(comp_for.target))
            ctx.loops.append(LoopFrame(node, names, comp_for.iter))
            pushed += 1
            self._bind_target(comp_for.target, Binding())
            self.visit(comp_for.target)
            self._visit_all(condition.test for condition in comp_for.ifs)
            comp_for = comp_for.inner_for_in
        if isinstance(node, cst.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)
        del ctx.loops[len(ctx.loops) - pushed :]
        ctx.scope = saved_scope


def _is_none(expr: cst.BaseExpression | None) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def _all_params(params: cst.Parameters) -> list[cst.Param]:
    found = [*params.posonly_params, *params.params, *params.kwonly_params]
    for extra in (params.star_arg, params.star_kwarg):
        if isinstance(extra, cst.Param):
            found.append(extra)
    return found


def _self_name(node: cst.FunctionDef) -> str | None:
    for decorator in node.decorators:
        if isinstance(decorator.decorator, cst.Name) and decorator.decorator.value == "staticmethod":
            return None
    positional = [*node.params.posonly_params, *node.params.params]
    return positional[0].name.value if positional else None


def _run_initializers_first(deferred: deque[_DeferredBody], start: int) -> None:
    """Move a class's `__init__`/`__post_init__` to the front of its methods' bodies."""
    methods = list(deferred)[start:]
    initializers = [m for m in methods if m.node.name.value in ("__init__", "__post_init__")]
    if not initializers or methods[: len(initializers)] == initializers:
        return
    rest = [m for m in methods if all(m is not i for i in initializers)]
    for _ in methods:
        deferred.pop()
    deferred.extend(initializers + rest)
