"""`--output-format rdjson`: reviewdog's Diagnostic Format (rdjson), for
`reviewdog -f=rdjson`, which posts the findings as review comments on a pull request.

One `DiagnosticResult` document: `source` names asynclint; each diagnostic has its
`message`, `severity` (ERROR/WARNING/INFO), `code` (value and documentation URL), `location`
and, for a fix that `--fix` or `--fix --unsafe-fixes` would apply, its edits as
`suggestions` (reviewdog shows them as suggested changes; display-only suggestions are not
sent). The hops of a call chain are `related_locations`.

Positions are rdjson's: lines 1-based, columns 1-based counted in UTF-8 bytes, the end
exclusive. Paths are relative to the current directory (reviewdog resolves them from there),
absolute for a file outside it.
"""

from __future__ import annotations

import json
import os

from asynclint.output import repo_relative
from asynclint.output.text import applicable
from asynclint.positions import lsp_character
from asynclint.registry import DOCS_BASE_URL, RULES

# The repository's page: the rule pages' URL up to the branch path.
PROJECT_URL = DOCS_BASE_URL.split("/blob/")[0]


def _position(lines: list[str], line: int, column: int) -> dict:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return {"line": line, "column": lsp_character(text, column, "utf-8") + 1}


def _location(path: str, span, lines: list[str], cwd: str) -> dict:
    return {
        "path": repo_relative(path, cwd),
        "range": {
            "start": _position(lines, span.line, span.column),
            "end": _position(lines, span.end_line, span.end_column),
        },
    }


def diagnostic_object(diagnostic, context, cwd: str) -> dict:
    lines = context.source_lines(diagnostic.path)
    result = {
        "message": diagnostic.message,
        "location": _location(diagnostic.path, diagnostic.span, lines, cwd),
        "severity": diagnostic.severity.value.upper(),
        "code": {"value": diagnostic.code, "url": RULES[diagnostic.code].doc_url},
    }
    if applicable(diagnostic.fix, unsafe_fixes=True):
        result["suggestions"] = [
            {"range": _location(diagnostic.path, edit.span, lines, cwd)["range"], "text": edit.content}
            for edit in diagnostic.fix.edits
        ]
    if diagnostic.related:
        result["related_locations"] = [
            {"message": r.message, "location": _location(r.path, r.span, context.source_lines(r.path), cwd)}
            for r in diagnostic.related
        ]
    return result


def render(diagnostics, context) -> str:
    cwd = os.getcwd()
    document = {
        "source": {"name": "asynclint", "url": PROJECT_URL},
        "diagnostics": [diagnostic_object(d, context, cwd) for d in diagnostics],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
