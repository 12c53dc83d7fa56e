"""Every fixture under tests/fixtures is run as written (its annotations must match the
findings exactly: code, line, column, and where stated the message, the fix's title and its
safety) and with `# noqa` injected on every expected line (it must then be silent)."""

from __future__ import annotations

import pytest

from asynclint.diagnostic import Applicability
from asynclint.registry import RULES, FixAvailability
from conftest import FIXTURES, lint
from fixture_annotations import SAFETY, Expectation, expectations, with_noqa_on_expected_lines

FIXTURE_FILES = sorted(FIXTURES.glob("ASY*.py"))
# The fix safeties each rule may offer, as its registry row declares.
ALLOWED_SAFETY = {
    FixAvailability.NONE: {None},
    FixAvailability.DISPLAY_ONLY: {None, Applicability.DISPLAY_ONLY},
    FixAvailability.SOMETIMES: {None, *Applicability},
    FixAvailability.ALWAYS: {Applicability.SAFE, Applicability.UNSAFE},
}
# Rules whose fixes can be applied: each of their expectations states `fix=`.
APPLIED = (FixAvailability.SOMETIMES, FixAvailability.ALWAYS)


def _differences(expectation: Expectation, diagnostic) -> list[str]:
    """What the finding says otherwise than the expectation states."""
    fix = diagnostic.fix
    wrong = []
    if expectation.message is not None and expectation.message not in diagnostic.message:
        wrong.append(f"message {diagnostic.message!r} lacks {expectation.message!r}")
    if expectation.title is not None and (fix is None or expectation.title not in fix.title):
        wrong.append(f"fix title {fix.title if fix else None!r} lacks {expectation.title!r}")
    safety = fix.applicability if fix is not None else None
    if expectation.fix is not None and SAFETY[expectation.fix] is not safety:
        wrong.append(f"fix is {safety.value if safety else 'none'}, not {expectation.fix}")
    if safety not in ALLOWED_SAFETY[RULES[diagnostic.code].fix_availability]:
        wrong.append(f"a {safety.value} fix from a rule whose fixes are {RULES[diagnostic.code].fix_availability.value}")
    return wrong


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.stem)
def test_fixture_findings_match_annotations(fixture):
    text = fixture.read_text(encoding="utf-8")
    unmatched = list(lint(text, str(fixture)))
    report = []
    for expectation in expectations(text, fixture):
        match = next(
            (
                d
                for d in unmatched
                if d.span.line == expectation.line
                and d.code == expectation.code
                and expectation.column in (None, d.span.column + 1)
            ),
            None,
        )
        where = f"{expectation.code} at {fixture.name}:{expectation.line}"
        if match is None:
            report.append(f"missing {where} col={expectation.column}")
            continue
        unmatched.remove(match)
        report += [f"{where}: {difference}" for difference in _differences(expectation, match)]
    report += [f"unexpected {d.code} at {fixture.name}:{d.span.line} col={d.span.column + 1}" for d in unmatched]
    assert not report, "\n".join(report)


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.stem)
def test_fixture_pins_what_users_read(fixture):
    """Each code a fixture expects has its message pinned at least once and, when the rule
    offers fixes, a fix title; the safety of a fix that can be applied is stated on every line."""
    text = fixture.read_text(encoding="utf-8")
    by_code: dict[str, list[Expectation]] = {}
    for expectation in expectations(text, fixture):
        by_code.setdefault(expectation.code, []).append(expectation)
    report = []
    for code, expected in sorted(by_code.items()):
        availability = RULES[code].fix_availability
        if not any(e.message for e in expected):
            report.append(f"{code}: no expectation states msg=")
        if availability is not FixAvailability.NONE and not any(e.title for e in expected):
            report.append(f"{code}: no expectation states title=")
        if availability in APPLIED:
            report += [f"{code} at line {e.line}: no fix=" for e in expected if e.fix is None]
    assert not report, f"{fixture.name}:\n" + "\n".join(report)


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.stem)
def test_fixture_is_silent_with_noqa(fixture):
    text = with_noqa_on_expected_lines(fixture.read_text(encoding="utf-8"))
    assert [(d.span.line, d.code) for d in lint(text, str(fixture))] == []


def test_the_oracle_reports_a_wrong_message_title_and_safety(tmp_path):
    fixture = tmp_path / "ASY100.py"
    fixture.write_text(
        "import time\nasync def f():\n"
        '    time.sleep(1)  # expect: ASY100 col=5 fix=safe msg="no such words" title="Offload"\n'
    )
    (expectation,) = expectations(fixture.read_text(), fixture)
    (diagnostic,) = lint(fixture.read_text(), str(fixture))
    wrong = _differences(expectation, diagnostic)
    assert [w.split()[0] for w in wrong] == ["message", "fix", "fix"], wrong


def test_an_annotation_is_read_with_commas_inside_its_fragments():
    (first, second) = expectations('x  # expect: ASY103 msg="a, b" fix=unsafe, ASY103 col=20\n', "f.py")
    assert (first.message, first.fix, second.column) == ("a, b", "unsafe", 20)
    with pytest.raises(ValueError, match="malformed"):
        expectations("x  # expect: ASY103 fix=maybe\n", "f.py")
