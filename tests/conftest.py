"""Shared helpers: lint a piece of source the way `asynclint check` would."""

from __future__ import annotations

import os
import subprocess
import sys
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


def run_asynclint(
    *args: str, cwd: Path, stdin: bytes | str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`python -m asynclint ARGS` in a real process, as a user runs it, with `env` added to a
    clean environment. Whatever happens, a traceback is never an acceptable answer, so every
    call proves there was none."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ASYNCLINT_") and k != "NO_COLOR"}
    completed = subprocess.run(
        [sys.executable, "-m", "asynclint", *args],
        cwd=cwd,
        input=stdin.encode("utf-8") if isinstance(stdin, str) else stdin,
        capture_output=True,
        env={**clean, **(env or {})},
        timeout=600,
    )
    stdout = completed.stdout.decode("utf-8")
    stderr = completed.stderr.decode("utf-8", errors="replace")
    assert "Traceback" not in stderr, stderr
    assert "internal error" not in stderr, stderr
    return subprocess.CompletedProcess(completed.args, completed.returncode, stdout, stderr)
