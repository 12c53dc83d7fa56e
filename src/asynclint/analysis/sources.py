"""Where the items a loop walks come from, when the code says it: a request, a query, the
network, or a stream. ASY600 and ASY601 say "thousands at once" only for these, whose size
grows with load; a loop over anything else (the entities of an integration, the apps a
blueprint is registered on) is named as what it is.

The iterable is followed back through awaits, method calls (to their receiver), subscripts,
attributes and local names bound once (analysis/origins.py), a few steps at most:

- a stream: an `async for` (or an async comprehension), or a `while` loop, which repeats until
  something outside says stop (a connection accepted, a message received);
- a query: a database call (analysis/db.py), or a Django QuerySet;
- the network, or a query: an awaited call that rules/slow_awaits.toml says waits for the
  network or queries a database (`(await resp.json())["items"]` with `resp` from an
  `aiohttp.ClientSession`);
- a request: a parameter of a request handler (analysis/handlers.py), other than `self`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asynclint._lazy import libcst as cst

from asynclint.analysis.handlers import is_request_handler
from asynclint.analysis.origins import origin_of_name

if TYPE_CHECKING:
    from asynclint.analysis.context import Context, LoopFrame

_MAX_STEPS = 8
# Builtins whose items are the items of their first argument.
_SAME_ITEMS = frozenset(
    f"builtins.{name}" for name in ("list", "tuple", "set", "frozenset", "sorted", "reversed", "enumerate", "iter")
)
# The rules/slow_awaits.toml groups whose awaited result is data from outside.
_SOURCES_BY_GROUP = {"waits for the network": "the network", "queries a database": "a query"}


def loop_source(frame: LoopFrame, ctx: Context) -> str | None:
    """Where the items of the loop `frame` come from ("a request", "a query", "the network",
    "a stream"), or None when the code does not say."""
    node = frame.node
    if frame.iter is None or isinstance(node, cst.For) and node.asynchronous is not None:
        return "a stream"
    if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
        clause = node.for_in
        while clause is not None:
            if clause.iter is frame.iter:
                if clause.asynchronous is not None:
                    return "a stream"
                break
            clause = clause.inner_for_in
    return iterable_source(frame.iter, ctx)


def iterable_source(iterable: cst.BaseExpression, ctx: Context) -> str | None:
    """Where the items of `iterable` come from, followed back through the code; None when it
    does not say."""
    from asynclint.analysis.db import db_call
    from asynclint.analysis.orm import django_chain

    expr: cst.BaseExpression | None = iterable
    for _ in range(_MAX_STEPS):
        if isinstance(expr, cst.Await):
            expr = expr.expression
            source = _awaited_source(expr, ctx) if isinstance(expr, cst.Call) else None
            if source is not None:
                return source
            continue
        if isinstance(expr, cst.Call):
            if db_call(expr, ctx) is not None or django_chain(expr, ctx) is not None:
                return "a query"
            func = expr.func
            if isinstance(func, cst.Attribute):
                expr = func.value  # `rows.items()`, `request.json()`: what it is called on
                continue
            # `list(rows)`, `sorted(items)`: what the builtin is given
            same_items = expr.args and ctx.qualified_name(func) in _SAME_ITEMS
            expr = expr.args[0].value if same_items else None
            continue
        if isinstance(expr, cst.Subscript):
            expr = expr.value
            continue
        if isinstance(expr, cst.Attribute):
            if django_chain(expr, ctx, allow_bare=True) is not None:
                return "a query"
            expr = expr.value
            continue
        if isinstance(expr, cst.Name):
            if _is_request_parameter(expr, ctx):
                return "a request"
            expr = origin_of_name(expr, ctx)
            continue
        return None
    return None


def _awaited_source(call: cst.Call, ctx: Context) -> str | None:
    name = ctx.callee(call)
    group = ctx.tables.slow_awaits.group_for(name) if name is not None else None
    return _SOURCES_BY_GROUP.get(group.what) if group is not None else None


def _is_request_parameter(name: cst.Name, ctx: Context) -> bool:
    function = ctx.function.node
    if not isinstance(function, cst.FunctionDef) or name.value == ctx.function.self_name:
        return False
    binding = ctx.scope.lookup(name.value)
    if binding is None or binding.origin is not None or binding.qualname is not None:
        return False
    params = function.params
    declared = {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
    return name.value in declared and is_request_handler(function, ctx)
