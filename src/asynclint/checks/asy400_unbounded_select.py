"""ASY400 unbounded-select: see docs/rules/ASY400.md; which calls return rows is listed in
rules/sql.toml."""

from __future__ import annotations

from asynclint._lazy import libcst as cst

from asynclint.analysis.context import Context
from asynclint.analysis.db import DbCall, db_call, deferred_source
from asynclint.checks._queries import SQL_WORDS, call_text, tables_text
from asynclint.checks.base import Check, ProposedFix
from asynclint.diagnostic import Applicability
from asynclint.tables import Tables

_FIX = ProposedFix(
    title="Add a `LIMIT` and paginate (keyset: `WHERE id > $1 ORDER BY id LIMIT n`), or stream the rows with a cursor",
    applicability=Applicability.DISPLAY_ONLY,
)


class UnboundedSelect(Check):
    code = "ASY400"

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        return (frozenset({"async"}), SQL_WORDS)

    def start_file(self) -> None:
        super().start_file()
        self._cursors: dict[tuple[int, str], DbCall] = {}  # last deferred call per receiver name
        self._reported: set[int] = set()

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        if not ctx.in_async:
            return
        found = db_call(node, ctx)
        if found is not None:
            if found.kind == "deferred" and isinstance(node.func.value, cst.Name):
                self._cursors[(id(ctx.function.node), node.func.value.value)] = found
            if found.kind == "all_rows":
                self._check(found, None, ctx)
            return
        func = node.func
        if isinstance(func, cst.Attribute) and ctx.tables.db.sql.results.get(func.attr.value) == "all_rows":
            source = deferred_source(func.value, ctx, self._cursors)
            if source is not None:
                self._check(source, node, ctx)

    def _check(self, found: DbCall, taken_by: cst.Call | None, ctx: Context) -> None:
        facts = found.facts
        if facts is None or not facts.returns_rows or facts.unbounded is not True:
            return
        if id(found.call) in self._reported:
            return
        self._reported.add(id(found.call))
        how = call_text(found.call)
        if taken_by is not None:
            how = f"{how} followed by {call_text(taken_by)}"
        self.report(
            found.call,
            f"{how} loads every row of {tables_text(facts.tables)}: the SELECT has no WHERE, "
            "LIMIT/FETCH or aggregate, so its cost and memory grow with the table",
            ctx.statement() if taken_by is None else None,
            _FIX,
        )
