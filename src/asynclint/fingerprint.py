"""Stable identities for findings, shared by the baseline, SARIF `partialFingerprints` and
GitLab's `fingerprint`.

A fingerprint hashes the file's path, the code and the source text the finding covers, with
whitespace collapsed, plus an occurrence index among findings that share all three. Line
numbers are left out on purpose, so the fingerprint survives code inserted or removed above
the finding; editing the reported code itself makes it a new finding.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from typing import Callable, Iterable

from asynclint.diagnostic import Diagnostic, Span

_WHITESPACE = re.compile(r"\s+")
VERSION = "v1"


def source_text(span: Span, lines: list[str]) -> str:
    """The code the span covers, whitespace-normalised; the whole line for an empty span."""
    def line(number: int) -> str:
        return lines[number - 1] if 0 < number <= len(lines) else ""

    if (span.line, span.column) == (span.end_line, span.end_column):
        text = line(span.line)
    elif span.line == span.end_line:
        text = line(span.line)[span.column : span.end_column]
    else:
        middle = [line(n) for n in range(span.line + 1, span.end_line)]
        text = "\n".join([line(span.line)[span.column :], *middle, line(span.end_line)[: span.end_column]])
    return _WHITESPACE.sub(" ", text).strip()


def fingerprints(
    diagnostics: Iterable[Diagnostic],
    source_lines: Callable[[str], list[str]],
    path_key: Callable[[str], str],
) -> list[str]:
    """One fingerprint per diagnostic, in the order given. `path_key` maps a path to the form
    that identifies the file (relative to the baseline file or the repository root)."""
    diagnostics = list(diagnostics)
    keys = [
        (path_key(d.path), d.code, source_text(d.span, source_lines(d.path))) for d in diagnostics
    ]
    # Occurrence indexes count in file order, whatever order the diagnostics came in.
    order = sorted(range(len(diagnostics)), key=lambda i: diagnostics[i].sort_key())
    seen: Counter = Counter()
    result = [""] * len(diagnostics)
    for i in order:
        occurrence = seen[keys[i]]
        seen[keys[i]] += 1
        material = "\0".join((VERSION, *keys[i], str(occurrence)))
        result[i] = hashlib.blake2b(material.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return result
