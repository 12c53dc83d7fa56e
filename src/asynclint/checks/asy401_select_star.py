"""ASY401 select-star: see docs/rules/ASY401.md."""

from __future__ import annotations

import re

from asynclint._lazy import libcst as cst

from asynclint.analysis.context import Context
from asynclint.analysis.db import db_call
from asynclint.analysis.sql import parse_sql, sql_text
from asynclint.checks._held import shorten
from asynclint.checks._queries import SQL_WORDS, tables_text
from asynclint.checks.base import Check, ProposedFix
from asynclint.checks.fixes import display_fix
from asynclint.tables import Tables


class SelectStar(Check):
    code = "ASY401"

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        return (frozenset({"async"}), SQL_WORDS)

    def start_file(self) -> None:
        super().start_file()
        self._reported: set[int] = set()  # ids of the string nodes reported

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        if not ctx.in_async:
            return
        found = db_call(node, ctx)
        if found is not None:
            text, facts = found.sql, found.facts
        else:
            name = ctx.callee(node)
            if name is None or ctx.canonical(name) not in ctx.tables.db.sql.text_calls:
                return
            text = sql_text(node, ctx)  # `text("SELECT * ...")` anywhere: SQL by construction
            facts = parse_sql(text.text) if text is not None else None
        if text is None or facts is None or not facts.star or id(text.source) in self._reported:
            return
        self._reported.add(id(text.source))
        self.report(
            text.source,
            f"`SELECT *` fetches every column of {tables_text(facts.tables)}, including wide ones "
            "this code never reads and any column added later, on every call",
            None,
            _fix(text.text),
        )


# The star of the projection: `*` or `p.*`, after SELECT (and DISTINCT).
_STAR = re.compile(r"\bSELECT\s+(?:DISTINCT\s+)?((?:\w+\.)?\*)", re.IGNORECASE)


def _fix(sql: str) -> ProposedFix:
    """Which columns the code reads is not in the query (rows go on to code that may read any
    of them), so the suggestion names the query and never invents a column list."""
    match = _STAR.search(sql)
    star = match.group(1) if match else "*"
    return display_fix(f"Name the columns you use in place of `{star}` in `{shorten(sql, 60)}`")
