"""`[tool.asynclint]` configuration: where it is found, what it changes, and that every
mistake in it is an error (exit 2) naming the key, the file and the closest valid key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_in_process import in_process

from asynclint.config import ConfigError, load_config
from asynclint.engine import Linter

# ASY100 at 6:5 and ASY103 at 6:20
TWO_CODES = "import os\nimport time\n\n\nasync def handler(path):\n    time.sleep(1); os.listdir(path)\n"


def codes_by_path(stdout: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for finding in json.loads(stdout):
        found.setdefault(finding["path"], []).append(finding["code"])
    return found


def check(directory: Path, *args: str):
    return in_process("check", "--output-format", "json", *args, cwd=directory)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "app.py").write_text(TWO_CODES, encoding="utf-8")
    return tmp_path


def write_config(directory: Path, body: str, name: str = "pyproject.toml") -> Path:
    path = directory / name
    path.write_text(body, encoding="utf-8")
    return path


# --- finding the configuration ------------------------------------------------------------


def test_nearest_pyproject_above_the_working_directory_is_used(project):
    write_config(project, '[tool.asynclint]\nselect = ["ASY103"]\n')
    (project / "src" / "pkg").mkdir(parents=True)
    (project / "src" / "pkg" / "mod.py").write_text(TWO_CODES, encoding="utf-8")
    result = check(project / "src" / "pkg")
    assert codes_by_path(result.stdout) == {"mod.py": ["ASY103"]}


def test_a_nearer_pyproject_without_our_table_is_passed_over(project):
    write_config(project, '[tool.asynclint]\nselect = ["ASY103"]\n')
    (project / "sub").mkdir()
    write_config(project / "sub", '[project]\nname = "sub"\n\n[tool.ruff]\nline-length = 99\n')
    (project / "sub" / "mod.py").write_text(TWO_CODES, encoding="utf-8")
    assert codes_by_path(check(project / "sub").stdout) == {"mod.py": ["ASY103"]}


def test_config_option_names_a_standalone_file_with_top_level_keys(project):
    write_config(project, '[tool.asynclint]\nselect = ["ASY103"]\n')  # not used
    settings = write_config(project, 'select = ["ASY100"]\n', name="lint.toml")
    result = check(project, "--config", str(settings))
    assert codes_by_path(result.stdout) == {"app.py": ["ASY100"]}


def test_config_option_may_name_another_pyproject(project, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("shared")
    settings = write_config(elsewhere, '[tool.asynclint]\nignore = ["ASY103"]\n')
    assert codes_by_path(check(project, "--config", str(settings)).stdout) == {"app.py": ["ASY100"]}


def test_missing_config_file_is_an_error(project):
    result = check(project, "--config", "nowhere.toml")
    assert result.returncode == 2
    assert "nowhere.toml: config file not found" in result.stderr


def test_command_line_selection_overrides_the_configs(project):
    write_config(project, '[tool.asynclint]\nselect = ["ASY103"]\n')
    assert codes_by_path(check(project, "--select", "ASY100").stdout) == {"app.py": ["ASY100"]}
    assert codes_by_path(check(project, "--extend-select", "ASY100").stdout) == {"app.py": ["ASY100", "ASY103"]}


# --- mistakes are errors ------------------------------------------------------------------


def test_unknown_key_names_the_key_the_file_and_the_closest_valid_key(project):
    config = write_config(project, '[tool.asynclint]\nselct = ["ASY1"]\n')
    result = check(project)
    assert result.returncode == 2
    assert result.stderr == (
        f"asynclint: error: {config} [tool.asynclint]: unknown key 'selct' (did you mean 'select'?)\n"
    )
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('select = "ASY100"', "select"),
        ("ignore = [100]", "ignore"),
        ('extend-select = "ASY1"', "extend-select"),
        ('exclude = "build"', "exclude"),
        ("extend-exclude = [true]", "extend-exclude"),
        ('force-exclude = "yes"', "force-exclude"),
        ('per-file-ignores = ["tests/*"]', "per-file-ignores"),
        ('per-file-ignores = { "tests/*" = "ASY100" }', "per-file-ignores"),
        ('respect-gitignore = "no"', "respect-gitignore"),
        ('extend-per-file-ignores = { "tests/*" = "ASY100" }', "extend-per-file-ignores"),
        ('non-serving-paths = "tests/"', "non-serving-paths"),
        ("extend-non-serving-paths = [1]", "extend-non-serving-paths"),
    ],
)
def test_value_of_the_wrong_type_names_the_key_and_the_file(tmp_path, body, key):
    config = write_config(tmp_path, f"[tool.asynclint]\n{body}\n")
    with pytest.raises(ConfigError) as error:
        load_config(None, tmp_path)
    assert str(error.value).startswith(f"{config} [tool.asynclint]: {key} must be ")


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ('select = ["ASY1O3"]', "select"),
        ('ignore = ["ASY1O3"]', "ignore"),
        ('[tool.asynclint.per-file-ignores]\n"tests/*" = ["ASY1O3"]', "per-file-ignores.'tests/*'"),
    ],
)
def test_unknown_code_in_the_config_names_where_and_the_closest_code(tmp_path, body, where):
    config = write_config(tmp_path, f"[tool.asynclint]\n{body}\n")
    with pytest.raises(ConfigError) as error:
        load_config(None, tmp_path)
    assert str(error.value) == (
        f"{config} [tool.asynclint]: {where}: unknown rule selector 'ASY1O3' (did you mean 'ASY103'?)"
    )


def test_invalid_toml_names_the_file(project):
    config = write_config(project, "[tool.asynclint]\nselect = [\n")
    result = check(project)
    assert result.returncode == 2
    assert f"{config}: invalid TOML" in result.stderr


def test_config_that_is_not_utf8_is_an_error_naming_the_file(project):
    config = project / "pyproject.toml"
    config.write_bytes(b'[tool.asynclint]\n# caf\xe9\nselect = ["ASY1"]\n')
    result = check(project)
    assert result.returncode == 2
    assert f"{config}: cannot read config file" in result.stderr


# --- what the settings do -----------------------------------------------------------------


def test_per_file_ignores_drop_codes_for_matching_files_only(project):
    write_config(project, '[tool.asynclint.per-file-ignores]\n"tests/**" = ["ASY100"]\n"scripts/*.py" = ["ASY1"]\n')
    for path in ("tests/unit/test_app.py", "scripts/run.py"):
        (project / path).parent.mkdir(parents=True)
        (project / path).write_text(TWO_CODES, encoding="utf-8")
    assert codes_by_path(check(project).stdout) == {
        "app.py": ["ASY100", "ASY103"],
        "tests/unit/test_app.py": ["ASY103"],
    }


def test_per_file_ignores_cannot_silence_asy001(project):
    write_config(project, '[tool.asynclint.per-file-ignores]\n"broken.py" = ["ALL"]\n')
    (project / "broken.py").write_text("x = (\n", encoding="utf-8")
    assert codes_by_path(check(project).stdout)["broken.py"] == ["ASY001"]


def test_extend_exclude_in_the_config_skips_files(project):
    write_config(project, '[tool.asynclint]\nextend-exclude = ["legacy/"]\n')
    (project / "legacy").mkdir()
    (project / "legacy" / "old.py").write_text(TWO_CODES, encoding="utf-8")
    assert set(codes_by_path(check(project).stdout)) == {"app.py"}


def test_exclude_in_the_config_skips_files(project):
    write_config(project, '[tool.asynclint]\nexclude = ["app.py"]\n')
    (project / "other.py").write_text(TWO_CODES, encoding="utf-8")
    assert set(codes_by_path(check(project).stdout)) == {"other.py"}


def test_force_exclude_in_the_config_applies_to_files_named_explicitly(project):
    write_config(project, '[tool.asynclint]\nextend-exclude = ["app.py"]\nforce-exclude = true\n')
    result = check(project, "app.py")
    assert (result.returncode, json.loads(result.stdout)) == (0, [])


TEAM_HELPERS = """\
from ourlib.http import Client, fetch_sync as fetch


async def handler(url, client: Client):
    client.get(url)
    return fetch(url)


def sync_caller(url):
    return fetch(url)
"""


def test_extend_blocking_calls_reports_a_teams_own_helpers_under_the_given_code(tmp_path):
    write_config(
        tmp_path, '[tool.asynclint.extend-blocking-calls]\nASY101 = ["ourlib.http.fetch_sync", "ourlib.http.Client.get"]\n'
    )
    (tmp_path / "app.py").write_text(TEAM_HELPERS, encoding="utf-8")
    result = check(tmp_path)
    findings = [(f["code"], f["line"], f["column"]) for f in json.loads(result.stdout)]
    assert findings == [("ASY101", 5, 5), ("ASY101", 6, 12)]  # not the call in the sync function
    assert "ourlib.http.fetch_sync" in json.loads(result.stdout)[1]["message"]


def test_without_the_extension_the_helpers_are_not_reported(tmp_path):
    (tmp_path / "app.py").write_text(TEAM_HELPERS, encoding="utf-8")
    assert json.loads(check(tmp_path).stdout) == []


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ('ASY1O1 = ["ourlib.fetch"]', "key 'ASY1O1' must be one of 'ASY100', "),
        ('ASY200 = ["ourlib.fetch"]', "key 'ASY200' must be one of 'ASY100', "),
        ('ASY101 = ["ourlib fetch"]', "ASY101[0] must be a qualified name such as 'ourlib.http.fetch_sync' (no wildcards), not 'ourlib fetch'"),
        ('ASY101 = ["ourlib..fetch"]', "ASY101[0] must be a qualified name"),
        ('ASY101 = ["ourlib.2fetch"]', "ASY101[0] must be a qualified name"),
        ('ASY101 = "ourlib.fetch"', "ASY101 must be a list of qualified names"),
    ],
)
def test_bad_extend_blocking_calls_entry_is_an_error(project, entry, complaint):
    config = write_config(project, f"[tool.asynclint.extend-blocking-calls]\n{entry}\n")
    with pytest.raises(ConfigError) as error:
        load_config(None, project)
    assert str(error.value).startswith(f"{config} [tool.asynclint.extend-blocking-calls]: {complaint}")


def test_a_call_the_shipped_tables_report_under_another_code_cannot_move(project):
    write_config(project, '[tool.asynclint.extend-blocking-calls]\nASY103 = ["time.sleep"]\n')
    result = check(project)
    assert result.returncode == 2
    assert "extend-blocking-calls.ASY103: 'time.sleep' is already reported as ASY100 by asynclint's own tables" in result.stderr


def test_extend_types_types_what_a_projects_own_factory_returns(tmp_path):
    write_config(tmp_path, '[tool.asynclint.extend-types.returns]\n"ourlib.make_session" = "requests.Session"\n')
    (tmp_path / "app.py").write_text(
        "import ourlib\n\n\nasync def handler(url):\n    s = ourlib.make_session()\n    return s.get(url)\n", encoding="utf-8"
    )
    assert [(f["code"], f["line"]) for f in json.loads(check(tmp_path).stdout)] == [("ASY101", 6)]


# --- code that never serves traffic ---------------------------------------------------------

LOAD_ONLY = {"ASY300", "ASY301", "ASY400", "ASY402", "ASY500", "ASY502", "ASY600", "ASY601", "ASY603"}
EVERYWHERE = {"ASY100", "ASY101", "ASY109", "ASY200", "ASY201", "ASY602"}

# ASY100 at 6:5, ASY602 at 7:5, ASY603 at 8:9
LOADED_HANDLER = (
    "import asyncio\nimport time\n\n\nasync def handler(job):\n"
    "    time.sleep(1)\n    asyncio.create_task(job())\n    q = asyncio.Queue()\n    return q\n"
)


def config_in(directory: Path, body: str = ""):
    write_config(directory, f"[tool.asynclint]\n{body}\n")
    return load_config(None, directory)


@pytest.mark.parametrize(
    "path",
    [
        "tests/test_api.py", "src/pkg/tests/helpers.py", "test/orm/test_query.py",
        "src/pkg/_tests/tools.py", "lib/pkg/testing/fixtures.py", "pkg/test_models.py",
        "pkg/models_test.py", "conftest.py", "pkg/conftest.py", "docs/conf.py",
        "doc/build/example.py", "docs_src/first_steps/tutorial001.py", "examples/chat/app.py",
        "benchmarks/bench_io.py", "scripts/benchmark/run.py",
    ],
)  # fmt: skip
def test_load_only_rules_are_off_in_code_that_never_serves_traffic(tmp_path, path):
    codes = config_in(tmp_path).codes_for(str(tmp_path / path))
    assert not codes & LOAD_ONLY
    assert EVERYWHERE <= codes


@pytest.mark.parametrize(
    "path",
    ["src/app.py", "pkg/testing.py", "pkg/latest.py", "contest.py", "pkg/attests/x.py", "docsrc.py"],
)
def test_serving_code_gets_every_rule(tmp_path, path):
    config = config_in(tmp_path)
    assert config.codes_for(str(tmp_path / path)) == config.enabled


def test_without_a_config_file_the_default_holds_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(None, tmp_path)
    assert not config.codes_for("tests/test_api.py") & LOAD_ONLY
    assert config.codes_for("app.py") == config.enabled


def test_non_serving_paths_replaces_the_default(tmp_path):
    config = config_in(tmp_path, 'non-serving-paths = ["scripts/"]')
    assert not config.codes_for(str(tmp_path / "scripts" / "seed.py")) & LOAD_ONLY
    assert config.codes_for(str(tmp_path / "tests" / "test_api.py")) == config.enabled


def test_an_empty_list_opts_every_path_back_in(tmp_path):
    config = config_in(tmp_path, "non-serving-paths = []")
    assert config.codes_for(str(tmp_path / "tests" / "test_api.py")) == config.enabled


def test_extend_adds_patterns_and_a_negated_anchored_one_takes_the_projects_own_directory_out(tmp_path):
    config = config_in(tmp_path, 'extend-non-serving-paths = ["tools/", "!/examples/"]')
    assert not config.codes_for(str(tmp_path / "tools" / "gen.py")) & LOAD_ONLY
    assert config.codes_for(str(tmp_path / "examples" / "shop" / "app.py")) == config.enabled
    assert not config.codes_for(str(tmp_path / "vendor" / "examples" / "demo.py")) & LOAD_ONLY
    assert not config.codes_for(str(tmp_path / "tests" / "test_api.py")) & LOAD_ONLY


def test_patterns_match_relative_to_the_config_files_directory(tmp_path):
    # The project lives in a directory that is itself called tests/: only paths inside the
    # project count.
    project = tmp_path / "tests" / "project"
    project.mkdir(parents=True)
    config = config_in(project)
    assert config.codes_for(str(project / "src" / "app.py")) == config.enabled


def test_per_file_ignores_still_apply_on_top(tmp_path):
    config = config_in(tmp_path, '[tool.asynclint.per-file-ignores]\n"tests/*" = ["ASY100"]')
    codes = config.codes_for(str(tmp_path / "tests" / "test_api.py"))
    assert "ASY100" not in codes and not codes & LOAD_ONLY and "ASY602" in codes


def test_a_test_file_is_checked_for_blocking_and_correctness_only(tmp_path):
    linter = Linter(config_in(tmp_path))

    def found(path: Path) -> list[tuple[str, int]]:
        return [(d.code, d.span.line) for d in linter.lint_text(LOADED_HANDLER, str(path))]

    assert found(tmp_path / "tests" / "test_handler.py") == [("ASY100", 6), ("ASY602", 7)]
    assert found(tmp_path / "app.py") == [("ASY100", 6), ("ASY602", 7), ("ASY603", 8)]


def test_naming_a_test_directory_on_the_command_line_checks_it_as_tests(project):
    write_config(project, "[tool.asynclint]\n")
    (project / "tests").mkdir()
    (project / "tests" / "test_handler.py").write_text(LOADED_HANDLER, encoding="utf-8")
    result = check(project, "tests")
    assert codes_by_path(result.stdout) == {"tests/test_handler.py": ["ASY100", "ASY602"]}


def test_changing_the_non_serving_paths_invalidates_cached_results(tmp_path):
    assert config_in(tmp_path).fingerprint() != config_in(tmp_path, "non-serving-paths = []").fingerprint()


# --- respect-gitignore, extend-per-file-ignores, --config KEY=VALUE --------------------------


def test_respect_gitignore_defaults_to_true_and_can_be_turned_off(tmp_path):
    assert config_in(tmp_path).respect_gitignore is True
    assert config_in(tmp_path, "respect-gitignore = false").respect_gitignore is False


def test_extend_per_file_ignores_applies_with_per_file_ignores(tmp_path):
    config = config_in(
        tmp_path,
        '[tool.asynclint.per-file-ignores]\n"*.py" = ["ASY100"]\n[tool.asynclint.extend-per-file-ignores]\n"*.py" = ["ASY103"]',
    )
    assert not {"ASY100", "ASY103"} & config.codes_for(str(tmp_path / "app.py"))
    assert "ASY101" in config.codes_for(str(tmp_path / "app.py"))


def test_an_override_replaces_its_key_and_leaves_the_files_others(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_config(tmp_path, '[tool.asynclint]\nselect = ["ASY1"]\nignore = ["ASY103"]\n')
    config = load_config(None, tmp_path, ('select = ["ASY2"]', "respect-gitignore = false"))
    assert (config.select, config.ignore, config.respect_gitignore) == (("ASY2",), ("ASY103",), False)
    assert config.overrides == ('select = ["ASY2"]', "respect-gitignore = false")
    assert config.source == tmp_path / "pyproject.toml"


def test_isolated_reads_no_file_and_refuses_one_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_config(tmp_path, '[tool.asynclint]\nselect = ["ASY1"]\n')
    config = load_config(None, tmp_path, isolated=True)
    assert (config.source, config.select) == (None, None)
    with pytest.raises(ConfigError, match="--isolated ignores every config file"):
        load_config(tmp_path / "pyproject.toml", tmp_path, isolated=True)
