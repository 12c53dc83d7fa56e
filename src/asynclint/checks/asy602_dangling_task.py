"""ASY602 dangling-task: see docs/rules/ASY602.md; the calls whose result must be kept are the
`keep_reference` groups of rules/tasks.toml."""

from __future__ import annotations

from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context
from asynclint.checks.base import Check, FixAvailability, ProposedFix
from asynclint.diagnostic import Applicability, Severity
from asynclint.tables import Tables


class DanglingTask(Check):
    code = "ASY602"
    name = "dangling-task"
    severity = Severity.ERROR
    fix_availability = FixAvailability.DISPLAY_ONLY

    def __init__(self, tables: Tables) -> None:
        self._calls = frozenset(n for n, g in tables.spawns.items() if g.keep_reference)
        super().__init__(tables)

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        return (frozenset(name.rsplit(".", 1)[-1] for name in self._calls),)

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        name = ctx.callee(node)
        if name not in self._calls or not _discarded(node, ctx):
            return
        self.report(
            node,
            f"the task `{name}()` returns is not kept: the event loop holds tasks only weakly, "
            "so it can be garbage-collected before it finishes, and its exception is never seen; "
            "keep a reference until it is done (a set plus `task.add_done_callback(set.discard)`) "
            "or start it in a `TaskGroup`",
            ctx.statement(),
            ProposedFix(
                "Keep the task: `tasks.add(task)` and `task.add_done_callback(tasks.discard)`",
                Applicability.DISPLAY_ONLY,
            ),
        )


def _discarded(node: cst.Call, ctx: Context) -> bool:
    """An expression statement, possibly through `.add_done_callback(...)` (the callback does
    not keep the task alive)."""
    parents = ctx.parents
    parent = ctx.parent
    if isinstance(parent, cst.Expr):
        return True
    if (
        isinstance(parent, cst.Attribute)
        and parent.attr.value == "add_done_callback"
        and len(parents) >= 4
        and isinstance(parents[-3], cst.Call)
        and parents[-3].func is parent
        and isinstance(parents[-4], cst.Expr)
    ):
        return True
    return False
