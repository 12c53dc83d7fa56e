"""ORM queries written as method chains (ASY402, ASY403): Django QuerySets rooted at
`Model.objects`, and Tortoise `Model.all()`/`Model.filter(...)` chains in files that import
tortoise. The method names are data: rules/sql.toml [django] and [tortoise]."""

from __future__ import annotations

from dataclasses import dataclass

from asynclint._lazy import libcst as cst

from asynclint.analysis.context import Context
from asynclint.analysis.origins import resolve
from asynclint.analysis.scope import Scope, dotted_name


@dataclass(frozen=True, slots=True)
class OrmChain:
    framework: str  # "django" | "tortoise"
    root: str  # the chain's start as written: "Order.objects", "Order"
    methods: tuple[str, ...]  # called on the root, innermost first
    sliced: bool  # `qs[:10]` somewhere in the chain


def django_chain(expr: cst.BaseExpression | None, ctx: Context, allow_bare: bool = False) -> OrmChain | None:
    """`Model.objects.filter(...).order_by(...)` (through one local name). `allow_bare` accepts
    the manager alone (`Model.objects`), as the receiver of `aget(...)`."""
    orm = ctx.tables.db.orm
    methods: list[str] = []
    sliced = False
    expr = resolve(expr, ctx)
    for _ in range(32):
        if isinstance(expr, cst.Subscript):
            sliced = True
            expr = expr.value
            continue
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
            method = expr.func.attr.value
            if method not in orm.django_queryset and method not in orm.django_stream:
                return None
            methods.append(method)
            expr = expr.func.value
            continue
        if isinstance(expr, cst.Attribute) and expr.attr.value == "objects":
            root = dotted_name(expr)
            if root is None or (not methods and not allow_bare):
                return None
            return OrmChain("django", root, tuple(reversed(methods)), sliced)
        return None
    return None


def tortoise_chain(expr: cst.BaseExpression | None, ctx: Context) -> OrmChain | None:
    """`Model.filter(...).order_by(...)` in a file that imports tortoise."""
    orm = ctx.tables.db.orm
    known = orm.tortoise_queryset | orm.tortoise_queries | orm.tortoise_bounds
    methods: list[str] = []
    expr = resolve(expr, ctx)
    for _ in range(32):
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
            method = expr.func.attr.value
            if method not in known and method not in ("offset",):
                return None
            methods.append(method)
            expr = expr.func.value
            continue
        if isinstance(expr, cst.Name) and expr.value[:1].isupper() and methods:
            if not imports_module(ctx, "tortoise"):
                return None
            return OrmChain("tortoise", expr.value, tuple(reversed(methods)), False)
        return None
    return None


_imports_memo: dict[int, tuple[Scope, frozenset[str]]] = {}


def imports_module(ctx: Context, top: str) -> bool:
    """True when the module imports `top` or something below it."""
    scope = ctx.scope
    while scope.parent is not None:
        scope = scope.parent
    memo = _imports_memo.get(id(scope))
    if memo is None or memo[0] is not scope:
        roots = frozenset(
            binding.qualname.split(".", 1)[0]
            for binding in scope.names.values()
            if binding.qualname is not None
        )
        _imports_memo.clear()
        _imports_memo[id(scope)] = memo = (scope, roots)
    return top in memo[1]
