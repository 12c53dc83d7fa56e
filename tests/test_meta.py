"""Every registered code is complete: a check, a doc page with the fixed headings, a fixture
with findings and near-misses, and a row in the product catalogue."""

from __future__ import annotations

import re

import pytest

from asynclint.registry import RULES, UNCHECKABLE_CODE
from asynclint.tables import load_tables
from conftest import FIXTURES, REPO
from fixture_annotations import expectations, near_miss_lines

DOC_HEADINGS = [
    "## What it does",
    "## Why is this bad under load",
    "## Example",
    "## Use instead",
    "## Fix safety",
    "## Options",
    "## References",
]
# ASY001 is not a lint rule (its page has its own headings); every other code is.
CHECK_CODES = sorted(code for code in RULES if code != UNCHECKABLE_CODE)


@pytest.mark.parametrize("code", sorted(RULES))
def test_doc_page_exists_and_names_the_rule(code):
    page = REPO / "docs" / "rules" / f"{code}.md"
    assert page.is_file(), f"{code} has no docs/rules/{code}.md"
    assert page.read_text(encoding="utf-8").splitlines()[0] == f"# {code} {RULES[code].name}"
    assert RULES[code].summary() != RULES[code].name, f"{code}'s page has no summary line"


@pytest.mark.parametrize("code", CHECK_CODES)
def test_doc_page_has_every_heading_in_order(code):
    text = (REPO / "docs" / "rules" / f"{code}.md").read_text(encoding="utf-8")
    positions = [text.find(heading + "\n") for heading in DOC_HEADINGS]
    assert -1 not in positions, f"{code}: missing {DOC_HEADINGS[positions.index(-1)]}"
    assert positions == sorted(positions), f"{code}: headings out of order"


@pytest.mark.parametrize("code", CHECK_CODES)
def test_fixture_reports_and_has_near_misses(code):
    fixture = FIXTURES / f"{code}.py"
    assert fixture.is_file(), f"{code} has no tests/fixtures/{code}.py"
    text = fixture.read_text(encoding="utf-8")
    assert any(e.code == code for e in expectations(text, fixture)), f"{code}: nothing expected"
    assert near_miss_lines(text), f"{code}: no `# ok:` near-miss lines"


# Codes the product catalogue does not list, each with the reason it exists anyway.
NOT_IN_CATALOGUE = {
    "ASY002": "unused-noqa, asked for by the autofix issue (suppressions must not rot)",
}


def test_every_code_is_in_the_catalogue():
    catalogue = REPO.parent / "shared" / "catalogue.md"
    if not catalogue.is_file():
        pytest.skip("shared/catalogue.md is not beside this checkout")
    listed = set(re.findall(r"\b(ASY\d{3})\b", catalogue.read_text(encoding="utf-8")))
    missing = set(RULES) - listed - set(NOT_IN_CATALOGUE)
    assert not missing, f"not in the catalogue: {sorted(missing)}"
    assert not set(NOT_IN_CATALOGUE) & listed, "now in the catalogue: drop it from the exceptions"


def test_tables_only_name_registered_codes():
    tables = load_tables()
    assert {group.code for group in tables.blocking.values()} <= set(RULES)
    for code in CHECK_CODES:
        if code == "ASY110":  # its own table: calls that wait on this thread for an event loop
            assert tables.bridges.calls, "ASY110 has no entries in rules/bridges.toml"
        elif code.startswith("ASY1") and code != "ASY109":
            assert tables.blocking_for(code), f"{code} has no entries in rules/blocking_calls.toml"


def test_cli_reference_lists_every_check_option():
    from asynclint.cli import check

    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    options = [o for param in check.params for o in param.opts + param.secondary_opts if o.startswith("--")]
    missing = [option for option in options if f"`{option}" not in text]
    assert not missing, f"docs/cli.md does not describe {missing}"
