"""Every --output-format against what its consumer expects: LSP ranges in UTF-16 units, GitHub
workflow-command escaping, SARIF validated against the official 2.1.0 schema, GitLab Code
Quality fields, JUnit XML that parses. Formatters are fed hand-built diagnostics (so the
shapes do not depend on which rules exist) and, through the CLI, real findings."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from asynclint.cli import cli
from asynclint.diagnostic import Applicability, Diagnostic, Edit, Fix, RelatedLocation, Severity, Span
from asynclint.output import FORMATS, RenderContext, render, repo_relative
from asynclint.output.github import escape_data, escape_property
from asynclint.output.lsp import lsp_diagnostic
from asynclint.positions import split_lines
from asynclint.registry import RULES
from conftest import TESTS

SARIF_SCHEMA = json.loads((TESTS / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))

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
    assert lines[1].startswith("pkg/app.py:5:")
    assert lines[2].startswith("pkg/broken.py:1:1: ASY001 ")
    assert lines[3] == "Found 3 problems in 2 files (3 files checked)."
    assert render("concise", _diagnostics(), _context(project, quiet=True)).count("\n") == 3


def test_json_lines_are_the_json_objects_one_per_line(project):
    as_json = json.loads(render("json", _diagnostics(), _context(project)))
    lines = render("json-lines", _diagnostics(), _context(project)).splitlines()
    assert [json.loads(line) for line in lines] == as_json
    assert render("json-lines", [], _context(project)) == ""


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
