"""The one diagnostic model every part of asynclint speaks.

Positions inside asynclint follow libcst: lines are 1-based, columns 0-based, both counted in
Unicode code points of the decoded source. Output formats convert them in `positions.py` only.

A Jupyter notebook is checked as one source, its code cells joined (asynclint.notebook); its
diagnostics keep positions in that joined source, so fixing, suppressions, fingerprints and the
cache treat it like any file, and carry the notebook's `NotebookIndex`, which turns a line of
the joined source into a cell and a line of that cell for the user.
"""

from __future__ import annotations

import bisect
import enum
from dataclasses import dataclass, field


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Applicability(str, enum.Enum):
    """How far a fix may be trusted, in ruff's terms."""

    SAFE = "safe"  # applied by --fix
    UNSAFE = "unsafe"  # applied only with --unsafe-fixes
    DISPLAY_ONLY = "display-only"  # shown as a concrete suggestion, never applied


@dataclass(frozen=True, slots=True)
class Span:
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True, slots=True)
class Edit:
    span: Span
    content: str


@dataclass(frozen=True, slots=True)
class Fix:
    title: str
    applicability: Applicability
    edits: tuple[Edit, ...] = ()


@dataclass(frozen=True, slots=True)
class RelatedLocation:
    """Another place that explains a finding (a hop in a call chain, say)."""

    path: str
    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class NotebookCell:
    """A code cell's place in a notebook's joined source."""

    number: int  # 1-based, counting every cell of the notebook (markdown too), as ruff does
    first_line: int  # its first line in the joined source
    line_count: int  # its lines as the notebook shows them (an empty cell has one)


@dataclass(frozen=True, slots=True)
class CellPosition:
    cell: int  # NotebookCell.number
    line: int  # 1-based, within the cell
    column: int  # 0-based, code points, as everywhere inside asynclint


@dataclass(frozen=True, slots=True)
class NotebookIndex:
    """Where each code cell sits in the joined source the checks read, in order."""

    cells: tuple[NotebookCell, ...]

    def cell_at(self, line: int) -> NotebookCell:
        """The cell holding `line` of the joined source (the nearest one past either end)."""
        starts = [cell.first_line for cell in self.cells]
        return self.cells[max(0, bisect.bisect_right(starts, line) - 1)]

    def locate(self, line: int, column: int) -> CellPosition:
        cell = self.cell_at(line)
        return CellPosition(cell.number, line - cell.first_line + 1, column)

    def locate_span(self, span: Span, lines: list[str]) -> tuple[CellPosition, CellPosition]:
        """Where `span` starts and ends in its cell. A span that takes a cell's last line with
        its line break ends at column 0 of the next cell's first line, at a line break the
        notebook does not store (the cells are joined with it): it ends at the end of the
        cell's last line instead, as ruff ends it. `lines`: the joined source's lines."""
        start = self.locate(span.line, span.column)
        cell = self.cell_at(span.end_line)
        if span.end_column == 0 and span.end_line == cell.first_line and cell.number != start.cell:
            previous = self.cells[self.cells.index(cell) - 1]
            last = previous.first_line + previous.line_count - 1
            text = lines[last - 1] if 0 < last <= len(lines) else ""
            return start, CellPosition(previous.number, previous.line_count, len(text))
        return start, self.locate(span.end_line, span.end_column)

    def to_list(self) -> list[list[int]]:
        return [[cell.number, cell.first_line, cell.line_count] for cell in self.cells]

    @classmethod
    def from_list(cls, data: list[list[int]]) -> NotebookIndex:
        return cls(tuple(NotebookCell(*cell) for cell in data))


@dataclass(frozen=True, slots=True)
class Diagnostic:
    path: str
    code: str
    name: str
    severity: Severity
    message: str
    span: Span
    fix: Fix | None = None
    related: tuple[RelatedLocation, ...] = field(default=())
    # Set for a finding in a notebook: `span`, the fix's edits and related locations in the same
    # file are positions in its joined source; this places them in cells.
    notebook: NotebookIndex | None = None

    def cell_position(self, span: Span | None = None) -> CellPosition | None:
        """Where `span` (the finding's own by default) starts in its notebook cell; None for
        a finding in a plain source file."""
        if self.notebook is None:
            return None
        span = self.span if span is None else span
        return self.notebook.locate(span.line, span.column)

    def sort_key(self) -> tuple:
        return (self.path, self.span.line, self.span.column, self.code)

    def to_dict(self) -> dict:
        """A plain, JSON-ready form; the inverse of `from_dict` (used by the cache and workers)."""
        return {
            "path": self.path,
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "span": _span_list(self.span),
            "fix": None
            if self.fix is None
            else {
                "title": self.fix.title,
                "applicability": self.fix.applicability.value,
                "edits": [[_span_list(e.span), e.content] for e in self.fix.edits],
            },
            "related": [[r.path, _span_list(r.span), r.message] for r in self.related],
            "notebook": None if self.notebook is None else self.notebook.to_list(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Diagnostic:
        fix = data["fix"]
        return cls(
            path=data["path"],
            code=data["code"],
            name=data["name"],
            severity=Severity(data["severity"]),
            message=data["message"],
            span=Span(*data["span"]),
            fix=None
            if fix is None
            else Fix(
                title=fix["title"],
                applicability=Applicability(fix["applicability"]),
                edits=tuple(Edit(Span(*s), c) for s, c in fix["edits"]),
            ),
            related=tuple(RelatedLocation(p, Span(*s), m) for p, s, m in data["related"]),
            # .get: a cache written before notebooks were checked has no such key.
            notebook=None if data.get("notebook") is None else NotebookIndex.from_list(data["notebook"]),
        )


def _span_list(span: Span) -> list[int]:
    return [span.line, span.column, span.end_line, span.end_column]
