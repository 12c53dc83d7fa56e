"""ASY201 slow-await-under-async-lock: see docs/rules/ASY201.md; the primitives are listed in
rules/locks.toml and the slow awaits in rules/slow_awaits.toml."""

from __future__ import annotations

from functools import lru_cache

from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context
from asynclint.analysis.locks import Hold, is_mutex, on_held_primitive
from asynclint.analysis.scope import dotted_name
from asynclint.checks._blocking import made_nonblocking
from asynclint.checks._held import HeldAcrossSuspensionCheck, lock_label, shorten, suspension_label
from asynclint.checks.base import ProposedFix
from asynclint.checks.fixes import code_of, display_fix
from asynclint.tables import BlockingGroup, SlowGroup, Tables

# Awaiting these awaits their first argument: `await asyncio.wait_for(client.get(u), 5)`.
_WRAPPERS = frozenset({"asyncio.wait_for", "asyncio.shield"})


class SlowAwaitUnderAsyncLock(HeldAcrossSuspensionCheck):
    code = "ASY201"

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        async_types = (n for n, p in tables.primitives.items() if p.family == "async")
        return (frozenset({"async"}), frozenset(n.rsplit(".", 1)[-1] for n in async_types))

    def judge(self, hold: Hold, suspension: cst.CSTNode, ctx: Context) -> str | None:
        if hold.primitive.family != "async" or not is_mutex(hold, ctx):
            return None
        if isinstance(hold.taken_by, cst.With) and _fills_once(hold.taken_by, ctx):
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
            f"{group.what}: every task that wants the lock queues behind that wait"
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


def _fills_once(statement: cst.With, ctx: Context) -> bool:
    """A single-flight load: the critical section tests a flag or a cached value and sets it
    itself (`if self._token is None: self._token = await fetch()`, or `if self._loaded: return`
    followed by the load), and the wait is that load. The tasks that queue want the value being
    loaded, and the lock is what stops a stampede of duplicate loads. A test of a key in a
    shared cache that is filled per key (`self._cache[key] = await fetch(key)`) is no flag:
    there, unrelated keys wait for each other."""
    body = statement.body
    if not isinstance(body, cst.IndentedBlock):
        return False
    assigned = _assigned_names(body)
    parents = ctx.parents
    for guard in body.body:
        if not isinstance(guard, cst.If) or not _dotted_names(guard.test) & assigned:
            continue
        if any(parent is guard.body for parent in parents):
            return True  # the wait is the fill the test guards
        if _exits(guard.body) and _after(guard, body, parents):
            return True  # `if fresh: return value`, then the fill
    return False


def _assigned_names(block: cst.CSTNode) -> set[str]:
    """Dotted names (`self._token`, `_loaded`) the block binds with `=`, not within a nested
    function or class."""
    names: set[str] = set()
    pending = [block]
    while pending:
        node = pending.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.Assign):
            names.update(name for t in node.targets if (name := dotted_name(t.target)) is not None)
        elif isinstance(node, cst.AnnAssign) and node.value is not None:
            name = dotted_name(node.target)
            if name is not None:
                names.add(name)
        pending.extend(node.children)
    return names


def _dotted_names(expr: cst.CSTNode) -> set[str]:
    names: set[str] = set()
    pending = [expr]
    while pending:
        node = pending.pop()
        name = dotted_name(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
        if name is not None:
            names.add(name)
        else:
            pending.extend(node.children)
    return names


def _exits(block: cst.BaseSuite) -> bool:
    """True when the block ends in a `return` or `raise` (that awaits nothing)."""
    if isinstance(block, cst.SimpleStatementSuite):
        last = block.body[-1] if block.body else None
    else:
        line = block.body[-1] if block.body else None
        last = line.body[-1] if isinstance(line, cst.SimpleStatementLine) and line.body else None
    if isinstance(last, cst.Return):
        return not _awaits(last.value)
    return isinstance(last, cst.Raise)


def _after(guard: cst.If, body: cst.IndentedBlock, parents: list[cst.CSTNode]) -> bool:
    """True when the node being visited is in a statement of `body` that follows `guard`."""
    statements = list(body.body)
    position = next(i for i, s in enumerate(statements) if s is guard)
    later = statements[position + 1 :]
    return any(parent is statement for parent in parents for statement in later)


def _awaits(expr: cst.BaseExpression | None) -> bool:
    pending = [expr] if expr is not None else []
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Await):
            return True
        pending.extend(node.children)
    return False
