"""The demo in examples/ is what a new user runs first: `asynclint check examples/` must report
exactly the planted findings its README lists, for every rule that exists today."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from asynclint.registry import RULES
from cli_in_process import in_process
from conftest import REPO

_ROW = re.compile(r"^\| `(?P<file>[^`]+)` \| (?P<line>\d+) \| [^|]+ \| (?P<code>ASY\d{3}) \|")


def planted_findings() -> set[tuple[str, int, str]]:
    rows = set()
    for line in (REPO / "examples" / "README.md").read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match:
            rows.add((f"examples/{match['file']}", int(match["line"]), match["code"]))
    return rows


def test_demo_reports_exactly_the_planted_findings_of_existing_rules():
    planted = {row for row in planted_findings() if row[2] in RULES}
    assert planted, "examples/README.md lists no findings for the rules that exist"
    completed = subprocess.run(
        [sys.executable, "-m", "asynclint", "check", "examples", "--output-format", "json", "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 1, completed.stderr
    found = {(d["path"], d["line"], d["code"]) for d in json.loads(completed.stdout)}
    assert found == planted


def test_sync_cli_module_of_the_demo_is_clean():
    completed = in_process("check", "examples/shop/cli.py", "--no-cache", cwd=REPO)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_the_readmes_sample_run_ends_as_the_real_run_does():
    # The README shows the first command's output: its summary lines must be what the run prints.
    completed = in_process("check", "examples/", "--no-cache", "--color", "never", cwd=REPO)
    summary = [line for line in completed.stdout.splitlines() if line.startswith(("Found ", "[*] ", "("))]
    assert summary, completed.stdout
    readme = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert all(line in readme for line in summary), summary
