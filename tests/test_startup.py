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


BLOCKING_HANDLER = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"


def test_a_run_with_a_cache_for_its_config_does_not_load_the_tables_yet_a_broken_extension_still_fails(tmp_path, monkeypatch):
    from cli_in_process import in_process

    from asynclint import tables

    loads = []
    load_tables = tables.load_tables
    monkeypatch.setattr(tables, "load_tables", lambda **kwargs: loads.append(kwargs) or load_tables(**kwargs))
    (tmp_path / "pyproject.toml").write_text("[tool.asynclint]\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(BLOCKING_HANDLER, encoding="utf-8")

    def check():
        return in_process("check", "--output-format", "concise", cwd=tmp_path)

    cold = check()
    assert (cold.returncode, len(loads)) == (1, 1)
    warm = check()  # nothing to lint: the cache written under the same fingerprint vouches for the tables
    assert (warm.returncode, warm.stdout, len(loads)) == (1, cold.stdout, 1)
    (tmp_path / "app.py").write_text(BLOCKING_HANDLER + "\n\nasync def other():\n    time.sleep(2)\n", encoding="utf-8")
    edited = check()  # a file to lint: the tables are loaded for it
    assert (edited.returncode, edited.stdout.count("ASY100"), len(loads)) == (1, 2, 2)
    # Another extension is another fingerprint, with no cache yet: the tables are checked first.
    (tmp_path / "pyproject.toml").write_text('[tool.asynclint.extend-blocking-calls]\nASY103 = ["time.sleep"]\n', encoding="utf-8")
    broken = check()
    assert (broken.returncode, broken.stdout) == (2, "")
    assert "'time.sleep' is already reported as ASY100 by asynclint's own tables" in broken.stderr
