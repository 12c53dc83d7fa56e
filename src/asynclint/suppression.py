"""`# noqa` comments: which reported lines the user has silenced, and for which codes.

Forms: `# noqa` (every code) and `# noqa: ASY101,ASY103` (those codes) on the reported line, or
on the first or last line of the statement that holds it; `# asynclint: noqa` alone on a line
silences the whole file. A peer's code for the same finding counts as ours (`# noqa: ASYNC251`
silences ASY100): whoever wrote it judged that very call, for flake8-async or ruff. Comments are found with a regular expression over the lines that
matter, not a tokenizer: only lines with findings are ever looked at.
"""

from __future__ import annotations

import re

# Any whitespace after the colon: with `[\s]?` (flake8's), `# noqa:  ASY100` silently became a
# bare `# noqa` that silences every code on the line.
_NOQA = re.compile(
    r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)
_FILE_NOQA = re.compile(r"^[ \t]*#[ \t]*asynclint:[ \t]*noqa[ \t]*$", re.MULTILINE | re.IGNORECASE)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)

# flake8-async's and ruff's codes for a finding asynclint reports under its own code (the table
# in docs/peers.md, which tests/test_suppression.py holds this to). Only codes that name the
# same call: ASYNC1xx (cancellation) and ASYNC200 (configured names) say nothing about ours.
PEER_CODES = {
    "ASYNC251": "ASY100",
    "ASYNC210": "ASY101",
    "ASYNC211": "ASY101",
    "ASYNC212": "ASY101",
    "ASYNC220": "ASY102",
    "ASYNC221": "ASY102",
    "ASYNC222": "ASY102",
    "ASYNC230": "ASY103",
    "ASYNC231": "ASY103",
    "ASYNC232": "ASY103",
    "ASYNC240": "ASY103",
    "ASYNC250": "ASY108",
    "ASYNC300": "ASY602",
    "RUF006": "ASY602",
}


def file_is_exempt(text: str) -> bool:
    return "asynclint" in text and _FILE_NOQA.search(text) is not None


def parse_noqa(line: str) -> frozenset[str] | None:
    """The codes a line's noqa comments name, with ours for each peer code among them; an
    empty set means every code; None: none. Several comments on one line
    (`# noqa: ASY101  # noqa: ASY103`) add up."""
    codes: set[str] = set()
    found = False
    for match in _NOQA.finditer(line):
        found = True
        listed = match.group("codes")
        if not listed:
            return frozenset()
        codes.update(c.upper() for c in _CODE.findall(listed))
    codes.update(PEER_CODES[code] for code in codes & PEER_CODES.keys())
    return frozenset(codes) if found else None


def noqa_comments(lines: list[str]):
    """(line number, start column, end column, codes) for every `# noqa: CODES` comment that
    names codes; bare `# noqa` comments are not listed."""
    for number, line in enumerate(lines, start=1):
        if "noqa" not in line.lower():
            continue
        for match in _NOQA.finditer(line):
            if match.group("codes"):
                codes = tuple(c.upper() for c in _CODE.findall(match.group("codes")))
                yield number, match.start(), match.end(), codes


class Suppressions:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self._parsed: dict[int, frozenset[str] | None] = {}
        self.used: set[tuple[int, str]] = set()  # (line, code) pairs that silenced something

    def _on_line(self, line_number: int) -> frozenset[str] | None:
        if line_number not in self._parsed:
            text = self.lines[line_number - 1] if 0 < line_number <= len(self.lines) else ""
            self._parsed[line_number] = parse_noqa(text) if "noqa" in text.lower() else None
        return self._parsed[line_number]

    def silences(self, code: str, line_numbers: tuple[int, ...]) -> bool:
        for number in line_numbers:
            codes = self._on_line(number)
            if codes is not None and (not codes or code in codes):
                self.used.add((number, code))
                return True
        return False
