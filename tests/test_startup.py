"""Start-up stays light: a run that parses nothing (a warm cache, `asynclint rules`) must not
pay for importing libcst (~90 ms) or sqlglot. Module-level uses of libcst in check or analysis
modules are what breaks this, so this test imports everything the CLI imports before it parses."""

from __future__ import annotations

import subprocess
import sys

_PROBE = """
import sys
import asynclint.cli, asynclint.config, asynclint.registry, asynclint.run, asynclint.cache
import asynclint.discovery, asynclint.output.text, asynclint.output.json_format
from asynclint.registry import RULES
[rule.check for rule in RULES.values()]  # the registry imports a check only when asked: ask
libcst = sys.modules.get("libcst")
print(type(libcst).__name__ if libcst is not None else "absent", "sqlglot" in sys.modules)
"""


def test_importing_the_cli_and_every_check_does_not_load_libcst_or_sqlglot():
    completed = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    # The checks bind libcst through asynclint._lazy, which loads nothing until a file is parsed.
    assert completed.stdout.split() == ["_LazyModule", "False"]
