"""Fixes never change what a program does (issue 10): where an added import lands, which names
a fix may write, the imports a fix leaves unused, and candidates libcst cannot parse."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from asynclint.config import Config
from asynclint.diagnostic import Applicability, Diagnostic, Edit, Fix, Severity, Span
from asynclint.engine import Linter
from asynclint.fixer import fix_text, parses
from asynclint.positions import line_offsets, split_lines
from conftest import FIXTURES, lint


def _fixed(source: str, unsafe: bool = False) -> str:
    linter = Linter(Config(root=Path.cwd(), select=("ALL",)))
    outcome = fix_text(linter, source, "example.py", unsafe=unsafe)
    assert outcome.error is None, outcome.error
    return outcome.fixed


def _sleep_fix(source: str):
    (diagnostic,) = [d for d in lint(source) if d.code == "ASY100"]
    return diagnostic.fix


# --- one definition of a line -----------------------------------------------------------------

# Characters str.splitlines() ends a line at, and Python does not.
NOT_LINE_BREAKS = ["\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("char", NOT_LINE_BREAKS, ids=repr)
def test_lines_are_split_where_python_splits_them(char):
    text = f'"""a{char}b"""\r\nx = 1\ry = 2\nz = 3'
    assert split_lines(text) == [f'"""a{char}b"""', "x = 1", "y = 2", "z = 3"]
    assert split_lines(text, keepends=True) == [f'"""a{char}b"""\r\n', "x = 1\r", "y = 2\n", "z = 3"]
    assert "".join(split_lines(text, keepends=True)) == text
    assert len(split_lines(text)) == len(line_offsets(text)) == ast.parse(text).body[-1].lineno


@pytest.mark.parametrize("char", NOT_LINE_BREAKS, ids=repr)
def test_an_added_import_lands_after_the_head_whatever_the_docstring_holds(char):
    # The repro: with the form feed, the import landed inside the string X.
    source = (
        f'"""Doc{char}string"""\nfrom asyncio import Queue\nimport time\nX = """\nline\n"""\n'
        "async def f():\n    time.sleep(1)\n"
    )
    fixed = _fixed(source)
    assert fixed == (
        f'"""Doc{char}string"""\nfrom asyncio import Queue\nimport asyncio\nX = """\nline\n"""\n'
        "async def f():\n    await asyncio.sleep(1)\n"
    )


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=repr)
def test_an_import_is_added_with_the_files_own_newline(newline):
    source = newline.join(["from asyncio import Queue", "import time", "async def f():", "    time.sleep(1)", ""])
    fixed = _fixed(source)
    assert fixed == newline.join(
        ["from asyncio import Queue", "import asyncio", "async def f():", "    await asyncio.sleep(1)", ""]
    )


def test_an_import_is_added_above_a_file_that_starts_with_code():
    source = "DELAY = 1\nfrom asyncio import Queue\nimport time\nasync def f():\n    time.sleep(DELAY)\n"
    assert _fixed(source) == "import asyncio\nDELAY = 1\nfrom asyncio import Queue\nasync def f():\n    await asyncio.sleep(DELAY)\n"


def test_an_import_is_added_to_a_carriage_return_file_with_a_blank_line_and_no_final_newline():
    source = "import os, time\r\rasync def f():\r    time.sleep(os.cpu_count())"
    assert _fixed(source, unsafe=True) == "import os\rimport asyncio\r\rasync def f():\r    await asyncio.sleep(os.cpu_count())"


# --- a fix leaves no dead import behind -------------------------------------------------------

DEAD_IMPORTS = [
    (
        "import asyncio, time\nasync def f():\n    time.sleep(1)\n",
        "import asyncio\nasync def f():\n    await asyncio.sleep(1)\n",
    ),
    (
        "import asyncio\nimport time\nasync def f():\n    time.sleep(1)\n    time.sleep(2)\n",
        "import asyncio\nasync def f():\n    await asyncio.sleep(1)\n    await asyncio.sleep(2)\n",
    ),
    (
        "import asyncio\nfrom time import sleep\nasync def f():\n    sleep(1)\n",
        "import asyncio\nasync def f():\n    await asyncio.sleep(1)\n",
    ),
    (
        "import asyncio\nfrom time import monotonic, sleep\nasync def f():\n    sleep(1)\n    return monotonic()\n",
        "import asyncio\nfrom time import monotonic\nasync def f():\n    await asyncio.sleep(1)\n    return monotonic()\n",
    ),
    # Still used, exported or unused before the fix: kept.
    (
        "import asyncio, time\nasync def f():\n    time.sleep(1)\n    return time.time()\n",
        "import asyncio, time\nasync def f():\n    await asyncio.sleep(1)\n    return time.time()\n",
    ),
    (
        "import asyncio\nfrom time import sleep\n__all__ = ['sleep']\nasync def f():\n    sleep(1)\n",
        "import asyncio\nfrom time import sleep\n__all__ = ['sleep']\nasync def f():\n    await asyncio.sleep(1)\n",
    ),
    (
        "import asyncio, os, time\nasync def f():\n    time.sleep(1)\n",
        "import asyncio, os\nasync def f():\n    await asyncio.sleep(1)\n",
    ),
]


@pytest.mark.parametrize("source, expected", DEAD_IMPORTS)
def test_a_fix_removes_the_import_it_made_unused_and_nothing_else(source, expected):
    assert _fixed(source) == expected


# --- a candidate libcst cannot parse is refused -----------------------------------------------


@pytest.mark.parametrize("text", ['x = "a" t"b"\n', "def (:\n"], ids=["CSTLogicError", "ParserSyntaxError"])
def test_whatever_libcst_raises_the_text_does_not_parse(text):
    assert parses(text) is False


def test_an_error_of_libcst_itself_means_the_text_does_not_parse(monkeypatch):
    import libcst

    def too_deep(text, *args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(libcst, "parse_module", too_deep)
    assert parses("x = 1\n") is False


def test_a_fix_whose_result_libcst_cannot_handle_is_refused_not_a_crash():
    class TemplateStringLinter(Linter):
        def lint_text(self, text, path):
            if "t'b'" in text:
                return []
            fix = Fix("t", Applicability.SAFE, (Edit(Span(1, 4, 1, 7), "'a' t'b'"),))
            return [Diagnostic(path, "ASY100", "blocking-sleep", Severity.WARNING, "m", Span(1, 0, 1, 1), fix)]

    outcome = fix_text(TemplateStringLinter(Config(root=FIXTURES)), "x = 'a'\n", "x.py", unsafe=False)
    assert outcome.fixed == "x = 'a'\n"
    assert "invalid code" in outcome.error
