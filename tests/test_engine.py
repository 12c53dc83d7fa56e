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


def test_the_engine_tracks_locks_only_when_an_enabled_rule_reads_them(tmp_path, monkeypatch):
    # The walker's facts come from the enabled checks (hooks_for): with no lock rule selected,
    # no `with` item is judged as a lock hold at all.
    from asynclint.analysis import locks

    judged = []
    with_hold = locks.with_hold
    monkeypatch.setattr(locks, "with_hold", lambda *args: judged.append(args) or with_hold(*args))
    text = "import asyncio, time\nlock = asyncio.Lock()\nasync def f():\n    async with lock:\n        await asyncio.sleep(1)\n        time.sleep(1)\n"
    assert [d.code for d in Linter(Config(root=tmp_path, select=("ASY100",))).lint_text(text, "m.py")] == ["ASY100"]
    assert judged == []
    Linter(Config(root=tmp_path, select=("ASY100", "ASY201"))).lint_text(text, "m.py")
    assert judged


def test_a_file_linted_alone_places_its_noqa_sites_above_code_too_deep_to_generate(tmp_path):
    # In a file with a noqa, ASY109 places its sync functions' blocking calls with libcst's
    # positions when the file is linted alone (standard input, the editor, --fix): that must
    # not generate the deep sum below them, which libcst's recursive code generation cannot
    # (the fuzzer found the file reported as ASY001 once `--add-noqa` had run on it).
    deep = " + ".join(["1"] * 500)
    text = (
        "import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n\n\n"
        f"async def handler(url):\n    requests.head(url)  # noqa: ASY101\n\n\nTOTAL = {deep}\n"
    )
    assert Linter(Config(root=tmp_path)).lint_text(text, "m.py") == []
