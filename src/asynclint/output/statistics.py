"""`--statistics`: the number of findings per code instead of the findings, most frequent
first (ties by code). A table for the line-oriented formats, then the usual summary:

    12	ASY101	[*] blocking-http-call
     3	ASY103	[ ] blocking-file-io

(count, code, `[*]` when `--fix` with the same flags would fix some of them, the rule's name;
tab-separated, as flake8's and ruff's statistics are). Under `--output-format json`, a list of
`{"code", "name", "count", "fixable"}` objects in the same order."""

from __future__ import annotations

import json

from asynclint.output.text import BOLD, CYAN, RED, Painter, footer, shows_marker


def rows(diagnostics, context) -> list[dict]:
    by_code: dict[str, dict] = {}
    for diagnostic in diagnostics:
        row = by_code.setdefault(
            diagnostic.code, {"code": diagnostic.code, "name": diagnostic.name, "count": 0, "fixable": False}
        )
        row["count"] += 1
        row["fixable"] = row["fixable"] or shows_marker(diagnostic, context)
    return sorted(by_code.values(), key=lambda row: (-row["count"], row["code"]))


def table(statistics: list[dict], paint: Painter) -> list[str]:
    if not statistics:
        return []
    count_width = max(len(str(row["count"])) for row in statistics)
    code_width = max(len(row["code"]) for row in statistics)
    any_fixable = any(row["fixable"] for row in statistics)
    lines = []
    for row in statistics:
        marker = (paint("[*]", CYAN) if row["fixable"] else "[ ]") + " " if any_fixable else ""
        count = paint(f"{row['count']:>{count_width}}", BOLD)
        code = paint(f"{row['code']:<{code_width}}", BOLD, RED)
        lines.append(f"{count}\t{code}\t{marker}{row['name']}")
    return lines


def render(name: str, diagnostics, context) -> str:
    statistics = rows(diagnostics, context)
    if name == "json":
        return json.dumps(statistics, indent=2) + "\n"
    out = table(statistics, Painter(context.color))
    if not context.quiet:
        out.extend(footer(diagnostics, context))
    return "\n".join(out) + ("\n" if out else "")
