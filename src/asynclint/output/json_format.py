"""`--output-format json`: the stable machine-readable form (see docs/output-formats.md).

Lines and columns are 1-based and count Unicode code points; `end_column` is exclusive.
`cell` is null, but for a finding in a Jupyter notebook: the number of its cell (counting every
cell of the notebook), and then lines count within that cell, as ruff's JSON counts them. A
fix's edits in a notebook carry their own `cell` (an added import goes to the first cell), and
so do related locations in the same notebook.
"""

from __future__ import annotations

import json
from typing import Callable

from asynclint.positions import one_based_column
from asynclint.registry import RULES


def _position(span) -> dict:
    return {
        "line": span.line,
        "column": one_based_column(span.column),
        "end_line": span.end_line,
        "end_column": one_based_column(span.end_column),
    }


def _place(diagnostic, span, lines: Callable[[], list[str]]) -> dict:
    """`span` as the JSON gives it: in its cell, with the cell's number, for a notebook."""
    notebook = diagnostic.notebook
    if notebook is None:
        return _position(span)
    start, end = notebook.locate_span(span, lines())
    return {
        "cell": start.cell,
        "line": start.line,
        "column": one_based_column(start.column),
        "end_line": end.line,
        "end_column": one_based_column(end.column),
    }


def diagnostic_object(diagnostic, source_lines: Callable[[str], list[str]]) -> dict:
    fix = diagnostic.fix

    def lines() -> list[str]:
        return source_lines(diagnostic.path)

    def related_place(related) -> dict:
        if related.path != diagnostic.path:
            return _position(related.span)
        return _place(diagnostic, related.span, lines)

    position = _place(diagnostic, diagnostic.span, lines)
    return {
        "path": diagnostic.path,
        "cell": position.pop("cell", None),
        **position,
        "code": diagnostic.code,
        "name": diagnostic.name,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "url": RULES[diagnostic.code].doc_url,
        "fix": None
        if fix is None
        else {
            "applicability": fix.applicability.value,
            "message": fix.title,
            "edits": [{**_place(diagnostic, edit.span, lines), "content": edit.content} for edit in fix.edits],
        },
        "related": [{"path": r.path, **related_place(r), "message": r.message} for r in diagnostic.related],
    }


def render(diagnostics, context) -> str:
    objects = [diagnostic_object(d, context.source_lines) for d in diagnostics]
    return json.dumps(objects, indent=2, ensure_ascii=False) + "\n"
