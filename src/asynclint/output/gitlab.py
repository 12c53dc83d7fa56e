"""`--output-format gitlab`: a GitLab Code Quality report (the Code Climate issue subset
GitLab reads), for `artifacts: reports: codequality`.

Each finding: `description`, `check_name` (the code), `fingerprint` (stable across line
shifts, see asynclint.fingerprint), `severity` (error -> critical, warning -> major,
info -> info), and `location.path` (relative to the repository root, forward slashes) with
`positions.begin`/`end` as 1-based lines and columns (code points, end exclusive). A finding
in a notebook is at `lines.begin` 1 (GitLab needs a line; the notebook's lines are its JSON),
as ruff places it, and its description names the cell: `ASY100 cell 3:2:5: ...`.
"""

from __future__ import annotations

import json

from asynclint.diagnostic import Severity
from asynclint.fingerprint import fingerprints
from asynclint.output import cell_prefix, repo_relative
from asynclint.positions import one_based_column
from asynclint.registry import RULES

SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "info"}


def _positions(diagnostic) -> dict:
    if diagnostic.notebook is not None:
        return {"lines": {"begin": 1}}
    span = diagnostic.span
    return {
        "positions": {
            "begin": {"line": span.line, "column": one_based_column(span.column)},
            "end": {"line": span.end_line, "column": one_based_column(span.end_column)},
        }
    }


def issue(diagnostic, fingerprint: str, root: str) -> dict:
    return {
        "type": "issue",
        "engine_name": "asynclint",
        "check_name": diagnostic.code,
        "description": f"{diagnostic.code} {cell_prefix(diagnostic)}{diagnostic.message}",
        "content": {"body": f"[{diagnostic.code} {diagnostic.name}]({RULES[diagnostic.code].doc_url})"},
        "categories": ["Performance"] if diagnostic.code != "ASY001" else ["Bug Risk"],
        "fingerprint": fingerprint,
        "severity": SEVERITY[diagnostic.severity],
        "location": {"path": repo_relative(diagnostic.path, root), **_positions(diagnostic)},
    }


def render(diagnostics, context) -> str:
    root = context.project_root()
    prints = fingerprints(diagnostics, context.source_lines, lambda path: repo_relative(path, root))
    document = [issue(d, fingerprint, root) for d, fingerprint in zip(diagnostics, prints)]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
