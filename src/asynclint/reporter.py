"""The one place where what rules report becomes `Diagnostic`s: positions, `# noqa` (and a
file's `# asynclint: noqa`), ASY002 for noqa comments that silence nothing, and fix edits.

Rules report in two forms:

- A per-file check reports libcst nodes (`checks.base.Report`) during the walk of a file;
  `file_diagnostics` places them in that file, drops what its noqa comments silence and turns
  each fix's node edits into text edits.
- A project check (ASY109) reports `SiteReport`s, already placed (it read the positions from
  the files' summaries) and not yet judged by noqa; `project_diagnostics` drops what the noqa
  comments of the files as they are now silence. The pipeline caches a project phase's
  `SiteReport`s, so a noqa added since still takes effect.

Rules never build a `Diagnostic` themselves: name, severity and the noqa convention are the
same for every rule, and live here and in the registry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from asynclint.diagnostic import Applicability, Diagnostic, Edit, Fix, RelatedLocation, Span
from asynclint.edits import import_edits
from asynclint.positions import node_ranges, split_lines
from asynclint.registry import RULES, UNUSED_NOQA_CODE
from asynclint.suppression import Suppressions, file_is_exempt, noqa_comments

if TYPE_CHECKING:
    from asynclint.checks.base import Report


@dataclass(frozen=True, slots=True)
class SitePlace:
    """Where a position a `SiteReport` shows came from: the `rank`-th call (attribute) of the
    file, as `analysis.sourceorder` counts them, among `counts` (calls, attributes); `rank` is
    None when the site has none. The pipeline checks a cached report against a file edited
    since by placing the site again (see `pipeline._still_holds`)."""

    path: str
    rank: tuple[bool, int, str] | None  # (is an attribute, rank, last name), as FileSummary.rank_of
    counts: tuple[int, int]
    position: tuple[int, int, int, int, int, int]  # line, column, end line, end column, statement lines

    def to_list(self) -> list:
        return [self.path, None if self.rank is None else list(self.rank), list(self.counts), list(self.position)]

    @classmethod
    def from_list(cls, data: list) -> SitePlace:
        path, rank, counts, position = data
        return cls(path, None if rank is None else tuple(rank), tuple(counts), tuple(position))


@dataclass(frozen=True, slots=True)
class SiteReport:
    """A project check's finding, placed and not yet judged by noqa: `lines` are those whose
    `# noqa` silences it (the reported span's and its statement's first and last); `places`
    every position the report shows (its own, and its message's and related locations')."""

    path: str
    code: str
    span: Span
    lines: tuple[int, ...]
    message: str
    related: tuple[RelatedLocation, ...] = ()
    fix: Fix | None = None
    places: tuple[SitePlace, ...] = ()

    def to_dict(self) -> dict:
        """A plain, JSON-ready form (the project phase's cache); the inverse of `from_dict`."""
        return {
            "path": self.path,
            "code": self.code,
            "span": _span_list(self.span),
            "lines": list(self.lines),
            "message": self.message,
            "related": [[r.path, _span_list(r.span), r.message] for r in self.related],
            "fix": None if self.fix is None else [self.fix.title, self.fix.applicability.value],
            "places": [place.to_list() for place in self.places],
        }

    @classmethod
    def from_dict(cls, data: dict) -> SiteReport:
        fix = data["fix"]
        return cls(
            data["path"],
            data["code"],
            Span(*data["span"]),
            tuple(data["lines"]),
            data["message"],
            tuple(RelatedLocation(p, Span(*s), m) for p, s, m in data["related"]),
            None if fix is None else Fix(fix[0], Applicability(fix[1]), ()),
            tuple(SitePlace.from_list(place) for place in data["places"]),
        )


def _span_list(span: Span) -> list[int]:
    return [span.line, span.column, span.end_line, span.end_column]


def _diagnostic(path: str, code: str, message: str, span: Span, fix: Fix | None, related=()) -> Diagnostic:
    rule = RULES[code]
    return Diagnostic(path, code, rule.name, rule.severity, message, span, fix, related)


# --- per-file reports ----------------------------------------------------------------------


def file_diagnostics(
    path: str, text: str, module, reports: list[Report], suppressions: Suppressions | None
) -> list[Diagnostic]:
    """The diagnostics of the reports of one file's walk (`module`, parsed from `text`).
    `suppressions`: the file's `# noqa` comments, which drop what they silence (None: drop
    nothing, `--ignore-noqa`)."""
    wanted = [r.node for r in reports] + [r.statement for r in reports if r.statement is not None]
    wanted += [edit.node for r in reports if r.fix is not None for edit in r.fix.edits]
    anchors = {}
    for report in reports:
        if report.anchor is not None:
            anchors[report.node] = report.anchor
            if report.statement is not None:
                anchors[report.statement] = report.anchor
            for edit in report.fix.edits if report.fix is not None else ():
                anchors[edit.node] = report.anchor
    positions = node_ranges(module, wanted, anchors, text)
    import_edits_by_modules: dict[tuple[str, ...], tuple[Edit, ...]] = {}
    found = []
    for report in reports:
        span = _span(positions[report.node])
        lines = (span.line, span.end_line)
        if report.statement is not None:
            statement = positions[report.statement]
            lines += (statement.start.line, statement.end.line)
        if suppressions is not None and suppressions.silences(report.code, lines):
            continue
        fix = None
        if report.fix is not None:
            edits = tuple(Edit(_span(positions[e.node]), e.replacement) for e in report.fix.edits)
            if report.fix.imports:
                if report.fix.imports not in import_edits_by_modules:
                    import_edits_by_modules[report.fix.imports] = import_edits(module, report.fix.imports)
                edits += import_edits_by_modules[report.fix.imports]
            fix = Fix(report.fix.title, report.fix.applicability, edits)
        found.append(_diagnostic(path, report.code, report.message, span, fix, report.related))
    return found


def _span(code_range) -> Span:
    return Span(code_range.start.line, code_range.start.column, code_range.end.line, code_range.end.column)


# asynclint's codes are ASY and three digits; flake8-async's ASYNC210 is not one of them.
_OUR_CODE = re.compile(r"ASY\d{3}")


def unused_noqa(path: str, suppressions: Suppressions, enabled) -> list[Diagnostic]:
    """ASY002: codes of asynclint's own in `# noqa:` comments that silenced nothing here, or
    that no rule has. Other tools' codes are theirs to judge. The fix drops the code (or the
    whole comment, when nothing else is left in it)."""
    found = []
    for line, start, end, codes in noqa_comments(suppressions.lines):
        # ASY002's own code is not judged: it silences this very diagnostic.
        ours = [c for c in codes if _OUR_CODE.fullmatch(c) and c != UNUSED_NOQA_CODE]
        unknown = [c for c in ours if c not in RULES]
        unused = [c for c in ours if c in RULES and c in enabled and (line, c) not in suppressions.used]
        stale = unknown + unused
        if not stale or suppressions.silences(UNUSED_NOQA_CODE, (line,)):
            continue
        kept = [c for c in codes if c not in stale]
        text = suppressions.lines[line - 1]
        if kept:
            span, replacement = Span(line, start, line, end), f"# noqa: {', '.join(kept)}"
        else:  # drop the comment and the spaces before it
            lead = len(text[:start]) - len(text[:start].rstrip())
            rest = text[end:].lstrip()
            # Words after the codes (`# noqa: ASY103 - a tmpfs stat`) are the comment's own
            # reason: they go with it, or they would be left behind as code. Another comment
            # after it (`# pragma: no cover`) stays.
            stop = end if not rest or rest.startswith("#") else len(text)
            span, replacement = Span(line, start - lead, line, stop), ""
        parts = []
        if unused:
            parts.append(f"unused: {', '.join(unused)} (nothing on this line is reported for it)")
        if unknown:
            parts.append(f"unknown: {', '.join(unknown)} (no asynclint rule has this code)")
        message = f"`# noqa` lists codes that silence nothing; {'; '.join(parts)}; remove them so suppressions do not hide future findings"
        fix = Fix(f"Remove {', '.join(stale)} from the noqa comment", Applicability.SAFE, (Edit(span, replacement),))
        found.append(_diagnostic(path, UNUSED_NOQA_CODE, message, Span(line, start, line, end), fix))
    return found


# --- project reports -----------------------------------------------------------------------


def project_diagnostics(
    reports: list[SiteReport], text_of: Callable[[str], str | None], ignore_noqa: bool
) -> list[Diagnostic]:
    """The diagnostics of a project phase's reports, judged by the noqa comments of the files
    as `text_of(path)` gives them now (a file that cannot be read any more reports nothing);
    under `ignore_noqa` (`--ignore-noqa`) every report stands."""
    suppressions: dict[str, Suppressions | None] = {}  # None: the whole file is silenced

    def silenced(report: SiteReport) -> bool:
        if report.path not in suppressions:
            text = text_of(report.path)
            exempt = text is None or file_is_exempt(text)
            suppressions[report.path] = None if exempt else Suppressions(split_lines(text))
        found = suppressions[report.path]
        return found is None or found.silences(report.code, report.lines)

    return [
        _diagnostic(report.path, report.code, report.message, report.span, report.fix, report.related)
        for report in reports
        if ignore_noqa or not silenced(report)
    ]
