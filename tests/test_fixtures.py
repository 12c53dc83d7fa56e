"""Every fixture under tests/fixtures is run as written (its annotations must match the
findings exactly) and with `# noqa` injected on every expected line (it must then be silent)."""

from __future__ import annotations

import pytest

from conftest import FIXTURES, lint
from fixture_annotations import Expectation, expectations, with_noqa_on_expected_lines

FIXTURE_FILES = sorted(FIXTURES.glob("ASY*.py"))


def _found(diagnostics) -> list[Expectation]:
    return [Expectation(d.span.line, d.code, d.span.column + 1) for d in diagnostics]


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.stem)
def test_fixture_findings_match_annotations(fixture):
    text = fixture.read_text(encoding="utf-8")
    expected = expectations(text, fixture)
    found = _found(lint(text, str(fixture)))
    unmatched = list(found)
    missing = []
    for expectation in expected:
        match = next(
            (
                f
                for f in unmatched
                if f.line == expectation.line
                and f.code == expectation.code
                and expectation.column in (None, f.column)
            ),
            None,
        )
        if match is None:
            missing.append(expectation)
        else:
            unmatched.remove(match)
    report = [f"missing {e.code} at {fixture.name}:{e.line} col={e.column}" for e in missing]
    report += [f"unexpected {f.code} at {fixture.name}:{f.line} col={f.column}" for f in unmatched]
    assert not report, "\n".join(report)


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.stem)
def test_fixture_is_silent_with_noqa(fixture):
    text = with_noqa_on_expected_lines(fixture.read_text(encoding="utf-8"))
    assert [(d.span.line, d.code) for d in lint(text, str(fixture))] == []
