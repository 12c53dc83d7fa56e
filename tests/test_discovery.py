"""Which files `asynclint check` looks at: *.py and *.pyi under the paths given, minus VCS,
virtual environment, build and cache directories, what .gitignore files ignore and the
config's excludes; a file named explicitly is checked unless --force-exclude."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_in_process import in_process

from asynclint.config import Config, load_config
from asynclint.discovery import discover, is_excluded

SLEEPY = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"


def make(root: Path, *paths: str) -> None:
    for path in paths:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(SLEEPY, encoding="utf-8")


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def found(*paths: str, config: Config | None = None, force_exclude: bool = False) -> list[str]:
    return discover(list(paths), config or load_config(None, Path.cwd()), force_exclude).files


@pytest.mark.parametrize(
    "directory",
    [".git", ".venv", "venv", "build", "dist", "__pycache__", "node_modules", ".tox", ".mypy_cache", ".asynclint_cache"],
)
def test_default_excludes_skip_tool_and_environment_directories(project, directory):
    make(project, "app.py", f"{directory}/inside.py", f"pkg/{directory}/nested.py")
    assert found(".") == ["app.py"]


def test_any_directory_holding_pyvenv_cfg_is_a_virtualenv_and_skipped(project):
    make(project, "app.py", "my-env/lib/site.py")
    (project / "my-env" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert found(".") == ["app.py"]


def test_py_and_pyi_files_are_found_other_files_are_not(project):
    make(project, "app.py", "stubs/app.pyi", "notes.txt", "script", "compiled.pyc")
    assert found(".") == ["app.py", "stubs/app.pyi"]


def test_paths_are_reported_as_given_and_normalised(project):
    make(project, "pkg/app.py")
    assert found("./pkg") == ["pkg/app.py"]
    assert found(str(project / "pkg")) == [str(project / "pkg" / "app.py")]


def test_a_file_given_twice_is_checked_once(project):
    make(project, "pkg/app.py")
    assert found("pkg", "pkg/app.py", "./pkg/app.py") == ["pkg/app.py"]


def test_missing_paths_are_listed_apart(project):
    make(project, "app.py")
    result = discover(["app.py", "nope.py", "nowhere/"], load_config(None, project))
    assert result.files == ["app.py"]
    assert result.errors == ["nope.py: no such file or directory", "nowhere/: no such file or directory"]


def test_a_fifo_or_device_named_explicitly_is_an_error_not_an_empty_directory(project):
    """Reading a FIFO waits for a writer, /dev/zero never ends, and walking either finds
    nothing: that was reported as "All checks passed (0 files checked)"."""
    make(project, "app.py")
    os.mkfifo(project / "pipe.py")
    result = discover(["pipe.py", os.devnull, "app.py"], load_config(None, project))
    assert result.files == ["app.py"]
    assert result.errors == [
        "pipe.py: a FIFO, not a file or directory to check",
        f"{os.devnull}: a character device, not a file or directory to check",
    ]


def test_dangling_symlink_found_in_a_walk_is_kept_for_the_engine_to_report(project):
    os.symlink(project / "deleted.py", project / "gone.py")
    assert found(".") == ["gone.py"]


# --- .gitignore ---------------------------------------------------------------------------


def test_gitignore_in_the_checked_directory_is_honoured(project):
    make(project, "app.py", "generated/api.py", "scratch.py")
    (project / ".gitignore").write_text("generated/\nscratch.py\n")
    assert found(".") == ["app.py"]


def test_gitignore_in_a_parent_directory_inside_the_repository_is_honoured(project):
    (project / ".git").mkdir()
    (project / ".gitignore").write_text("generated/\n*_pb2.py\n")
    make(project, "services/api/app.py", "services/api/generated/client.py", "services/api/model_pb2.py")
    assert found("services/api") == ["services/api/app.py"]
    result = in_process("check", "--output-format", "concise", "services/api", cwd=project)
    assert result.stdout.splitlines()[0].startswith("services/api/app.py:5:5: ASY100 ")
    assert "1 file checked" in result.stdout


def test_gitignore_above_the_repository_root_is_not_applied(project):
    (project / ".gitignore").write_text("*.py\n")  # someone else's, outside the repository
    make(project, "repo/app.py")
    (project / "repo" / ".git").mkdir()
    assert found("repo") == ["repo/app.py"]


def test_nested_gitignore_can_re_include_what_a_parent_ignores(project):
    """Git's precedence: the .gitignore nearest the file has the last word."""
    (project / ".git").mkdir()
    (project / ".gitignore").write_text("*_pb2.py\n")
    (project / "proto").mkdir()
    (project / "proto" / ".gitignore").write_text("!handwritten_pb2.py\n")
    make(project, "proto/generated_pb2.py", "proto/handwritten_pb2.py")
    assert found(".") == ["proto/handwritten_pb2.py"]


def test_respect_gitignore_off_reads_every_gitignored_file_but_keeps_the_excludes(project):
    (project / ".git").mkdir()
    (project / ".gitignore").write_text("generated/\nscratch.py\n")
    make(project, "app.py", "generated/api.py", "scratch.py", ".venv/lib.py")
    config = load_config(None, project)
    config.respect_gitignore = False
    assert found(".", config=config) == ["app.py", "generated/api.py", "scratch.py"]


def test_notebooks_are_found_and_jupyters_checkpoints_are_not(project):
    make(project, "analysis.ipynb", ".ipynb_checkpoints/analysis-checkpoint.ipynb", "notes.txt")
    assert found(".") == ["analysis.ipynb"]


# --- config excludes and explicit files ---------------------------------------------------


def test_extend_exclude_adds_to_the_defaults(project):
    (project / "pyproject.toml").write_text('[tool.asynclint]\nextend-exclude = ["migrations/"]\n')
    make(project, "app.py", "migrations/0001.py", "build/out.py")
    assert found(".") == ["app.py"]


def test_exclude_replaces_the_defaults(project):
    """As docs/configuration.md says (and ruff does): `exclude` is the whole list."""
    (project / "pyproject.toml").write_text('[tool.asynclint]\nexclude = ["migrations/"]\n')
    make(project, "app.py", "migrations/0001.py", "build/out.py")
    assert found(".") == ["app.py", "build/out.py"]


def test_exclude_patterns_are_relative_to_the_config_file(project, monkeypatch):
    (project / "pyproject.toml").write_text('[tool.asynclint]\nextend-exclude = ["/src/legacy/"]\n')
    make(project, "src/legacy/old.py", "src/app.py", "tests/src/legacy/kept.py")
    monkeypatch.chdir(project / "src")
    assert found(".") == ["app.py"]
    monkeypatch.chdir(project)
    assert found(".") == ["src/app.py", "tests/src/legacy/kept.py"]


@pytest.mark.parametrize("path", ["build/gen.py", "generated/api.py", "ignored.py", "my-env/tool.py"])
def test_a_file_named_explicitly_is_checked_even_if_excluded(project, path):
    (project / "pyproject.toml").write_text('[tool.asynclint]\nextend-exclude = ["generated/"]\n')
    (project / ".gitignore").write_text("ignored.py\n")
    make(project, path)
    (project / "my-env").mkdir(exist_ok=True)
    (project / "my-env" / "pyvenv.cfg").write_text("")
    assert found(path) == [path]
    assert found(path, force_exclude=True) == []


def test_force_exclude_from_the_config_applies_to_explicit_files(project):
    (project / "pyproject.toml").write_text('[tool.asynclint]\nextend-exclude = ["generated/"]\nforce-exclude = true\n')
    make(project, "generated/api.py", "app.py")
    assert found("generated/api.py", "app.py") == ["app.py"]


def test_an_excluded_directory_named_explicitly_is_walked_unless_force_exclude(project):
    (project / ".gitignore").write_text("generated/\n")
    make(project, "build/gen.py", "build/__pycache__/cached.py", "build/lib/generated/api.py", "generated/api.py")
    assert found("build") == ["build/gen.py"]  # what excludes `build` does not hide its content
    assert found("generated") == ["generated/api.py"]
    assert found("build", "generated", force_exclude=True) == []


def test_is_excluded_judges_a_path_that_does_not_exist_yet(project):
    (project / "pyproject.toml").write_text('[tool.asynclint]\nextend-exclude = ["generated/"]\n')
    config = load_config(None, project)
    assert is_excluded("generated/new_module.py", config)
    assert is_excluded("pkg/build/new.py", config)
    assert not is_excluded("pkg/new_module.py", config)


def test_explicit_excluded_file_through_the_cli_with_and_without_force_exclude(project):
    make(project, "build/gen.py")
    assert in_process("check", "build/gen.py", cwd=project).returncode == 1
    result = in_process("check", "--force-exclude", "build/gen.py", cwd=project)
    assert (result.returncode, result.stdout) == (0, "All checks passed (0 files checked).\n")


# --- how a pattern is asked (discovery.py answers without pathspec's call where it can) ------

COMPONENT_PATTERNS = ["build", "build/", ".git", "a b", "build ", "ä", "x.py/", "*.egg-info/", "bench/results/", "gen_*"]
PATHS = [
    "build", "build/", "a/build", "a/build/", "a/build/x.py", "xbuild/y.py", "a/buildx", "/build", "/a/build/",
    "a//build", "./build", "a/b/.git/", "a b/x.py", "ä/", "x.py", "x.py/", "pkg/x.py/", "d/e.egg-info/", "e.egg-info",
    "bench/results/", "a/bench/results/", "gen_api.py", "build\n", "a\nb/build/x.py", "",
]  # fmt: skip


@pytest.mark.parametrize("pattern", COMPONENT_PATTERNS)
def test_a_pattern_decides_every_path_as_pathspec_does(pattern):
    import pathspec

    from asynclint.discovery import _IgnoreRules

    spec = pathspec.GitIgnoreSpec.from_lines([pattern])
    rules = _IgnoreRules(Config(root=Path("/nowhere")))
    assert [rules._decides(spec, path) for path in PATHS] == [spec.check_file(path).include for path in PATHS]
    # While a pattern is lifted (here, one of no spec), each pattern's own match decides.
    rules = _IgnoreRules(Config(root=Path("/nowhere")))
    rules._lifted = frozenset({0})
    (only,) = spec.patterns
    assert [rules._decides(spec, path) for path in PATHS] == [True if only.match_file(path) else None for path in PATHS]


def test_a_directory_above_the_config_is_walked_with_the_excludes_relative_to_the_config(project, monkeypatch):
    (project / "sub" / "pyproject.toml").parent.mkdir()
    (project / "sub" / "pyproject.toml").write_text('[tool.asynclint]\nextend-exclude = ["/gen/", "old.py"]\n')
    make(project, "gen/a.py", "old.py", "top.py", "sub/gen/b.py", "sub/old.py", "sub/pkg/gen/c.py", "sub/pkg/ok.py")
    monkeypatch.chdir(project / "sub")
    # Below the config, paths are relative to it (`/gen/` is sub/gen only); above it, a path is
    # matched by its name.
    assert found("..") == ["../sub/pkg/gen/c.py", "../sub/pkg/ok.py", "../top.py"]


def test_the_walks_file_tests_answer_as_pathlib_does(project):
    from asynclint.discovery import _is_file, _mode

    make(project, "file.py")
    (project / "dir").mkdir()
    os.symlink("loop", project / "loop")  # a symlink to itself: ELOOP
    os.symlink("file.py", project / "link.py")
    os.mkfifo(project / "fifo")
    names = ["file.py", "dir", "loop", "link.py", "fifo", "missing", "file.py/below", "nul\0name"]
    assert [_is_file(str(project / name)) for name in names] == [(project / name).is_file() for name in names]
    assert [_mode(str(project / name)) is not None for name in names] == [(project / name).exists() for name in names]
