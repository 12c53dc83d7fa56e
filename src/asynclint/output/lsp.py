"""`--output-format lsp`: Language Server Protocol `Diagnostic` objects, grouped per file as
`[{"uri": ..., "diagnostics": [...]}]` (the shape of `textDocument/publishDiagnostics`).

Positions are 0-based lines and characters counted in UTF-16 code units, the protocol's
default position encoding; the language server (asynclint.lsp_server) uses the same functions
with whatever encoding the client negotiated. `data` carries the fix as LSP `TextEdit`s plus
its applicability, so an editor plugin can offer it without running asynclint again.

A notebook's cells are documents of their own in LSP (notebook cell text documents): the
ranges of a finding in a notebook count lines within its cell, and `data.cell` gives the cell's
number (counting every cell of the notebook); each edit of its fix names its cell the same
way, as `cell` beside `range` and `newText`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable

from asynclint.diagnostic import Severity
from asynclint.positions import lsp_position
from asynclint.registry import RULES

SOURCE = "asynclint"

# LSP DiagnosticSeverity: Error = 1, Warning = 2, Information = 3, Hint = 4.
SEVERITY = {Severity.ERROR: 1, Severity.WARNING: 2, Severity.INFO: 3}


def path_uri(path: str) -> str:
    return Path(os.path.abspath(path)).as_uri()


def lsp_range(span, lines: list[str], encoding: str = "utf-16", notebook=None) -> dict:
    """`span` as an LSP Range; with `notebook` (a finding's NotebookIndex; `lines` are then the
    notebook's joined source), within the cell it starts in."""
    start_line, start_character = lsp_position(lines, span.line, span.column, encoding)
    end_line, end_character = lsp_position(lines, span.end_line, span.end_column, encoding)
    if notebook is not None:
        cell = notebook.cell_at(span.line)
        _, end = notebook.locate_span(span, lines)
        end_cell = next(c for c in notebook.cells if c.number == end.cell)
        # Characters count in the joined source's lines, which are the cell's lines.
        end_line, end_character = lsp_position(lines, end_cell.first_line + end.line - 1, end.column, encoding)
        start_line -= cell.first_line - 1
        end_line -= cell.first_line - 1
    return {
        "start": {"line": start_line, "character": start_character},
        "end": {"line": end_line, "character": end_character},
    }


def text_edit(edit, lines: list[str], encoding: str = "utf-16", notebook=None) -> dict:
    found = {"range": lsp_range(edit.span, lines, encoding, notebook), "newText": edit.content}
    if notebook is not None:
        found["cell"] = notebook.cell_at(edit.span.line).number
    return found


def lsp_diagnostic(
    diagnostic,
    source_lines: Callable[[str], list[str]],
    encoding: str = "utf-16",
    uri_of: Callable[[str], str] = path_uri,
) -> dict:
    """One LSP Diagnostic (as JSON-ready data) for `diagnostic`."""
    lines = source_lines(diagnostic.path)
    fix = diagnostic.fix
    notebook = diagnostic.notebook
    result = {
        "range": lsp_range(diagnostic.span, lines, encoding, notebook),
        "severity": SEVERITY[diagnostic.severity],
        "code": diagnostic.code,
        "codeDescription": {"href": RULES[diagnostic.code].doc_url},
        "source": SOURCE,
        "message": diagnostic.message,
        "data": {
            "name": diagnostic.name,
            "fix": None
            if fix is None
            else {
                "title": fix.title,
                "applicability": fix.applicability.value,
                "edits": [text_edit(edit, lines, encoding, notebook) for edit in fix.edits],
            },
        },
    }
    if notebook is not None:
        result["data"]["cell"] = notebook.cell_at(diagnostic.span.line).number
    if diagnostic.related:
        result["relatedInformation"] = [
            {
                "location": {
                    "uri": uri_of(related.path),
                    "range": lsp_range(
                        related.span,
                        source_lines(related.path),
                        encoding,
                        notebook if related.path == diagnostic.path else None,
                    ),
                },
                "message": related.message,
            }
            for related in diagnostic.related
        ]
    return result


def render(diagnostics, context) -> str:
    files: dict[str, list[dict]] = {}
    for diagnostic in diagnostics:
        files.setdefault(diagnostic.path, []).append(lsp_diagnostic(diagnostic, context.source_lines))
    document = [{"uri": path_uri(path), "diagnostics": found} for path, found in files.items()]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
