"""What a check is: a small class that declares itself and decides, nothing more.

A check declares its code, name, severity, whether it can offer a fix, and which words must
appear in a file for it to have anything to say (the text prefilter). Its `visit_<Node>`
methods receive the node and the shared `Context`, decide, and call `self.report(...)`.
It never reads files, config or output; the engine turns its reports into diagnostics.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import ClassVar

from asynclint._lazy import libcst as cst

from asynclint.diagnostic import Applicability, Severity
from asynclint.tables import Tables


class FixAvailability(str, enum.Enum):
    NONE = "none"
    DISPLAY_ONLY = "display-only"  # a concrete suggestion, never applied
    SOMETIMES = "sometimes"  # applied where it can be done safely or, with --unsafe-fixes, unsafely
    ALWAYS = "always"


@dataclass(frozen=True, slots=True)
class NodeEdit:
    """Replace the source of `node` with `replacement` (the engine works out the range)."""

    node: cst.CSTNode
    replacement: str


@dataclass(frozen=True, slots=True)
class ProposedFix:
    title: str
    applicability: Applicability
    edits: tuple[NodeEdit, ...] = ()
    imports: tuple[str, ...] = ()  # modules to `import` for the edits' names to work


@dataclass(frozen=True, slots=True)
class Report:
    code: str
    node: cst.CSTNode
    message: str
    statement: cst.CSTNode | None
    fix: ProposedFix | None


class Check:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING
    fix_availability: ClassVar[FixAvailability] = FixAvailability.NONE
    default_enabled: ClassVar[bool] = True

    def __init__(self, tables: Tables) -> None:
        """Built once per run (per worker process); `start_file` resets it for each file."""
        self.reports: list[Report] = []
        self._prefilter = [_any_word(group) for group in self.required_words(tables)]

    def start_file(self) -> None:
        self.reports = []

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        """Groups of words: a file that lacks every word of some group cannot be reported by
        this check, so it need not be parsed for it. Override to make the prefilter sharper."""
        return ()

    def may_report(self, text: str) -> bool:
        return all(pattern.search(text) for pattern in self._prefilter)

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        statement: cst.CSTNode | None,
        fix: ProposedFix | None = None,
    ) -> None:
        self.reports.append(Report(self.code, node, message, statement, fix))


def _any_word(words: frozenset[str]) -> re.Pattern[str]:
    if not words:
        return re.compile(r"(?!)")  # matches nothing: the check has nothing to look for
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, words))) + r")\b")
