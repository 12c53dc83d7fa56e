"""ASY502 client-per-call: see docs/rules/ASY502.md; the clients are the `client = true`
constructors of rules/pools.toml, the request handlers are described by rules/handlers.toml."""

from __future__ import annotations

from asynclint._lazy import libcst as cst

from asynclint.analysis.context import Context
from asynclint.analysis.handlers import is_request_handler
from asynclint.analysis.lifetime import outlives_creator
from asynclint.analysis.dataloops import data_loop, describe
from asynclint.checks._pools import PoolCall, pool_call, pool_words, shown
from asynclint.checks.base import Check
from asynclint.tables import Tables

_COST = (
    "each one opens its own connections (TCP and TLS handshakes, authentication) and drops "
    "them, so keep-alive and pooling never help and the server sees a connection storm under load"
)
_REMEDY = (
    "create it once (at module level, or in the app's lifespan/startup hook) and reuse it, "
    "passing it in or storing it on the app"
)


class ClientPerCall(Check):
    code = "ASY502"
    name = "client-per-call"

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
        if loop is not None:
            where = f"on every iteration of {describe(*loop)}"
        else:
            where = f"for every request `{ctx.function.node.name.value}()` handles"
        self.report(
            node,
            f"{shown(node, found.name)} is created {where} and used only there: {_COST}; {_REMEDY}",
            ctx.statement(),
        )


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
