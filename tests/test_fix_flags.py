"""Every fix-related flag of `asynclint check`, end to end through the command (in this process,
cli_in_process.py: nothing here depends on a process of its own): what it writes, what it
prints and how it exits. The file has one safe fix (`time.sleep(1)` as a statement, in a
module that uses asyncio) and one unsafe fix (offloading `requests.get`)."""

from __future__ import annotations

import ast

import pytest

from cli_in_process import in_process

SOURCE = """\
import asyncio
import time

import requests


async def handler(url):
    time.sleep(1)
    return requests.get(url)
"""
SAFE_FIXED = "    await asyncio.sleep(1)\n"
UNSAFE_FIXED = "    return await asyncio.to_thread(requests.get, url)\n"


@pytest.fixture
def app(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(SOURCE, encoding="utf-8")
    return path


def check(app, *flags):
    return in_process("check", "--no-cache", *flags, "app.py", cwd=app.parent)


def test_fix_applies_the_safe_fix_only_and_reports_what_remains(app):
    result = check(app, "--fix")
    fixed = app.read_text(encoding="utf-8")
    assert SAFE_FIXED in fixed and "import time\n" not in fixed  # the import it left unused goes
    assert "    return requests.get(url)\n" in fixed
    assert "ASY101" in result.stdout and "ASY100" not in result.stdout
    assert "(1 fixed, 1 remaining" in result.stdout
    assert result.returncode == 1


def test_unsafe_fixes_with_fix_applies_the_unsafe_fix_too(app):
    result = check(app, "--fix", "--unsafe-fixes")
    fixed = app.read_text(encoding="utf-8")
    assert SAFE_FIXED in fixed and UNSAFE_FIXED in fixed
    ast.parse(fixed)
    assert result.returncode == 0, result.stdout


def test_unsafe_fixes_without_fix_writes_nothing_and_counts_the_unsafe_fix_as_available(app):
    plain = check(app)
    assert "[*] 1 fixable with the `--fix` option." in plain.stdout
    assert "1 more fixable with `--fix --unsafe-fixes`" in plain.stdout
    result = check(app, "--unsafe-fixes")
    assert app.read_text(encoding="utf-8") == SOURCE
    assert "ASY101 [*]" in result.stdout
    assert "2 fixable with `--fix --unsafe-fixes` (1 unsafe" in result.stdout
    assert result.returncode == 1


def test_diff_prints_the_fixes_it_would_make_and_writes_nothing(app):
    result = check(app, "--diff")
    assert app.read_text(encoding="utf-8") == SOURCE
    assert result.stdout.startswith("--- a/app.py\n+++ b/app.py\n")
    assert "-    time.sleep(1)\n+" + SAFE_FIXED in result.stdout
    assert "-import time\n" in result.stdout
    assert "to_thread" not in result.stdout  # unsafe: not without --unsafe-fixes
    assert "Would fix 1 problem." in result.stderr
    assert result.returncode == 1
    unsafe = check(app, "--diff", "--unsafe-fixes")
    assert "+" + UNSAFE_FIXED in unsafe.stdout
    assert app.read_text(encoding="utf-8") == SOURCE


def test_diff_with_nothing_to_fix_prints_no_diff_and_exits_zero(app):
    app.write_text("import requests\n\n\nasync def handler(url):\n    return requests.get(url)\n", encoding="utf-8")
    result = check(app, "--diff")
    assert result.stdout == ""
    assert result.returncode == 0


def test_fix_only_applies_fixes_and_reports_nothing_that_remains(app):
    result = check(app, "--fix-only")
    assert SAFE_FIXED in app.read_text(encoding="utf-8")
    assert "ASY101" not in result.stdout
    assert "Fixed 1 problem." in result.stdout
    assert result.returncode == 0


def test_exit_non_zero_on_fix_exits_one_when_a_fix_was_applied(app):
    first = check(app, "--fix-only", "--exit-non-zero-on-fix")
    assert SAFE_FIXED in app.read_text(encoding="utf-8")
    assert first.returncode == 1
    again = check(app, "--fix-only", "--exit-non-zero-on-fix")  # nothing left to fix
    assert "Fixed 0 problems." in again.stdout
    assert again.returncode == 0


def test_exit_non_zero_on_fix_with_fix_exits_one_though_nothing_remains(app):
    app.write_text("import asyncio\nimport time\n\n\nasync def handler():\n    time.sleep(1)\n", encoding="utf-8")
    result = check(app, "--fix", "--exit-non-zero-on-fix")
    assert SAFE_FIXED in app.read_text(encoding="utf-8")
    assert "(1 fixed, 0 remaining" in result.stdout
    assert result.returncode == 1
    app.write_text("import asyncio\nimport time\n\n\nasync def handler():\n    time.sleep(1)\n", encoding="utf-8")
    assert check(app, "--fix").returncode == 0


def test_show_fixes_lists_the_fixes_applied_per_file(app):
    result = check(app, "--fix", "--show-fixes")
    assert "Fixed:\n  app.py: 1 × ASY100 (blocking-sleep)\n" in result.stdout
    app.write_text(SOURCE, encoding="utf-8")
    quiet = check(app, "--fix")
    assert "(1 fixed" in quiet.stdout and "Fixed:" not in quiet.stdout


def test_add_noqa_silences_every_finding_and_the_next_check_passes(app):
    result = check(app, "--add-noqa")
    text = app.read_text(encoding="utf-8")
    assert "    time.sleep(1)  # noqa: ASY100\n" in text
    assert "    return requests.get(url)  # noqa: ASY101\n" in text
    assert "Added 2 noqa comments." in result.stdout
    assert result.returncode == 0
    assert check(app).returncode == 0
