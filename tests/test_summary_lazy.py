"""Summaries read back decode each function's body (blocking calls, sites, parameters,
attributes) when it is first read, not in `FileSummary.from_dict`: what the call graph never
walks costs no decoding. Damage is still found: a damaged header when the summary is read, a
damaged body when the walk reads it, and then the file is summarized again."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from asynclint.analysis.callgraph import CallGraph
from asynclint.analysis.modules import module_path
from asynclint.analysis.summary import DamagedSummary, FileSummary
from asynclint.cache import ResultCache
from asynclint.config import Config
from asynclint.discovery import discover
from asynclint.engine import Linter
from asynclint.run import lint_files
from conftest import FIXTURES

SINGLE = FIXTURES / "ASY109.py"
_BODY = slice(4, 8)  # a function's body in `FunctionSummary.to_list`


def _summary_of(path: Path) -> dict:
    summaries: dict = {}
    Linter(Config(root=path.parent, select=("ASY1",))).lint_text(path.read_text(encoding="utf-8"), str(path), summaries)
    return json.loads(json.dumps(summaries["ASY109"]))


def test_a_summary_read_back_is_written_back_the_same_whether_its_bodies_were_read_or_not():
    data = _summary_of(SINGLE)
    assert FileSummary.from_dict(copy.deepcopy(data)).to_dict() == data
    read = FileSummary.from_dict(copy.deepcopy(data))
    assert sum(len(function.sites) for function in read.functions) > 0  # every body decoded
    assert read.to_dict() == data


def test_a_body_is_decoded_only_when_read():
    data = _summary_of(SINGLE)
    for function in data["functions"]:
        function[5] = "?"  # sites no list of sites: found when read, not before
    read = FileSummary.from_dict(data)
    assert read.functions and all(isinstance(f.is_async, bool) for f in read.functions)
    with pytest.raises(DamagedSummary):
        read.functions[0].sites
    with pytest.raises(DamagedSummary):  # and again: nothing was kept half read
        read.functions[0].blocking
    assert read.to_dict() == data


@pytest.mark.parametrize(
    "damaged",
    [
        {"functions": [["broken"]]},
        {"functions": "?"},
        {"functions": [], "classes": [], "names": {}, "positions": [], "counts": [0, 0]},
        {"functions": [[7, 0, "plain", None, [], [], {}, []]], "classes": [], "names": {}, "positions": {}, "counts": [0, 0]},
    ],
)
def test_a_damaged_header_is_found_when_the_summary_is_read(damaged):
    with pytest.raises((LookupError, TypeError, ValueError)):
        FileSummary.from_dict(damaged)


def test_the_call_graph_asks_again_for_a_file_whose_body_is_damaged_and_not_twice(tmp_path):
    path = str(tmp_path / "ASY109.py")
    shutil.copy(SINGLE, path)
    data = _summary_of(Path(path))
    damaged = copy.deepcopy(data)
    for function in damaged["functions"]:
        function[_BODY] = ["?", "?", [], []]
    graph = CallGraph({path: module_path(path)}, {"ASY103"}, lambda _: True)
    graph.add(path, FileSummary.from_dict(damaged))
    assert graph.explore() == {path}
    graph.add(path, FileSummary.from_dict(data))
    assert graph.explore() == set()
    assert graph.findings()

    again = CallGraph({path: module_path(path)}, {"ASY103"}, lambda _: True)
    again.add(path, FileSummary.from_dict(damaged))
    again.explore()
    again.add(path, FileSummary.from_dict(damaged))
    with pytest.raises(DamagedSummary):  # summarized again and still damaged: a bug, not the cache
        again.explore()


def test_a_run_over_cached_summaries_with_damaged_bodies_gives_the_same_findings(tmp_path):
    shutil.copytree(FIXTURES / "asy109_pkg", tmp_path / "asy109_pkg")
    shutil.copy(SINGLE, tmp_path / "ASY109.py")
    config = Config(root=tmp_path, select=("ASY1",))
    files = discover([str(tmp_path / "asy109_pkg" / "src"), str(tmp_path / "ASY109.py")], config).files

    def check():
        return lint_files(files, config, 1, ResultCache(tmp_path / "cache", config.fingerprint()))

    cold = check()
    assert any(d.code == "ASY109" for d in cold)
    stored = tmp_path / "cache" / config.fingerprint()
    for shard in (stored / "summaries").glob("*.json"):
        document = json.loads(shard.read_text(encoding="utf-8"))
        for _digest, summaries in document["entries"].values():
            for function in summaries.get("ASY109", {}).get("functions", ()):
                function[5] = "?"
        shard.write_text(json.dumps(document), encoding="utf-8")
    shutil.rmtree(stored / "project", ignore_errors=True)  # or the stored project result answers
    assert check() == cold
