"""The project phase's cached result is keyed by what it reads, the files' summaries (and the
files it summarized on demand), and holds its reports before `# noqa`: an edit that changes no
summary re-uses it, and the reporter still applies the noqa comments of the files as they are."""

from __future__ import annotations

import pytest

from asynclint.cache import ResultCache
from asynclint.config import Config
from asynclint.pipeline import PipelineStats, lint_project

HELPERS = "import time\ndef load(): time.sleep(1)\n"
VIEWS = "from pkg.helpers import load\nimport time\nasync def view():\n    load()\n    time.sleep(2)\n"
FILES = ["pkg/__init__.py", "pkg/helpers.py", "pkg/views.py"]


@pytest.fixture
def project(tmp_path, monkeypatch):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "helpers.py").write_text(HELPERS, encoding="utf-8")
    (package / "views.py").write_text(VIEWS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def lint(project) -> tuple[list[tuple[str, int]], bool]:
    """(code, line) of every finding, and whether the project phase came from the cache."""
    stats = PipelineStats()
    cache = ResultCache(project / ".cache", "fingerprint")
    found = lint_project(FILES, Config(root=project), jobs=1, cache=cache, stats=stats)
    return [(d.code, d.span.line) for d in found], stats.project_cached


def edit(project, name: str, old: str, new: str) -> None:
    file = project / "pkg" / name
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new), encoding="utf-8")


def test_a_comment_appended_reuses_the_project_phase(project):
    first = lint(project)
    assert first == ([("ASY109", 4), ("ASY100", 5)], False)
    (project / "pkg" / "views.py").write_text(VIEWS + "# the views\n", encoding="utf-8")
    (project / "pkg" / "helpers.py").write_text(HELPERS + "# the helpers\n", encoding="utf-8")
    assert lint(project) == ([("ASY109", 4), ("ASY100", 5)], False)  # helpers.py is read on demand
    (project / "pkg" / "views.py").write_text(VIEWS + "# the views, again\n", encoding="utf-8")
    assert lint(project) == ([("ASY109", 4), ("ASY100", 5)], True)


def test_a_noqa_added_reuses_the_project_phase_and_silences_the_finding(project):
    lint(project)
    edit(project, "views.py", "    load()\n", "    load()  # noqa: ASY109\n")
    assert lint(project) == ([("ASY100", 5)], True)
    edit(project, "views.py", "  # noqa: ASY109", "")
    assert lint(project) == ([("ASY109", 4), ("ASY100", 5)], True)


def test_a_line_added_above_the_finding_runs_the_project_phase_again(project):
    """The summary is the same but the finding moved: its message and span name lines."""
    lint(project)
    edit(project, "views.py", "async def view():\n", "async def view():\n    # first, the settings\n")
    assert lint(project) == ([("ASY109", 5), ("ASY100", 6)], False)


def test_a_helper_that_no_longer_blocks_runs_the_project_phase_again(project):
    lint(project)
    edit(project, "helpers.py", "time.sleep(1)", "pass")
    assert lint(project) == ([("ASY100", 5)], False)


def test_a_changed_summary_runs_the_project_phase_again(project):
    lint(project)
    edit(project, "views.py", "    load()\n", "")
    assert lint(project) == ([("ASY100", 4)], False)
