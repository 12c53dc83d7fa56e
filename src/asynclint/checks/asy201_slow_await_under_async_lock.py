"""ASY201 slow-await-under-async-lock: see docs/rules/ASY201.md; the primitives are listed in
rules/locks.toml and the slow awaits in rules/slow_awaits.toml."""

from __future__ import annotations

from functools import lru_cache

from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context
from asynclint.analysis.locks import Hold, is_mutex, on_held_primitive
from asynclint.checks._blocking import made_nonblocking
from asynclint.checks._held import HeldAcrossSuspensionCheck, lock_label, shorten, suspension_label
from asynclint.checks.base import FixAvailability, ProposedFix
from asynclint.checks.fixes import code_of, display_fix
from asynclint.tables import BlockingGroup, SlowGroup, Tables

# Awaiting these awaits their first argument: `await asyncio.wait_for(client.get(u), 5)`.
_WRAPPERS = frozenset({"asyncio.wait_for", "asyncio.shield"})


class SlowAwaitUnderAsyncLock(HeldAcrossSuspensionCheck):
    code = "ASY201"
    name = "slow-await-under-async-lock"
    fix_availability = FixAvailability.DISPLAY_ONLY

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        async_types = (n for n, p in tables.primitives.items() if p.family == "async")
        return (frozenset({"async"}), frozenset(n.rsplit(".", 1)[-1] for n in async_types))

    def judge(self, hold: Hold, suspension: cst.CSTNode, ctx: Context) -> str | None:
        if hold.primitive.family != "async" or not is_mutex(hold, ctx):
            return None
        if isinstance(hold.taken_by, cst.With) and _checks_then_fills(hold.taken_by):
            return None
        if isinstance(suspension, cst.Await):
            awaited = suspension.expression
        elif isinstance(suspension, cst.For):
            awaited = suspension.iter
        else:
            awaited = suspension.items[0].item
        group = slow_group(awaited, hold, ctx)
        if group is None:
            return None
        return (
            f"{lock_label(hold)} is held across {suspension_label(suspension)}, which "
            f"{group.what}: every task that wants the lock queues behind that wait; do the slow "
            "work outside the lock and hold it only for the state update (or use a lock per key)"
        )

    def fix(self, hold: Hold, suspension: cst.CSTNode, ctx: Context) -> ProposedFix | None:
        """Moving the wait out of the critical section is a restructuring (what the section
        reads and writes decides where the wait can go), so it is named, not made."""
        lock = shorten(code_of(hold.lock), 40)
        if isinstance(hold.taken_by, cst.With):
            section = f"`async with {lock}:`"
        else:
            section = f"`{shorten(code_of(hold.taken_by), 40)}`"  # `self._lock.acquire()`
        return display_fix(
            f"Do {suspension_label(suspension)} before {section} (or after it), and hold "
            f"`{lock}` only for the state update"
        )


def slow_group(awaited: cst.BaseExpression, hold: Hold, ctx: Context) -> SlowGroup | None:
    if not isinstance(awaited, cst.Call) or on_held_primitive(awaited, hold):
        return None  # `await cond.wait()`: waiting for the held primitive is what it is for
    name = ctx.callee(awaited)
    if name is None:
        return None
    if name in _WRAPPERS:
        first = awaited.args[0].value if awaited.args and awaited.args[0].keyword is None else None
        return slow_group(first, hold, ctx) if first is not None else None
    group = ctx.tables.slow_awaits.group_for(name)
    if group is None or made_nonblocking(awaited, _conditions_of(group), ctx):
        return None
    return group


@lru_cache(maxsize=None)
def _conditions_of(group: SlowGroup) -> BlockingGroup:
    """The group's `nonblocking_if` in the form the blocking checks' matcher reads."""
    return BlockingGroup("ASY201", (), group.what, "", group.nonblocking_if)


def _checks_then_fills(statement: cst.With) -> bool:
    """A single-flight critical section: `async with lock: if fresh: return value` first (a
    return that awaits nothing), then the fetch. The tasks that queue want the value being fetched, and the lock is what stops a
    stampede of duplicate fetches."""
    body = statement.body
    if not isinstance(body, cst.IndentedBlock) or not body.body:
        return False
    first = body.body[0]
    if not isinstance(first, cst.If):
        return False
    block = first.body
    if isinstance(block, cst.SimpleStatementSuite):  # `if fresh: return value`
        smalls = list(block.body)
    else:
        smalls = [s for line in block.body if isinstance(line, cst.SimpleStatementLine) for s in line.body]
    return any(
        isinstance(small, cst.Return) and not _awaits(small.value) for small in smalls
    )


def _awaits(expr: cst.BaseExpression | None) -> bool:
    pending = [expr] if expr is not None else []
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Await):
            return True
        pending.extend(node.children)
    return False
