"""Shared helpers: lint a piece of source the way `asynclint check` would."""

from __future__ import annotations

from pathlib import Path

import pytest

from asynclint.config import Config
from asynclint.engine import Linter

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
REPO = TESTS.parent


def lint(source: str, path: str = "example.py", **config_fields):
    config = Config(root=Path.cwd(), select=("ALL",), **config_fields)
    return Linter(config).lint_text(source, path)


@pytest.fixture
def lint_source():
    return lint
