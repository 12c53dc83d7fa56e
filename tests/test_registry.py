"""The registry is the one place that states a code's metadata; each check class names its code
and receives the rest, and the class the registry names is the one that reports the code."""

from __future__ import annotations

import pytest

from asynclint.checks.base import Check, ProjectCheck
from asynclint.diagnostic import Severity
from asynclint.registry import RULES


@pytest.mark.parametrize("code", [code for code, rule in RULES.items() if rule.implementation])
def test_the_class_the_registry_names_reports_its_code_with_its_metadata(code):
    rule = RULES[code]
    check = rule.check
    assert check.code == code
    assert (check.name, check.severity, check.fix_availability, check.default_enabled) == (
        rule.name,
        rule.severity,
        rule.fix_availability,
        rule.default_enabled,
    )
    assert rule.project_wide == issubclass(check, ProjectCheck)


def test_a_check_that_states_other_metadata_than_the_registry_is_refused():
    with pytest.raises(TypeError, match="ASY100"):

        class Louder(Check):  # noqa: F841 - defining it is the test
            code = "ASY100"
            severity = Severity.ERROR


def test_the_codes_the_engine_reports_itself_have_no_check():
    assert RULES["ASY001"].check is None
    assert RULES["ASY002"].check is None
