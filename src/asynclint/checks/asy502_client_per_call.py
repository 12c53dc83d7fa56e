"""ASY502 client-per-call: see docs/rules/ASY502.md; the clients are the `client = true`
constructors of rules/pools.toml, the request handlers are described by rules/handlers.toml."""

from __future__ import annotations

from asynclint._lazy import libcst as cst

from asynclint.analysis.context import Context
from asynclint.analysis.handlers import is_request_handler
from asynclint.analysis.lifetime import outlives_creator
from asynclint.analysis.dataloops import data_loop, describe
from asynclint.checks._held import shorten
from asynclint.checks._pools import PoolCall, pool_call, pool_words, shown
from asynclint.checks.base import Check
from asynclint.checks.fixes import code_of, display_fix
from asynclint.tables import Tables

_COST = (
    "each one opens and drops its own connections (TCP and TLS handshakes, authentication), "
    "so keep-alive and pooling never help"
)


class ClientPerCall(Check):
    code = "ASY502"

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        return pool_words(tables, lambda spec: spec.client) + (frozenset({"async"}),)

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        if ctx.function.node is None:
            return  # module level: created once
        found = pool_call(node, ctx)
        if found is None or not found.spec.client:
            return
        loop = data_loop(ctx)
        handler = loop is None and is_request_handler(ctx.function.node, ctx)
        if loop is None and not handler:
            return
        if _local(found, ctx) or outlives_creator(node, ctx):
            return
        if _expected_to_fail(ctx):
            return  # `with pytest.raises(ValueError): await asyncpg.connect(bad=...)`
        # Moving a client changes its lifetime and where it is closed: named, never applied.
        created = shorten(code_of(node), 50)
        pool = _pool_for(node, found, ctx)
        if loop is not None:
            where = f"on every iteration of {describe(*loop)}"
            fix = display_fix(f"Create `{created}` once, before {describe(*loop)}, and reuse it in every iteration")
        else:
            handler = ctx.function.node.name.value
            where = f"for every request `{handler}()` handles"
            if pool is not None:  # one connection serves one query at a time: share a pool
                fix = display_fix(
                    f"Create a pool once, `{pool}` in the app's lifespan/startup hook, and have "
                    f"`{handler}()` take a connection from it (`async with pool.acquire() as conn:`)"
                )
            else:
                fix = display_fix(
                    f"Create `{created}` once, in the app's lifespan/startup hook (or at module "
                    f"level), and have `{handler}()` use that one"
                )
        self.report(
            node,
            f"{shown(node, found.name)} is created {where} and used only there: {_COST}",
            ctx.statement(),
            fix,
        )


def _pool_for(node: cst.Call, found: PoolCall, ctx: Context) -> str | None:
    """`asyncpg.create_pool(DSN)` for `asyncpg.connect(DSN)`: a single connection runs one
    query at a time, so concurrent requests share a pool of them, not one connection."""
    module, _, function = found.name.rpartition(".")
    factory = f"{module}.create_pool"
    if function != "connect" or factory not in ctx.tables.db.pools:
        return None
    args = ", ".join(code_of(arg).strip().rstrip(",").strip() for arg in node.args)
    return shorten(f"{factory}({args})", 50)


def _expected_to_fail(ctx: Context) -> bool:
    """True inside `with pytest.raises(...)` or `with self.assertRaises...(...)`: the call is
    made to see it fail (invalid arguments), and no client comes of it."""
    for parent in ctx.parents:
        if not isinstance(parent, cst.With):
            continue
        for item in parent.items:
            call = item.item
            if not isinstance(call, cst.Call):
                continue
            if ctx.qualified_name(call.func) == "pytest.raises":
                return True
            if isinstance(call.func, cst.Attribute) and call.func.attr.value.startswith("assertRaises"):
                return True
    return False


def _local(found: PoolCall, ctx: Context) -> bool:
    """True when an argument points the client at an in-process app (`local_if`)."""
    for keyword, callees in found.spec.local_if.items():
        value = found.given(keyword)
        if value is None:
            continue
        if "*" in callees:
            return True
        if isinstance(value, cst.Call):
            name = ctx.callee(value)
            if name is not None and ctx.canonical(name) in callees:
                return True
    return False
