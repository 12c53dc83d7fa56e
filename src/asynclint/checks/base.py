"""What a check is: a small class that names its code and decides, nothing more.

A check declares its code and which words must appear in a file for it to have anything to say
(the text prefilter); its name, severity, default and fix availability are its row in
`registry`, which the class receives when it is defined. Its `visit_<Node>` and
`leave_<Node>` methods receive the node and the shared `Context` as the walk enters and leaves
the node, decide, and call `self.report(...)`; a shared fact the walker computes only on demand
is declared in `facts`. It never reads files, config or output; the reporter (reporter.py)
turns its reports into diagnostics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from asynclint._lazy import libcst as cst

from asynclint.diagnostic import Applicability, RelatedLocation, Severity
from asynclint.registry import RULES, FixAvailability

if TYPE_CHECKING:
    from asynclint.analysis.context import Context
    from asynclint.tables import Tables  # annotations only: a warm run lints nothing and loads no table


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
    related: tuple[RelatedLocation, ...] = ()  # other places that explain it (a call chain)
    anchor: tuple | None = None  # Context.placement_anchor() where it was reported


_METADATA = ("name", "severity", "fix_availability", "default_enabled")


class Check:
    code: ClassVar[str]
    # From the code's row in registry.RULES (see __init_subclass__).
    name: ClassVar[str]
    severity: ClassVar[Severity]
    fix_availability: ClassVar[FixAvailability]
    default_enabled: ClassVar[bool]
    # The shared facts this check reads that the walker computes only on demand
    # (analysis/walker.py FACTS): `frozenset({LOCK_HOLDS})` to read `ctx.holds` / `held(ctx)`.
    facts: ClassVar[frozenset[str]] = frozenset()
    # The walk's shared facts while the engine walks a file (None otherwise): `report` notes
    # where a finding sits from it, so the engine can place the finding cheaply.
    context: Context | None = None

    def __init_subclass__(cls, **kwargs) -> None:
        """A class that names a code takes its metadata from the registry, so the registry stays
        the one place that says it; a class that still states a value must state the same."""
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            return  # a shared base (BlockingCallCheck): its subclasses name the codes
        rule = RULES[cls.code]
        for attribute in _METADATA:
            registered = getattr(rule, attribute)
            if attribute in cls.__dict__ and cls.__dict__[attribute] != registered:
                raise TypeError(
                    f"{cls.__name__}.{attribute} is {cls.__dict__[attribute]!r} but the registry"
                    f" says {registered!r} for {cls.code}"
                )
            setattr(cls, attribute, registered)

    def __init__(self, tables: Tables) -> None:
        """Built once per run (per worker process); `start_file` resets it for each file."""
        self.reports: list[Report] = []
        self._prefilter = [frozenset(group) for group in self.required_words(tables)]

    def start_file(self) -> None:
        self.reports = []

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        """Groups of identifiers: a file that lacks every word of some group cannot be
        reported by this check, so it need not be parsed for it (an empty group: never).
        Override to make the prefilter sharper."""
        return ()

    def may_report(self, words: frozenset[str]) -> bool:
        """`words`: every identifier-like word in the file (see `words_of`)."""
        return all(not group.isdisjoint(words) for group in self._prefilter)

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        statement: cst.CSTNode | None,
        fix: ProposedFix | None = None,
        related: tuple[RelatedLocation, ...] = (),
    ) -> None:
        anchor = self.context.placement_anchor() if self.context is not None else None
        self.reports.append(Report(self.code, node, message, statement, fix, related, anchor))


class ProjectCheck(Check):
    """A check whose findings depend on other files (ASY109 follows calls into helpers
    defined anywhere in the project): a rule over a project index. It runs in two phases:

    1. Per file, in the worker that parses it, during the same single traversal as every other
       check: its visitors fill a summary, which `summary()` returns as plain JSON-ready data.
       The engine keeps it with the file's result and the cache stores it with the file's
       diagnostics, keyed by the file's content.
    2. Once per run, in the main process, `check_project(project)` reads every file's summary
       (asking for more through `project.summarize` when it needs them) and returns its
       findings as `reporter.SiteReport`s, placed and not judged by noqa: the reporter does
       that, from the files as they are when the findings are shown.

    When one file is linted alone (standard input, an editor, the fixer), `finish` runs
    phase 2 over that file only and reports through `report` like any check. What a check
    needs to know of the run (which files it reports in, which codes a chain may end in) it
    is given, by `prepare` and by the `project.Project` it receives.
    """

    project_wide: ClassVar[bool] = True

    def __init__(self, tables: Tables) -> None:
        self._alone = True
        self._locate: frozenset[int] = frozenset()
        self._followed: frozenset[str] = frozenset()
        super().__init__(tables)

    def prepare(self, alone: bool, locate: frozenset[int] = frozenset(), followed: frozenset[str] = frozenset()) -> None:
        """Before a file's traversal: whether this file is linted alone (report here) or as
        part of a project (summarize only), which sites' positions a summary must carry, and
        (alone) the codes whose calls a helper chain may end in (`engine.followed_codes`)."""
        self._alone = alone
        self._locate = locate
        self._followed = followed

    def finish(self, module, path: str, suppressions) -> None:
        """After the traversal of `module` (whose lines `suppressions` reads)."""

    def summary(self) -> dict:
        raise NotImplementedError

    @classmethod
    def check_project(cls, project) -> list:
        """Phase 2: the findings over every file's summary, as `reporter.SiteReport`s."""
        raise NotImplementedError


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def words_of(text: str) -> frozenset[str]:
    """Every identifier-like word in `text`, code, strings and comments alike: one scan per
    file answers every check's prefilter with set lookups."""
    return frozenset(_WORD.findall(text))
