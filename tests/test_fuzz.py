"""A fixed slice of the fuzzer in bench/fuzz.py: mutants of the fixtures and hypothesmith
programs must keep every property it checks (no exception, positions inside the file, fixed
code that parses and compiles, idempotent fixes, no change outside a fix's edits, and names a
safe fix writes bound to the module it means). `python bench/fuzz.py` runs thousands."""

from __future__ import annotations

import importlib.util
import random
import sys

import hypothesmith
import pytest
from hypothesis import HealthCheck, Phase, given, settings

from conftest import REPO


def _load_fuzzer():
    spec = importlib.util.spec_from_file_location("asynclint_bench_fuzz", REPO / "bench" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve the module's annotations through it
    spec.loader.exec_module(module)
    return module


fuzz = _load_fuzzer()
LINTER = fuzz.make_linter()

# A module with something for every mutator to work on.
SAMPLE = '''"""A module docstring."""
import asyncio
import time


class Worker:
    async def run(self, delay):
        """Sleep, then read."""
        time.sleep(delay)
        data = open("f").read()  # a comment
        return [x for x in data]


async def main():
    await Worker().run(1)
'''


@pytest.mark.parametrize("name", sorted(fuzz.MUTATORS))
def test_each_mutator_changes_the_sample_and_keeps_it_python(name):
    results = [fuzz.MUTATORS[name](fuzz._Source(SAMPLE), random.Random(seed)) for seed in range(10)]
    changed = [text for text in results if text is not None and text != SAMPLE]
    assert changed, f"{name} never applied to the sample"
    if name not in fuzz._MAY_LEAVE_THE_GRAMMAR:
        assert all(fuzz.parse_ast(text) is not None for text in changed), name


def test_fixture_mutants_keep_every_property():
    # Eight inputs (a few seconds of CPU: a fix run lints the file several times); this seed's
    # mutants get safe and unsafe fixes, and `python bench/fuzz.py` runs thousands.
    summary = fuzz.run(seed=1, count=8, sources=["fixture"])
    # The slice must exercise the fixer, or it would pass for nothing.
    assert summary.fixed[("fixture", "safe")] and summary.fixed[("fixture", "unsafe")], summary.report()
    assert not summary.kinds, summary.report()


@settings(
    derandomize=True,
    database=None,
    max_examples=6,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@given(hypothesmith.from_grammar())
def test_hypothesmith_programs_keep_every_property(program):
    verdict = fuzz.check_input(LINTER, program)
    assert not verdict.failures, verdict.failures


# The binding oracle itself, on code as a safe fix would leave it: `asyncio` at the marked use.
BINDINGS = [
    ("import asyncio\nasync def f():\n    await asyncio.sleep(1)\n", None),
    ("import asyncio as aio\nasync def f():\n    await aio.sleep(1)\n", None),
    ("import trio.to_thread\nasync def f():\n    await trio.to_thread.run_sync(g)\n", None),
    ("import asyncio\nclass C:\n    asyncio = None\n    async def f(self):\n        await asyncio.sleep(1)\n", None),
    ("import asyncio\nasync def f():\n    _ = [asyncio for asyncio in ()]\n    await asyncio.sleep(1)\n", None),
    ("import asyncio\nasync def f(asyncio):\n    await asyncio.sleep(1)\n", "binding:local-param"),
    (
        "import asyncio\nasync def f():\n    await asyncio.sleep(1)\n    for asyncio in ():\n        pass\n",
        "binding:local-assign",
    ),
    (
        "import asyncio\nasync def f():\n    _ = [(asyncio := x) for x in ()]\n    await asyncio.sleep(1)\n",
        "binding:local-walrus",
    ),
    (
        "import asyncio\ndef outer(asyncio):\n    async def f():\n        await asyncio.sleep(1)\n",
        "binding:enclosing-param",
    ),
    ("import asyncio\nasync def f():\n    await asyncio.sleep(1)\nasyncio = None\n", "binding:module-assign"),
    (
        "import asyncio\ndef g():\n    global asyncio\n    asyncio = None\nasync def f():\n    await asyncio.sleep(1)\n",
        "binding:module-assign",
    ),
    (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import asyncio\nasync def f():\n    await asyncio.sleep(1)\n",
        "binding:type-checking-only",
    ),
    (
        "try:\n    import asyncio\nexcept ImportError:\n    pass\nasync def f():\n    await asyncio.sleep(1)\n",
        "binding:conditional",
    ),
    ("import asyncio\nasync def f():\n    await asyncio.sleep(1)\n", None),
    ("async def f():\n    await asyncio.sleep(1)\n", "binding:unbound"),
    ("import time as asyncio\nasync def f():\n    await asyncio.sleep(1)\n", "binding:wrong-module"),
    (
        "import asyncio\nfrom x import *\nasync def f():\n    await asyncio.sleep(1)\n",
        "binding:module-star-import",
    ),
    ("async def f():\n    await asyncio.sleep(1)\nimport asyncio\n", None),
    ("async def f():\n    await asyncio.sleep(1)\n    import asyncio\n", "binding:local-import-after-use"),
]


@pytest.mark.parametrize(("code", "kind"), BINDINGS)
def test_the_binding_oracle_knows_python_scopes(code, kind):
    tree = fuzz.parse_ast(code)
    (awaited,) = [n.value.func for n in fuzz.ast.walk(tree) if isinstance(n, fuzz.ast.Await)]
    use = awaited
    while not isinstance(use, fuzz.ast.Name):
        use = use.value
    verdict = fuzz.resolve(tree, use, code, fuzz.line_starts(code), [])
    assert (verdict.kind if isinstance(verdict, fuzz.Failure) else None) == kind, verdict


def test_the_ast_oracle_finds_the_smallest_changed_nodes():
    old = fuzz.parse_ast("import time\nX = '''\nline\n'''\nasync def f():\n    time.sleep(1)\n")
    new = fuzz.parse_ast(
        "import time\nimport asyncio\nX = '''\nline\n'''\nasync def f():\n    await asyncio.sleep(1)\n"
    )
    removed, inserted = fuzz.ast_differences(old, new)
    assert [type(n).__name__ for n in removed] == ["Call"] and [type(n).__name__ for n in inserted] == ["Import"]
    in_string = fuzz.parse_ast("import time\nX = '''\nimport asyncio\nline\n'''\n")
    removed, inserted = fuzz.ast_differences(fuzz.parse_ast("import time\nX = '''\nline\n'''\n"), in_string)
    assert [(type(n).__name__, n.lineno) for n in removed] == [("Constant", 2)] and not inserted
