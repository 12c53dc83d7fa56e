"""The one run pipeline (pipeline.lint_project): every mode sees the project phase (ASY109,
whose helper is in another file), not only plain `check` (issue 11)."""

from __future__ import annotations

import pytest

from asynclint.config import Config
from asynclint.pipeline import lint_project
from conftest import run_asynclint

HELPERS = "import time\ndef load(): time.sleep(1)\n"
VIEWS = "from pkg.helpers import load\nimport time\nasync def view(): load(); time.sleep(2)\n"


@pytest.fixture
def project(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "helpers.py").write_text(HELPERS, encoding="utf-8")
    (package / "views.py").write_text(VIEWS, encoding="utf-8")
    return tmp_path


def _config(root) -> Config:
    return Config(root=root)


def test_fix_reports_what_remains_including_the_project_phase(project):
    result = run_asynclint("check", "--no-cache", "--fix", "--unsafe-fixes", "pkg", cwd=project)
    assert result.returncode == 1
    assert "ASY109 " in result.stdout and "ASY100 " not in result.stdout
    assert "Found 2 problems (1 fixed, 1 remaining; 3 files checked)." in result.stdout
    assert "await asyncio.sleep(2)" in (project / "pkg" / "views.py").read_text(encoding="utf-8")


def test_fix_that_fixes_everything_says_so(project):
    (project / "pkg" / "views.py").write_text("import time\nasync def view(): time.sleep(2)\n", encoding="utf-8")
    result = run_asynclint("check", "--no-cache", "--fix", "--unsafe-fixes", "pkg/views.py", cwd=project)
    assert result.returncode == 0
    assert result.stdout == "Found 1 problem (1 fixed, 0 remaining; 1 file checked).\n"


def test_add_noqa_silences_the_project_phase_too(project):
    result = run_asynclint("check", "--no-cache", "--add-noqa", "pkg", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "# noqa: ASY100, ASY109" in (project / "pkg" / "views.py").read_text(encoding="utf-8")
    assert run_asynclint("check", "--no-cache", "pkg", cwd=project).returncode == 0


def test_stdin_sees_the_saved_helpers_of_its_project(project):
    result = run_asynclint(
        "check", "--output-format", "concise", "-", "--stdin-filename", "pkg/views.py", cwd=project, stdin=VIEWS
    )
    assert result.returncode == 1
    assert "pkg/views.py:3:19: ASY109 " in result.stdout
    assert "pkg/helpers.py:" not in "".join(line[:20] for line in result.stdout.splitlines())  # its own file only


def test_stdin_buffer_takes_precedence_over_the_saved_file(project):
    unsaved = VIEWS.replace("load(); ", "")
    result = run_asynclint(
        "check", "--output-format", "concise", "-", "--stdin-filename", "pkg/views.py", cwd=project, stdin=unsaved
    )
    assert "ASY109" not in result.stdout and "ASY100" in result.stdout


def test_overlay_stands_for_the_file_on_disk(project, monkeypatch):
    monkeypatch.chdir(project)
    files = ["pkg/__init__.py", "pkg/helpers.py", "pkg/views.py"]
    on_disk = lint_project(files, _config(project), jobs=1)
    assert [d.code for d in on_disk] == ["ASY109", "ASY100"]
    # The same file named another way is the overlay's, not read twice.
    edited = lint_project(files, _config(project), overlay={"./pkg/views.py": "async def view(): pass\n"}, jobs=1)
    assert edited == []
    helper_gone = lint_project(files, _config(project), overlay={"pkg/helpers.py": "def load(): pass\n"}, jobs=1)
    assert [d.code for d in helper_gone] == ["ASY100"]


def test_a_failing_project_phase_keeps_the_per_file_findings(project, monkeypatch):
    import asynclint.project

    def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.chdir(project)
    monkeypatch.setattr(asynclint.project, "run_project_checks", broken)
    errors = []
    found = lint_project(["pkg/helpers.py", "pkg/views.py"], _config(project), jobs=1, report_error=errors.append)
    assert [d.code for d in found] == ["ASY100"]
    assert len(errors) == 1 and "ValueError: boom" in errors[0]
