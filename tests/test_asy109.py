"""ASY109 (blocking-via-helper) over a whole project: tests/fixtures/asy109_pkg/src (a package
in a `src/` layout) and tests/fixtures/ASY109.py are checked together through the same path
`asynclint check` takes (discovery, per-file linting in workers, the project phase, the
cache), and the findings in every file must match its `# expect:` annotations exactly."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from asynclint.analysis.modules import ModulePath, absolute_name, module_path
from asynclint.analysis.summary import FileSummary
from asynclint.cache import ResultCache
from asynclint.config import Config
from asynclint.discovery import discover
from asynclint.engine import Linter
from asynclint.run import lint_files
from conftest import FIXTURES, REPO
from fixture_annotations import Expectation, expectations, with_noqa_on_expected_lines

PACKAGE = FIXTURES / "asy109_pkg"
SINGLE = FIXTURES / "ASY109.py"


def _config(root: Path, **fields) -> Config:
    fields.setdefault("select", ("ASY1",))
    return Config(root=root, **fields)


def _check(root: Path, jobs: int = 1, cache=None, **fields):
    paths = [str(root / "asy109_pkg" / "src"), str(root / "ASY109.py")]
    config = _config(root, **fields)
    return lint_files(discover(paths, config).files, config, jobs, cache)


def _copy(tmp_path: Path, transform=lambda text: text) -> Path:
    """The fixtures of this test, copied under tmp_path (with `transform` applied)."""
    shutil.copytree(PACKAGE, tmp_path / "asy109_pkg")
    shutil.copy(SINGLE, tmp_path / "ASY109.py")
    for file in [*tmp_path.rglob("*.py")]:
        file.write_text(transform(file.read_text(encoding="utf-8")), encoding="utf-8")
    return tmp_path


def _annotated_files(root: Path) -> list[Path]:
    return sorted([*(root / "asy109_pkg").rglob("*.py"), root / "ASY109.py"])


def _mismatches(root: Path, diagnostics) -> list[str]:
    found: dict[Path, list[Expectation]] = {}
    for d in diagnostics:
        found.setdefault(Path(d.path).resolve(), []).append(Expectation(d.span.line, d.code, d.span.column + 1))
    report = []
    for file in _annotated_files(root):
        unmatched = found.pop(file.resolve(), [])
        for expected in expectations(file.read_text(encoding="utf-8"), file):
            match = next(
                (
                    f
                    for f in unmatched
                    if (f.line, f.code) == (expected.line, expected.code)
                    and expected.column in (None, f.column)
                ),
                None,
            )
            if match is None:
                report.append(f"missing {expected.code} at {file.name}:{expected.line} col={expected.column}")
            else:
                unmatched.remove(match)
        report += [f"unexpected {f.code} at {file.name}:{f.line} col={f.column}" for f in unmatched]
    report += [f"finding in a file without annotations: {path}" for path in found]
    return report


def test_package_findings_match_annotations():
    diagnostics = _check(FIXTURES)
    assert not _mismatches(FIXTURES, diagnostics), "\n".join(_mismatches(FIXTURES, diagnostics))
    assert sum(d.code == "ASY109" for d in diagnostics) >= 20


def test_worker_processes_give_the_same_findings():
    assert _check(FIXTURES, jobs=2) == _check(FIXTURES, jobs=1)


def test_package_is_silent_with_noqa(tmp_path):
    root = _copy(tmp_path, with_noqa_on_expected_lines)
    assert [(d.path, d.span.line, d.code) for d in _check(root)] == []


def test_message_names_every_hop_with_its_place(tmp_path):
    root = _copy(tmp_path)
    handlers = root / "asy109_pkg" / "src" / "shop" / "handlers.py"
    line = _line_of(handlers, "    load_settings()")
    [finding] = [d for d in _check(root) if d.path.endswith("handlers.py") and d.span.line == line]
    settings = str(root / "asy109_pkg" / "src" / "shop" / "settings.py")
    files = str(root / "asy109_pkg" / "src" / "shop" / "files.py")
    load_json_line = _line_of(Path(settings), "    return load_json(")
    read_file_line = _line_of(Path(files), "    return json.loads(read_file(path))")
    open_line = _line_of(Path(files), "    with open(path")
    assert finding.message == (
        "`load_settings()` blocks the event loop through sync code:"
        f" `load_json()` ({settings}:{load_json_line})"
        f" → `read_file()` ({files}:{read_file_line})"
        f" → `open()` (line {open_line}, ASY103)"
    )
    assert [(r.path, r.span.line, r.span.column, r.message) for r in finding.related] == [
        (settings, load_json_line, 11, "`load_settings()` calls `load_json()` here"),
        (files, read_file_line, 22, "`load_json()` calls `read_file()` here"),
        (files, open_line, 9, "`read_file()` calls `open()` here, which blocks (ASY103)"),
    ]
    assert finding.span == type(finding.span)(line, 4, line, 19)


def _line_of(path: Path, prefix: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, start=1) if text.startswith(prefix))


def test_selection_ignore_and_per_file_ignores():
    codes = {d.code for d in _check(FIXTURES, ignore=("ASY109",))}
    assert "ASY109" not in codes
    by_file = _check(FIXTURES, per_file_ignores={"asy109_pkg/**": ("ASY109",)})
    assert {Path(d.path).name for d in by_file if d.code == "ASY109"} == {"ASY109.py"}
    # Helpers whose only blocking calls are file I/O stop counting when ASY103 is off.
    without_file_io = [d for d in _check(FIXTURES, ignore=("ASY103",)) if d.code == "ASY109"]
    assert without_file_io and all("ASY103" not in d.message for d in without_file_io)
    assert any("ASY101" in d.message for d in without_file_io)


def test_warm_cache_parses_nothing_and_gives_the_same_findings(tmp_path, monkeypatch):
    root = _copy(tmp_path)
    config = _config(root)
    cold_cache = ResultCache(tmp_path / "cache", config.fingerprint())
    cold = _check(root, cache=cold_cache)
    import libcst

    def no_parsing(*args, **kwargs):
        raise AssertionError("a warm run parsed a file")

    monkeypatch.setattr(libcst, "parse_module", no_parsing)
    warm = _check(root, cache=ResultCache(tmp_path / "cache", config.fingerprint()))
    assert warm == cold and any(d.code == "ASY109" for d in warm)


def test_a_damaged_summary_in_the_cache_is_made_again(tmp_path):
    root = _copy(tmp_path)
    config = _config(root)
    cold = _check(root, cache=ResultCache(tmp_path / "cache", config.fingerprint()))
    stored = tmp_path / "cache" / config.fingerprint()
    damaged = 0
    for shard in (stored / "summaries").glob("*.json"):
        document = json.loads(shard.read_text(encoding="utf-8"))
        for _digest, summaries in document["entries"].values():
            if "ASY109" in summaries:
                summaries["ASY109"] = {"functions": [["broken"]]}
                damaged += 1
        shard.write_text(json.dumps(document), encoding="utf-8")
    shutil.rmtree(stored / "project", ignore_errors=True)  # or the stored project result answers
    assert damaged
    assert _check(root, cache=ResultCache(tmp_path / "cache", config.fingerprint())) == cold


def test_a_helper_file_that_breaks_the_parser_does_not_stop_the_run(tmp_path, monkeypatch):
    root = _copy(tmp_path)
    original = Linter.summarize

    def summarize(self, path, code, locate=frozenset()):
        if path.endswith("files.py"):
            raise RuntimeError("the parser gave up")
        return original(self, path, code, locate)

    monkeypatch.setattr(Linter, "summarize", summarize)
    found = _check(root)  # files.py is summarized on demand (it has no async code)
    assert not any("files.py:" in d.message for d in found if d.code == "ASY109")
    assert any(d.code == "ASY109" for d in found)


def test_a_changed_helper_is_seen_through_the_cache(tmp_path):
    root = _copy(tmp_path)
    config = _config(root)
    before = _check(root, cache=ResultCache(tmp_path / "cache", config.fingerprint()))
    files = root / "asy109_pkg" / "src" / "shop" / "files.py"
    files.write_text(files.read_text(encoding="utf-8").replace("    time.sleep(0.1 * attempt)", "    pass"))
    after = _check(root, cache=ResultCache(tmp_path / "cache", config.fingerprint()))
    gone = {(d.path, d.span.line) for d in before} - {(d.path, d.span.line) for d in after}
    assert [Path(p).name for p, _ in gone] == ["handlers.py"]  # only `ping(3)`, whose chain slept


def test_linting_one_file_alone_follows_only_its_own_helpers():
    # Standard input and editors lint one file: helpers it imports are not followed ...
    handlers = PACKAGE / "src" / "shop" / "handlers.py"
    found = Linter(_config(FIXTURES)).lint_text(handlers.read_text(encoding="utf-8"), str(handlers))
    assert [(d.code, d.span.line) for d in found] == [("ASY103", _line_of(handlers, "    open(path)"))]
    # ... and the ones it defines give the same findings as in a project run.
    alone = Linter(_config(FIXTURES)).lint_text(SINGLE.read_text(encoding="utf-8"), str(SINGLE))
    together = [d for d in _check(FIXTURES) if Path(d.path).name == "ASY109.py"]
    assert [(d.span, d.code) for d in alone] == [(d.span, d.code) for d in together]


def test_unused_noqa_does_not_judge_asy109():
    found = _check(FIXTURES, select=("ASY1", "ASY002"))
    assert not [d for d in found if d.code == "ASY002" and "ASY109" in d.message]


def test_json_output_carries_the_hops_as_related_locations():
    completed = subprocess.run(
        [sys.executable, "-m", "asynclint", "check", "asy109_pkg/src", "--select", "ASY109", "--no-cache", "--output-format", "json"],
        cwd=FIXTURES,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 1, completed.stderr
    findings = json.loads(completed.stdout)
    assert findings and all(f["code"] == "ASY109" and f["related"] for f in findings)
    assert findings[0]["related"][-1]["message"].endswith("which blocks (ASY103)")


def test_summaries_survive_json():
    text = SINGLE.read_text(encoding="utf-8")
    summaries: dict = {}
    Linter(_config(FIXTURES)).lint_text(text, str(SINGLE), summaries)
    data = json.loads(json.dumps(summaries["ASY109"]))
    assert FileSummary.from_dict(data).to_dict() == summaries["ASY109"]


@pytest.mark.parametrize(
    ("layout", "file", "expected"),
    [
        (["src/shop/__init__.py", "src/shop/io.py"], "src/shop/io.py", ("shop.io", False, "src")),
        (["src/shop/__init__.py", "src/shop/sub/__init__.py"], "src/shop/sub/__init__.py", ("shop.sub", True, "src")),
        (["shop/__init__.py", "shop/a/b.py"], "shop/a/b.py", ("b", False, "shop/a")),
        (["scripts/tool.py"], "scripts/tool.py", ("tool", False, "scripts")),
        (["my-scripts/run-me.py"], "my-scripts/run-me.py", ("", False, "my-scripts")),
    ],
)
def test_module_names_come_from_the_top_most_package(tmp_path, layout, file, expected):
    for relative in layout:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("", encoding="utf-8")
    found = module_path(str(tmp_path / file))
    assert (found.name, found.is_package, found.root) == (*expected[:2], str(tmp_path / expected[2]))


@pytest.mark.parametrize(
    ("name", "module", "expected"),
    [
        (".io.read", ModulePath("shop.handlers", False, ""), "shop.io.read"),
        (".io.read", ModulePath("shop", True, ""), "shop.io.read"),
        ("..base.Repo", ModulePath("shop.sub.mod", False, ""), "shop.base.Repo"),
        (".", ModulePath("shop.sub.mod", False, ""), "shop.sub"),
        ("...x", ModulePath("shop.mod", False, ""), None),
        ("requests.get", ModulePath("shop.mod", False, ""), "requests.get"),
    ],
)
def test_relative_names_are_made_absolute(name, module, expected):
    assert absolute_name(name, module) == expected


def test_the_demo_reports_no_asy109_it_does_not_plant():
    completed = subprocess.run(
        [sys.executable, "-m", "asynclint", "check", "examples", "--select", "ASY109", "--no-cache", "--output-format", "json"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    planted = (REPO / "examples" / "README.md").read_text(encoding="utf-8").count("| ASY109 |")
    assert len(json.loads(completed.stdout)) == planted, completed.stdout


def test_a_chain_in_a_notebook_names_no_line_of_the_joined_cells():
    """A notebook is checked as its cells joined: a line number of that text is no line the user
    sees, so a hop in the notebook is named without one (its related location has the cell)."""
    from asynclint.config import Config
    from asynclint.engine import Linter
    from asynclint.notebook import lint_notebook, read_notebook

    cells = ["import time\nimport os\nx = 1", "def load():\n    time.sleep(1)", "async def view():\n    load()"]
    document = {
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": s} for s in cells],
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    notebook = read_notebook(json.dumps(document).encode())
    [finding] = [d for d in lint_notebook(Linter(Config(root=FIXTURES)), notebook, "chain.ipynb") if d.code == "ASY109"]
    assert finding.message == "`load()` blocks the event loop through sync code: `time.sleep()` (ASY100)"
    assert finding.cell_position(finding.related[0].span).cell == 2  # the related location names the cell


def test_a_file_linted_alone_follows_the_codes_the_run_hands_it(tmp_path):
    """Standard input and the fixer lint a file alone: the codes a chain may end in come from
    the configuration through the engine (`prepare(followed=...)`), as in the project phase."""
    text = "import time\n\ndef load():\n    time.sleep(1)\n\nasync def view():\n    load()\n"

    def codes(**fields) -> list[str]:
        return [d.code for d in Linter(_config(tmp_path, **fields)).lint_text(text, str(tmp_path / "views.py"))]

    assert codes() == ["ASY109"]
    assert codes(ignore=("ASY100",)) == []
