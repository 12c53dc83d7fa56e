"""The per-file result cache: a warm run answers from it with identical output; a changed file
or configuration misses; --no-cache neither reads nor writes; a damaged cache is ignored.

The cache lives on disk, so one run after another in this process (cli_in_process.py) reads
what the run before wrote, as the next process would; the first test proves it with real
processes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cli_in_process import in_process
from conftest import run_asynclint

# ASY100 at 6:5 and ASY103 at 6:20
TWO_CODES = "import os\nimport time\n\n\nasync def handler(path):\n    time.sleep(1); os.listdir(path)\n"
MARK = "THIS MESSAGE CAME FROM THE CACHE"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "app.py").write_text(TWO_CODES, encoding="utf-8")
    (tmp_path / "clean.py").write_text("VALUE = 1\n", encoding="utf-8")
    return tmp_path


def check(directory: Path, *args: str, env: dict[str, str] | None = None):
    return in_process("check", "--output-format", "json", *args, cwd=directory, env=env)


def fingerprints(directory: Path) -> list[Path]:
    """The cache's directories, one per config fingerprint."""
    return sorted(path for path in directory.iterdir() if path.is_dir())


def shards(directory: Path, kind: str = "files") -> list[Path]:
    return sorted(directory.glob(f"*/{kind}/*.json"))


def rewrite_entries(cache_directory: Path, change, kind: str = "files") -> None:
    """Apply `change(path, [digest, value])` to every entry of every shard of `kind`."""
    for shard in shards(cache_directory, kind):
        document = json.loads(shard.read_text(encoding="utf-8"))
        for path, entry in document["entries"].items():
            change(path, entry)
        shard.write_text(json.dumps(document), encoding="utf-8")


def mark_cached_messages(cache_directory: Path) -> None:
    """Rewrite every cached message, so output that shows MARK can only come from the cache."""

    def mark(path, entry):
        for diagnostic in entry[1]:
            diagnostic["message"] = MARK

    rewrite_entries(cache_directory, mark)


def messages(result) -> list[str]:
    return [finding["message"] for finding in json.loads(result.stdout)]


def test_second_process_gives_identical_output_from_the_cache(project):
    first = run_asynclint("check", "--output-format", "json", cwd=project)
    assert len(fingerprints(project / ".asynclint_cache")) == 1
    second = run_asynclint("check", "--output-format", "json", cwd=project)
    assert (second.returncode, second.stdout) == (first.returncode, first.stdout)
    mark_cached_messages(project / ".asynclint_cache")
    assert messages(run_asynclint("check", "--output-format", "json", cwd=project)) == [MARK, MARK]


def test_text_output_from_the_cache_still_shows_the_source(project):
    first = in_process("check", cwd=project)
    second = in_process("check", cwd=project)
    assert second.stdout == first.stdout
    assert "6 |     time.sleep(1); os.listdir(path)" in second.stdout


def test_editing_a_file_invalidates_its_entry(project):
    check(project)
    mark_cached_messages(project / ".asynclint_cache")
    (project / "app.py").write_text("# a new first line\n" + TWO_CODES, encoding="utf-8")
    result = check(project)
    assert [(f["line"], f["message"] == MARK) for f in json.loads(result.stdout)] == [(7, False), (7, False)]


def test_changing_the_selection_invalidates_the_cache(project):
    check(project)
    mark_cached_messages(project / ".asynclint_cache")
    result = check(project, "--ignore", "ASY100")
    assert [(f["code"], f["message"] == MARK) for f in json.loads(result.stdout)] == [("ASY103", False)]


def test_changing_the_config_file_invalidates_the_cache(project):
    check(project)
    mark_cached_messages(project / ".asynclint_cache")
    (project / "pyproject.toml").write_text(
        '[tool.asynclint.per-file-ignores]\n"app.py" = ["ASY103"]\n', encoding="utf-8"
    )
    result = check(project)
    assert [(f["code"], f["message"] == MARK) for f in json.loads(result.stdout)] == [("ASY100", False)]


def test_no_cache_neither_writes_nor_reads(project):
    check(project, "--no-cache")
    assert not (project / ".asynclint_cache").exists()
    check(project)
    mark_cached_messages(project / ".asynclint_cache")
    assert MARK not in check(project, "--no-cache").stdout


def test_cache_dir_option_and_environment_variable_choose_where_it_lives(project, tmp_path_factory):
    chosen = tmp_path_factory.mktemp("by-option")
    check(project, "--cache-dir", str(chosen))
    from_environment = tmp_path_factory.mktemp("by-environment")
    check(project, env={"ASYNCLINT_CACHE_DIR": str(from_environment)})
    assert len(fingerprints(chosen)) == len(fingerprints(from_environment)) == 1
    assert not (project / ".asynclint_cache").exists()


def _garbage(document: dict) -> bytes:
    return b"\x00\xff not json at all"


def _truncated(document: dict) -> bytes:
    return json.dumps(document).encode()[:40]


def _entries_not_a_table(document: dict) -> bytes:
    return json.dumps({**document, "entries": ["app.py"]}).encode()


def _entries_of_the_wrong_shape(document: dict) -> bytes:
    return json.dumps({**document, "entries": {path: 7 for path in document["entries"]}}).encode()


def _entries_with_the_right_digest_and_wrong_contents(document: dict) -> bytes:
    entries = {path: [entry[0], "diagnostics?"] for path, entry in document["entries"].items()}
    return json.dumps({**document, "entries": entries}).encode()


def _diagnostics_missing_fields(document: dict) -> bytes:
    entries = {path: [entry[0], [{"code": "ASY100"}]] for path, entry in document["entries"].items()}
    return json.dumps({**document, "entries": entries}).encode()


def _not_an_object(document: dict) -> bytes:
    return b"[1, 2, 3]"


def _another_format(document: dict) -> bytes:
    return json.dumps({**document, "format": 4}).encode()


@pytest.mark.parametrize(
    "damage",
    [
        _garbage,
        _truncated,
        _not_an_object,
        _entries_not_a_table,
        _entries_of_the_wrong_shape,
        _entries_with_the_right_digest_and_wrong_contents,
        _diagnostics_missing_fields,
        _another_format,
    ],
)
def test_damaged_cache_is_ignored_and_the_files_are_checked_again(project, damage):
    fresh = check(project)
    for shard in shards(project / ".asynclint_cache"):
        shard.write_bytes(damage(json.loads(shard.read_text(encoding="utf-8"))))
    again = check(project)
    assert (again.returncode, again.stdout) == (fresh.returncode, fresh.stdout)
    assert check(project).stdout == fresh.stdout  # and the cache was rewritten usable


# A project-wide finding (ASY109): the handler's call of a helper in another file that blocks.
HANDLER = "from helpers import load\n\n\nasync def handler():\n    return load()\n"
BLOCKING_HELPER = "def load():\n    return open('settings.toml').read()\n"
HARMLESS_HELPER = "def load():\n    return {}\n"


@pytest.fixture
def two_file_project(tmp_path):
    (tmp_path / "app.py").write_text(HANDLER, encoding="utf-8")
    (tmp_path / "helpers.py").write_text(BLOCKING_HELPER, encoding="utf-8")
    return tmp_path


def mark_project_results(cache_directory: Path) -> None:
    """Rewrite the message of every report the project phase's result holds (before noqa)."""
    for result in sorted(cache_directory.glob("*/project/*.json")):
        document = json.loads(result.read_text(encoding="utf-8"))
        for report in document["reports"]:
            report["message"] = MARK
        result.write_text(json.dumps(document), encoding="utf-8")


def test_project_wide_findings_are_reused_while_no_file_changes(two_file_project):
    first = check(two_file_project, "--select", "ASY109")
    assert [f["code"] for f in json.loads(first.stdout)] == ["ASY109"]
    mark_project_results(two_file_project / ".asynclint_cache")
    assert messages(check(two_file_project, "--select", "ASY109")) == [MARK]


def test_a_run_on_some_files_keeps_the_whole_projects_result(two_file_project):
    """pre-commit checks the files of a commit, then a whole-project run checks them all:
    each run's project phase result is kept, neither evicts the other's."""
    check(two_file_project, "--select", "ASY109")
    mark_project_results(two_file_project / ".asynclint_cache")
    assert messages(check(two_file_project, "--select", "ASY109", "app.py")) == []  # helpers.py not given
    assert messages(check(two_file_project, "--select", "ASY109")) == [MARK]


def test_damaged_summaries_are_made_again(two_file_project):
    check(two_file_project, "--select", "ASY109")
    (two_file_project / "app.py").write_text("# edited\n" + HANDLER, encoding="utf-8")  # the project phase runs

    def damage(path, entry):
        entry[1]["ASY109"] = {"functions": "?"}

    rewrite_entries(two_file_project / ".asynclint_cache", damage, "summaries")
    assert [(f["code"], f["line"]) for f in json.loads(check(two_file_project, "--select", "ASY109").stdout)] == [
        ("ASY109", 6)
    ]


def test_a_cache_of_the_previous_format_is_replaced(project):
    check(project)
    [directory] = fingerprints(project / ".asynclint_cache")
    old = project / ".asynclint_cache" / f"{directory.name}.json"
    old.write_text('{"format": 4, "files": {}}', encoding="utf-8")
    check(project)
    assert not old.exists()


def test_changing_a_helper_file_recomputes_project_wide_findings(two_file_project):
    assert messages(check(two_file_project, "--select", "ASY109"))
    (two_file_project / "helpers.py").write_text(HARMLESS_HELPER, encoding="utf-8")
    assert messages(check(two_file_project, "--select", "ASY109")) == []


def test_a_run_reads_the_shards_of_its_files_and_summaries_only_for_the_project_phase(two_file_project, monkeypatch):
    """Warm, nothing changed: the files' diagnostics and the project phase's result are read,
    no summary (they are most of the cache). After an edit, the shards of the two files'
    summaries: the one the project phase reads, the one the edited file's new summary goes to."""
    from click.testing import CliRunner

    from asynclint import cache
    from asynclint.cli import cli

    monkeypatch.chdir(two_file_project)
    runner = CliRunner()
    runner.invoke(cli, ["check", "--select", "ASY109"])
    read: list[Path] = []
    original = cache._read_document
    monkeypatch.setattr(cache, "_read_document", lambda file: read.append(file) or original(file))
    assert runner.invoke(cli, ["check", "--select", "ASY109"]).exit_code == 1
    shard_names = {cache._shard_name(name) for name in ("app.py", "helpers.py")}
    assert sorted((file.parent.name, file.stem) for file in read) == sorted(
        [("files", name) for name in shard_names] + [("project", read[-1].stem)]
    )
    read.clear()
    (two_file_project / "app.py").write_text("# edited\n" + HANDLER, encoding="utf-8")
    assert runner.invoke(cli, ["check", "--select", "ASY109"]).exit_code == 1
    summaries_read = [file.stem for file in read if file.parent.name == "summaries"]
    assert sorted(summaries_read) == sorted(shard_names)


# A modification time well in the past: the cache trusts a stamp this old (cache.file_stamp).
SETTLED = 1_600_000_000_000_000_000


def set_mtime(path: Path, mtime_ns: int) -> None:
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_a_file_whose_size_and_modification_time_are_unchanged_is_not_read_again(project):
    # As ruff's cache: the stamp (size, mtime) stored with an entry vouches for the content. A
    # rewrite to the same size with the modification time put back shows it: the old findings.
    app = project / "app.py"
    set_mtime(app, SETTLED)
    first = check(project)
    app.write_text(TWO_CODES.replace("time.sleep(1)", "time.sleep(2)"), encoding="utf-8")
    set_mtime(app, SETTLED)
    assert check(project).stdout == first.stdout
    set_mtime(app, SETTLED + 1)  # any change of the modification time: read, hashed, linted
    assert "asyncio.sleep(2)" in check(project).stdout


def test_a_file_modified_just_now_is_read_again_whatever_its_stamp(project):
    # Modified within the clock's granularity of the run that cached it, a file may change again
    # without its stamp changing: no stamp is kept for it until it has settled.
    app = project / "app.py"
    first = check(project)
    recent = app.stat().st_mtime_ns
    app.write_text(TWO_CODES.replace("os.listdir(path)", "os.listdir(PATH)"), encoding="utf-8")
    set_mtime(app, recent)
    assert check(project).stdout != first.stdout
