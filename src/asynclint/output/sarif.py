"""`--output-format sarif`: a SARIF 2.1.0 log, as GitHub code scanning ingests it
(github/codeql-action/upload-sarif).

One run. `tool.driver.rules` describes every rule from the registry and its doc page (short
description, the "What it does" section, the whole page as help, the docs URL, the default
level). Each result has `ruleId`/`ruleIndex`, a level, the message, a location whose URI is
relative to the repository root (`uriBaseId: %SRCROOT%`, forward slashes) with a 1-based
region counted in code points (`columnKind: unicodeCodePoints`, `endColumn` exclusive), the
related locations, the fix as a SARIF `fix`, and `partialFingerprints` that survive line
shifts (see asynclint.fingerprint).

A region addresses the artifact's own text, and a notebook's text is JSON: a finding in a
notebook has a location without a region (the whole file), a message that starts with its
place (`cell 3:2:5: ...`), and no `fix` (as ruff gives it).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import quote

from asynclint import __version__
from asynclint.diagnostic import Severity
from asynclint.fingerprint import VERSION as FINGERPRINT_VERSION
from asynclint.fingerprint import fingerprints
from asynclint.output import cell_prefix, repo_relative
from asynclint.positions import one_based_column
from asynclint.registry import RULES

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/asynclint/asynclint"
BASE_ID = "%SRCROOT%"
FINGERPRINT_KEY = f"asynclint/{FINGERPRINT_VERSION}"

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _section(markdown: str, heading: str) -> str | None:
    """The text under `## heading` in a doc page, up to the next `## ` heading."""
    match = re.search(rf"^## {re.escape(heading)}[^\n]*\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    return match.group(1).strip() if match else None


def rule_descriptor(rule) -> dict:
    try:
        page = rule.documentation()
        summary = rule.summary()
    except OSError:  # a rule without its doc page yet (test_meta fails for it)
        page = summary = f"{rule.code} {rule.name}"
    what = _section(page, "What it does") or summary
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": what, "markdown": what},
        "help": {"text": page, "markdown": page},
        "helpUri": rule.doc_url,
        "defaultConfiguration": {"level": LEVEL[rule.severity], "enabled": rule.default_enabled},
        "properties": {"fix": rule.fix_availability.value},
    }


def _artifact(path: str, root: str) -> dict:
    relative = repo_relative(path, root)
    if relative.startswith("/") or re.match(r"^[A-Za-z]:/", relative):
        return {"uri": Path(relative).as_uri()}
    # The file name's own bytes, percent-encoded: a name that is not UTF-8 (held as surrogate
    # escapes) cannot be encoded as text, and stopped the whole report.
    return {"uri": quote(os.fsencode(relative), safe="/"), "uriBaseId": BASE_ID}


def _region(span) -> dict:
    return {
        "startLine": span.line,
        "startColumn": one_based_column(span.column),
        "endLine": span.end_line,
        "endColumn": one_based_column(span.end_column),
    }


def _location(path: str, span, root: str, in_notebook: bool = False) -> dict:
    physical = {"artifactLocation": _artifact(path, root)}
    if not in_notebook:
        physical["region"] = _region(span)
    return {"physicalLocation": physical}


def result(diagnostic, rule_index: int, fingerprint: str, root: str) -> dict:
    in_notebook = diagnostic.notebook is not None
    found = {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": LEVEL[diagnostic.severity],
        "message": {"text": cell_prefix(diagnostic) + diagnostic.message},
        "locations": [_location(diagnostic.path, diagnostic.span, root, in_notebook)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if diagnostic.related:
        found["relatedLocations"] = []
        for number, related in enumerate(diagnostic.related, start=1):
            same_notebook = in_notebook and related.path == diagnostic.path
            message = (cell_prefix(diagnostic, related.span) if same_notebook else "") + related.message
            location = _location(related.path, related.span, root, same_notebook)
            found["relatedLocations"].append({"id": number, **location, "message": {"text": message}})
    fix = diagnostic.fix
    if fix is not None and fix.edits and not in_notebook:
        found["fixes"] = [
            {
                "description": {"text": f"{fix.title} ({fix.applicability.value} fix)"},
                "artifactChanges": [
                    {
                        "artifactLocation": _artifact(diagnostic.path, root),
                        "replacements": [
                            {"deletedRegion": _region(edit.span), "insertedContent": {"text": edit.content}}
                            for edit in fix.edits
                        ],
                    }
                ],
            }
        ]
    return found


def render(diagnostics, context) -> str:
    root = context.project_root()
    rules = [RULES[code] for code in sorted(RULES)]
    index = {rule.code: number for number, rule in enumerate(rules)}
    prints = fingerprints(diagnostics, context.source_lines, lambda path: repo_relative(path, root))
    run = {
        "tool": {
            "driver": {
                "name": "asynclint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(rule) for rule in rules],
            }
        },
        "originalUriBaseIds": {BASE_ID: {"uri": Path(root).as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": [
            result(d, index[d.code], fingerprint, root) for d, fingerprint in zip(diagnostics, prints)
        ],
    }
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
