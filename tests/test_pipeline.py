"""The one run pipeline (pipeline.lint_project): every mode sees the project phase (ASY109,
whose helper is in another file), not only plain `check` (issue 11)."""

from __future__ import annotations

import pytest

from asynclint.config import Config
from asynclint.pipeline import lint_project
from cli_in_process import in_process
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


def test_stats_and_progress_of_a_cold_then_a_warm_run(project, tmp_path_factory, monkeypatch):
    from asynclint.cache import ResultCache
    from asynclint.pipeline import PipelineStats

    monkeypatch.chdir(project)
    files = ["pkg/__init__.py", "pkg/helpers.py", "pkg/views.py"]
    cache_directory = tmp_path_factory.mktemp("cache")
    runs = []
    for _ in range(2):
        stats, done = PipelineStats(), []
        cache = ResultCache(cache_directory, "fingerprint")
        found = lint_project(files, _config(project), jobs=1, cache=cache, on_file_done=done.append, stats=stats)
        assert [d.code for d in found] == ["ASY109", "ASY100"]
        runs.append((stats.cached, stats.linted, stats.project_cached, sum(done), stats.libcst_files + stats.skipped_files))
    cold, warm = runs
    assert cold == (0, 3, False, 3, 3) and warm == (3, 0, True, 3, 0)


def test_digests_the_caller_keeps_spare_reading_the_files_again(project, monkeypatch):
    """The language server knows which files changed: a file whose hash it passes is taken as
    unchanged, and the one it drops is read again."""
    from asynclint.cache import ResultCache

    monkeypatch.chdir(project)
    files = ["pkg/__init__.py", "pkg/helpers.py", "pkg/views.py"]
    cache, digests = ResultCache(None, "fingerprint"), {}
    lint_project(files, _config(project), jobs=1, cache=cache, digests=digests)
    assert sorted(digests) == files
    (project / "pkg" / "views.py").write_text("async def view(): pass\n", encoding="utf-8")
    found = lint_project(files, _config(project), jobs=1, cache=cache, digests=digests)
    assert [d.code for d in found] == ["ASY109", "ASY100"]
    del digests["pkg/views.py"]
    assert lint_project(files, _config(project), jobs=1, cache=cache, digests=digests) == []


def test_ignore_noqa_reaches_the_project_phase(project, monkeypatch):
    monkeypatch.chdir(project)
    views = project / "pkg" / "views.py"
    views.write_text(
        "from pkg.helpers import load\nimport time\nasync def view():\n    load()  # noqa: ASY109\n    time.sleep(2)\n",
        encoding="utf-8",
    )
    files = ["pkg/helpers.py", "pkg/views.py"]
    assert [d.code for d in lint_project(files, _config(project), jobs=1)] == ["ASY100"]
    ignoring = Config(root=project, ignore_noqa=True)
    assert [d.code for d in lint_project(files, ignoring, jobs=1)] == ["ASY109", "ASY100"]


def test_the_project_phase_runs_with_fewer_collections_and_the_setting_is_restored(project, monkeypatch):
    import gc

    from asynclint import project as project_module
    from asynclint.engine import LINTING_GC_THRESHOLD

    seen = []
    run_project_checks = project_module.run_project_checks

    def recording(*args, **kwargs):
        seen.append(gc.get_threshold()[0])
        return run_project_checks(*args, **kwargs)

    monkeypatch.setattr(project_module, "run_project_checks", recording)
    before = gc.get_threshold()
    found = lint_project([str(project / "pkg" / name) for name in ("helpers.py", "views.py")], _config(project), jobs=1)
    assert seen == [LINTING_GC_THRESHOLD]
    assert gc.get_threshold() == before
    assert "ASY109" in {d.code for d in found}


def test_stdin_reuses_the_stored_project_phase_and_stores_none_of_its_own(project, monkeypatch):
    """A buffer whose summaries are the saved file's (a comment typed) takes the project
    phase's result `check` stored; a buffer's own result is not stored (see lint_project)."""
    import asynclint.project

    assert in_process("check", "--jobs", "1", "pkg", cwd=project).returncode == 1
    results = project / ".asynclint_cache"
    stored = sorted(results.glob("*/project/*.json"))
    assert len(stored) == 1
    runs = []
    original = asynclint.project.run_project_checks
    monkeypatch.setattr(asynclint.project, "run_project_checks", lambda *args: runs.append(args) or original(*args))

    def stdin(text: str) -> str:
        return in_process("check", "--output-format", "concise", "-", "--stdin-filename", "pkg/views.py", cwd=project, stdin=text).stdout

    assert "pkg/views.py:3:19: ASY109 " in stdin(VIEWS + "# unsaved\n") and runs == []
    assert "ASY109" not in stdin(VIEWS.replace("load(); ", "pass; ")) and len(runs) == 1
    assert sorted(results.glob("*/project/*.json")) == stored
