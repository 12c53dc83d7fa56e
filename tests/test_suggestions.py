"""Display-only suggestions: every rule offers one, with a title, and where it carries an edit
that edit gives code that parses. The suggestions write real arguments into real calls."""

from __future__ import annotations

import re

import libcst as cst
import pytest

from asynclint.checks.base import FixAvailability
from asynclint.checks.fixes import shown_call, with_arguments
from asynclint.diagnostic import Applicability
from asynclint.fixer import apply_edits, parses
from asynclint.registry import RULES, UNCHECKABLE_CODE
from conftest import FIXTURES, lint

FIXTURE_FILES = sorted(FIXTURES.glob("ASY*.py"))


@pytest.mark.parametrize("code", sorted(code for code in RULES if code != UNCHECKABLE_CODE))
def test_every_rule_offers_at_least_a_suggestion(code):
    assert RULES[code].fix_availability is not FixAvailability.NONE


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.stem)
def test_every_finding_carries_a_titled_suggestion(fixture):
    for diagnostic in lint(fixture.read_text(encoding="utf-8"), str(fixture)):
        assert diagnostic.fix is not None and diagnostic.fix.title.strip(), (
            f"{diagnostic.code} at {fixture.name}:{diagnostic.span.line} has no suggestion"
        )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("asyncio.Queue()", "asyncio.Queue(maxsize=1000)"),
        ("Queue[int]()", "Queue[int](maxsize=1000)"),
        ("f(a, b=1)", "f(a, b=1, maxsize=1000)"),
        # A trailing comma over several lines: the new argument goes on its own line.
        ("f(\n    a,\n    b=2,\n)", "f(\n    a,\n    b=2,\n    maxsize=1000,\n)"),
    ],
)
def test_with_arguments_adds_the_keyword_after_the_arguments(source, expected):
    call = cst.parse_expression(source)
    assert with_arguments(call, (("maxsize", "1000", None),)) == expected


def test_with_arguments_replaces_a_value_where_it_stands():
    call = cst.parse_expression("ClientTimeout(None, sock_read=None)")
    first = call.args[0].value
    assert with_arguments(call, (("total", "30", first),)) == "ClientTimeout(30, sock_read=None)"


def test_shown_call_elides_long_arguments():
    call = cst.parse_expression(
        'create_async_engine("postgresql+asyncpg://user:secret@database.internal:5432/app", echo=True)'
    )
    changes = (("pool_size", "5", None), ("max_overflow", "10", None))
    assert shown_call(call, changes) == "create_async_engine(..., pool_size=5, max_overflow=10)"


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.stem)
def test_display_only_edits_give_code_that_parses(fixture):
    text = fixture.read_text(encoding="utf-8")
    for diagnostic in lint(text, str(fixture)):
        fix = diagnostic.fix
        if fix is None or fix.applicability is not Applicability.DISPLAY_ONLY or not fix.edits:
            continue
        assert fix.title
        assert parses(apply_edits(text, list(fix.edits))), f"{diagnostic.code} at line {diagnostic.span.line}"


# --- ASY301: the bytearray rewrite is offered only where every read stays the same ------------


def _asy301_fix(body: str, prelude: str = ""):
    source = f"{prelude}async def f(reader, sink):\n" + "".join(f"    {line}\n" for line in body.splitlines())
    (found,) = [d for d in lint(source) if d.code == "ASY301"]
    return found.fix


REWRITTEN = 'buf = b""\nasync for c in reader:\n    buf += c\n'


@pytest.mark.parametrize(
    "after",
    [
        "return buf",
        "sink(buf)\nreturn len(buf), buf.find(b'x'), b'x' in buf, buf == b'', not buf",
        "if buf:\n    return {buf: 1}",
    ],
)
def test_asy301_rewrites_a_local_accumulator(after):
    fix = _asy301_fix(REWRITTEN + after)
    assert fix.applicability is Applicability.UNSAFE
    assert any(edit.content == "bytearray()" for edit in fix.edits)


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("buf: bytes = b''\nasync for c in reader:\n    buf += c", "annotated"),
        (REWRITTEN + "del buf", "deleted"),
        (REWRITTEN + "return lambda: buf", "read by a closure"),
        (REWRITTEN + "return [buf for _ in range(2)]", "read by a comprehension"),
        (REWRITTEN + "return f'{buf=}'", "the expression's text is printed"),
        ('buf = b""\nasync for c in reader:\n    buf += c\n    sink(buf)', "a copy per iteration"),
        (REWRITTEN + "buf = buf[1:]", "rebound"),
        (REWRITTEN + "for _ in range(sink):\n    sink(buf)", "a copy per item of a later loop"),
    ],
)
def test_asy301_is_display_only_where_a_read_could_change(body, why):
    assert _asy301_fix(body).applicability is Applicability.DISPLAY_ONLY, why


def test_asy301_is_display_only_when_bytes_is_shadowed():
    fix = _asy301_fix(REWRITTEN + "return buf", prelude="bytes = bytearray\n\n\n")
    assert fix.applicability is Applicability.DISPLAY_ONLY


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ('f(\n    a,\n    b,\n)', "f(a, b,)"),  # brackets join lines as if written on one
        ('g("a  b",\n  c)', 'g("a  b", c)'),  # spaces inside a string stay
        ('run("""\nls  -l\n""")', "run(..."),  # a string over several lines cannot be one line
        ('run("x" \\\n)', 'run("x" ...'),  # nor a backslash continuation
        ("f(\n    a,  # why\n    b,\n)", "f(a, ..."),  # nor a comment
    ],
)
def test_code_in_a_help_line_never_means_something_else(code, shown):
    from asynclint.checks._held import shorten

    assert shorten(code, 80) == shown


def test_a_command_in_a_multi_line_string_is_not_collapsed_into_another_command():
    source = 'import subprocess\n\n\nasync def listing():\n    subprocess.run("""\nls   -l\n""", shell=True)\n'
    (finding,) = [d for d in lint(source, "listing.py") if d.code == "ASY102"]
    assert finding.fix.title == "Use `proc = await asyncio.create_subprocess_shell(...)` then `await proc.wait()`"


_STOP_WORDS = frozenset(
    "a an and are as at be by do does for from in is it its no not of on or so that the then"
    " this to when while with".split()
)


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9_]+", text.lower()) if w not in _STOP_WORDS}


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.stem)
def test_the_message_states_the_problem_and_the_help_the_remedy(fixture):
    """Issue 14: the message says what is wrong, `help:` (the fix title) what to do, and no
    sentence is said twice; a message fits a few terminal lines."""
    for diagnostic in lint(fixture.read_text(encoding="utf-8"), str(fixture)):
        where = f"{diagnostic.code} at {fixture.name}:{diagnostic.span.line}"
        assert len(diagnostic.message) <= 300, f"{where}: a message of {len(diagnostic.message)} characters"
        remedy = _content_words(diagnostic.fix.title)
        for clause in re.split(r"; |: ", diagnostic.message):
            words = _content_words(clause)
            assert len(words) < 3 or len(words & remedy) < 0.8 * len(words), f"{where}: the help repeats {clause!r}"
