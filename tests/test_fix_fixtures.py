"""Every fixture is also a fix test: applying every applicable fix (unsafe ones included) must
give the stored `tests/fixtures/fixed/<CODE>.py`, which must parse, offer nothing more to
fix, and be left unchanged by a second run. Regenerate the stored results after a deliberate
change with `ASYNCLINT_UPDATE_FIXED=1 pytest tests/test_fix_fixtures.py`, then read the diff."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

from asynclint.config import Config
from asynclint.engine import Linter
from asynclint.fixer import choose_fixes, fix_text, parses
from conftest import FIXTURES

FIXTURE_FILES = sorted(FIXTURES.glob("ASY*.py"))
FIXED = FIXTURES / "fixed"


def _linter() -> Linter:
    return Linter(Config(root=Path.cwd(), select=("ALL",)))


@functools.cache  # both tests below start from it
def _fixed_text(fixture: Path) -> str:
    return fix_text(_linter(), fixture.read_text(encoding="utf-8"), str(fixture), unsafe=True).fixed


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.stem)
def test_fixes_give_the_stored_result(fixture):
    fixed = _fixed_text(fixture)
    stored = FIXED / fixture.name
    if os.environ.get("ASYNCLINT_UPDATE_FIXED"):
        if fixed != fixture.read_text(encoding="utf-8"):
            stored.write_text(fixed, encoding="utf-8")
        elif stored.exists():
            stored.unlink()
    if not stored.exists():
        assert fixed == fixture.read_text(encoding="utf-8"), f"{fixture.name} changed; store it"
        return
    assert fixed == stored.read_text(encoding="utf-8")


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.stem)
def test_fixed_result_parses_and_reaches_a_fixpoint(fixture):
    fixed = _fixed_text(fixture)
    assert parses(fixed)
    linter = _linter()
    assert choose_fixes(linter.lint_text(fixed, str(fixture)), unsafe=True) == []
    assert fix_text(linter, fixed, str(fixture), unsafe=True).fixed == fixed


def test_some_fixture_is_actually_fixed():
    assert any((FIXED / f.name).exists() for f in FIXTURE_FILES), "no fixture exercises a fix"
