"""--write-baseline / --baseline: record today's findings, then report only new ones, even
after the code around them moved."""

from __future__ import annotations

import json
import textwrap

import pytest

from asynclint.cli import cli
from cli_in_process import cli_runner

APP = textwrap.dedent(
    """\
    import asyncio
    import time


    async def first():
        time.sleep(1)


    async def second():
        time.sleep(1)
        open("data.txt")
    """
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(APP, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _check(*args: str):
    return cli_runner().invoke(cli, ["check", "--no-cache", *args])


def _found(result) -> list[tuple[int, str]]:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return [(d["line"], d["code"]) for d in json.loads(result.stdout)]


def _write(*args: str) -> None:
    result = _check("--write-baseline", *args)
    assert result.exit_code == 0, result.output


def test_baseline_hides_recorded_findings_even_after_lines_move(project):
    written = _check("--write-baseline", "asynclint-baseline.json", "src")
    assert written.exit_code == 0, written.output
    assert "recorded 3 findings" in written.stderr
    document = json.loads((project / "asynclint-baseline.json").read_text(encoding="utf-8"))
    assert {f["path"] for f in document["findings"]} == {"src/app.py"}
    assert len({f["fingerprint"] for f in document["findings"]}) == 3

    clean = _check("--baseline", "asynclint-baseline.json", "src")
    assert clean.exit_code == 0, clean.output
    assert "All checks passed" in clean.stdout
    assert "3 known findings hidden by the baseline" in clean.stderr

    # Code inserted above every finding shifts their lines: still nothing new.
    shifted = '"""Service entry points."""\nimport os\n\nDEBUG = os.environ.get("DEBUG")\n' + APP
    (project / "src" / "app.py").write_text(shifted, encoding="utf-8")
    result = _check("--baseline", "asynclint-baseline.json", "--output-format", "json", "src")
    assert result.exit_code == 0, result.output
    assert _found(result) == []

    # A new finding is reported, and only it.
    grown = shifted + "\n\nasync def third():\n    time.sleep(5)\n"
    (project / "src" / "app.py").write_text(grown, encoding="utf-8")
    result = _check("--baseline", "asynclint-baseline.json", "--output-format", "json", "src")
    assert result.exit_code == 1, result.output
    assert _found(result) == [(len(grown.splitlines()), "ASY100")]


def test_one_more_copy_of_a_recorded_finding_is_new(project):
    _write("baseline.json", "src")
    (project / "src" / "app.py").write_text(APP + "\n\nasync def third():\n    time.sleep(1)\n", encoding="utf-8")
    result = _check("--baseline", "baseline.json", "--output-format", "json", "src")
    assert result.exit_code == 1, result.output
    assert [code for _, code in _found(result)] == ["ASY100"]  # three copies recorded two


def test_baseline_paths_do_not_depend_on_the_working_directory(project, monkeypatch):
    _write("baseline.json", "src/app.py")
    monkeypatch.chdir(project / "src")
    result = _check("--baseline", "../baseline.json", "--output-format", "json", "app.py")
    assert result.exit_code == 0, result.output
    assert _found(result) == []


def test_missing_or_broken_baseline_is_an_error(project):
    missing = _check("--baseline", "nope.json", "src")
    assert missing.exit_code == 2
    assert "baseline file not found" in missing.stderr and "--write-baseline" in missing.stderr
    (project / "broken.json").write_text("{not json", encoding="utf-8")
    broken = _check("--baseline", "broken.json", "src")
    assert broken.exit_code == 2 and "not a baseline file" in broken.stderr
    (project / "other.json").write_text('{"findings": []}', encoding="utf-8")
    assert _check("--baseline", "other.json", "src").exit_code == 2


@pytest.mark.parametrize(("where", "problem"), [("nowhere/b.json", "does not exist"), ("src/app.py/b.json", "is not a directory")])
def test_a_baseline_that_cannot_be_written_is_a_usage_error_before_any_work(project, where, problem):
    result = _check("--write-baseline", where, "src")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"asynclint: error: {where}: cannot write the baseline: ")
    assert result.stderr.rstrip().endswith(problem)


def test_write_baseline_does_not_combine_with_fixing(project):
    result = _check("--write-baseline", "b.json", "--fix", "src")
    assert result.exit_code == 2 and "--write-baseline cannot be combined" in result.stderr
    assert not (project / "b.json").exists()


def test_fix_reports_only_new_remaining_findings(project):
    _write("baseline.json", "src")
    result = _check("--fix", "--baseline", "baseline.json", "--output-format", "json", "src")
    assert result.exit_code == 0, result.output
    assert _found(result) == []
    assert "await asyncio.sleep(1)" in (project / "src" / "app.py").read_text(encoding="utf-8")
