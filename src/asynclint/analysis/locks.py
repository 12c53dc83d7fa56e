"""Lock facts: which expressions hold a lock, semaphore or condition, and which of them are held
at the point being visited.

A primitive is recognised by its type (rules/locks.toml), which the shared receiver facts give:
a constructor (`self._lock = threading.Lock()` in `__init__`, `_refund_lock = asyncio.Lock()` at
module level), an annotation (`lock: asyncio.Lock`), or an import alias
(`from threading import Lock as TLock`).

A hold starts at `with lock:` / `async with lock:` (for its body) or at an expression statement
`lock.acquire()` / `await lock.acquire()`, and ends with the `with` body, at the first
`lock.release()` statement that follows in source order (so a release in a `finally:` ends the
hold after the `try` body), or at the end of the block that took it. The walker keeps
`ctx.holds` current as it goes, except that the end of an `acquire()` block is noticed lazily
(a walker hook on every block would cost more than all the rest): checks read `held(ctx)`,
which drops those first. Function bodies start with no holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from asynclint._lazy import libcst as cst

from asynclint.analysis.scope import dotted_name

if TYPE_CHECKING:
    from asynclint.analysis.context import Context
    from asynclint.tables import Primitive

# The shared fact this module keeps: a check that reads `ctx.holds` or `held(ctx)` declares
# `facts = frozenset({LOCK_HOLDS})`, and the walker tracks holds only when one does.
LOCK_HOLDS = "lock-holds"

_ACQUIRE = frozenset({"acquire", "acquire_on_behalf_of"})
_RELEASE = frozenset({"release", "release_on_behalf_of"})
LOCK_METHODS = _ACQUIRE | _RELEASE  # the walker calls `track_statement` for these only


@dataclass(slots=True, eq=False)
class Hold:
    """A primitive held at the point being visited."""

    taken_by: cst.CSTNode  # the `with`/`async with` statement, or the `acquire()` call
    lock: cst.BaseExpression  # the expression that names the primitive: `self._lock`
    primitive: Primitive
    key: str | None  # `lock` as a dotted name ("self._lock"), to match `release()`/`wait()`
    loop_depth: int  # len(ctx.loops) when it was taken
    block: cst.CSTNode | None = None  # for acquire(): the block whose end releases it


def primitive_of(expr: cst.BaseExpression, ctx: Context) -> Primitive | None:
    """The lock, semaphore or condition `expr` evaluates to, when the shared facts tell."""
    type_ = ctx.value_type(expr)
    return ctx.tables.primitives.get(type_) if type_ is not None else None


def is_mutex(hold: Hold, ctx: Context) -> bool:
    """True for a lock or condition, or a semaphore whose count is 1 (a lock by another name).
    A larger or unknown count is a concurrency limit, which is what ASY600 recommends."""
    if hold.primitive.kind != "semaphore":
        return True
    return semaphore_count(hold.lock, hold.primitive, ctx) == 1


def semaphore_count(expr: cst.BaseExpression, primitive: Primitive, ctx: Context) -> int | None:
    from asynclint.analysis.values import constant_number, origin_of

    origin = origin_of(expr, ctx)
    if not isinstance(origin, cst.Call):
        return None
    for position, arg in enumerate(origin.args):
        keyword = arg.keyword.value if arg.keyword is not None else None
        if keyword == primitive.count_keyword or (keyword is None and position == 0 and not arg.star):
            value = constant_number(arg.value, ctx)
            return int(value) if value is not None and value == int(value) else None
    return primitive.count_default


def with_hold(statement: cst.With, item: cst.WithItem, ctx: Context) -> Hold | None:
    """The hold `with <item>:` takes for its body. A primitive constructed in the item itself
    (`with threading.Lock():`) holds nothing anyone else can wait for: that is ASY202."""
    lock = item.item
    if isinstance(lock, cst.Call):
        return None
    primitive = primitive_of(lock, ctx)
    if primitive is None:
        return None
    return Hold(statement, lock, primitive, dotted_name(lock), len(ctx.loops))


def held(ctx: Context) -> list[Hold]:
    """The holds in force at the node being visited."""
    holds = ctx.holds
    if holds and any(hold.block is not None for hold in holds):
        parents = ctx.parents
        holds[:] = [
            hold
            for hold in holds
            if hold.block is None or any(parent is hold.block for parent in parents)
        ]
    return holds


def track_statement(call: cst.Call, ctx: Context) -> None:
    """Update `ctx.holds` after the expression statement `call` (or `await call`), a method
    call named in LOCK_METHODS: `lock.acquire()` starts a hold, `lock.release()` ends the latest
    hold of the same lock."""
    held(ctx)
    method = call.func.attr.value
    if method in _ACQUIRE:
        receiver = call.func.value
        primitive = primitive_of(receiver, ctx)
        if primitive is not None:
            blocks = (cst.IndentedBlock, cst.SimpleStatementSuite)
            block = next((p for p in reversed(ctx.parents) if isinstance(p, blocks)), None)
            ctx.holds.append(
                Hold(call, receiver, primitive, dotted_name(receiver), len(ctx.loops), block)
            )
    elif method in _RELEASE and ctx.holds:
        key = dotted_name(call.func.value)
        for index in range(len(ctx.holds) - 1, -1, -1):
            hold = ctx.holds[index]
            if hold.block is not None and key is not None and hold.key == key:
                del ctx.holds[index]
                return


def on_held_primitive(call: cst.Call, hold: Hold) -> bool:
    """True for a method call on the held primitive itself: `cond.wait()`, `lock.release()`."""
    func = call.func
    return (
        isinstance(func, cst.Attribute)
        and hold.key is not None
        and dotted_name(func.value) == hold.key
    )


def acquires_semaphore(function: cst.FunctionDef, ctx: Context) -> bool:
    """True when the function's own body (not a nested def) takes a semaphore, by `async with`
    or `await sem.acquire()`, so each call of it waits for a slot: `async def bounded(url):
    async with limit: ...`. Names are resolved where the question is asked, which for the
    usual closure or module-level semaphore is where they are bound."""
    pending = list(function.body.body) if isinstance(function.body, cst.IndentedBlock) else []
    while pending:
        statement = pending.pop()
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            continue
        if isinstance(statement, cst.With):
            for item in statement.items:
                primitive = primitive_of(item.item, ctx)
                if primitive is not None and primitive.kind == "semaphore":
                    return True
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                call = small.value if isinstance(small, cst.Expr) else None
                if isinstance(call, cst.Await):
                    call = call.expression
                if (
                    isinstance(call, cst.Call)
                    and isinstance(call.func, cst.Attribute)
                    and call.func.attr.value in _ACQUIRE
                ):
                    primitive = primitive_of(call.func.value, ctx)
                    if primitive is not None and primitive.kind == "semaphore":
                        return True
            continue
        for part in ("body", "orelse", "finalbody", "handlers"):
            child = getattr(statement, part, None)
            if isinstance(child, (list, tuple)):
                pending.extend(child)
            elif isinstance(child, cst.IndentedBlock):
                pending.extend(child.body)
            elif isinstance(child, cst.CSTNode):
                pending.append(child)
    return False
