"""The fix machinery itself: edit application, overlap resolution, safety, writing."""

from __future__ import annotations

import functools
import os
import stat

from hypothesis import given, settings
from hypothesis import strategies as st

from asynclint.diagnostic import Applicability, Diagnostic, Edit, Fix, Severity, Span
from asynclint.fixer import add_noqa_text, apply_edits, choose_fixes, fix_text, write_atomically
from asynclint.positions import line_offsets
from conftest import FIXTURES, lint


def _diagnostic(edits, applicability=Applicability.SAFE, line=1):
    return Diagnostic(
        "x.py", "ASY100", "blocking-sleep", Severity.WARNING, "m", Span(line, 0, line, 1),
        Fix("t", applicability, tuple(edits)),
    )  # fmt: skip


def test_overlapping_fixes_wait_for_the_next_round():
    first = _diagnostic([Edit(Span(1, 0, 1, 5), "a")])
    overlapping = _diagnostic([Edit(Span(1, 3, 1, 8), "b")])
    assert choose_fixes([first, overlapping], unsafe=False) == [first]


def test_identical_import_edits_are_shared_between_fixes():
    shared = Edit(Span(1, 0, 1, 0), "import asyncio\n")
    one = _diagnostic([Edit(Span(3, 4, 3, 9), "x"), shared])
    two = _diagnostic([Edit(Span(4, 4, 4, 9), "y"), shared])
    assert choose_fixes([one, two], unsafe=False) == [one, two]


def test_unsafe_and_display_only_fixes_need_permission_or_are_never_applied():
    unsafe = _diagnostic([Edit(Span(1, 0, 1, 1), "x")], Applicability.UNSAFE)
    display = _diagnostic([Edit(Span(2, 0, 2, 1), "y")], Applicability.DISPLAY_ONLY, line=2)
    assert choose_fixes([unsafe, display], unsafe=False) == []
    assert choose_fixes([unsafe, display], unsafe=True) == [unsafe]


def test_comment_inside_the_replaced_call_makes_the_sleep_fix_unsafe():
    source = "import asyncio, time\nasync def f():\n    time.sleep(\n        1  # back off\n    )\n"
    (diagnostic,) = lint(source)
    assert diagnostic.fix.applicability is Applicability.UNSAFE


def test_sleep_fix_reuses_an_existing_alias_and_adds_no_import():
    source = "import asyncio as aio\nimport time\nasync def f():\n    time.sleep(1)\n"
    (diagnostic,) = lint(source)
    assert diagnostic.fix.applicability is Applicability.SAFE
    assert [e.content for e in diagnostic.fix.edits] == ["await aio.sleep(1)"]


def test_where_the_framework_name_is_shadowed_the_fix_imports_it_under_a_free_name():
    source = "import time\nasync def f(asyncio):\n    time.sleep(1)\n"
    (diagnostic,) = lint(source)
    # Never an edit that would use the shadowed name; more cases in test_fix_safety.py.
    assert diagnostic.fix.applicability is Applicability.UNSAFE
    assert [e.content for e in diagnostic.fix.edits] == ["await asyncio_.sleep(1)", "import asyncio as asyncio_\n"]


def test_fix_that_would_break_the_code_is_not_applied():
    from asynclint.config import Config
    from asynclint.engine import Linter

    class BreakingLinter(Linter):
        def lint_text(self, text, path):
            return [_diagnostic([Edit(Span(1, 0, 1, 0), "def (:\n")])] if "def (" not in text else []

    linter = BreakingLinter(Config(root=FIXTURES))
    outcome = fix_text(linter, "x = 1\n", "x.py", unsafe=False)
    assert outcome.fixed == "x = 1\n"
    assert "invalid code" in outcome.error


def test_add_noqa_merges_with_an_existing_comment():
    source = "import time\nasync def f():\n    time.sleep(1)  # noqa: ASY103\n    time.sleep(2)\n"
    text, changed = add_noqa_text(source, lint(source.replace("  # noqa: ASY103", "")))
    assert changed == 2
    assert "time.sleep(1)  # noqa: ASY100, ASY103\n" in text
    assert "time.sleep(2)  # noqa: ASY100\n" in text
    # Both sleeps are silenced; only the stale ASY103 kept from before is left to report.
    assert [(d.code, d.span.line) for d in lint(text)] == [("ASY002", 3)]


def test_add_noqa_never_writes_into_a_string_or_after_a_continuation():
    # A `#` at the end of `requests.get("""` would become part of the string (fuzz finding F5);
    # the comment goes on the call's last line, which the engine also reads.
    source = (
        "import requests\r"
        "async def f():\r"
        '    requests.get("""\r'
        "text\r"
        '""")\r'
        '    requests.get("x" \\\r'
        "    )\r"
    )
    diagnostics = lint(source)
    assert [d.span.line for d in diagnostics] == [3, 6]
    text, changed = add_noqa_text(source, diagnostics)
    assert changed == 2
    assert '""")  # noqa: ASY101\r' in text and "    )  # noqa: ASY101\r" in text
    assert lint(text) == []


def test_atomic_write_keeps_permission_bits(tmp_path):
    target = tmp_path / "script.py"
    target.write_text("old\n")
    os.chmod(target, 0o751)
    write_atomically(str(target), b"new\n")
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o751
    assert [p.name for p in tmp_path.iterdir()] == ["script.py"]


# --- property: edits never disturb text outside their ranges -------------------------------

_lines = st.lists(st.text(alphabet="ab \t#é😀", max_size=12), min_size=1, max_size=8)


@st.composite
def text_and_edits(draw):
    text = "\n".join(draw(_lines)) + "\n"
    offsets = line_offsets(text)
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=6)))
    pairs = list(zip(cuts[::2], cuts[1::2]))
    edits = []
    for start, end in pairs:
        def position(offset):
            line = max(i for i, o in enumerate(offsets) if o <= offset)
            return line + 1, offset - offsets[line]

        (l1, c1), (l2, c2) = position(start), position(end)
        edits.append((start, end, Edit(Span(l1, c1, l2, c2), draw(st.text(alphabet="xyz\n", max_size=5)))))
    return text, edits


@settings(max_examples=200, deadline=None)
@given(text_and_edits())
def test_applying_edits_preserves_everything_outside_the_edited_ranges(case):
    text, edits = case
    result = apply_edits(text, [edit for _, _, edit in edits])
    expected, cursor = [], 0
    for start, end, edit in edits:
        expected += [text[cursor:start], edit.content]
        cursor = end
    expected.append(text[cursor:])
    assert result == "".join(expected)


_FIXTURE_TEXTS = {p.name: p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("ASY*.py"))}


@functools.cache  # examples draw the same fixture many times
def _fixable(name: str) -> tuple:
    return tuple(d for d in lint(_FIXTURE_TEXTS[name], name) if d.fix is not None and d.fix.edits)


@st.composite
def fixture_and_fixes(draw):
    name = draw(st.sampled_from(sorted(_FIXTURE_TEXTS)))
    text = _FIXTURE_TEXTS[name]
    fixable = _fixable(name)
    subset = draw(st.lists(st.sampled_from(fixable), unique=True) if fixable else st.just([]))
    return text, choose_fixes(subset, unsafe=True)


@settings(max_examples=60, deadline=None)
@given(fixture_and_fixes())
def test_fixing_a_fixture_preserves_everything_outside_the_edited_ranges(case):
    text, chosen = case
    edits = list(dict.fromkeys(e for d in chosen for e in d.fix.edits))
    result = apply_edits(text, edits)
    offsets = line_offsets(text)
    ranges = sorted((offsets[e.span.line - 1] + e.span.column, offsets[e.span.end_line - 1] + e.span.end_column, e.content) for e in edits)
    cursor, position = 0, 0
    for start, end, content in ranges:
        untouched = text[cursor:start]
        assert result[position : position + len(untouched)] == untouched
        position += len(untouched) + len(content)
        cursor = end
    assert result[position:] == text[cursor:]


def test_removing_a_stale_noqa_takes_its_reason_with_it_and_keeps_a_following_comment():
    # Found by bench/fuzz.py: `- reason` left behind became `exists(path) - reason`, still valid
    # Python, so the fixer wrote code that changed what the program does.
    source = (
        "import os\n\n\n"
        "def exists(path):\n"
        "    return os.path.exists(path)  # noqa: ASY103 - a tmpfs stat\n\n\n"
        "def size(path):\n"
        "    return os.path.getsize(path)  # noqa: ASY103  # pragma: no cover\n"
    )
    outcome = fix_text(_linter_with_asy002(), source, "example.py", unsafe=False)
    assert outcome.fixed == (
        "import os\n\n\n"
        "def exists(path):\n"
        "    return os.path.exists(path)\n\n\n"
        "def size(path):\n"
        "    return os.path.getsize(path)  # pragma: no cover\n"
    )


def _linter_with_asy002():
    from pathlib import Path

    from asynclint.config import Config
    from asynclint.engine import Linter

    return Linter(Config(root=Path.cwd(), select=("ALL",)))
