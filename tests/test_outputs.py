"""Every --output-format against what its consumer expects: LSP ranges in UTF-16 units, GitHub
workflow-command escaping, SARIF validated against the official 2.1.0 schema, GitLab Code
Quality fields, JUnit XML that parses, rdjson validated against reviewdog's schema, Azure
logging commands read back as the agent reads them, pylint lines as Warnings NG's parser reads
them; and the text formats (frame, help, fix markers, summary, statistics) line by line.
Formatters are fed hand-built diagnostics (so the shapes do not depend on which rules exist)
and, through the CLI, real findings."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from asynclint.cli import cli
from asynclint.diagnostic import Applicability, Diagnostic, Edit, Fix, RelatedLocation, Severity, Span
from asynclint.output import FORMATS, STATISTICS_FORMATS, RenderContext, UnsupportedStatistics, render, repo_relative
from asynclint.output.azure import escape as azure_escape
from asynclint.output.github import escape_data, escape_property
from asynclint.output.lsp import lsp_diagnostic
from asynclint.positions import split_lines
from asynclint.registry import RULES
from conftest import TESTS

SARIF_SCHEMA = json.loads((TESTS / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
RDJSON_SCHEMA = json.loads((TESTS / "data" / "reviewdog-rdjson-DiagnosticResult.json").read_text(encoding="utf-8"))

APP = (
    "import time\n"
    "\n"
    "async def handler():\n"
    '    label = "😀𝄞"; time.sleep(1)\n'  # two characters outside the BMP before the call
    "    data = open(\n"
    '        "x")\n'
)
OTHER = "def helper():\n    time.sleep(2)\n"


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project root as the current directory, with the files the diagnostics point into."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "app.py").write_text(APP, encoding="utf-8")
    (tmp_path / "pkg" / "other.py").write_text(OTHER, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _diagnostics() -> list[Diagnostic]:
    line4 = APP.splitlines()[3]
    sleep = line4.index("time.sleep")
    sleep_span = Span(4, sleep, 4, sleep + len("time.sleep(1)"))
    open_column = APP.splitlines()[4].index("open(")
    return [
        Diagnostic(
            "pkg/app.py", "ASY100", "blocking-sleep", Severity.WARNING,
            "`time.sleep()` blocks the loop", sleep_span,
            Fix("Replace with `await asyncio.sleep(1)`", Applicability.SAFE, (
                Edit(sleep_span, "await asyncio.sleep(1)"),
                Edit(Span(1, 0, 1, 0), "import asyncio\n"),
            )),
            (RelatedLocation("pkg/other.py", Span(2, 4, 2, 17), "the helper sleeps here"),),
        ),
        Diagnostic(
            "pkg/app.py", "ASY103", "blocking-file-io", Severity.WARNING,
            "100% blocking: open(),\nthen read", Span(5, open_column, 6, 11),
        ),
        Diagnostic(
            "pkg/broken.py", "ASY001", "file-not-checked", Severity.ERROR,
            "syntax error: bad <input> & \x00 stuff", Span(1, 0, 1, 0),
        ),
    ]  # fmt: skip


SOURCES = {"pkg/app.py": split_lines(APP), "pkg/other.py": split_lines(OTHER), "pkg/broken.py": ["x = ("]}


def _context(root: Path, **fields) -> RenderContext:
    return RenderContext(lambda path: SOURCES.get(path, []), files_checked=3, root=str(root), **fields)


# --- lsp ----------------------------------------------------------------------------------


def test_lsp_ranges_count_utf16_code_units_past_non_bmp_characters(project):
    document = json.loads(render("lsp", _diagnostics(), _context(project)))
    assert [entry["uri"] for entry in document] == [
        (project / "pkg" / "app.py").as_uri(),
        (project / "pkg" / "broken.py").as_uri(),
    ]
    sleep = document[0]["diagnostics"][0]
    line4 = APP.splitlines()[3]
    start = _utf16(line4[: line4.index("time.sleep")])
    assert start == line4.index("time.sleep") + 2  # each of 😀 and 𝄞 is two UTF-16 units
    assert sleep["range"] == {
        "start": {"line": 3, "character": start},
        "end": {"line": 3, "character": start + len("time.sleep(1)")},
    }
    assert sleep["severity"] == 2
    assert sleep["code"] == "ASY100"
    assert sleep["codeDescription"] == {"href": RULES["ASY100"].doc_url}
    assert sleep["source"] == "asynclint"
    assert sleep["message"] == "`time.sleep()` blocks the loop"
    assert sleep["data"]["fix"] == {
        "title": "Replace with `await asyncio.sleep(1)`",
        "applicability": "safe",
        "edits": [
            {"range": sleep["range"], "newText": "await asyncio.sleep(1)"},
            {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "newText": "import asyncio\n"},
        ],
    }
    assert sleep["relatedInformation"] == [
        {
            "location": {
                "uri": (project / "pkg" / "other.py").as_uri(),
                "range": {"start": {"line": 1, "character": 4}, "end": {"line": 1, "character": 17}},
            },
            "message": "the helper sleeps here",
        }
    ]
    multi_line = document[0]["diagnostics"][1]
    assert multi_line["range"]["start"]["line"] == 4 and multi_line["range"]["end"] == {"line": 5, "character": 11}
    assert multi_line["data"]["fix"] is None and "relatedInformation" not in multi_line
    assert document[1]["diagnostics"][0]["severity"] == 1  # ASY001 is an error


def test_lsp_positions_follow_the_negotiated_encoding():
    diagnostic = _diagnostics()[0]
    line4 = APP.splitlines()[3]
    prefix = line4[: line4.index("time.sleep")]
    lines_of = SOURCES.__getitem__
    characters = {
        encoding: lsp_diagnostic(diagnostic, lines_of, encoding)["range"]["start"]["character"]
        for encoding in ("utf-8", "utf-16", "utf-32")
    }
    assert characters == {"utf-8": len(prefix.encode("utf-8")), "utf-16": _utf16(prefix), "utf-32": len(prefix)}


# --- github -------------------------------------------------------------------------------


def test_github_workflow_commands(project):
    lines = render("github", _diagnostics(), _context(project)).splitlines()
    line4 = APP.splitlines()[3]
    column = line4.index("time.sleep") + 1
    assert lines[0] == (
        f"::warning file=pkg/app.py,line=4,col={column},endLine=4,endColumn={column + 13},"
        "title=ASY100 (blocking-sleep)::ASY100 `time.sleep()` blocks the loop"
    )
    # A span over two lines: no columns. The message's %, comma, colon and newline.
    assert lines[1] == (
        "::warning file=pkg/app.py,line=5,endLine=6,title=ASY103 (blocking-file-io)"
        "::ASY103 100%25 blocking: open(),%0Athen read"
    )
    assert lines[2].startswith("::error file=pkg/broken.py,line=1,col=1,endLine=1,endColumn=1,title=ASY001 (file-not-checked)::")
    assert len(lines) == 3


def test_github_escaping_rules():
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("dir:a,b/50%\n.py") == "dir%3Aa%2Cb/50%25%0A.py"


def test_github_escapes_properties_in_paths(project):
    odd = Diagnostic("we,ird:name.py", "ASY100", "blocking-sleep", Severity.INFO, "m", Span(1, 0, 1, 1))
    (line,) = render("github", [odd], _context(project)).splitlines()
    assert line.startswith("::notice file=we%2Cird%3Aname.py,line=1,")


# --- sarif --------------------------------------------------------------------------------


def _validate_sarif(document: dict) -> None:
    validator_class = jsonschema.validators.validator_for(SARIF_SCHEMA)
    validator_class.check_schema(SARIF_SCHEMA)
    errors = sorted(validator_class(SARIF_SCHEMA).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_vendored_schema_is_the_official_sarif_2_1_0_schema():
    assert SARIF_SCHEMA["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    assert SARIF_SCHEMA["properties"]["version"]["enum"] == ["2.1.0"]


def test_sarif_validates_and_carries_what_code_scanning_reads(project):
    document = json.loads(render("sarif", _diagnostics(), _context(project)))
    _validate_sarif(document)
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.as_uri() + "/"
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    sleep_rule = rules[[r["id"] for r in rules].index("ASY100")]
    assert sleep_rule["name"] == "blocking-sleep"
    assert sleep_rule["helpUri"] == RULES["ASY100"].doc_url
    assert sleep_rule["help"]["markdown"] == RULES["ASY100"].documentation()
    assert sleep_rule["shortDescription"]["text"] == RULES["ASY100"].summary()
    assert sleep_rule["fullDescription"]["text"].startswith("Reports a call to `time.sleep`")
    assert sleep_rule["defaultConfiguration"]["level"] == "warning"

    sleep, multi_line, broken = run["results"]
    assert rules[sleep["ruleIndex"]]["id"] == sleep["ruleId"] == "ASY100"
    assert rules[broken["ruleIndex"]]["id"] == "ASY001" and broken["level"] == "error"
    location = sleep["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "pkg/app.py", "uriBaseId": "%SRCROOT%"}
    column = APP.splitlines()[3].index("time.sleep") + 1
    assert location["region"] == {"startLine": 4, "startColumn": column, "endLine": 4, "endColumn": column + 13}
    assert multi_line["locations"][0]["physicalLocation"]["region"]["endLine"] == 6
    assert sleep["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "pkg/other.py"
    assert sleep["relatedLocations"][0]["message"]["text"] == "the helper sleeps here"
    assert sleep["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"] == "await asyncio.sleep(1)"
    prints = [r["partialFingerprints"]["asynclint/v1"] for r in run["results"]]
    assert len(set(prints)) == 3


def test_sarif_fingerprints_survive_lines_inserted_above(project):
    before = json.loads(render("sarif", _diagnostics()[:1], _context(project)))
    shifted_sources = {"pkg/app.py": ["# a new comment", "", *SOURCES["pkg/app.py"]]}
    sleep = _diagnostics()[0]
    moved = Diagnostic(
        sleep.path, sleep.code, sleep.name, sleep.severity, sleep.message,
        Span(sleep.span.line + 2, sleep.span.column, sleep.span.end_line + 2, sleep.span.end_column),
    )  # fmt: skip
    context = RenderContext(lambda path: shifted_sources.get(path, []), 1, root=str(project))
    after = json.loads(render("sarif", [moved], context))
    assert (
        before["runs"][0]["results"][0]["partialFingerprints"]
        == after["runs"][0]["results"][0]["partialFingerprints"]
    )


def test_sarif_uris_are_repository_relative_with_forward_slashes(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "my file.py"
    found = Diagnostic(str(outside), "ASY100", "blocking-sleep", Severity.WARNING, "m", Span(1, 0, 1, 1))
    nested = Diagnostic(str(project / "pkg" / "a b.py"), "ASY100", "blocking-sleep", Severity.WARNING, "m", Span(1, 0, 1, 1))
    document = json.loads(render("sarif", [found, nested], _context(project)))
    _validate_sarif(document)
    first, second = (r["locations"][0]["physicalLocation"]["artifactLocation"] for r in document["runs"][0]["results"])
    assert first == {"uri": outside.as_uri()}  # outside the repository: an absolute URI
    assert second == {"uri": "pkg/a%20b.py", "uriBaseId": "%SRCROOT%"}
    assert repo_relative(str(project / "pkg" / "app.py"), str(project)) == "pkg/app.py"


# --- gitlab -------------------------------------------------------------------------------


def test_gitlab_code_quality_report(project):
    issues = json.loads(render("gitlab", _diagnostics(), _context(project)))
    assert len(issues) == 3
    for issue in issues:
        for key in ("description", "check_name", "fingerprint", "severity"):
            assert isinstance(issue[key], str) and issue[key], key
        assert issue["location"]["positions"]["begin"]["line"] >= 1
    assert len({i["fingerprint"] for i in issues}) == 3
    sleep, multi_line, broken = issues
    column = APP.splitlines()[3].index("time.sleep") + 1
    assert sleep["check_name"] == "ASY100"
    assert sleep["severity"] == "major"
    assert sleep["location"] == {
        "path": "pkg/app.py",
        "positions": {"begin": {"line": 4, "column": column}, "end": {"line": 4, "column": column + 13}},
    }
    assert multi_line["location"]["positions"]["end"]["line"] == 6
    assert broken["severity"] == "critical"
    assert issues[0]["description"] == "ASY100 `time.sleep()` blocks the loop"


# --- junit --------------------------------------------------------------------------------


def test_junit_groups_findings_by_file_and_parses(project):
    root = ET.fromstring(render("junit", _diagnostics(), _context(project)).encode("utf-8"))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "2", "1")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["pkg/app.py", "pkg/broken.py"]
    app_cases = suites[0].findall("testcase")
    assert len(app_cases) == 2 and suites[0].get("failures") == "2"
    failure = app_cases[0].find("failure")
    assert failure.get("type") == "ASY100"
    assert failure.get("message") == "ASY100 `time.sleep()` blocks the loop"
    assert app_cases[0].get("line") == "4"
    assert app_cases[1].find("failure").get("message") == "ASY103 100% blocking: open(),\nthen read"
    error = suites[1].find("testcase").find("error")
    assert error is not None and "bad <input> & \ufffd stuff" in error.get("message")  # NUL cannot be XML


def test_junit_clean_run_is_one_passing_case(project):
    root = ET.fromstring(render("junit", [], _context(project)).encode("utf-8"))
    (case,) = root.iter("testcase")
    assert root.get("failures") == "0" and case.find("failure") is None


# --- concise and json-lines ---------------------------------------------------------------


def test_concise_is_one_line_per_finding_then_the_summary(project):
    lines = render("concise", _diagnostics(), _context(project)).splitlines()
    column = APP.splitlines()[3].index("time.sleep") + 1
    assert lines[0] == f"pkg/app.py:4:{column}: ASY100 [*] `time.sleep()` blocks the loop"
    assert lines[1] == "pkg/app.py:5:12: ASY103 100% blocking: open(), then read"  # still one line
    assert lines[2].startswith("pkg/broken.py:1:1: ASY001 ")
    assert lines[3:] == ["Found 3 problems in 2 files (3 files checked).", "[*] 1 fixable with the `--fix` option."]
    assert render("concise", _diagnostics(), _context(project, quiet=True)).count("\n") == 3


def test_json_lines_are_the_json_objects_one_per_line(project):
    as_json = json.loads(render("json", _diagnostics(), _context(project)))
    lines = render("json-lines", _diagnostics(), _context(project)).splitlines()
    assert [json.loads(line) for line in lines] == as_json
    assert render("json-lines", [], _context(project)) == ""


# --- text ---------------------------------------------------------------------------------


def _finding(message="`f()` blocks", span=Span(1, 0, 1, 3), fix=None, code="ASY100", path="pkg/app.py"):
    name = RULES[code].name
    severity = Severity.ERROR if code == "ASY001" else Severity.WARNING
    return Diagnostic(path, code, name, severity, message, span, fix)


SAFE = Fix("Replace with `g()`", Applicability.SAFE, (Edit(Span(1, 0, 1, 3), "g()"),))
UNSAFE = Fix("Run it in a worker thread", Applicability.UNSAFE, (Edit(Span(1, 0, 1, 3), "await h()"),))
DISPLAY = Fix("Use anyio", Applicability.DISPLAY_ONLY)
DISPLAY_WITH_EDIT = Fix("Bound it", Applicability.DISPLAY_ONLY, (Edit(Span(1, 0, 1, 3), "k()"),))


def _lines_context(lines: list[str], **fields) -> RenderContext:
    return RenderContext(lambda path: lines, files_checked=1, **fields)


def test_text_finding_is_title_location_frame_with_context_and_help(project):
    output = render("text", _diagnostics()[:1], _context(project)).splitlines()
    line4 = APP.splitlines()[3]
    column = line4.index("time.sleep")
    under = " " * (column + 1)  # 😀 takes two terminal cells, 𝄞 one
    assert output == [
        "ASY100 [*] `time.sleep()` blocks the loop",
        f" --> pkg/app.py:4:{column + 1}",
        "  |",
        "3 | async def handler():",  # line 2 is blank: context does not start with it
        f"4 | {line4}",
        f"  | {under}{'^' * 13}",
        "5 |     data = open(",
        '6 |         "x")',
        "  |",
        "help: Replace with `await asyncio.sleep(1)`",
        "",
        "Found 1 problem in 1 file (3 files checked).",
        "[*] 1 fixable with the `--fix` option.",
    ]


def test_text_frame_context_stops_at_blank_edges_and_the_gutter_fits_two_digit_lines():
    lines = [f"x{n} = {n}" for n in range(1, 13)]
    lines[7] = ""  # line 8: a blank line at the frame's top edge is left out
    lines[11] = "    "  # line 12: so is a blank one at its bottom edge
    finding = _finding(span=Span(10, 0, 10, 3))
    output = render("text", [finding], _lines_context(lines, quiet=True)).splitlines()
    assert output == [
        "ASY100 `f()` blocks",
        "  --> pkg/app.py:10:1",
        "   |",
        " 9 | x9 = 9",
        "10 | x10 = 10",
        "   | ^^^",
        "11 | x11 = 11",
        "   |",
        "",
    ]


def test_text_frame_of_a_long_span_elides_its_middle_and_marks_each_shown_line():
    lines = ["async def f():", "    call(", "        a,", "        b,", "        c,", "    )", "done()"]
    finding = _finding(span=Span(2, 4, 6, 5))
    output = render("text", [finding], _lines_context(lines, quiet=True)).splitlines()
    assert output[2:] == [
        "  |",
        "1 | async def f():",
        "2 |     call(",
        "  |     ^^^^^",
        "3 |         a,",
        "  |         ^^",
        "  ...",
        "6 |     )",
        "  |     ^",
        "7 | done()",
        "  |",
        "",
    ]


def test_text_of_a_file_that_could_not_be_read_has_the_location_but_no_frame():
    finding = _finding("binary file", span=Span(1, 0, 1, 0), code="ASY001", path="blob.py")
    output = render("text", [finding], _lines_context([], quiet=True)).splitlines()
    assert output == ["ASY001 binary file", " --> blob.py:1:1", ""]


def test_text_wraps_long_titles_and_help_at_100_columns_without_splitting_code():
    message = (
        "`aiohttp.ClientSession()` is created for every request `test_webhook()` handles and used only there:"
        " each one opens its own connections (TCP and TLS handshakes, authentication) and drops them, so"
        " keep-alive and pooling never help and the server sees a connection storm under load; create it once"
        " (at module level, or in the app's lifespan/startup hook) and reuse it, passing it in or storing it on the app"
    )
    help_text = (
        "Create `aiohttp.ClientSession()` once, in the app's lifespan/startup hook (or at module level),"
        " and have `test_webhook()` use that one, or `await asyncio.sleep(a_rather_long_argument_name * 2)`"
    )
    finding = _finding(message, fix=Fix(help_text, Applicability.DISPLAY_ONLY))
    output = render("text", [finding], _lines_context(["x = f()"], quiet=True)).splitlines()
    arrow = next(i for i, line in enumerate(output) if "-->" in line)
    help_at = next(i for i, line in enumerate(output) if line.startswith("help: "))
    title, help_lines = output[:arrow], output[help_at : output.index("", help_at)]
    assert len(title) > 1 and len(help_lines) > 1
    assert all(len(line) <= 100 for line in output)
    assert all(line.startswith(" " * len("ASY100 ")) for line in title[1:])
    assert " ".join(" ".join(title).split()) == f"ASY100 {message}"
    assert " ".join(" ".join(help_lines).split()) == f"help: {help_text}"
    for code in re.findall(r"`[^`]*`", message + help_text):
        assert any(code in line for line in output), code  # each code span on one line


@pytest.mark.parametrize(
    ("fixes", "unsafe_fixes", "fixing", "marked", "footer"),
    [
        ([SAFE], False, False, [True], ["[*] 1 fixable with the `--fix` option."]),
        ([UNSAFE], False, False, [False], ["(1 fixable with `--fix --unsafe-fixes`.)"]),
        (
            [SAFE, UNSAFE], False, False, [True, False],
            ["[*] 1 fixable with the `--fix` option.", "(1 more fixable with `--fix --unsafe-fixes`.)"],
        ),
        ([SAFE], True, False, [True], ["[*] 1 fixable with the `--fix` option."]),
        ([UNSAFE], True, False, [True], ["[*] 1 fixable with `--fix --unsafe-fixes` (1 unsafe: review the diff)."]),
        ([SAFE, UNSAFE], True, False, [True, True], ["[*] 2 fixable with `--fix --unsafe-fixes` (1 unsafe: review the diff)."]),
        ([DISPLAY, DISPLAY_WITH_EDIT, None], True, False, [False, False, False], []),
        # After a --fix run, what is left was not fixed by it: nothing is marked.
        ([SAFE, UNSAFE], False, True, [False, False], ["1 fixable with `--fix --unsafe-fixes`."]),
        ([SAFE, UNSAFE], True, True, [False, False], []),
    ],
    ids=[
        "safe", "unsafe", "safe+unsafe", "safe --unsafe-fixes", "unsafe --unsafe-fixes",
        "safe+unsafe --unsafe-fixes", "display-only", "after --fix", "after --fix --unsafe-fixes",
    ],
)  # fmt: skip
def test_fix_markers_and_footer_name_what_the_flags_would_fix(fixes, unsafe_fixes, fixing, marked, footer):
    """`[*]` marks exactly the findings the footer's `[*]` line counts, and that line names the
    flags that fix them; no count is ever negative (issue 10: "(-1 more fixable ...)")."""
    findings = [_finding(span=Span(n + 1, 0, n + 1, 3), fix=fix) for n, fix in enumerate(fixes)]
    lines = ["x = f()"] * len(fixes)
    for output_format in ("text", "concise", "grouped"):
        context = _lines_context(lines, unsafe_fixes=unsafe_fixes, fixing=fixing)
        output = render(output_format, findings, context)
        titles = [line for line in output.splitlines() if "ASY100 " in line]
        assert [("ASY100 [*] " in line) for line in titles] == marked, output_format
        summary_at = output.splitlines().index("Found %d problem%s in 1 file (1 file checked)." % (len(fixes), "s" * (len(fixes) > 1)))
        assert output.splitlines()[summary_at + 1 :] == footer, output_format
        assert not re.search(r"-\d+ (more )?fixable", output)


# --- statistics ---------------------------------------------------------------------------


def _statistics_findings() -> list[Diagnostic]:
    return [
        _finding(span=Span(1, 0, 1, 3), code="ASY103", fix=SAFE),
        _finding(span=Span(2, 0, 2, 3), code="ASY100", fix=UNSAFE),
        _finding(span=Span(3, 0, 3, 3), code="ASY001", path="pkg/broken.py"),
        _finding(span=Span(4, 0, 4, 3), code="ASY103"),
        _finding(span=Span(5, 0, 5, 3), code="ASY001", path="pkg/other.py"),
    ]


@pytest.mark.parametrize("output_format", ["text", "concise", "grouped"])
def test_statistics_is_only_the_table_by_count_then_code_then_the_summary(output_format):
    context = _lines_context(["x = f()"] * 5, statistics=True)
    output = render(output_format, _statistics_findings(), context).splitlines()
    assert output == [
        "2\tASY001\t[ ] file-not-checked",
        "2\tASY103\t[*] blocking-file-io",
        "1\tASY100\t[ ] blocking-sleep",
        "Found 5 problems in 3 files (1 file checked).",
        "[*] 1 fixable with the `--fix` option.",
        "(1 more fixable with `--fix --unsafe-fixes`.)",
    ]
    quiet = render(output_format, _statistics_findings(), _lines_context([], statistics=True, quiet=True))
    assert quiet.splitlines() == output[:3]


def test_statistics_as_json_and_with_unsafe_fixes():
    context = _lines_context([], statistics=True, unsafe_fixes=True)
    assert json.loads(render("json", _statistics_findings(), context)) == [
        {"code": "ASY001", "name": "file-not-checked", "count": 2, "fixable": False},
        {"code": "ASY103", "name": "blocking-file-io", "count": 2, "fixable": True},
        {"code": "ASY100", "name": "blocking-sleep", "count": 1, "fixable": True},
    ]
    assert json.loads(render("json", [], context)) == []
    assert render("text", [], _lines_context([], statistics=True)) == "All checks passed (1 file checked).\n"


@pytest.mark.parametrize("output_format", sorted(set(FORMATS) - set(STATISTICS_FORMATS)))
def test_statistics_in_a_format_without_a_statistics_form_is_refused(output_format):
    with pytest.raises(UnsupportedStatistics, match="--statistics"):
        render(output_format, _statistics_findings(), _lines_context([], statistics=True))


# --- grouped ------------------------------------------------------------------------------


def test_grouped_lists_findings_under_their_file_with_aligned_positions(project):
    findings = [
        _finding(span=Span(5, 4, 5, 7), fix=SAFE),
        _finding("`open()` blocks;\nuse anyio", span=Span(12, 12, 12, 15), code="ASY103"),
        _finding("syntax error", span=Span(1, 0, 1, 0), code="ASY001", path="pkg/broken.py"),
    ]
    assert render("grouped", findings, _lines_context([])).splitlines() == [
        "pkg/app.py:",
        "   5:5  ASY100 [*] `f()` blocks",
        "  12:13 ASY103 `open()` blocks; use anyio",
        "",
        "pkg/broken.py:",
        "  1:1 ASY001 syntax error",
        "",
        "Found 3 problems in 2 files (1 file checked).",
        "[*] 1 fixable with the `--fix` option.",
    ]


# --- pylint -------------------------------------------------------------------------------

# Jenkins Warnings NG (analysis-model's PyLintParser) reads pylint's parseable lines with this
# pattern: file, line, the message id in brackets, the message.
WARNINGS_NG_PYLINT = re.compile(r"(.*):(\d+): \[(\D\d*).*\] (.*)")


def test_pylint_lines_are_read_back_by_the_warnings_ng_parser(project):
    lines = render("pylint", _diagnostics(), _context(project)).splitlines()
    read = [WARNINGS_NG_PYLINT.fullmatch(line).groups() for line in lines]
    assert [(path, int(line), message) for path, line, _, message in read] == [
        ("pkg/app.py", 4, "`time.sleep()` blocks the loop"),
        ("pkg/app.py", 5, "100% blocking: open(), then read"),  # a line break would split the finding
        ("pkg/broken.py", 1, "syntax error: bad <input> & \x00 stuff"),
    ]
    assert lines[0] == "pkg/app.py:4: [ASY100] `time.sleep()` blocks the loop"
    indexed = _finding("`items[0]` is copied; use `memoryview(items[0])`", span=Span(3, 0, 3, 1))
    [(_, _, _, message)] = [WARNINGS_NG_PYLINT.fullmatch(line).groups() for line in render("pylint", [indexed], _context(project)).splitlines()]
    assert message == indexed.message


# --- rdjson -------------------------------------------------------------------------------


def _validate_rdjson(document: dict) -> None:
    jsonschema.Draft4Validator.check_schema(RDJSON_SCHEMA)
    errors = list(jsonschema.Draft4Validator(RDJSON_SCHEMA).iter_errors(document))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_vendored_rdjson_schema_is_reviewdogs_and_rejects_what_reviewdog_would():
    definitions = RDJSON_SCHEMA["definitions"]
    assert RDJSON_SCHEMA["$ref"] == "#/definitions/DiagnosticResult"
    assert set(definitions["reviewdog.rdf.Diagnostic"]["properties"]) >= {"message", "location", "severity", "code", "suggestions", "related_locations"}
    bad = {"diagnostics": [{"message": 1, "severity": "FATAL", "location": {"range": {"start": {"line": "4"}}}}]}
    validator = jsonschema.Draft4Validator(RDJSON_SCHEMA)
    assert {e.validator for e in validator.iter_errors(bad)} >= {"type", "enum"}


def test_rdjson_validates_and_counts_columns_in_utf8_bytes(project):
    document = json.loads(render("rdjson", _diagnostics(), _context(project)))
    _validate_rdjson(document)
    assert document["source"] == {"name": "asynclint", "url": "https://github.com/asynclint/asynclint"}
    sleep, multi_line, broken = document["diagnostics"]
    line4 = APP.splitlines()[3]
    start = len(line4[: line4.index("time.sleep")].encode("utf-8")) + 1  # 😀 and 𝄞 are 4 bytes each
    assert sleep["location"] == {
        "path": "pkg/app.py",
        "range": {"start": {"line": 4, "column": start}, "end": {"line": 4, "column": start + 13}},
    }
    assert (sleep["severity"], broken["severity"]) == ("WARNING", "ERROR")
    assert sleep["code"] == {"value": "ASY100", "url": RULES["ASY100"].doc_url}
    assert sleep["suggestions"] == [
        {"range": sleep["location"]["range"], "text": "await asyncio.sleep(1)"},
        {"range": {"start": {"line": 1, "column": 1}, "end": {"line": 1, "column": 1}}, "text": "import asyncio\n"},
    ]
    assert sleep["related_locations"] == [
        {
            "message": "the helper sleeps here",
            "location": {"path": "pkg/other.py", "range": {"start": {"line": 2, "column": 5}, "end": {"line": 2, "column": 18}}},
        }
    ]
    assert multi_line["location"]["range"]["end"] == {"line": 6, "column": 12}
    assert "suggestions" not in multi_line and "related_locations" not in multi_line


def test_rdjson_suggests_only_fixes_that_fix_would_apply(project):
    findings = [_finding(fix=SAFE), _finding(fix=UNSAFE), _finding(fix=DISPLAY_WITH_EDIT), _finding(fix=DISPLAY)]
    document = json.loads(render("rdjson", findings, _lines_context(["x = f()"])))
    _validate_rdjson(document)
    assert [[s["text"] for s in d.get("suggestions", [])] for d in document["diagnostics"]] == [["g()"], ["await h()"], [], []]


# --- azure --------------------------------------------------------------------------------


def _agent_unescape(value: str) -> str:
    for token, escaped in ((";", "%3B"), ("\r", "%0D"), ("\n", "%0A"), ("]", "%5D")):
        value = value.replace(escaped, token)
    return value.replace("%AZP25", "%")


def _agent_reads(line: str) -> tuple[str, dict[str, str], str]:
    """What the Azure Pipelines agent reads from a logging command (its Command.TryParse):
    `area.event`, the `;`-separated `key=value` properties up to the first `]`, the message
    after it; each value unescaped as its CommandStringConvertor does, `%AZP25` decoding on."""
    prefix = "##vso["
    start = line.index(prefix) + len(prefix)
    end = line.index("]", start)
    name, _, properties_text = line[start:end].partition(" ")
    properties = {}
    for item in filter(None, properties_text.split(";")):
        key, _, value = item.partition("=")
        if key and value:
            properties[key] = _agent_unescape(value)
    return name, properties, _agent_unescape(line[end + 1 :])


def test_azure_logging_commands_are_read_back_as_written(project):
    column = APP.splitlines()[3].index("time.sleep") + 1
    read = [_agent_reads(line) for line in render("azure", _diagnostics(), _context(project)).splitlines()]
    assert read[0] == (
        "task.logissue",
        {"type": "warning", "sourcepath": "pkg/app.py", "linenumber": "4", "columnnumber": str(column), "code": "ASY100"},
        "`time.sleep()` blocks the loop",
    )
    assert read[1][2] == "100% blocking: open(),\nthen read"
    assert read[2][1]["type"] == "error" and read[2][1]["code"] == "ASY001"


def test_azure_escaping_survives_every_special_character(project):
    odd = _finding("50% done; see [docs]\r\nnext: %3B stays literal, %AZP25 too", path="we;ird]dir%/a=b.py")
    [line] = render("azure", [odd], _context(project)).splitlines()
    name, properties, message = _agent_reads(line)
    assert name == "task.logissue"
    assert properties["sourcepath"] == "we;ird]dir%/a=b.py"
    assert message == odd.message
    assert azure_escape("a;b]c%d\re\n") == "a%3Bb%5Dc%AZP25d%0De%0A"


# --- through the command line -------------------------------------------------------------

SOURCE = "import time\n\n\nasync def main():\n    time.sleep(1)\n"


@pytest.mark.parametrize("output_format", FORMATS)
def test_every_format_from_the_command_line(tmp_path, monkeypatch, output_format):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(SOURCE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "--no-cache", "--output-format", output_format, "src"])
    assert result.exit_code == 1, result.output
    output = result.stdout
    assert "ASY100" in output
    if output_format in ("json", "lsp", "sarif", "gitlab"):
        document = json.loads(output)
        if output_format == "sarif":
            _validate_sarif(document)
            uri = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            assert uri == "src/app.py"
        if output_format == "gitlab":
            assert document[0]["location"]["path"] == "src/app.py"
    elif output_format == "json-lines":
        assert json.loads(output.splitlines()[0])["line"] == 5
    elif output_format == "junit":
        assert ET.fromstring(output.encode("utf-8")).find("testsuite").get("name") == "src/app.py"
    elif output_format == "github":
        assert output.startswith("::warning file=src/app.py,line=5,col=5,")
    elif output_format == "rdjson":
        document = json.loads(output)
        _validate_rdjson(document)
        assert document["diagnostics"][0]["location"]["path"] == "src/app.py"
    elif output_format == "azure":
        assert output.startswith("##vso[task.logissue type=warning;sourcepath=src/app.py;linenumber=5;columnnumber=5;code=ASY100;]")
    elif output_format == "pylint":
        assert output.startswith("src/app.py:5: [ASY100] ")
    elif output_format == "grouped":
        assert output.splitlines()[0] == "src/app.py:" and output.splitlines()[1].startswith("  5:5 ASY100 ")
    elif output_format in ("text", "full"):  # full: ruff's name for it
        assert " --> src/app.py:5:5" in output.splitlines()


def test_check_does_not_import_the_language_server_dependencies(tmp_path):
    (tmp_path / "app.py").write_text(SOURCE, encoding="utf-8")
    probe = (
        "import sys\n"
        "from asynclint.cli import main\n"
        f"sys.argv = ['asynclint', 'check', '--no-cache', '--output-format', 'sarif', {str(tmp_path / 'app.py')!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol', 'cattrs', 'jsonschema'))\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in completed.stderr, completed.stderr


def test_statistics_and_fix_counts_from_the_command_line(tmp_path, monkeypatch):
    """SOURCE's `time.sleep` fix is unsafe (the module imports no framework)."""
    (tmp_path / "app.py").write_text(SOURCE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    table = runner.invoke(cli, ["check", "--no-cache", "--statistics", "app.py"])
    assert table.exit_code == 1
    assert table.stdout.splitlines() == [
        "1\tASY100\tblocking-sleep",
        "Found 1 problem in 1 file (1 file checked).",
        "(1 fixable with `--fix --unsafe-fixes`.)",
    ]
    as_json = runner.invoke(cli, ["check", "--no-cache", "--statistics", "--unsafe-fixes", "--output-format", "json", "app.py"])
    assert json.loads(as_json.stdout) == [{"code": "ASY100", "name": "blocking-sleep", "count": 1, "fixable": True}]
    unsafe = runner.invoke(cli, ["check", "--no-cache", "--unsafe-fixes", "--output-format", "concise", "app.py"])
    assert unsafe.stdout.splitlines()[0].startswith("app.py:5:5: ASY100 [*] ")
    assert unsafe.stdout.splitlines()[1:] == [
        "Found 1 problem in 1 file (1 file checked).",
        "[*] 1 fixable with `--fix --unsafe-fixes` (1 unsafe: review the diff).",
    ]


def test_titles_and_help_lines_wrap_as_textwrap_wraps_them():
    """The text format fills lines itself when a message is words and single spaces; that
    must give textwrap's lines, code spans in backticks kept whole."""
    import random
    import textwrap

    from asynclint.output.text import _wrap

    def by_textwrap(text: str, first_indent: int, indent: int) -> list[str]:
        protected = re.sub(r"`[^`]*`", lambda m: m.group(0).replace(" ", "\x00"), text)
        lines = textwrap.wrap(
            protected, width=100, initial_indent=" " * first_indent, subsequent_indent=" " * indent,
            break_long_words=False, break_on_hyphens=False,
        ) or [" " * first_indent]  # fmt: skip
        lines[0] = lines[0][first_indent:]
        return [line.replace("\x00", " ") for line in lines]

    rng = random.Random(13)
    pieces = ["a", "call", "`time.sleep(1)`", "`a b c`", "x" * 60, "y" * 101, "é", "—", "`", "(ASY100)", "-", "a-b"]
    texts = ["", "word", "x" * 120, "  leading", "trailing ", "two  spaces", "tab\tin", "new\nline", "nbsp\u00a0in", "\u2003"]
    for _ in range(3000):
        texts.append(" ".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))))
    for text in texts:
        for first_indent, indent in ((7, 7), (11, 11), (6, 6), (0, 4)):
            assert _wrap(text, first_indent, indent) == by_textwrap(text, first_indent, indent), (text, first_indent)
