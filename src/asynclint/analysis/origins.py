"""What a name holds, when a single binding says so for certain.

The scope keeps the last binding seen for each name, which is right for types but not for
values: `q = "SELECT a FROM t"` followed by `q += " WHERE id = $1"` (which binds nothing new),
or `stmt = stmt.where(...)`, or two assignments in different branches, leave a binding whose
origin is not what reaches the call. A name's origin is trusted only when the function assigns
it exactly once and never augments it. The check scans the function body, and only for the
names a check asks about, so it costs nothing for code that has no candidates.
"""

from __future__ import annotations

from asynclint._lazy import NodeTypes
from asynclint._lazy import libcst as cst

from asynclint.analysis.context import Context

_NESTED = NodeTypes("FunctionDef", "ClassDef", "Lambda")

# (function node, {name: times assigned, with augmented names counted twice}); one entry per
# function, replaced when the walk moves to another function.
_assignments_memo: tuple[object, dict[str, int]] = (None, {})


def origin_of_name(name: cst.Name, ctx: Context) -> cst.BaseExpression | None:
    """The expression `name` was bound to, when that is certainly the value it holds here."""
    binding = ctx.scope.lookup(name.value)
    if binding is None or binding.origin is None:
        return None
    origin = binding.origin
    if isinstance(origin, cst.Name) and origin.value == name.value:
        return None
    function = ctx.function.node
    if isinstance(function, cst.FunctionDef) and name.value in ctx.scope.names:
        if _assignment_counts(function).get(name.value, 0) != 1:
            return None
    if _mentions(origin, name.value):
        return None  # `q = q + "..."`: the origin refers to an earlier value
    return origin


def unwrap_await(expr: cst.BaseExpression | None) -> cst.BaseExpression | None:
    while isinstance(expr, cst.Await):
        expr = expr.expression
    return expr


def resolve(expr: cst.BaseExpression | None, ctx: Context) -> cst.BaseExpression | None:
    """`expr` itself, or what a name in its place is bound to (awaits unwrapped)."""
    expr = unwrap_await(expr)
    if isinstance(expr, cst.Name):
        expr = unwrap_await(origin_of_name(expr, ctx))
    return expr


def _assignment_counts(function: cst.FunctionDef) -> dict[str, int]:
    global _assignments_memo
    if _assignments_memo[0] is function:
        return _assignments_memo[1]
    counts: dict[str, int] = {}
    pending: list[cst.CSTNode] = [function.body]
    from asynclint.analysis.walker import children

    while pending:
        node = pending.pop()
        if isinstance(node, _NESTED()):
            continue
        if isinstance(node, cst.Assign):
            for target in node.targets:
                _count(target.target, counts, 1)
        elif isinstance(node, (cst.AnnAssign, cst.NamedExpr)) and getattr(node, "value", True) is not None:
            _count(node.target, counts, 1)
        elif isinstance(node, cst.AugAssign):
            _count(node.target, counts, 2)
        elif isinstance(node, (cst.For, cst.CompFor)):
            _count(node.target, counts, 2)
        elif isinstance(node, cst.WithItem) and node.asname is not None:
            _count(node.asname.name, counts, 1)
        pending.extend(children(node))
    _assignments_memo = (function, counts)
    return counts


def _count(target: cst.BaseExpression, counts: dict[str, int], weight: int) -> None:
    if isinstance(target, cst.Name):
        counts[target.value] = counts.get(target.value, 0) + weight
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            _count(element.value, counts, weight)
    elif isinstance(target, cst.StarredElement):
        _count(target.value, counts, weight)


def _mentions(expr: cst.CSTNode, name: str) -> bool:
    from asynclint.analysis.walker import children

    pending = [expr]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Name) and node.value == name:
            return True
        pending.extend(children(node))
    return False
