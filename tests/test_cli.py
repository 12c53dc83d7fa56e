"""`asynclint check`, `rules`, `rule` and `--version` as a user runs them, from the project's
directory: in this process through click's test runner (cli_in_process.py), and in a real
process where only one shows the behaviour (exit statuses, a closed pipe, the terminal's
encoding, worker pools, --watch's signals). Exit statuses follow ruff: 0 clean, 1 findings,
2 usage, config or internal error."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from cli_in_process import in_process
from conftest import REPO, run_asynclint

from asynclint import __version__
from asynclint.registry import RULES

SLEEPY = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"  # ASY100 at 5:5-5:18
CLEAN = "import asyncio\n\n\nasync def handler():\n    await asyncio.sleep(1)\n"
# ASY100 at 6:5 and ASY103 at 6:20
TWO_CODES = "import os\nimport time\n\n\nasync def handler(path):\n    time.sleep(1); os.listdir(path)\n"
SLEEP_MESSAGE_START = "`time.sleep()` "


def codes_reported(stdout: str) -> list[str]:
    return [finding["code"] for finding in json.loads(stdout)]


@pytest.fixture
def project(tmp_path):
    """app.py with one finding, other.py with two, clean.py with none."""
    (tmp_path / "app.py").write_text(SLEEPY, encoding="utf-8")
    (tmp_path / "other.py").write_text(TWO_CODES, encoding="utf-8")
    (tmp_path / "clean.py").write_text(CLEAN, encoding="utf-8")
    return tmp_path


# --- exit statuses ------------------------------------------------------------------------


def test_clean_file_exits_0_with_the_all_passed_summary(tmp_path):
    (tmp_path / "clean.py").write_text(CLEAN, encoding="utf-8")
    result = in_process("check", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == "All checks passed (1 file checked).\n"


def test_findings_exit_1(project):
    result = run_asynclint("check", "app.py", cwd=project)
    assert result.returncode == 1
    assert result.stdout.startswith("ASY100 ") and " --> app.py:5:5\n" in result.stdout


def test_exit_zero_still_reports_the_findings_but_exits_0(project):
    result = in_process("check", "--exit-zero", "app.py", cwd=project)
    assert result.returncode == 0
    assert result.stdout.startswith("ASY100 ") and " --> app.py:5:5\n" in result.stdout


def test_missing_path_exits_2_and_the_other_paths_are_still_checked(project):
    result = in_process("check", "app.py", "missing.py", "other.py", cwd=project)
    assert result.returncode == 2
    assert "missing.py: no such file or directory" in result.stderr
    assert " --> app.py:5:5\n" in result.stdout
    assert " --> other.py:6:20\n" in result.stdout


def test_a_fifo_named_on_the_command_line_is_an_error_not_a_clean_run(project):
    os.mkfifo(project / "pipe.py")
    result = in_process("check", "--output-format", "json", "pipe.py", "app.py", cwd=project)
    assert result.returncode == 2
    assert "asynclint: error: pipe.py: a FIFO, not a file or directory to check" in result.stderr
    assert codes_reported(result.stdout) == ["ASY100"]


def test_missing_path_exits_2_even_with_exit_zero(project):
    result = run_asynclint("check", "--exit-zero", "app.py", "missing.py", cwd=project)
    assert result.returncode == 2


def test_unknown_option_is_a_usage_error(project):
    result = in_process("check", "--no-such-option", cwd=project)
    assert result.returncode == 2
    assert "No such option" in result.stderr


def test_closing_the_output_pipe_early_is_not_an_error(tmp_path):
    """`asynclint check | head`: the reader goes away mid-report."""
    (tmp_path / "many.py").write_text(
        "import time\n\n\nasync def handler():\n" + "    time.sleep(1)\n" * 2000, encoding="utf-8"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "asynclint", "check", "--no-cache", "many.py"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()  # the report is far larger than a pipe's buffer
    stderr = process.stderr.read().decode("utf-8", errors="replace")
    assert process.wait(timeout=300) == 1
    assert stderr == ""


def test_output_the_terminal_cannot_encode_is_escaped_not_a_crash(tmp_path):
    (tmp_path / "app.py").write_text(
        'import time\n\n\nasync def handler():\n    label = "café ☕"; time.sleep(1)\n', encoding="utf-8"
    )
    result = run_asynclint("check", "app.py", cwd=tmp_path, env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 1
    assert " --> app.py:5:23\n" in result.stdout
    assert 'label = "caf\\xe9 \\u2615"; time.sleep(1)' in result.stdout


# --- text output --------------------------------------------------------------------------


def test_text_output_has_header_snippet_with_marker_under_the_span_and_summary(project):
    result = in_process("check", "--no-color", cwd=project)
    lines = result.stdout.splitlines()
    arrow = lines.index(" --> app.py:5:5")
    title = lines[arrow - 1] if lines[arrow - 1].startswith("ASY100 ") else lines[arrow - 2]  # it may wrap
    assert title.startswith(f"ASY100 {SLEEP_MESSAGE_START}")
    assert lines[arrow + 1 : arrow + 6] == [
        "  |",
        "4 | async def handler():",
        "5 |     time.sleep(1)",
        "  |     ^^^^^^^^^^^^^",
        "  |",
    ]
    second = lines.index(" --> other.py:6:20")
    assert lines[second + 3 : second + 5] == [
        "6 |     time.sleep(1); os.listdir(path)",
        "  |                    ^^^^^^^^^^^^^^^^",
    ]
    assert "Found 3 problems in 2 files (3 files checked)." in lines


def test_findings_are_listed_by_path_then_line_then_column(project):
    result = in_process("check", "--no-color", cwd=project)
    headers = [line.split("--> ", 1)[1] for line in result.stdout.splitlines() if line.lstrip().startswith("--> ")]
    assert headers == ["app.py:5:5", "other.py:6:5", "other.py:6:20"]


def test_statistics_count_the_findings_per_code(project):
    result = in_process("check", "--statistics", cwd=project)
    lines = result.stdout.splitlines()
    assert lines[:2] == ["2\tASY100\tblocking-sleep", "1\tASY103\tblocking-file-io"]
    assert "-->" not in result.stdout  # only the table


def test_statistics_in_a_format_without_a_statistics_form_is_a_usage_error(project):
    result = in_process("check", "--statistics", "--output-format", "sarif", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith("asynclint: error: --statistics works with --output-format text, ")
    assert result.stdout == ""


def test_quiet_prints_the_findings_without_a_summary(project):
    result = in_process("check", "--quiet", cwd=project)
    assert " --> app.py:5:5\n" in result.stdout
    assert "Found" not in result.stdout
    assert in_process("check", "--quiet", "clean.py", cwd=project).stdout == ""


def test_no_ansi_codes_with_no_color_or_when_not_on_a_terminal(project):
    for args in (["--no-color"], []):
        result = in_process("check", *args, cwd=project)
        assert "ASY100" in result.stdout
        assert "\x1b[" not in result.stdout


def test_color_forces_ansi_codes_and_highlighting(project):
    result = in_process("check", "--color", "always", "app.py", cwd=project)
    assert "\x1b[" in result.stdout
    snippet_line = next(line for line in result.stdout.splitlines() if "5 |" in line)
    assert "\x1b[" in snippet_line.split("5 |", 1)[1]  # the code itself is highlighted


# --- json output --------------------------------------------------------------------------


def test_json_carries_the_documented_fields_with_one_based_columns(project):
    result = in_process("check", "--output-format", "json", "app.py", cwd=project)
    assert result.returncode == 1
    [finding] = json.loads(result.stdout)
    assert {
        key: finding[key] for key in ("path", "line", "column", "end_line", "end_column", "code", "name", "severity")
    } == {
        "path": "app.py",
        "line": 5,
        "column": 5,  # `time` is the fifth character of `    time.sleep(1)`
        "end_line": 5,
        "end_column": 18,  # just past the closing parenthesis
        "code": "ASY100",
        "name": "blocking-sleep",
        "severity": "warning",
    }
    assert finding["message"].startswith(SLEEP_MESSAGE_START)
    fix = finding["fix"]
    assert fix["applicability"] in ("safe", "unsafe", "display-only")
    assert fix["message"]
    assert fix["edits"]
    for edit in fix["edits"]:
        assert set(edit) == {"line", "column", "end_line", "end_column", "content"}
    assert any((e["line"], e["column"], e["end_line"], e["end_column"]) == (5, 5, 5, 18) for e in fix["edits"])


def test_json_fix_is_null_when_there_is_none(tmp_path):
    (tmp_path / "broken.py").write_text("x = (\n", encoding="utf-8")
    result = in_process("check", "--output-format", "json", cwd=tmp_path)
    [finding] = json.loads(result.stdout)
    assert (finding["code"], finding["severity"], finding["fix"]) == ("ASY001", "error", None)


def test_json_of_a_clean_run_is_an_empty_array(project):
    result = in_process("check", "--output-format", "json", "clean.py", cwd=project)
    assert (result.returncode, json.loads(result.stdout)) == (0, [])


def test_parallel_run_reports_exactly_what_a_serial_run_reports_in_sorted_order(tmp_path):
    (tmp_path / "pkg").mkdir()
    for number in range(11):  # enough for a pool of 2 (from 4 files), and for mod10 to exist
        # Sorted as strings: mod10.py before mod2.py, pkg/m1.py before pkg_1.py ("/" < "_").
        for path in (tmp_path / f"mod{number}.py", tmp_path / "pkg" / f"m{number}.py", tmp_path / f"pkg_{number}.py"):
            path.write_text(TWO_CODES + "\n\nasync def later():\n    time.sleep(2)\n", encoding="utf-8")
    serial = in_process("check", "--no-cache", "--jobs", "1", "--output-format", "json", cwd=tmp_path)
    parallel = run_asynclint("check", "--no-cache", "--jobs", "2", "--output-format", "json", cwd=tmp_path)
    assert parallel.stdout == serial.stdout
    positions = [(f["path"], f["line"], f["column"]) for f in json.loads(serial.stdout)]
    assert len(positions) == 33 * 3
    assert positions == sorted(positions)


# --- rule selection -----------------------------------------------------------------------


def test_select_reports_only_the_selected_codes(project):
    result = in_process("check", "--select", "ASY103", "--output-format", "json", "other.py", cwd=project)
    assert codes_reported(result.stdout) == ["ASY103"]


def test_select_takes_comma_separated_codes(project):
    result = in_process("check", "--select", "ASY100,ASY103", "--output-format", "json", "other.py", cwd=project)
    assert codes_reported(result.stdout) == ["ASY100", "ASY103"]


def test_ignore_drops_a_code(project):
    result = in_process("check", "--ignore", "ASY100", "--output-format", "json", "other.py", cwd=project)
    assert codes_reported(result.stdout) == ["ASY103"]


@pytest.mark.parametrize(
    ("prefix", "expected"), [("ASY1", ["ASY100", "ASY103"]), ("ASY10", ["ASY100", "ASY103"]), ("ASY2", [])]
)
def test_a_prefix_selects_every_code_under_it(project, prefix, expected):
    result = in_process("check", "--select", prefix, "--output-format", "json", "other.py", cwd=project)
    assert codes_reported(result.stdout) == expected


def test_extend_select_adds_a_rule_that_is_off_by_default(tmp_path):
    (tmp_path / "app.py").write_text(
        "import time\n\n\nasync def handler():\n    time.sleep(1)  # noqa: ASY100, ASY103\n", encoding="utf-8"
    )
    assert in_process("check", "app.py", cwd=tmp_path).returncode == 0
    result = in_process("check", "--extend-select", "ASY002", "--output-format", "json", "app.py", cwd=tmp_path)
    [finding] = json.loads(result.stdout)
    assert finding["code"] == "ASY002"
    assert "ASY103" in finding["message"]


@pytest.mark.parametrize("option", ["--select", "--ignore", "--extend-select"])
def test_unknown_selector_exits_2_naming_it_and_the_closest_code(project, option):
    result = in_process("check", option, "ASY1O3", "app.py", cwd=project)  # a letter O
    assert result.returncode == 2
    assert "ASY1O3" in result.stderr
    assert "did you mean 'ASY103'?" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("options", [["--ignore", "ASY001"], ["--ignore", "ALL"], ["--select", "ASY103"]])
def test_asy001_is_reported_whatever_the_selection(tmp_path, options):
    (tmp_path / "broken.py").write_text("x = (\n", encoding="utf-8")
    result = in_process("check", *options, "--output-format", "json", cwd=tmp_path)
    assert result.returncode == 1
    assert codes_reported(result.stdout) == ["ASY001"]


# --- standard input -----------------------------------------------------------------------


def test_stdin_findings_carry_the_stdin_filename(tmp_path):
    result = in_process("check", "--stdin-filename", "src/app.py", "-", cwd=tmp_path, stdin=SLEEPY)
    assert result.returncode == 1
    assert result.stdout.startswith("ASY100 ") and " --> src/app.py:5:5\n" in result.stdout
    assert "5 |     time.sleep(1)" in result.stdout
    assert "(1 file checked)" in result.stdout


def test_stdin_syntax_error_is_asy001_under_the_stdin_filename(tmp_path):
    result = in_process(
        "check", "--stdin-filename", "src/app.py", "--output-format", "json", "-", cwd=tmp_path, stdin="x = (\n"
    )
    [finding] = json.loads(result.stdout)
    assert (finding["path"], finding["code"], finding["line"]) == ("src/app.py", "ASY001", 1)
    assert result.returncode == 1


@pytest.mark.parametrize("exists_on_disk", [True, False], ids=["saved", "new-unsaved-buffer"])
def test_stdin_with_force_exclude_and_an_excluded_filename_reports_nothing(tmp_path, exists_on_disk):
    (tmp_path / "pyproject.toml").write_text('[tool.asynclint]\nextend-exclude = ["generated/"]\n')
    if exists_on_disk:
        (tmp_path / "generated").mkdir()
        (tmp_path / "generated" / "app.py").write_text(SLEEPY, encoding="utf-8")
    result = in_process(
        "check", "--force-exclude", "--stdin-filename", "generated/app.py", "-", cwd=tmp_path, stdin=SLEEPY
    )
    assert result.returncode == 0
    assert "ASY100" not in result.stdout


def test_stdin_with_force_exclude_still_checks_a_filename_that_is_not_excluded(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.asynclint]\nextend-exclude = ["generated/"]\n')
    result = in_process(
        "check", "--force-exclude", "--stdin-filename", "src/app.py", "-", cwd=tmp_path, stdin=SLEEPY
    )
    assert result.returncode == 1
    assert result.stdout.startswith("ASY100 ") and " --> src/app.py:5:5\n" in result.stdout


def test_stdin_filename_without_dash_still_reads_standard_input(tmp_path):
    """As ruff does: an editor that names the buffer reads it from standard input, and the
    files on disk (here a different, clean app.py) are not what gets checked."""
    (tmp_path / "app.py").write_text(CLEAN, encoding="utf-8")
    result = in_process("check", "--stdin-filename", "app.py", cwd=tmp_path, stdin=SLEEPY)
    assert result.returncode == 1
    assert result.stdout.startswith("ASY100 ") and " --> app.py:5:5\n" in result.stdout


# --- fixing -------------------------------------------------------------------------------


def test_diff_numbers_lines_as_python_does(tmp_path):
    """A form feed inside a string is no line break for Python: the diff keeps that line whole
    (str.splitlines() would split it, and the hunk's line numbers would be off by one)."""
    source = '"""Doc\x0cstring"""\nimport asyncio\nimport time\n\n\nasync def f():\n    time.sleep(1)\n'
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    result = in_process("check", "--no-cache", "--diff", "app.py", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.split("\n")
    assert lines[2].startswith("@@ -1,7 ")
    assert lines[3] == ' """Doc\x0cstring"""'
    assert "-    time.sleep(1)" in lines and "+    await asyncio.sleep(1)" in lines


# --- rules, rule, --version ---------------------------------------------------------------


def test_rules_lists_every_code_with_its_name_default_and_fix_availability(tmp_path):
    result = in_process("rules", cwd=tmp_path)
    assert result.returncode == 0
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:]}
    assert set(rows) == set(RULES)
    for code, rule in RULES.items():
        assert rows[code][1:4] == [
            rule.name,
            "on" if rule.default_enabled else "off",
            rule.fix_availability.value,
        ]


@pytest.mark.parametrize("spelling", ["ASY100", "asy100"])
def test_rule_prints_the_rules_documentation_page(tmp_path, spelling):
    result = in_process("rule", spelling, cwd=tmp_path)
    assert result.returncode == 0
    page = (REPO / "docs" / "rules" / "ASY100.md").read_text(encoding="utf-8")
    assert result.stdout == page.rstrip("\n") + "\n"


def test_unknown_rule_exits_2_with_a_suggestion(tmp_path):
    result = in_process("rule", "ASY1000", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown rule 'ASY1000' (did you mean 'ASY100'?)" in result.stderr


def test_version(tmp_path):
    result = in_process("--version", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, f"asynclint, version {__version__}\n")


# --- ruff's options ------------------------------------------------------------------------


def invoke(directory, *args: str, env: dict[str, str] | None = None):
    """`asynclint check ARGS` in this process, from `directory`, on one worker."""
    return in_process("check", "--jobs", "1", *args, cwd=directory, env=env)


def json_codes(directory, *args: str, env=None) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for finding in json.loads(invoke(directory, "-n", "--output-format", "json", *args, env=env).stdout):
        found.setdefault(finding["path"], []).append(finding["code"])
    return found


def test_exclude_replaces_the_default_excludes_and_extend_exclude_adds_to_them(project):
    (project / "build").mkdir()
    (project / "build" / "gen.py").write_text(SLEEPY, encoding="utf-8")
    assert set(json_codes(project, "--extend-exclude", "other.py")) == {"app.py"}
    # `build` is excluded by default; --exclude replaces the defaults, so it is checked again.
    assert set(json_codes(project, "--exclude", "other.py,clean.py")) == {"app.py", "build/gen.py"}


def test_per_file_ignores_on_the_command_line_as_pattern_colon_codes(project):
    (project / "pyproject.toml").write_text('[tool.asynclint.per-file-ignores]\n"app.py" = ["ASY100"]\n')
    assert json_codes(project) == {"other.py": ["ASY100", "ASY103"]}
    # --per-file-ignores replaces the file's table; --extend-per-file-ignores adds to it.
    assert json_codes(project, "--per-file-ignores", "other.py:ASY103,ASY100") == {"app.py": ["ASY100"]}
    assert json_codes(project, "--extend-per-file-ignores", "other*:ASY1") == {}
    # The same pattern in the file's extend-per-file-ignores and on the command line: both lists.
    (project / "pyproject.toml").write_text('[tool.asynclint.extend-per-file-ignores]\n"other.py" = ["ASY100"]\n')
    assert json_codes(project, "--extend-per-file-ignores", "other.py:ASY103") == {"app.py": ["ASY100"]}


@pytest.mark.parametrize("value", ["other.py", "other.py:", "other.py:ASY999"])
def test_a_malformed_per_file_ignore_is_a_usage_error(project, value):
    result = invoke(project, "--per-file-ignores", value)
    assert result.returncode == 2
    assert result.stderr.startswith(f"asynclint: error: --per-file-ignores {value!r}: ")


def test_show_settings_prints_the_resolved_table_and_where_it_came_from(project):
    import tomllib

    (project / "pyproject.toml").write_text('[tool.asynclint]\nignore = ["ASY103"]\n')
    result = invoke(project, "--show-settings", "--config", 'extend-select = ["ASY002"]', "--no-respect-gitignore")
    assert result.returncode == 0
    assert f"# Settings path: {project / 'pyproject.toml'}" in result.stdout
    assert "# Overridden by: --config 'extend-select = [\"ASY002\"]'" in result.stdout
    settings = tomllib.loads(result.stdout)["tool"]["asynclint"]
    assert settings["ignore"] == ["ASY103"] and settings["extend-select"] == ["ASY002"]
    assert settings["respect-gitignore"] is False
    assert ".venv" in settings["exclude"]  # the defaults, written out
    assert "ASY100" not in result.stdout.split("# Enabled rules:")[0]  # no check ran
    assert "ASY002" in result.stdout.split("# Enabled rules:")[1]


def test_show_files_lists_what_would_be_checked_sorted_and_checks_nothing(project):
    (project / "pkg").mkdir()
    (project / "pkg" / "a.py").write_text(SLEEPY, encoding="utf-8")
    (project / ".venv").mkdir()
    (project / ".venv" / "lib.py").write_text(SLEEPY, encoding="utf-8")
    result = invoke(project, "--show-files", "--extend-exclude", "clean.py", "pkg", ".")
    assert (result.returncode, result.stdout) == (0, "app.py\nother.py\npkg/a.py\n")


def test_output_file_gets_the_report_and_is_created_with_its_directory(project):
    result = invoke(project, "-n", "-o", "reports/lint.txt", "app.py")
    assert (result.returncode, result.stdout) == (1, "")
    report = (project / "reports" / "lint.txt").read_text(encoding="utf-8")
    assert " --> app.py:5:5\n" in report and "\x1b[" not in report
    assert "\nFound 1 problem in 1 file (1 file checked).\n" in report


def test_an_output_file_that_cannot_be_written_is_an_error(project):
    result = invoke(project, "-o", "app.py/report.txt", "app.py")  # app.py is a file
    assert result.returncode == 2
    assert result.stderr.startswith("asynclint: error: app.py/report.txt: cannot write the report: ")


def test_short_options_n_and_e(project):
    result = invoke(project, "-n", "-e", "app.py")
    assert result.returncode == 0 and " --> app.py:5:5\n" in result.stdout
    assert not (project / ".asynclint_cache").exists()


def test_silent_prints_nothing_and_the_exit_status_tells(project):
    assert (invoke(project, "-s", "app.py").returncode, invoke(project, "-s", "app.py").stdout) == (1, "")
    assert (invoke(project, "--silent", "clean.py").returncode, invoke(project, "-s", "clean.py").stdout) == (0, "")


def test_verbose_reports_the_config_counts_and_phases_on_stderr(project):
    (project / "pyproject.toml").write_text("[tool.asynclint]\n")
    (project / "plain.py").write_text("VERSION = 1\n")
    result = invoke(project, "-v")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"asynclint: settings from {project / 'pyproject.toml'}"
    assert lines[1].startswith("asynclint: discovered 4 files in ")
    assert any(line.startswith("asynclint: per-file phase: 4 files checked, 0 files from the cache, in ") for line in lines)
    assert "asynclint: libcst parsed 3 files (16 lines); skipped 1 file (1 line)" in lines  # plain.py needs no tree
    assert "ASY100" not in result.stderr and " --> app.py:5:5\n" in result.stdout
    warm = invoke(project, "-v", "--cache-dir", str(project / "cache"))
    warm = invoke(project, "-v", "--cache-dir", str(project / "cache"))
    assert "per-file phase: 0 files checked, 4 files from the cache" in warm.stderr
    assert "libcst" not in warm.stderr
    from_stdin = in_process("check", "-v", "--stdin-filename", "app.py", cwd=project, stdin=SLEEPY)
    assert from_stdin.stderr.startswith(f"asynclint: settings from {project / 'pyproject.toml'}\n")


def test_config_key_value_overrides_one_setting_of_the_file(project):
    (project / "pyproject.toml").write_text('[tool.asynclint]\nignore = ["ASY100"]\n')
    assert json_codes(project) == {"other.py": ["ASY103"]}
    assert json_codes(project, "--config", "ignore = []", "--config", 'select = ["ASY100"]') == {
        "app.py": ["ASY100"],
        "other.py": ["ASY100"],
    }


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        ("selct = []", "--config 'selct = []': unknown key 'selct' (did you mean 'select'?)"),
        ("select = ASY1", "--config 'select = ASY1': neither an existing config file nor a TOML `KEY = VALUE` setting"),
        ("select = [1]", "--config 'select = [1]': select must be a list of codes or code prefixes, not [1]"),
        ('select = ["ASY9"]', "--config 'select = [\"ASY9\"]': select: unknown rule selector 'ASY9'"),
    ],
)
def test_a_bad_config_override_is_an_error_naming_it(project, value, complaint):
    result = invoke(project, "--config", value)
    assert result.returncode == 2
    assert result.stderr.startswith(f"asynclint: error: {complaint}")


def test_isolated_ignores_the_config_file_but_not_the_overrides(project):
    (project / "pyproject.toml").write_text('[tool.asynclint]\nselect = ["ASY103"]\n')
    assert json_codes(project, "--isolated") == {"app.py": ["ASY100"], "other.py": ["ASY100", "ASY103"]}
    assert json_codes(project, "--isolated", "--config", "ignore = ['ASY103']") == {"app.py": ["ASY100"], "other.py": ["ASY100"]}
    result = invoke(project, "--isolated", "--config", "pyproject.toml")
    assert result.returncode == 2 and "--isolated ignores every config file" in result.stderr


def test_respect_gitignore_can_be_turned_off_by_flag_or_config(project):
    (project / ".git").mkdir()
    (project / ".gitignore").write_text("other.py\n")
    assert set(json_codes(project)) == {"app.py"}
    assert set(json_codes(project, "--no-respect-gitignore")) == {"app.py", "other.py"}
    (project / "pyproject.toml").write_text("[tool.asynclint]\nrespect-gitignore = false\n")
    assert set(json_codes(project)) == {"app.py", "other.py"}
    assert set(json_codes(project, "--respect-gitignore")) == {"app.py"}


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        ((), {}, False),  # not a terminal
        ((), {"FORCE_COLOR": "1"}, True),
        ((), {"CLICOLOR_FORCE": "1"}, True),
        ((), {"FORCE_COLOR": ""}, False),  # set but empty: no opinion
        ((), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, True),
        (("--color", "never"), {"FORCE_COLOR": "1"}, False),  # the explicit choice wins
        (("--no-color",), {"CLICOLOR_FORCE": "1"}, False),
        (("--color", "always"), {"NO_COLOR": "1"}, True),
        (("--color",), {"NO_COLOR": "1"}, True),  # a bare --color means always
        (("--color", "auto"), {"NO_COLOR": "1", "FORCE_COLOR": "1"}, True),
    ],
)
def test_colour_follows_the_flag_then_force_color_then_no_color(project, args, env, coloured):
    result = invoke(project, "app.py", "-n", *args, env=env)  # a bare --color would take a path after it
    assert result.returncode == 1
    assert ("\x1b[" in result.stdout) is coloured


def test_no_color_with_a_color_choice_is_a_usage_error(project):
    result = invoke(project, "--no-color", "--color", "always")
    assert result.returncode == 2 and "--no-color cannot be combined with --color always" in result.stderr


def test_ignore_noqa_reports_what_noqa_comments_silence(tmp_path):
    (tmp_path / "app.py").write_text(SLEEPY.replace("time.sleep(1)", "time.sleep(1)  # noqa: ASY100"), encoding="utf-8")
    (tmp_path / "exempt.py").write_text("# asynclint: noqa\n" + SLEEPY, encoding="utf-8")
    assert json_codes(tmp_path, "--extend-select", "ASY002") == {}
    assert json_codes(tmp_path, "--extend-select", "ASY002", "--ignore-noqa") == {"app.py": ["ASY100"], "exempt.py": ["ASY100"]}


@pytest.fixture
def on_a_terminal(monkeypatch):
    """Standard error taken for a terminal, and a bar from 3 files on (not 20: fewer files to lint)."""
    from asynclint import progress

    monkeypatch.setattr(progress, "_stderr_is_terminal", lambda: True)
    monkeypatch.setattr(progress, "MIN_FILES", 3)


def test_progress_on_a_terminal_shows_files_done_of_total(project, on_a_terminal):
    result = invoke(project, "-n")
    assert "Checking:" in result.stderr and "/3 [" in result.stderr
    assert " files/s]" in result.stderr  # the rate
    assert "\nFound 3 problems in 2 files (3 files checked).\n" in result.stdout
    for quiet in ("-q", "-s"):
        assert invoke(project, "-n", quiet).stderr == ""
    fixing = invoke(project, "-n", "--diff", "--unsafe-fixes")
    assert "Checking:" in fixing.stderr and "/3 [" in fixing.stderr


def test_no_progress_when_standard_error_is_not_a_terminal_or_the_run_is_small(project, on_a_terminal, monkeypatch):
    from asynclint import progress

    assert invoke(project, "-n", "app.py", "other.py").stderr == ""  # fewer than MIN_FILES
    monkeypatch.setattr(progress, "_stderr_is_terminal", lambda: False)
    assert invoke(project, "-n").stderr == ""


def test_watch_checks_again_on_change_reports_a_broken_config_and_ctrl_c_exits_130(tmp_path):
    import select
    import signal
    import time

    (tmp_path / "app.py").write_text(CLEAN, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "asynclint", "check", "--watch", "--output-format", "concise", "."],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if not k.startswith("ASYNCLINT_")},
    )
    stderr = b""

    def wait_for_watching(times: int) -> None:
        nonlocal stderr
        deadline = time.monotonic() + 60
        while stderr.count(b"watching for file changes") < times and time.monotonic() < deadline:
            if select.select([process.stderr], [], [], deadline - time.monotonic())[0]:
                stderr += os.read(process.stderr.fileno(), 4096)

    try:
        wait_for_watching(1)
        (tmp_path / "app.py").write_text(SLEEPY, encoding="utf-8")
        (tmp_path / "notes.txt").write_text("not a source file: no new run")
        wait_for_watching(2)
        (tmp_path / "pyproject.toml").write_text("[tool.asynclint]\nselct = []\n")  # read afresh
        wait_for_watching(3)
        process.send_signal(signal.SIGINT)
        stdout, rest = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130
    assert b"Traceback" not in stderr + rest
    runs = stdout.decode().split("All checks passed (1 file checked).\n")
    assert len(runs) == 2 and runs[1].startswith("app.py:5:5: ASY100 ")  # no screen clearing: not a terminal
    assert stdout.decode().count("1 file checked") == 2
    assert b"asynclint: error: " in stderr and b"unknown key 'selct'" in stderr  # and the watch went on
