"""`--output-format json`: the stable machine-readable form (see docs/output-formats.md).

Lines and columns are 1-based and count Unicode code points; `end_column` is exclusive.
"""

from __future__ import annotations

import json

from asynclint.positions import one_based_column
from asynclint.registry import RULES


def _position(span) -> dict:
    return {
        "line": span.line,
        "column": one_based_column(span.column),
        "end_line": span.end_line,
        "end_column": one_based_column(span.end_column),
    }


def diagnostic_object(diagnostic) -> dict:
    fix = diagnostic.fix
    return {
        "path": diagnostic.path,
        **_position(diagnostic.span),
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
            "edits": [{**_position(edit.span), "content": edit.content} for edit in fix.edits],
        },
        "related": [
            {"path": r.path, **_position(r.span), "message": r.message} for r in diagnostic.related
        ],
    }


def render(diagnostics, context) -> str:
    return json.dumps([diagnostic_object(d) for d in diagnostics], indent=2, ensure_ascii=False) + "\n"
