"""How the engine parses: libcst without its per-node validation (cstparse.py, a private hook
into libcst), and only for files where some enabled check may report (engine.py)."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import libcst
import pytest
from libcst._nodes.base import CSTNode, CSTValidationError

from asynclint import cstparse
from asynclint.checks.base import words_of
from asynclint.config import Config
from asynclint.engine import Linter
from asynclint.positions import line_count, split_lines

ROOT = Path(__file__).resolve().parent.parent
# Real code of every shape the checks see: the fixtures and asynclint's own modules.
SOURCES = sorted((ROOT / "tests" / "fixtures").rglob("*.py")) + sorted((ROOT / "src").rglob("*.py"))


def test_libcst_is_in_the_range_the_hook_was_read_from():
    # cstparse relies on CSTNode.__post_init__ doing nothing but validate (read from 1.9.0);
    # pyproject.toml pins libcst>=1.1,<2. A libcst outside it: re-read base.py, widen both.
    major, minor = (int(part) for part in version("libcst").split(".")[:2])
    assert (1, 1) <= (major, minor) < (2, 0)


def test_the_hook_applies_to_the_installed_libcst():
    # If this fails, libcst changed CSTNode.__post_init__: every file is parsed with
    # validation again (correct, a fifth slower). Re-read libcst/_nodes/base.py.
    assert cstparse.skips_validation()


def test_validation_is_skipped_while_parsing_and_only_then(monkeypatch):
    def refuse(self):
        raise CSTValidationError("validated")

    monkeypatch.setattr(libcst.Name, "_validate", refuse)
    with pytest.raises(CSTValidationError):
        libcst.parse_module("x = 1\n")  # libcst validates as it parses...
    module = cstparse.parse_module_unvalidated("x = 1\n")  # ...the hook does not
    assert module.code == "x = 1\n"
    with pytest.raises(CSTValidationError):
        libcst.Name("x")  # nodes built afterwards are validated again
    assert CSTNode.__dict__["__post_init__"] is not cstparse._skip


def test_the_hook_is_restored_when_the_parse_fails():
    with pytest.raises(libcst.ParserSyntaxError):
        cstparse.parse_module_unvalidated("def (:\n")
    with pytest.raises(CSTValidationError):
        libcst.Name("")


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(ROOT)))
def test_an_unvalidated_tree_is_the_validated_one(path):
    text = path.read_text("utf-8")
    unvalidated = cstparse.parse_module_unvalidated(text)
    assert unvalidated.code == text
    assert unvalidated.deep_equals(libcst.parse_module(text))


def _lint(tmp_path, text: str):
    path = tmp_path / "module.py"
    path.write_text(text)
    return Linter(Config(root=tmp_path)).lint_path(str(path), project=True)


BLOCKING = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"


def test_a_file_with_async_code_is_parsed_and_counted(tmp_path):
    result = _lint(tmp_path, BLOCKING)
    assert [d.code for d in result.diagnostics] == ["ASY100"]
    assert result.libcst_parsed
    assert result.lines == 5


@pytest.mark.parametrize(
    "text",
    [
        # The words the blocking-call checks need, but `async` only in a docstring and a comment.
        '"""Sync helpers for the async handlers."""\nimport time\n\n\ndef wait():\n    time.sleep(1)  # async callers: no\n',
        # `for` and `await` only in a string: ASY402 (a query awaited in a loop) needs both.
        'HELP = "wait for it, then await the reply"\nrows = conn.fetch("SELECT 1")\n',
    ],
)
def test_a_file_whose_keywords_are_only_in_text_is_not_parsed(tmp_path, text):
    linter = Linter(Config(root=tmp_path))
    assert any(linter._check(code).may_report(words_of(text)) for code in ("ASY100", "ASY402"))
    result = _lint(tmp_path, text)
    assert result.diagnostics == []
    assert not result.libcst_parsed
    assert result.summaries == {}  # ASY109 summarizes it on demand if a chain leads here


def test_async_code_deep_in_the_tree_is_found(tmp_path):
    # The keyword walk stops early only once it has found the keyword.
    text = "import time\n\nclass A:\n    def f(self):\n        if x:\n            async def g():\n                time.sleep(1)\n"
    result = _lint(tmp_path, text)
    assert [d.code for d in result.diagnostics] == ["ASY100"]
    assert result.libcst_parsed


def test_top_level_await_in_a_cell_is_async_code(tmp_path):
    # Python's parser accepts it (the compiler refuses it); notebooks have it. ASY402 needs
    # `await` and `for` as code.
    text = "for user in users:\n    await conn.fetch('SELECT 1 WHERE id = $1', user)\n"
    result = _lint(tmp_path, text)
    assert result.libcst_parsed


@pytest.mark.parametrize(
    "text", ["", "x", "x\n", "x\r\ny", "x\ry\r", "a\n\n\r\n\rb", "a\x0cb\u2028c\n", "\n\n"]
)
def test_the_line_count_is_that_of_the_lines_python_numbers(text):
    assert line_count(text) == len(split_lines(text))
