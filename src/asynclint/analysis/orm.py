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
    by_key: bool = False  # filtered by primary key (`filter(pk=...)`): one row at most


def django_chain(expr: cst.BaseExpression | None, ctx: Context, allow_bare: bool = False) -> OrmChain | None:
    """`Model.objects.filter(...).order_by(...)` (through one local name). `allow_bare` accepts
    the manager alone (`Model.objects`), as the receiver of `aget(...)`."""
    orm = ctx.tables.db.orm
    methods: list[str] = []
    sliced = by_key = False
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
            by_key = by_key or _keyword_key(expr)
            expr = expr.func.value
            continue
        if isinstance(expr, cst.Attribute) and expr.attr.value == "objects":
            root = dotted_name(expr)
            if root is None or (not methods and not allow_bare):
                return None
            return OrmChain("django", root, tuple(reversed(methods)), sliced, by_key)
        return None
    return None


def tortoise_chain(expr: cst.BaseExpression | None, ctx: Context) -> OrmChain | None:
    """`Model.filter(...).order_by(...)` in a file that imports tortoise."""
    orm = ctx.tables.db.orm
    known = orm.tortoise_queryset | orm.tortoise_queries | orm.tortoise_bounds
    methods: list[str] = []
    by_key = False
    expr = resolve(expr, ctx)
    for _ in range(32):
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
            method = expr.func.attr.value
            if method not in known and method not in ("offset",):
                return None
            methods.append(method)
            by_key = by_key or _keyword_key(expr)
            expr = expr.func.value
            continue
        if isinstance(expr, cst.Name) and expr.value[:1].isupper() and methods:
            if not imports_module(ctx, "tortoise"):
                return None
            return OrmChain("tortoise", expr.value, tuple(reversed(methods)), False, by_key)
        return None
    return None


# Keyword filters on the primary key (Django, Tortoise, SQLAlchemy's `filter_by`): `pk` is
# the primary key whatever its column, and `id` is the column Django and Tortoise add as one.
_KEY_KEYWORDS = frozenset({"pk", "id", "pk__exact", "id__exact"})
_KEY_COLUMNS = frozenset({"pk", "id"})
_FILTERS = frozenset({"filter", "filter_by", "where", "get", "get_or_none"})


def _keyword_key(call: cst.Call) -> bool:
    """`filter(pk=...)`, `filter(id=..., owner=...)`: a filter that matches one row at most."""
    return call.func.attr.value in _FILTERS and any(
        arg.keyword is not None and arg.keyword.value in _KEY_KEYWORDS for arg in call.args
    )


def sa_filtered_by_key(statement: cst.BaseExpression | None, ctx: Context) -> bool:
    """True when a SQLAlchemy statement (through local names) is filtered by its primary key:
    `.where(User.id == uid)`, `.filter(User.id == uid, ...)`, `.filter_by(id=uid)`, also
    inside `and_(...)`."""
    expr = resolve(statement, ctx)
    for _ in range(32):
        if not isinstance(expr, cst.Call) or not isinstance(expr.func, cst.Attribute):
            return False
        if _keyword_key(expr) or (
            expr.func.attr.value in _FILTERS and any(_key_equality(arg.value) for arg in expr.args)
        ):
            return True
        expr = resolve(expr.func.value, ctx)
    return False


def _key_equality(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.Call) and isinstance(expr.func, (cst.Name, cst.Attribute)):
        name = expr.func.value if isinstance(expr.func, cst.Name) else expr.func.attr.value
        return name == "and_" and any(_key_equality(arg.value) for arg in expr.args)
    if not isinstance(expr, cst.Comparison) or len(expr.comparisons) != 1:
        return False
    target = expr.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return False
    left, right = expr.left, target.comparator
    return (_key_column(left) and not _column(right)) or (_key_column(right) and not _column(left))


def _column(expr: cst.BaseExpression) -> bool:
    """`Item.order_id`: an attribute of a capitalised name, a model's column (`item.id` or
    `current_user.id` is a value)."""
    root = dotted_name(expr) if isinstance(expr, cst.Attribute) else None
    return root is not None and root[:1].isupper()


def _key_column(expr: cst.BaseExpression) -> bool:
    return _column(expr) and isinstance(expr, cst.Attribute) and expr.attr.value in _KEY_COLUMNS


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
