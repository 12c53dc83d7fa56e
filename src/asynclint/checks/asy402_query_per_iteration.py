"""ASY402 query-per-iteration: see docs/rules/ASY402.md; the query calls are listed in
rules/sql.toml."""

from __future__ import annotations

from asynclint._lazy import libcst as cst

from asynclint.analysis.context import Context
from asynclint.analysis.db import db_call
from asynclint.analysis.dataloops import data_loop, describe
from asynclint.analysis.orm import django_chain, tortoise_chain
from asynclint.checks._queries import call_text
from asynclint.checks.base import Check
from asynclint.tables import Tables


class QueryPerIteration(Check):
    code = "ASY402"
    name = "query-per-iteration"

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        db = tables.db
        methods = set(db.sql.methods) | {name.rsplit(".", 1)[-1] for name in db.sql.calls}
        orm = db.orm
        methods |= orm.django_async_queries | orm.django_instance_queries | orm.tortoise_queries
        return (frozenset({"await"}), frozenset({"for"}), frozenset(methods))

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        if not ctx.loops or not ctx.in_async or not ctx.is_awaited(node):
            return
        loop = data_loop(ctx)
        if loop is None or not _is_query(node, ctx):
            return
        self.report(
            node,
            f"{call_text(node)} is awaited once per item of {describe(*loop)} (N+1): every item "
            f"waits a database round trip, so the loop's latency grows with the data; fetch the "
            f"rows in one query (`= ANY($1)`, `IN (...)`, a join or eager loading), or write "
            f"them with one `executemany`/bulk insert",
            ctx.statement(),
        )


def _is_query(node: cst.Call, ctx: Context) -> bool:
    found = db_call(node, ctx)
    if found is not None:
        return found.kind not in ("batch", "stream")
    func = node.func
    if not isinstance(func, cst.Attribute):
        return False
    orm = ctx.tables.db.orm
    method = func.attr.value
    if method in orm.django_instance_queries:
        return True
    if method in orm.django_async_queries:
        return django_chain(func.value, ctx, allow_bare=True) is not None
    if method in orm.tortoise_queries or method in orm.tortoise_queryset:
        return tortoise_chain(node, ctx) is not None
    return False
