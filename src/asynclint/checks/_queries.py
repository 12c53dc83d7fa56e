"""Shared wording for the database checks (ASY400-ASY403)."""

from __future__ import annotations

from asynclint._lazy import libcst as cst

_MAX_SHOWN = 50


def call_text(call: cst.Call) -> str:
    """`conn.fetch()`: the call as written, without its arguments."""
    written = cst.Module(body=()).code_for_node(call.func)
    if len(written) > _MAX_SHOWN:
        written = "…" + written[-_MAX_SHOWN:]
    return f"`{written}()`"


def tables_text(tables: tuple[str, ...]) -> str:
    if not tables:
        return "the table"
    shown = ", ".join(f"`{t}`" for t in tables[:3])
    return shown + (" …" if len(tables) > 3 else "")


SQL_WORDS = frozenset({"SELECT", "select", "Select"})
