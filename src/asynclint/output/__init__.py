"""Output formats: thin, pure formatters over a list of `Diagnostic`s.

Each module exposes `render(diagnostics, context) -> str`. Position conversions come from
`asynclint.positions`; nothing here reads files except through `context.source_lines`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class RenderContext:
    source_lines: Callable[[str], list[str]]  # path -> the file's lines (decoded, no newlines)
    files_checked: int
    color: bool = False
    statistics: bool = False
    quiet: bool = False
    unsafe_fixes: bool = False  # whether unsafe fixes count as available (--unsafe-fixes)


FORMATS = ("text", "json")


def render(name: str, diagnostics, context: RenderContext) -> str:
    if name == "json":
        from asynclint.output import json_format

        return json_format.render(diagnostics, context)
    from asynclint.output import text

    return text.render(diagnostics, context)
