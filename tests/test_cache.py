"""The per-file result cache: a warm run answers from it with identical output; a changed file
or configuration misses; --no-cache neither reads nor writes; a damaged cache is ignored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
    return run_asynclint("check", "--output-format", "json", *args, cwd=directory, env=env)


def cache_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.json"))


def mark_cached_messages(cache_directory: Path) -> None:
    """Rewrite every cached message, so output that shows MARK can only come from the cache."""
    [cache_file] = cache_files(cache_directory)
    document = json.loads(cache_file.read_text(encoding="utf-8"))
    for entry in document["files"].values():
        for diagnostic in entry[1]:
            diagnostic["message"] = MARK
    cache_file.write_text(json.dumps(document), encoding="utf-8")


def messages(result) -> list[str]:
    return [finding["message"] for finding in json.loads(result.stdout)]


def test_second_run_gives_identical_output_from_the_cache(project):
    first = check(project)
    assert len(cache_files(project / ".asynclint_cache")) == 1
    second = check(project)
    assert (second.returncode, second.stdout) == (first.returncode, first.stdout)
    mark_cached_messages(project / ".asynclint_cache")
    assert messages(check(project)) == [MARK, MARK]


def test_text_output_from_the_cache_still_shows_the_source(project):
    first = run_asynclint("check", cwd=project)
    second = run_asynclint("check", cwd=project)
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
    assert len(cache_files(chosen)) == len(cache_files(from_environment)) == 1
    assert not (project / ".asynclint_cache").exists()


def _garbage(document: dict) -> bytes:
    return b"\x00\xff not json at all"


def _truncated(document: dict) -> bytes:
    return json.dumps(document).encode()[:40]


def _files_not_a_table(document: dict) -> bytes:
    return json.dumps({**document, "files": ["app.py"]}).encode()


def _entries_of_the_wrong_shape(document: dict) -> bytes:
    files = dict(zip(document["files"], ([], 7)))  # one entry per file: app.py and clean.py
    return json.dumps({**document, "files": files}).encode()


def _entries_with_the_right_digest_and_wrong_contents(document: dict) -> bytes:
    files = {path: [entry[0], "diagnostics?", []] for path, entry in document["files"].items()}
    return json.dumps({**document, "files": files}).encode()


def _diagnostics_missing_fields(document: dict) -> bytes:
    files = {path: [entry[0], [{"code": "ASY100"}], *entry[2:]] for path, entry in document["files"].items()}
    return json.dumps({**document, "files": files}).encode()


def _not_an_object(document: dict) -> bytes:
    return b"[1, 2, 3]"


@pytest.mark.parametrize(
    "damage",
    [
        _garbage,
        _truncated,
        _not_an_object,
        _files_not_a_table,
        _entries_of_the_wrong_shape,
        _entries_with_the_right_digest_and_wrong_contents,
        _diagnostics_missing_fields,
    ],
)
def test_damaged_cache_is_ignored_and_the_files_are_checked_again(project, damage):
    fresh = check(project)
    [cache_file] = cache_files(project / ".asynclint_cache")
    cache_file.write_bytes(damage(json.loads(cache_file.read_text(encoding="utf-8"))))
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


def test_project_wide_findings_are_reused_while_no_file_changes(two_file_project):
    first = check(two_file_project, "--select", "ASY109")
    assert [f["code"] for f in json.loads(first.stdout)] == ["ASY109"]
    [cache_file] = cache_files(two_file_project / ".asynclint_cache")
    document = json.loads(cache_file.read_text(encoding="utf-8"))
    document["project"][1][0]["message"] = MARK
    cache_file.write_text(json.dumps(document), encoding="utf-8")
    assert messages(check(two_file_project, "--select", "ASY109")) == [MARK]


def test_changing_a_helper_file_recomputes_project_wide_findings(two_file_project):
    assert messages(check(two_file_project, "--select", "ASY109"))
    (two_file_project / "helpers.py").write_text(HARMLESS_HELPER, encoding="utf-8")
    assert messages(check(two_file_project, "--select", "ASY109")) == []
