"""The one diagnostic model every part of asynclint speaks.

Positions inside asynclint follow libcst: lines are 1-based, columns 0-based, both counted in
Unicode code points of the decoded source. Output formats convert them in `positions.py` only.
"""

from __future__ import annotations

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
class Diagnostic:
    path: str
    code: str
    name: str
    severity: Severity
    message: str
    span: Span
    fix: Fix | None = None
    related: tuple[RelatedLocation, ...] = field(default=())

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
        )


def _span_list(span: Span) -> list[int]:
    return [span.line, span.column, span.end_line, span.end_column]
