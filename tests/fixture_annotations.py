"""Reading the expectations written into fixture files.

On an offending line:  `# expect: ASY100 col=5` (col is 1-based and optional); several
findings on one line: `# expect: ASY103 col=10, ASY103 col=20`.
On a near-miss line:   `# ok: <why it must stay silent>`.
Every diagnostic must be expected, and every expectation met: the annotations are the oracle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_EXPECT = re.compile(r"#\s*expect:\s*(?P<items>.+?)\s*$")
_ITEM = re.compile(r"^(?P<code>ASY\d{3})(?:\s+col=(?P<col>\d+))?$")
_OK = re.compile(r"#\s*ok:\s*\S")


@dataclass(frozen=True)
class Expectation:
    line: int
    code: str
    column: int | None  # 1-based, None when the fixture does not pin it


def expectations(text: str, path: Path) -> list[Expectation]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _EXPECT.search(line)
        if match is None:
            continue
        for item in match.group("items").split(","):
            parsed = _ITEM.match(item.strip())
            if parsed is None:
                raise ValueError(f"{path}:{number}: malformed expectation {item.strip()!r}")
            column = int(parsed.group("col")) if parsed.group("col") else None
            found.append(Expectation(number, parsed.group("code"), column))
    return found


def near_miss_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if _OK.search(line)]


def with_noqa_on_expected_lines(text: str) -> str:
    """The fixture with every expectation comment turned into a `# noqa` for its codes."""
    out = []
    for line in text.splitlines(keepends=True):
        match = _EXPECT.search(line)
        if match is not None:
            codes = ",".join(sorted({item.split()[0] for item in match.group("items").split(",")}))
            ending = line[len(line.rstrip("\r\n")) :]
            line = line[: match.start()] + f"# noqa: {codes}" + ending
        out.append(line)
    return "".join(out)
