"""The reporter: a project check's reports become diagnostics judged by the noqa comments of
the files as they are, with the rule's metadata from the registry."""

from __future__ import annotations

import json

from asynclint.diagnostic import Applicability, Fix, RelatedLocation, Severity, Span
from asynclint.registry import RULES
from asynclint.reporter import SitePlace, SiteReport, project_diagnostics

REPORT = SiteReport(
    "views.py",
    "ASY109",
    Span(4, 4, 4, 10),
    (4, 4, 3, 5),  # the call's line, and its statement's first and last
    "`load()` blocks the event loop through sync code",
    (RelatedLocation("helpers.py", Span(2, 12, 2, 25), "`load()` calls `time.sleep()` here"),),
    Fix("Run `load()` in a worker thread", Applicability.DISPLAY_ONLY, ()),
    (SitePlace("views.py", (False, 0, "load"), (2, 0), (4, 4, 4, 10, 3, 5)),),
)


def texts(**files: str):
    return lambda path: files.get(path.removesuffix(".py"))


def test_a_report_becomes_a_diagnostic_with_the_registrys_metadata():
    [diagnostic] = project_diagnostics([REPORT], texts(views="\n" * 5), ignore_noqa=False)
    assert (diagnostic.path, diagnostic.code, diagnostic.span, diagnostic.message) == (
        REPORT.path,
        REPORT.code,
        REPORT.span,
        REPORT.message,
    )
    assert (diagnostic.name, diagnostic.severity) == (RULES["ASY109"].name, RULES["ASY109"].severity)
    assert diagnostic.related == REPORT.related and diagnostic.fix == REPORT.fix


def test_noqa_on_any_of_the_reports_lines_silences_it():
    for line in (3, 4, 5):
        lines = ["x = 1"] * 5
        lines[line - 1] += "  # noqa: ASY109"
        assert project_diagnostics([REPORT], texts(views="\n".join(lines)), ignore_noqa=False) == []
    other_code = "\n".join(["x = 1", "x = 1", "x = 1", "x  # noqa: ASY100", "x = 1"])
    assert len(project_diagnostics([REPORT], texts(views=other_code), ignore_noqa=False)) == 1


def test_a_file_exempt_or_unreadable_reports_nothing_unless_noqa_is_ignored():
    exempt = "# asynclint: noqa\n" + "x = 1\n" * 4
    assert project_diagnostics([REPORT], texts(views=exempt), ignore_noqa=False) == []
    assert project_diagnostics([REPORT], texts(), ignore_noqa=False) == []
    assert len(project_diagnostics([REPORT], texts(views=exempt), ignore_noqa=True)) == 1


def test_a_report_survives_its_round_trip_through_the_cache():
    assert SiteReport.from_dict(json.loads(json.dumps(REPORT.to_dict()))) == REPORT
