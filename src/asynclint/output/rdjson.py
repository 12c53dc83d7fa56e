"""`--output-format rdjson`: reviewdog's Diagnostic Format (rdjson), for
`reviewdog -f=rdjson`, which posts the findings as review comments on a pull request.

One `DiagnosticResult` document: `source` names asynclint; each diagnostic has its
`message`, `severity` (ERROR/WARNING/INFO), `code` (value and documentation URL), `location`
and, for a fix that `--fix` or `--fix --unsafe-fixes` would apply, its edits as
`suggestions` (reviewdog shows them as suggested changes; display-only suggestions are not
sent). The hops of a call chain are `related_locations`.

Positions are rdjson's: lines 1-based, columns 1-based counted in UTF-8 bytes, the end
exclusive. Paths are relative to the current directory (reviewdog resolves them from there),
absolute for a file outside it. A finding in a notebook has a location without a range (the
notebook's lines are its JSON, where no cell line is), a message that starts with its place
(`cell 3:2:5: ...`), and no suggestions (reviewdog would apply them to the JSON text).
"""

from __future__ import annotations

import json
import os

from asynclint.output import cell_prefix, repo_relative
from asynclint.output.text import applicable
from asynclint.positions import lsp_character
from asynclint.registry import DOCS_BASE_URL, RULES

# The repository's page: the rule pages' URL up to the branch path.
PROJECT_URL = DOCS_BASE_URL.split("/blob/")[0]


def _position(lines: list[str], line: int, column: int) -> dict:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return {"line": line, "column": lsp_character(text, column, "utf-8") + 1}


def _location(path: str, span, lines: list[str], cwd: str, in_notebook: bool = False) -> dict:
    if in_notebook:
        return {"path": repo_relative(path, cwd)}
    return {
        "path": repo_relative(path, cwd),
        "range": {
            "start": _position(lines, span.line, span.column),
            "end": _position(lines, span.end_line, span.end_column),
        },
    }


def diagnostic_object(diagnostic, context, cwd: str) -> dict:
    lines = context.source_lines(diagnostic.path)
    in_notebook = diagnostic.notebook is not None
    result = {
        "message": cell_prefix(diagnostic) + diagnostic.message,
        "location": _location(diagnostic.path, diagnostic.span, lines, cwd, in_notebook),
        "severity": diagnostic.severity.value.upper(),
        "code": {"value": diagnostic.code, "url": RULES[diagnostic.code].doc_url},
    }
    if applicable(diagnostic.fix, unsafe_fixes=True) and not in_notebook:
        result["suggestions"] = [
            {"range": _location(diagnostic.path, edit.span, lines, cwd)["range"], "text": edit.content}
            for edit in diagnostic.fix.edits
        ]
    if diagnostic.related:
        result["related_locations"] = []
        for related in diagnostic.related:
            same_notebook = in_notebook and related.path == diagnostic.path
            message = (cell_prefix(diagnostic, related.span) if same_notebook else "") + related.message
            location = _location(related.path, related.span, context.source_lines(related.path), cwd, same_notebook)
            result["related_locations"].append({"message": message, "location": location})
    return result


def render(diagnostics, context) -> str:
    cwd = os.getcwd()
    document = {
        "source": {"name": "asynclint", "url": PROJECT_URL},
        "diagnostics": [diagnostic_object(d, context, cwd) for d in diagnostics],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
