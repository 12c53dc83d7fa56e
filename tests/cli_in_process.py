"""`asynclint ...` run in the test's own process through click's test runner: the same command,
options and exit statuses as `conftest.run_asynclint`, without starting an interpreter (which,
on a busy machine, costs more than most checks). Tests that need a real process (a closed pipe,
the terminal's encoding, signals, worker pools) keep `run_asynclint`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def cli_runner():
    """click's test runner, keeping the command's standard error apart from its output."""
    from click.testing import CliRunner

    try:
        return CliRunner(mix_stderr=False)  # click 8.1 mixes stderr into stdout by default
    except TypeError:  # click 8.2 keeps them apart, and has no such parameter
        return CliRunner()


def in_process(
    *args: str, cwd: Path, stdin: bytes | str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`asynclint ARGS` from `cwd`, as `run_asynclint` runs it: no ASYNCLINT_* variable and no
    colour variable unless `env` sets one. A crash (any exception but the command's own exit)
    fails the test."""
    from asynclint.cli import cli

    runner = cli_runner()
    unset = [name for name in os.environ if name.startswith("ASYNCLINT_")]
    unset += ["NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE"]
    here = os.getcwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(cli, list(args), input=stdin, env={**dict.fromkeys(unset), **(env or {})})
    finally:
        os.chdir(here)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return subprocess.CompletedProcess(["asynclint", *args], result.exit_code, result.stdout, result.stderr)
