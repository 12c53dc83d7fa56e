"""ASY600 unbounded-fanout: see docs/rules/ASY600.md; what starts work is listed in
rules/tasks.toml, what bounds a loop is decided in analysis/loops.py."""

from __future__ import annotations

from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context
from asynclint.analysis.locks import LOCK_HOLDS, held
from asynclint.analysis.loops import assignments, describe, unbounded_loop
from asynclint.analysis.scope import dotted_name
from asynclint.analysis.sources import loop_source
from asynclint.checks._held import shorten
from asynclint.checks.asy601_unbounded_gather import only_waits, tears_down
from asynclint.checks.base import Check
from asynclint.checks.fixes import code_of, display_fix, framework
from asynclint.tables import Tables


class UnboundedFanout(Check):
    code = "ASY600"
    facts = frozenset({LOCK_HOLDS})  # a semaphore held around the loop bounds it

    def __init__(self, tables: Tables) -> None:
        self._spawns = tables.spawns
        super().__init__(tables)

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        return (frozenset(name.rsplit(".", 1)[-1] for name in tables.spawns),)

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        if not ctx.loops:
            return
        name = ctx.callee(node)
        group = self._spawns.get(name) if name is not None else None
        if group is None or ctx.is_awaited(node):
            return  # awaited at once: one at a time, nothing fans out
        if tears_down(node, ctx):
            return  # `create_task(conn.disconnect())`: releases what it holds
        if only_waits(node, ctx):
            return  # `create_task(event.wait())`: waits for work that already runs
        loop = unbounded_loop(ctx, _group_block(node, ctx))
        if loop is None or _waited_for_in_iteration(node, loop, ctx):
            return
        semaphores = [
            hold.lock for hold in held(ctx) if hold.block is None and hold.primitive.kind == "semaphore"
        ]
        # The bound (and where the release goes) depends on what the work uses: named, never
        # applied.
        started = f"`{shorten(code_of(node.func), 40)}()`"
        source = loop_source(loop, ctx)
        if semaphores:
            sem = shorten(code_of(semaphores[0]), 30)
            fix = display_fix(
                f"Take `{sem}` before starting the work: `await {sem}.acquire()` before {started}, "
                f"and `{sem}.release()` when the work is done (a done callback, or a `finally` in it)"
            )
        else:
            # Without a source that scales, how many items there are is the user's to judge.
            bound = "Bound it" if source is not None else "If there can be many, bound it"
            fix = display_fix(
                f"{bound} with `sem = {framework(ctx)[0]}.Semaphore(10)` made before the loop: "
                f"`await sem.acquire()` before {started}, `sem.release()` when the work is done; "
                "or feed a fixed pool of workers from a bounded queue"
            )
        if source is not None:
            scale = (
                f"its items come from {source}, so under load that can be thousands at once, "
                "which exhaust memory, sockets and the pools they share"
            )
        else:
            scale = "they all run at once, as many as the loop has items"
        message = f"`{name}()` starts {group.what} for every iteration of {describe(loop)} with no bound: {scale}"
        if semaphores:
            message += (
                "; the `async with` semaphore around it is released as soon as the work is "
                "started, before it runs, so it bounds nothing"
            )
        self.report(node, message, ctx.statement(), fix)


def _group_block(node: cst.Call, ctx: Context) -> cst.With | None:
    """The `async with ... as tg:` that bound the receiver of `tg.create_task(...)` or
    `nursery.start_soon(...)`: the block does not end before every task started in it has, so
    only loops inside it fan out (`for device in devices: async with TaskGroup() as tg:
    tg.create_task(...)` runs one device's tasks at a time)."""
    func = node.func
    if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
        return None
    receiver = func.value.value
    for parent in reversed(ctx.parents):
        if isinstance(parent, (cst.FunctionDef, cst.Lambda)):
            return None
        if isinstance(parent, cst.With) and parent.asynchronous is not None:
            for item in parent.items:
                bound = item.asname.name if item.asname is not None else None
                if isinstance(bound, cst.Name) and bound.value == receiver:
                    return parent
    return None


def _waited_for_in_iteration(node: cst.Call, loop, ctx: Context) -> bool:
    """`task = asyncio.create_task(...)` that the same iteration awaits (`await task`,
    `await asyncio.wait_for(task, 5)`) runs one at a time. In a `while` loop, a task kept in a
    local name is the iteration's own (`t = create_task(q.get()); await asyncio.wait({t, ...})`),
    not a fan-out."""
    parent = ctx.parent
    if not isinstance(parent, cst.Assign) or parent.value is not node:
        return False
    names = {dotted_name(target.target) for target in parent.targets} - {None}
    if loop.iter is None and names:
        return True
    return bool(names & assignments(loop).awaited)
