"""Files that cannot be checked, or are easy to check wrongly, through the command: each gets an
ASY001 with a clear message or correct results, never a traceback (in_process and
run_asynclint assert that), and never costs the findings of the other files.

Most run in this process (cli_in_process.py). A real process where it matters: nesting deep
enough to crash a parser (which would take the test run with it) or to exhaust the stack
(pytest's own frames would leave it less room), a file name the terminal cannot encode,
workers, and a FIFO that would block the run (a process can be timed out)."""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from asynclint.output import FORMATS
from asynclint.sourcefile import MAX_FILE_BYTES
from cli_in_process import in_process
from conftest import run_asynclint

GOOD = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"  # ASY100 at 5:5-5:18


def check_json(directory, *args, run=in_process):
    """(exit status, findings by path) of `asynclint check --output-format json ARGS`, run by
    `run` (in_process or run_asynclint)."""
    result = run("check", "--output-format", "json", *args, cwd=directory)
    by_path: dict[str, list[dict]] = {}
    for finding in json.loads(result.stdout):
        by_path.setdefault(finding["path"], []).append(finding)
    return result.returncode, by_path


def only_asy001(findings: list[dict]) -> dict:
    [finding] = findings
    assert finding["code"] == "ASY001"
    return finding


def assert_good_file_still_checked(by_path):
    assert [(f["code"], f["line"], f["column"]) for f in by_path["good.py"]] == [("ASY100", 5, 5)]


@pytest.fixture
def project(tmp_path):
    (tmp_path / "good.py").write_text(GOOD, encoding="utf-8")
    return tmp_path


# --- syntax errors ------------------------------------------------------------------------


def test_syntax_error_is_asy001_at_pythons_location_with_pythons_message(project):
    source = "import time\n\n\nasync def handler(:\n    time.sleep(1)\n"
    (project / "bad.py").write_bytes(source.encode())
    with pytest.raises(SyntaxError) as python:
        compile(source, "bad.py", "exec")
    status, by_path = check_json(project)
    finding = only_asy001(by_path["bad.py"])
    assert (finding["line"], finding["column"]) == (4, python.value.offset)
    assert python.value.lineno == 4  # libcst's own parser names line 5 for this one
    assert finding["message"] == f"syntax error: {python.value.msg}"
    assert finding["severity"] == "error"
    assert_good_file_still_checked(by_path)
    assert status == 1


def test_unclosed_bracket_points_at_the_bracket(project):
    (project / "bad.py").write_text("value = compute(\n    1,\n", encoding="utf-8")
    _, by_path = check_json(project)
    finding = only_asy001(by_path["bad.py"])
    assert (finding["line"], finding["column"]) == (1, 16)
    assert finding["message"] == "syntax error: '(' was never closed"


def test_syntax_error_in_a_file_no_rule_is_interested_in_is_still_reported(project):
    """No word in it would make any check parse it, and it is still not clean."""
    (project / "bad.py").write_text("x = = 1\n", encoding="utf-8")
    status, by_path = check_json(project)
    assert only_asy001(by_path["bad.py"])["line"] == 1
    assert status == 1


def test_file_level_noqa_does_not_hide_a_syntax_error(project):
    (project / "bad.py").write_text("# asynclint: noqa\nx = (\n", encoding="utf-8")
    _, by_path = check_json(project)
    assert only_asy001(by_path["bad.py"])["line"] == 2


def test_syntax_newer_than_the_running_python_is_still_checked(project):
    """libcst knows newer grammars than the interpreter may: a PEP 695 alias (3.12) is not a
    syntax error for a project that targets a newer Python."""
    (project / "modern.py").write_text("type Seconds = float\n" + GOOD, encoding="utf-8")
    _, by_path = check_json(project)
    assert [(f["code"], f["line"]) for f in by_path["modern.py"]] == [("ASY100", 6)]


# --- undecodable and binary files ---------------------------------------------------------


@pytest.mark.parametrize("line", [1, 4])
def test_invalid_utf8_without_a_cookie_names_the_line(project, line):
    lines = [b"import time\n", b"\n", b"\n", b"async def handler():\n", b"    time.sleep(1)\n"]
    lines[line - 1] = lines[line - 1].rstrip(b"\n") + b"  # caf\xe9\n"
    (project / "latin.py").write_bytes(b"".join(lines))
    status, by_path = check_json(project)
    finding = only_asy001(by_path["latin.py"])
    assert finding["line"] == line
    assert finding["message"].startswith(f"cannot decode line {line} as utf-8: ")
    assert "PEP 263" in finding["message"]
    assert_good_file_still_checked(by_path)
    assert status == 1


@pytest.mark.parametrize(
    ("cookie", "complaint"),
    [
        (b"# -*- coding: klingon -*-\n", "unknown encoding: klingon"),
        (b"# coding: rot13\n", "'rot13' is not a text encoding"),  # a codec, but not for text
    ],
)
def test_bad_encoding_cookie_is_asy001_naming_it(project, cookie, complaint):
    (project / "cookie.py").write_bytes(cookie + GOOD.encode())
    status, by_path = check_json(project)
    assert complaint in only_asy001(by_path["cookie.py"])["message"]
    assert_good_file_still_checked(by_path)
    assert status == 1


def test_content_that_contradicts_its_cookie_is_asy001(project):
    (project / "liar.py").write_bytes(b"# coding: ascii\nlabel = 'caf\xc3\xa9'\n")
    _, by_path = check_json(project)
    finding = only_asy001(by_path["liar.py"])
    assert finding["line"] == 2
    assert finding["message"].startswith("cannot decode line 2 as ascii: ")


def test_binary_file_is_asy001(project):
    (project / "blob.py").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00")
    status, by_path = check_json(project)
    assert only_asy001(by_path["blob.py"])["message"] == "binary file (contains NUL bytes), not Python source"
    assert_good_file_still_checked(by_path)
    assert status == 1


@pytest.mark.parametrize(
    ("mark", "codec", "name"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
        (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),  # begins with UTF-16-LE's mark
    ],
)
def test_utf16_or_utf32_file_is_reported_as_such_not_as_binary(project, mark, codec, name):
    """Python itself refuses such a file (its NUL bytes); saying what it is beats "binary"."""
    (project / "wide.py").write_bytes(mark + GOOD.encode(codec))
    status, by_path = check_json(project)
    assert only_asy001(by_path["wide.py"])["message"] == (
        f"file is {name} encoded (it starts with a {name} byte-order mark);"
        " asynclint reads UTF-8 and PEP 263 encodings, as Python does"
    )
    assert_good_file_still_checked(by_path)
    assert status == 1


def test_text_output_shows_no_empty_snippet_for_a_file_it_could_not_decode(project):
    (project / "blob.py").write_bytes(b"\x00\x01")
    result = in_process("check", "blob.py", cwd=project)
    assert result.stdout.splitlines()[:3] == [
        "ASY001 binary file (contains NUL bytes), not Python source",
        " --> blob.py:1:1",
        "",
    ]


# --- a file that breaks the parser or a check, in every mode ------------------------------
#
# In-process (click's runner, one job), with libcst or a check made to raise on one file: that
# file is its ASY001 and every other file is still fixed and reported, whatever the mode.

SAFE = "import asyncio\nimport time\n\n\nasync def handler():\n    time.sleep(1)\n"  # a safe fix
BREAKS = SAFE + "\n\nasync def other():\n    explode()\n"  # `explode` triggers the failure


def _raise_in_libcst(monkeypatch):
    import libcst
    from libcst._exceptions import CSTLogicError

    parse_module = libcst.parse_module

    def parse(source, *args, **kwargs):
        if "explode" in source:
            raise CSTLogicError("Logic error!")
        return parse_module(source, *args, **kwargs)

    monkeypatch.setattr(libcst, "parse_module", parse)
    return "libcst cannot parse this file: CSTLogicError: Logic error!"


def _raise_in_a_check(monkeypatch):
    import libcst

    from asynclint.registry import RULES

    check = RULES["ASY100"].check
    visit_call = check.visit_Call

    def visit(self, node, ctx):
        if isinstance(node.func, libcst.Name) and node.func.value == "explode":
            raise RuntimeError("boom")
        return visit_call(self, node, ctx)

    monkeypatch.setattr(check, "visit_Call", visit)
    return "internal error while checking this file: RuntimeError: boom (please report it)"


FAILURES = {"libcst": _raise_in_libcst, "check": _raise_in_a_check}


@pytest.fixture(params=sorted(FAILURES))
def breaking(request, tmp_path, monkeypatch):
    """good.py (with a safe fix) and bad.py, which breaks libcst or a check: the message
    bad.py's ASY001 must carry."""
    monkeypatch.delenv("ASYNCLINT_DEBUG", raising=False)  # it would re-raise the failure
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.py").write_text(SAFE, encoding="utf-8")
    (tmp_path / "bad.py").write_text(BREAKS, encoding="utf-8")
    return FAILURES[request.param](monkeypatch)


def _run(*args: str, stdin: bytes | None = None):
    from asynclint.cli import cli
    from cli_in_process import cli_runner

    result = cli_runner().invoke(cli, ["check", "--no-cache", "--jobs", "1", *args], input=stdin)
    assert isinstance(result.exception, SystemExit), result.exception  # no crash
    return result


def _json_findings(stdout: str) -> list[tuple[str, str, str]]:
    return sorted((f["path"], f["code"], f["message"]) for f in json.loads(stdout))


def _untouched(name: str, text: str) -> bool:
    return Path(name).read_text(encoding="utf-8") == text


def _fixed(path) -> bool:
    text = Path(path).read_text(encoding="utf-8")
    return "    await asyncio.sleep(1)\n" in text and "time.sleep" not in text


def test_check_reports_the_broken_file_and_the_others(breaking):
    result = _run("--output-format", "json", "bad.py", "good.py")
    found = _json_findings(result.stdout)
    assert ("bad.py", "ASY001", breaking) in found
    assert [f[:2] for f in found] == [("bad.py", "ASY001"), ("good.py", "ASY100")]
    assert result.exit_code == 1


def test_fix_fixes_the_others_and_reports_the_broken_file(breaking):
    result = _run("--fix", "--output-format", "json", "bad.py", "good.py")
    assert _json_findings(result.stdout) == [("bad.py", "ASY001", breaking)]
    assert _fixed("good.py") and _untouched("bad.py", BREAKS)
    assert result.exit_code == 1


def test_fix_only_and_diff_still_name_the_broken_file(breaking):
    diff = _run("--diff", "bad.py", "good.py")
    assert "+    await asyncio.sleep(1)" in diff.stdout and "bad.py" not in diff.stdout
    assert f"bad.py:1:1: ASY001 {breaking}" in diff.stderr
    assert diff.exit_code == 1 and _untouched("good.py", SAFE)
    fix_only = _run("--fix-only", "bad.py", "good.py")
    assert f"bad.py:1:1: ASY001 {breaking}" in fix_only.stderr
    assert fix_only.exit_code == 1 and _fixed("good.py") and _untouched("bad.py", BREAKS)


def test_add_noqa_silences_the_others_and_names_the_broken_file(breaking):
    result = _run("--add-noqa", "bad.py", "good.py")
    assert f"bad.py:1:1: ASY001 {breaking}" in result.stderr
    assert "Added 1 noqa comment." in result.stdout
    assert _untouched("good.py", SAFE.replace("time.sleep(1)", "time.sleep(1)  # noqa: ASY100"))
    assert _untouched("bad.py", BREAKS) and result.exit_code == 1


def test_baseline_run_reports_the_broken_file(breaking):
    with open("empty.json", "w", encoding="utf-8") as handle:
        json.dump({"asynclint-baseline": 1, "findings": []}, handle)
    result = _run("--baseline", "empty.json", "--output-format", "json", "bad.py", "good.py")
    assert ("bad.py", "ASY001", breaking) in _json_findings(result.stdout)
    assert result.exit_code == 1


def test_standard_input_reports_the_broken_buffer_and_fix_echoes_it_unchanged(breaking):
    checked = _run("--output-format", "json", "-", "--stdin-filename", "bad.py", stdin=BREAKS.encode())
    assert _json_findings(checked.stdout) == [("bad.py", "ASY001", breaking)]
    assert checked.exit_code == 1
    fixed = _run("--fix", "-", "--stdin-filename", "bad.py", stdin=BREAKS.encode())
    assert fixed.stdout_bytes == BREAKS.encode()
    assert f"bad.py:1:1: ASY001 {breaking}" in fixed.stderr
    assert fixed.exit_code == 1


def test_the_language_servers_lint_gives_the_broken_file_its_asy001(breaking):
    """The server lints through `Linter.lint_text`, which never raises."""
    from conftest import lint

    [diagnostic] = lint(BREAKS, "bad.py")
    assert (diagnostic.code, diagnostic.message) == ("ASY001", breaking)


# libcst 1.9 raises CSTLogicError (not a syntax error) on a t-string concatenated with a plain
# string, which Python 3.14 accepts.
T_STRING = 'x = "a" t"b"\n'


def test_a_file_libcst_cannot_handle_costs_nothing_in_a_real_fix_run(tmp_path):
    """How the t-string reaches libcst: before 3.14, Python's parser rejects it, and libcst,
    which may know a newer grammar than the running Python, is asked whether it is newer
    syntax (`engine.parse_problem`); from 3.14, Python accepts it and libcst's parse for the
    checks raises. Either way it is libcst's limit, in libcst's words."""
    import libcst

    with pytest.raises(Exception) as crash:  # whatever libcst raises
        libcst.parse_module(T_STRING)
    if isinstance(crash.value, libcst.ParserSyntaxError):
        pytest.skip("this libcst reports a syntax error for the t-string instead of crashing")
    (tmp_path / "tstring.py").write_text(T_STRING, encoding="utf-8")
    for number in range(3):
        (tmp_path / f"good{number}.py").write_text(SAFE, encoding="utf-8")
    status, by_path = check_json(tmp_path, "--fix", "--no-cache", run=run_asynclint)  # with workers on 2 cores
    message = only_asy001(by_path["tstring.py"])["message"]
    assert message.startswith("libcst cannot parse this file: CSTLogicError: ")
    if sys.version_info < (3, 14):
        assert message.endswith(f"(Python {sys.version_info.major}.{sys.version_info.minor} reports: invalid syntax)")
    for number in range(3):
        assert _fixed(tmp_path / f"good{number}.py")
    assert status == 1
    piped = in_process("check", "--fix", "-", "--stdin-filename", "tstring.py", cwd=tmp_path, stdin=T_STRING)
    assert piped.stdout == T_STRING
    assert "tstring.py:1:" in piped.stderr and "ASY001 libcst cannot parse this file" in piped.stderr
    assert piped.returncode == 1


# --- files that cannot be read ------------------------------------------------------------


def test_dangling_symlink_is_an_unreadable_file_reported_as_asy001(project):
    """We run as root, so a permission bit would not stop us; a link to nowhere does."""
    os.symlink(project / "deleted.py", project / "gone.py")
    status, by_path = check_json(project)
    assert only_asy001(by_path["gone.py"])["message"] == "cannot read file: No such file or directory"
    assert_good_file_still_checked(by_path)
    assert status == 1


def test_fifo_named_like_a_source_file_is_skipped_instead_of_blocking_the_run(project):
    os.mkfifo(project / "pipe.py")  # opening it would wait for a writer forever
    status, by_path = check_json(project, run=run_asynclint)
    assert set(by_path) == {"good.py"}
    assert status == 1


def test_file_over_the_size_limit_is_asy001(project):
    with open(project / "generated.py", "wb") as handle:
        handle.write(b"VALUE = 1\n" * (MAX_FILE_BYTES // 10 + 1))
    status, by_path = check_json(project)
    message = only_asy001(by_path["generated.py"])["message"]
    assert message.startswith(f"file is {MAX_FILE_BYTES + 10:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit")
    assert_good_file_still_checked(by_path)
    assert status == 1


# --- nesting deep enough to break a parser ------------------------------------------------


def _in_handler(expression: str) -> str:
    return f"import time\n\n\nasync def handler():\n    value = {expression}\n    time.sleep(1)\n"


def _nested_ifs(depth: int) -> str:
    lines = ["import time", "", "", "async def handler():"]
    lines += ["    " * (level + 1) + "if ready:" for level in range(depth)]
    lines.append("    " * (depth + 1) + "time.sleep(1)")
    return "\n".join(lines) + "\n"


DEEP_SOURCES = {
    # Python refuses more than 200 nested brackets; libcst's native parser crashes the whole
    # process (a segmentation fault) from about 1,500.
    "1000-brackets": (_in_handler("(" * 1000 + "1" + ")" * 1000), "too many nested parentheses"),
    "5000-brackets": (_in_handler("[" * 5000 + "]" * 5000), "too many nested parentheses"),
    "150-nested-ifs": (_nested_ifs(150), "too many levels of indentation"),
    # Flat for Python, one level per operand for libcst, which crashes at about 8,000.
    "10000-or-chain": (_in_handler(" or ".join(["ready"] * 10_000)), "nested too deeply"),
    "20000-part-import": ("import os" + ".path" * 20_000 + "\n" + GOOD, "nested too deeply"),
    # Python accepts it; libcst parses it, but its nodes are too deep for Python code to walk.
    "900-term-sum": (_in_handler(" + ".join(["1"] * 900)), "nested too deeply to analyse"),
    "deep-unary": (_in_handler("-" * 5000 + "1"), "nested too deeply"),
}


def test_deep_nesting_is_asy001_and_the_run_goes_on(project):
    """One run over all of them (a crash on any one ends it) and good.py."""
    for name, (source, _) in DEEP_SOURCES.items():
        (project / f"{name}.py").write_text(source, encoding="utf-8")
    status, by_path = check_json(project, run=run_asynclint)
    for name, (_, complaint) in DEEP_SOURCES.items():
        assert complaint in only_asy001(by_path[f"{name}.py"])["message"], name
    assert_good_file_still_checked(by_path)
    assert status == 1


def test_a_long_but_ordinary_chain_is_checked_normally(project):
    (project / "long.py").write_text(_in_handler(" or ".join(["ready"] * 200)), encoding="utf-8")
    _, by_path = check_json(project)
    assert [f["code"] for f in by_path["long.py"]] == ["ASY100"]


# --- files that are easy to get wrong -----------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"\n", b"# only a comment\n", b"   \n\n"])
def test_empty_or_blank_file_is_clean(tmp_path, content):
    (tmp_path / "empty.py").write_bytes(content)
    result = in_process("check", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "All checks passed (1 file checked).\n")


def test_utf8_bom_is_not_counted_in_columns(project):
    (project / "bom.py").write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    _, by_path = check_json(project)
    [finding] = by_path["bom.py"]
    assert (finding["line"], finding["column"], finding["end_column"]) == (5, 5, 18)
    text = in_process("check", "bom.py", cwd=project).stdout
    assert "\ufeff" not in text
    assert "5 |     time.sleep(1)\n  |     ^^^^^^^^^^^^^\n" in text


def test_crlf_line_endings_give_the_same_lines_and_columns(project):
    source = GOOD + "\n\nasync def other():\n    x = 1; time.sleep(2)\n"
    (project / "crlf.py").write_bytes(source.replace("\n", "\r\n").encode())
    (project / "lf.py").write_bytes(source.encode())
    _, by_path = check_json(project)
    positions = [(f["line"], f["column"], f["end_line"], f["end_column"]) for f in by_path["crlf.py"]]
    assert positions == [(f["line"], f["column"], f["end_line"], f["end_column"]) for f in by_path["lf.py"]]
    assert positions == [(5, 5, 5, 18), (9, 12, 9, 25)]
    text = in_process("check", "crlf.py", cwd=project).stdout
    assert "\r" not in text
    assert "9 |     x = 1; time.sleep(2)\n  |            ^^^^^^^^^^^^^\n" in text


def test_old_mac_cr_line_endings_are_lines_too(project):
    (project / "cr.py").write_bytes(GOOD.replace("\n", "\r").encode())
    _, by_path = check_json(project)
    assert [(f["code"], f["line"], f["column"]) for f in by_path["cr.py"]] == [("ASY100", 5, 5)]


def test_latin1_file_with_a_cookie_counts_columns_in_characters(project):
    source = '# -*- coding: latin-1 -*-\nimport time\n\n\nasync def handler():\n    label = "été"; time.sleep(1)\n'
    (project / "legacy.py").write_bytes(source.encode("latin-1"))
    _, by_path = check_json(project)
    [finding] = by_path["legacy.py"]
    assert (finding["code"], finding["line"], finding["column"]) == ("ASY100", 6, 20)
    text = in_process("check", "legacy.py", cwd=project).stdout
    assert '6 |     label = "été"; time.sleep(1)\n  |                    ^^^^^^^^^^^^^\n' in text


def test_marker_stays_under_the_span_after_tabs_and_wide_characters(project):
    (project / "tabs.py").write_text(
        'import time\n\n\nasync def handler():\n\tlabel = "日本"; time.sleep(1)\n', encoding="utf-8"
    )
    _, by_path = check_json(project)
    assert [(f["line"], f["column"]) for f in by_path["tabs.py"]] == [(5, 16)]  # code points
    text = in_process("check", "tabs.py", cwd=project).stdout
    # The tab is shown as four spaces and each ideograph takes two cells.
    assert '5 |     label = "日本"; time.sleep(1)\n  |                     ^^^^^^^^^^^^^\n' in text


@pytest.mark.parametrize("output_format", FORMATS)
def test_file_name_that_is_not_utf8_is_reported_in_every_format(tmp_path, output_format):
    (tmp_path / os.fsdecode(b"caf\xe9.py")).write_text(GOOD, encoding="utf-8")
    result = run_asynclint("check", "--output-format", output_format, cwd=tmp_path)
    assert result.returncode == 1
    assert "ASY100" in result.stdout or "blocking-sleep" in result.stdout


# --- all at once --------------------------------------------------------------------------


WORKER_DIES = """
import os
from pathlib import Path

import asynclint.engine as engine
from asynclint.config import Config


def dies_on_poison(linter, path):
    if path.endswith("poison.py"):
        os._exit(9)  # as a worker killed by the system, or crashed in native code, does
    return engine.lint_one(linter, path)


paths = sorted(str(p) for p in Path.cwd().glob("*.py"))
try:
    engine.map_paths(paths, Config(root=Path.cwd()), dies_on_poison, jobs=2)
except Exception as exc:
    print(type(exc).__name__)
"""


def test_a_worker_that_dies_ends_the_run_with_an_error_instead_of_hanging(tmp_path):
    for number in range(12):
        (tmp_path / f"module{number}.py").write_text(GOOD, encoding="utf-8")
    (tmp_path / "poison.py").write_text(GOOD, encoding="utf-8")
    # A hang shows as the timeout expiring.
    result = subprocess.run([sys.executable, "-c", WORKER_DIES], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.stdout == "BrokenProcessPool\n", result.stderr




def test_bad_files_among_good_ones_cost_nothing_in_a_parallel_run(tmp_path):
    bad = {
        "syntax.py": b"def broken(:\n",
        "undecodable.py": b"x = '\xff'\n",
        "binary.py": b"\x00\x01\x02",
        "deep.py": _in_handler("(" * 2000 + ")" * 2000).encode(),
        "chain.py": _in_handler(" or ".join(["ready"] * 10_000)).encode(),
    }
    for name, content in bad.items():
        (tmp_path / name).write_bytes(content)
    os.symlink(tmp_path / "nowhere.py", tmp_path / "dangling.py")
    good = [f"good{number}.py" for number in range(8)]
    for name in good:
        (tmp_path / name).write_text(GOOD, encoding="utf-8")
    status, by_path = check_json(tmp_path, "--jobs", "2", run=run_asynclint)
    for name in [*bad, "dangling.py"]:
        only_asy001(by_path[name])
    for name in good:
        assert [(f["code"], f["line"]) for f in by_path[name]] == [("ASY100", 5)]
    assert status == 1


def test_a_decode_error_is_placed_on_its_line_in_a_file_with_carriage_return_endings():
    from asynclint.sourcefile import UncheckableSource, decode

    with pytest.raises(UncheckableSource) as raised:
        decode(b'a = 1\rb = 2\rc = "\xff"\r')
    assert raised.value.line == 3 and "line 3" in str(raised.value)
