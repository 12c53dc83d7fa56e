"""Reading the expectations written into fixture files.

On an offending line:  `# expect: ASY100 col=5 fix=safe msg="puts the event loop" title="Replace with"`
- `col`: the 1-based column (optional);
- `msg`: a fragment the message must contain; `title`: a fragment the fix's title must contain;
- `fix`: the fix's safety, `safe`, `unsafe`, `display` (a suggestion never applied) or `none`.
Several findings on one line: `# expect: ASY103 col=10, ASY103 col=20` (a comma inside quotes
belongs to the fragment). On a near-miss line: `# ok: <why it must stay silent>`.
Every diagnostic must be expected, and every expectation met: the annotations are the oracle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from asynclint.diagnostic import Applicability

_EXPECT = re.compile(r"#\s*expect:\s*(?P<items>.+?)\s*$")
_ITEM = re.compile(r'^(?P<code>ASY\d{3})(?P<attributes>(?:\s+[a-z]+=(?:"[^"]*"|[^\s"]+))*)$')
_ATTRIBUTE = re.compile(r'(?P<key>[a-z]+)=(?:"(?P<quoted>[^"]*)"|(?P<plain>[^\s"]+))')
_OK = re.compile(r"#\s*ok:\s*\S")
# `fix=` words, and the fix safety each stands for (None: the finding offers no fix)
SAFETY: dict[str, Applicability | None] = {
    "safe": Applicability.SAFE,
    "unsafe": Applicability.UNSAFE,
    "display": Applicability.DISPLAY_ONLY,
    "none": None,
}


@dataclass(frozen=True)
class Expectation:
    line: int
    code: str
    column: int | None  # 1-based, None when the fixture does not pin it
    message: str | None = None  # a fragment of the message
    title: str | None = None  # a fragment of the fix's title
    fix: str | None = None  # a key of SAFETY


def _items(text: str) -> list[str]:
    """`text` split at the commas that are not inside a quoted fragment."""
    items, current, quoted = [], [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    items.append("".join(current).strip())
    return items


def _expectation(item: str, number: int, path: Path) -> Expectation:
    parsed = _ITEM.match(item)
    if parsed is None:
        raise ValueError(f"{path}:{number}: malformed expectation {item!r}")
    attributes = {
        match.group("key"): match.group("quoted") if match.group("quoted") is not None else match.group("plain")
        for match in _ATTRIBUTE.finditer(parsed.group("attributes"))
    }
    unknown = set(attributes) - {"col", "msg", "title", "fix"}
    if unknown or attributes.get("fix", "none") not in SAFETY:
        raise ValueError(f"{path}:{number}: malformed expectation {item!r}")
    column = attributes.get("col")
    return Expectation(
        number,
        parsed.group("code"),
        int(column) if column is not None else None,
        attributes.get("msg"),
        attributes.get("title"),
        attributes.get("fix"),
    )


def expectations(text: str, path: Path) -> list[Expectation]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _EXPECT.search(line)
        if match is not None:
            found += [_expectation(item, number, path) for item in _items(match.group("items"))]
    return found


def near_miss_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if _OK.search(line)]


def with_noqa_on_expected_lines(text: str) -> str:
    """The fixture with every expectation comment turned into a `# noqa` for its codes."""
    out = []
    for line in text.splitlines(keepends=True):
        match = _EXPECT.search(line)
        if match is not None:
            codes = ",".join(sorted({item.split()[0] for item in _items(match.group("items"))}))
            ending = line[len(line.rstrip("\r\n")) :]
            line = line[: match.start()] + f"# noqa: {codes}" + ending
        out.append(line)
    return "".join(out)
