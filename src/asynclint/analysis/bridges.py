"""Sync bridges: calls that make the calling thread wait until an event loop has run a
coroutine (ASY110; ASY109 follows helper chains into them). The names are data:
rules/bridges.toml, where each group's `shape` says which call waits:

- "call": the bridge call itself, `asyncio.run(main())`, `loop.run_until_complete(f())`;
- "wrapper": a call of the function the bridge returns, `async_to_sync(f)(x)`, also through a
  name bound to `async_to_sync(f)` (`send = async_to_sync(layer.send)` then `send(msg)`) or a
  function decorated with the bridge;
- "future": `result()` of the future the bridge returns,
  `asyncio.run_coroutine_threadsafe(coro, loop).result()`, also through a name bound to it.

Whether the call stands in async code is the caller's business: in a sync function, run by a
worker thread or at a program's entry point, these calls are what they are for.
"""

from __future__ import annotations

from dataclasses import dataclass

from asynclint._lazy import libcst as cst

from asynclint.analysis.context import Context
from asynclint.analysis.origins import origin_of_name
from asynclint.bridgetables import BridgeGroup


@dataclass(frozen=True, slots=True)
class BridgeUse:
    call: cst.Call  # the call that waits
    name: str  # the bridge's qualified name: "asyncio.run", "asgiref.sync.async_to_sync"
    group: BridgeGroup
    # The call of the bridge itself: `async_to_sync(f)` for `async_to_sync(f)(x)`, the
    # `run_coroutine_threadsafe(...)` call for its `.result()`; None for a decorated function.
    bridge: cst.Call | None


def bridge_at(call: cst.Call, ctx: Context) -> BridgeUse | None:
    """The bridge `call` waits in, or None."""
    bridges = ctx.tables.bridges.calls
    if not bridges:
        return None
    name = ctx.callee(call)
    group = bridges.get(name) if name is not None else None
    if group is not None and group.shape == "call":
        return BridgeUse(call, name, group, call)
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "result":
        made = _made_by(func.value, ctx)
        if made is not None:
            name, group = made
            if group.shape == "future":
                return BridgeUse(call, name, group, _call_of(func.value, ctx))
        return None
    if isinstance(func, cst.Name):
        binding = ctx.scope.lookup(func.value)
        definition = binding.definition if binding is not None else None
        if isinstance(definition, cst.FunctionDef):  # `@async_to_sync` on the function
            for decorator in definition.decorators:
                wrapped = _bridge_named(decorator.decorator, ctx)
                if wrapped is not None and wrapped[1].shape == "wrapper":
                    return BridgeUse(call, wrapped[0], wrapped[1], None)
            return None
    made = _made_by(func, ctx)
    if made is not None and made[1].shape == "wrapper":
        return BridgeUse(call, made[0], made[1], _call_of(func, ctx))
    return None


def describe(use: BridgeUse) -> str:
    """The waiting call as a message names it: "`asyncio.run()`",
    "`asyncio.run_coroutine_threadsafe(...).result()`", "`send()` (`asgiref.sync.async_to_sync`)"."""
    func = use.call.func
    if use.bridge is not None and isinstance(func, cst.Attribute) and func.value is use.bridge:
        written = f"{_code(use.bridge.func)}(...).{func.attr.value}"  # `...threadsafe(...).result()`
    elif use.bridge is not None and func is use.bridge:
        written = _code(func) if len(_code(func)) <= 40 else f"{_code(use.bridge.func)}(...)"
    else:
        written = _code(func)
    if len(written) > 60:
        written = "…" + written[-60:]
    if use.name.rsplit(".", 1)[-1] in written:
        return f"`{written}()`"
    return f"`{written}()` (`{use.name}`)"


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=()).code_for_node(node)


def _made_by(expr: cst.BaseExpression, ctx: Context) -> tuple[str, BridgeGroup] | None:
    """The bridge whose call made the value of `expr`: a call of it, or a name bound once to one."""
    made = _call_of(expr, ctx)
    return _bridge_named(made.func, ctx) if made is not None else None


def _call_of(expr: cst.BaseExpression, ctx: Context) -> cst.Call | None:
    if isinstance(expr, cst.Name):
        expr = origin_of_name(expr, ctx)
    return expr if isinstance(expr, cst.Call) else None


def _bridge_named(expr: cst.BaseExpression, ctx: Context) -> tuple[str, BridgeGroup] | None:
    """The bridge a callee expression names (`async_to_sync`, `asyncio.run_coroutine_threadsafe`)."""
    if isinstance(expr, cst.Call):
        return None
    name = ctx.qualified_name(expr)
    group = ctx.tables.bridges.calls.get(name) if name is not None else None
    return (name, group) if group is not None else None
