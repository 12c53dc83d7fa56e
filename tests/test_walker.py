"""The walker's hooks and declared facts: a check's `visit_<Node>` runs as the walk enters a
node and `leave_<Node>` as it leaves it (a def: after its deferred body), and the locks held
are tracked only for checks that declare they read them. A check run alone reports what it
reports among all the others, so no check relies on a fact it did not declare."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from asynclint.analysis.context import Context
from asynclint.analysis.locks import LOCK_HOLDS
from asynclint.analysis.walker import Walker, hooks_for
from asynclint.checks.base import Check
from asynclint.config import Config
from asynclint.engine import Linter
from asynclint.registry import RULES
from conftest import FIXTURES

SOURCE = """\
import threading

LOCK = threading.Lock()


async def handler(client):
    with LOCK:
        await client.get()
"""


class Recorder(Check):
    """Records the order of its hooks and the holds it sees at each await."""

    def __init__(self, tables) -> None:
        super().__init__(tables)
        self.events: list[str] = []
        self.holds_at_await: list[int] = []

    def visit_FunctionDef(self, node, ctx) -> None:
        self.events.append(f"enter {node.name.value}")

    def leave_FunctionDef(self, node, ctx) -> None:
        self.events.append(f"leave {node.name.value} in {ctx.function.node.name.value}")

    def visit_Await(self, node, ctx) -> None:
        self.events.append("await")
        self.holds_at_await.append(len(ctx.holds))

    def leave_Await(self, node, ctx) -> None:
        self.events.append("left await")


class LockReader(Recorder):
    facts = frozenset({LOCK_HOLDS})


def _walk(check_class) -> Recorder:
    tables = Config(root=Path.cwd()).tables
    check = check_class(tables)
    hooks = hooks_for([check])
    Walker(Context(tables), hooks.visitors, hooks.leavers, hooks.facts).walk_module(cst.parse_module(SOURCE))
    return check


def test_leave_hooks_run_after_the_children_and_a_defs_after_its_body():
    assert _walk(Recorder).events == ["enter handler", "await", "left await", "leave handler in handler"]


def test_the_locks_held_are_tracked_only_for_a_check_that_declares_it_reads_them():
    assert _walk(LockReader).holds_at_await == [1]
    assert _walk(Recorder).holds_at_await == [0]


def test_a_node_that_holds_no_code_is_visited_when_a_check_hooks_it():
    # The walk skips such nodes (Names, strings, numbers) only while no hook reads them.
    class Leaves(Check):
        def __init__(self, tables) -> None:
            super().__init__(tables)
            self.seen: list[tuple[str, str]] = []

        def visit_Name(self, node, ctx) -> None:
            self.seen.append((node.value, type(ctx.parent).__name__))

        def leave_Integer(self, node, ctx) -> None:
            self.seen.append((node.value, type(ctx.parent).__name__))

    tables = Config(root=Path.cwd()).tables
    check = Leaves(tables)
    hooks = hooks_for([check])
    module = cst.parse_module("x = f(1)\nlambda: y\n")
    Walker(Context(tables), hooks.visitors, hooks.leavers, hooks.facts).walk_module(module)
    assert check.seen == [("f", "Call"), ("1", "Arg"), ("x", "Assign"), ("y", "Lambda")]


def test_a_fact_no_walker_computes_is_refused():
    class Confused(Check):
        facts = frozenset({"loop-facts"})

    with pytest.raises(ValueError, match="no such shared fact: loop-facts"):
        hooks_for([Confused(Config(root=Path.cwd()).tables)])


CODES = sorted(code for code, rule in RULES.items() if rule.check is not None and (FIXTURES / f"{code}.py").exists())


@pytest.mark.parametrize("code", CODES)
def test_a_check_alone_reports_what_it_reports_among_all(code):
    fixture = FIXTURES / f"{code}.py"
    text = fixture.read_text(encoding="utf-8")

    def found(select: tuple[str, ...]) -> list[tuple[int, int, str]]:
        diagnostics = Linter(Config(root=Path.cwd(), select=select)).lint_text(text, str(fixture))
        return [(d.span.line, d.span.column, d.message) for d in diagnostics if d.code == code]

    assert found((code,)) == found(("ALL",))
