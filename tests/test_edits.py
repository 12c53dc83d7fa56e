"""Building a fix's edits (asynclint.edits): the import lines a fix asks for, placed where
libcst's codemods place them, and nothing when the import is already there."""

from __future__ import annotations

import libcst as cst

from asynclint.edits import import_edits, text_edits
from asynclint.fixer import apply_edits


def _with_imports(source: str, *imports: str) -> str:
    return apply_edits(source, list(import_edits(cst.parse_module(source), imports)))


def test_a_new_import_goes_after_the_docstring_and_the_import_block():
    source = '"""Doc."""\nimport time\n\ntime.sleep(1)\n'
    assert _with_imports(source, "asyncio") == '"""Doc."""\nimport time\nimport asyncio\n\ntime.sleep(1)\n'


def test_an_import_already_there_adds_nothing_and_an_alias_is_written_as_asked():
    assert import_edits(cst.parse_module("import asyncio\nx = 1\n"), ("asyncio",)) == ()
    assert _with_imports("x = 1\n", "asyncio as asyncio_") == "import asyncio as asyncio_\nx = 1\n"


def test_text_edits_turn_one_text_into_the_other():
    before, after = "a\nb\nc\n", "a\nB\nc\nd\n"
    assert apply_edits(before, list(text_edits(before, after))) == after
