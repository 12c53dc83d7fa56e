"""The project phase's cached result is keyed by what it reads, the files' summaries (and the
files it summarized on demand), and holds its reports before `# noqa`: an edit that changes no
summary re-uses it, and the reporter still applies the noqa comments of the files as they are."""

from __future__ import annotations

import pytest

from asynclint.cache import PROJECT_RESULTS_KEPT, ResultCache
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


def lint_buffer(cache, text: str, name: str = "views.py", digests: dict | None = None) -> tuple[list[tuple[str, int]], bool]:
    """`lint` with `text` standing for pkg/`name` (an editor's unsaved buffer), through `cache`."""
    stats = PipelineStats()
    overlay = {f"pkg/{name}": text}
    found = lint_project(FILES, Config(root=cache.root), overlay=overlay, jobs=1, cache=cache.cache, stats=stats, digests=digests)
    return [(d.code, d.span.line) for d in found if d.path == f"pkg/{name}"], stats.project_cached


class InMemory:
    """The language server's cache: in memory, kept across lints."""

    def __init__(self, root) -> None:
        self.root = root
        self.cache = ResultCache(None, "fingerprint")


def test_a_buffer_that_changes_no_summary_reuses_the_project_phase_in_memory(project):
    memory = InMemory(project)
    assert lint_buffer(memory, VIEWS + "# typing") == ([("ASY109", 4), ("ASY100", 5)], False)
    assert lint_buffer(memory, VIEWS + "# typing a comment") == ([("ASY109", 4), ("ASY100", 5)], True)
    text = VIEWS.replace("time.sleep(2)", 'time.sleep(2); print("a string")')
    assert lint_buffer(memory, text) == ([("ASY109", 4), ("ASY100", 5)], False)  # a call added
    assert lint_buffer(memory, text.replace("a string", "another string")) == ([("ASY109", 4), ("ASY100", 5)], True)
    # The buffer's own noqa applies to the re-used result.
    silenced = text.replace("    load()\n", "    load()  # noqa: ASY109\n")
    assert lint_buffer(memory, silenced) == ([("ASY100", 5)], True)
    # A line above the finding moves it: the project phase runs again.
    moved = text.replace("async def view():\n", "async def view():\n    # settings\n")
    assert lint_buffer(memory, moved) == ([("ASY109", 5), ("ASY100", 6)], False)


def test_a_helpers_buffer_that_stops_blocking_runs_the_project_phase_again(project):
    memory = InMemory(project)
    lint_buffer(memory, HELPERS, "helpers.py")
    assert lint_buffer(memory, HELPERS.replace("time.sleep(1)", "pass"), "helpers.py") == ([], False)
    found = lint_project(FILES, Config(root=project), overlay={"pkg/helpers.py": "def load(): pass\n"}, jobs=1, cache=memory.cache)
    assert [(d.code, d.path) for d in found] == [("ASY100", "pkg/views.py")]


def test_a_buffers_placed_sites_are_not_stored_as_the_saved_files(project):
    """The project phase places the buffer's sites in its summary; that summary is the
    buffer's, and must not be kept for the saved file's content (the language server's index
    has the saved file's hash)."""
    memory, digests = InMemory(project), {}
    lint_project(FILES, Config(root=project), jobs=1, cache=memory.cache, digests=digests)
    saved = memory.cache.summaries("pkg/views.py", digests["pkg/views.py"])
    assert lint_buffer(memory, "# the settings\n" + VIEWS, digests=digests) == ([("ASY109", 5), ("ASY100", 6)], False)
    assert memory.cache.summaries("pkg/views.py", digests["pkg/views.py"]) == saved


def test_the_cache_in_memory_keeps_the_most_recently_used_results(project):
    memory = InMemory(project)
    texts = [VIEWS + f"def extra{number}(): pass\n" for number in range(PROJECT_RESULTS_KEPT + 1)]
    for text in texts:
        assert lint_buffer(memory, text)[1] is False
    assert lint_buffer(memory, texts[1])[1] is True  # used again: now the most recent
    assert lint_buffer(memory, VIEWS)[1] is False  # evicts texts[2], the least recently used
    assert lint_buffer(memory, texts[1])[1] is True
    assert lint_buffer(memory, texts[2])[1] is False


def test_a_cache_on_disk_gives_a_buffer_its_result_but_keeps_none_made_with_one(project):
    """Standard input (`--stdin-filename`): a stored result made from the saved files serves
    a buffer with the same summaries; one made with a buffer is not stored (each run's buffer
    would evict the project's results)."""
    assert lint(project) == ([("ASY109", 4), ("ASY100", 5)], False)
    on_disk = InMemory(project)
    on_disk.cache = ResultCache(project / ".cache", "fingerprint")
    assert lint_buffer(on_disk, VIEWS + "# unsaved") == ([("ASY109", 4), ("ASY100", 5)], True)
    stored = sorted((project / ".cache" / "fingerprint" / "project").iterdir())
    on_disk.cache = ResultCache(project / ".cache", "fingerprint")
    assert lint_buffer(on_disk, VIEWS.replace("    load()\n", "")) == ([("ASY100", 4)], False)
    on_disk.cache = ResultCache(project / ".cache", "fingerprint")
    assert lint_buffer(on_disk, VIEWS.replace("    load()\n", "")) == ([("ASY100", 4)], False)
    assert sorted((project / ".cache" / "fingerprint" / "project").iterdir()) == stored


def test_text_edited_only_below_the_findings_holds_them_without_placing_them_again(project, monkeypatch):
    import asynclint.analysis.sourceorder as sourceorder

    memory = InMemory(project)
    lint_buffer(memory, VIEWS)
    placed = []
    original = sourceorder.ast_positions
    monkeypatch.setattr(sourceorder, "ast_positions", lambda *args: placed.append(args) or original(*args))
    assert lint_buffer(memory, VIEWS + "# typed below\n") == ([("ASY109", 4), ("ASY100", 5)], True)
    assert placed == []
    assert lint_buffer(memory, VIEWS.replace("    load()\n", "    load()  # typed on its line\n")) == (
        [("ASY109", 4), ("ASY100", 5)],
        True,
    )
    assert len(placed) == 1
