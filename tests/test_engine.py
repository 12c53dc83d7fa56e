"""engine.py's options for its callers: progress while many files are linted, and linting as if
no `# noqa` comment were there (`--ignore-noqa`); and how it runs many files."""

from __future__ import annotations

import gc
from dataclasses import replace

import pytest

from asynclint.config import Config
from asynclint.engine import LINTING_GC_THRESHOLD, Linter, map_paths

BLOCKING = "import time\n\n\nasync def handler():\n    time.sleep(1)  # noqa: ASY100\n"


@pytest.mark.parametrize("jobs", [1, 2])
def test_progress_counts_every_path_once(tmp_path, jobs):
    paths = []
    for index in range(6):
        path = tmp_path / f"m{index}.py"
        path.write_text(BLOCKING)
        paths.append(str(path))
    done: list[int] = []
    results = map_paths(paths, Config(root=tmp_path), jobs=jobs, on_done=done.append)
    assert [result.path for result in results] == paths
    assert sum(done) == len(paths)


def test_ignore_noqa_reports_what_comments_silence_and_judges_no_comment(tmp_path):
    config = Config(root=tmp_path, extend_select=("ASY002",))
    assert Linter(config).lint_text(BLOCKING, "m.py") == []
    found = Linter(replace(config, ignore_noqa=True)).lint_text(BLOCKING, "m.py")
    assert [d.code for d in found] == ["ASY100"]


def test_ignore_noqa_checks_an_exempt_file(tmp_path):
    text = "# asynclint: noqa\n" + BLOCKING
    config = Config(root=tmp_path)
    assert Linter(config).lint_text(text, "m.py") == []
    assert [d.code for d in Linter(replace(config, ignore_noqa=True)).lint_text(text, "m.py")] == ["ASY100"]


def _collector_threshold(linter, path):
    return gc.get_threshold()[0]


@pytest.mark.parametrize("jobs", [1, 2])
def test_files_are_linted_with_fewer_collections_and_the_setting_is_restored(tmp_path, jobs):
    before = gc.get_threshold()
    seen = map_paths([str(tmp_path / f"m{i}.py") for i in range(4)], Config(root=tmp_path), _collector_threshold, jobs)
    assert seen == [LINTING_GC_THRESHOLD] * 4
    assert gc.get_threshold() == before
