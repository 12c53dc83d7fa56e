"""ASY604 serial-awaits-in-loop: see docs/rules/ASY604.md; the requests, pacing awaits and
await wrappers are listed in rules/requests.toml."""

from __future__ import annotations

from collections.abc import Iterator

from asynclint._lazy import NodeTypes
from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context, LoopFrame
from asynclint.analysis.locks import LOCK_HOLDS, held
from asynclint.analysis.loops import assignments, describe, is_constant_size
from asynclint.analysis.scope import dotted_name, target_names
from asynclint.analysis.values import origin_of
from asynclint.checks._held import shorten
from asynclint.checks.base import Check
from asynclint.checks.fixes import code_of, display_fix, framework
from asynclint.tables import Tables

_NESTED = NodeTypes("FunctionDef", "ClassDef", "Lambda")


class SerialAwaitsInLoop(Check):
    code = "ASY604"
    facts = frozenset({LOCK_HOLDS})
    default_enabled = False  # see docs/rules/ASY604.md: its audited precision is below 90%

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        methods = frozenset(name.rsplit(".", 1)[-1] for name in tables.requests.calls)
        return (frozenset({"async"}), frozenset({"for"}), methods)

    def start_file(self) -> None:
        super().start_file()
        self._reported: set[int] = set()  # ids of the loops reported in this file

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        if not ctx.loops or not ctx.in_async:
            return
        name = ctx.callee(node)
        what = ctx.tables.requests.calls.get(name) if name is not None else None
        if what is None or not _waited_for_here(node, ctx):
            return
        loop = _serial_loop(ctx)
        if loop is None or id(loop.node) in self._reported:
            return
        if not _independent(node, loop) or _paced_or_cut_short(loop, ctx):
            return
        self._reported.add(id(loop.node))
        call = f"`{shorten(code_of(node.func), 40)}()`"
        self.report(
            node,
            f"{call} sends {what} per item of {describe(loop)}, each awaited before the next "
            "starts: N items cost N round trips back to back, where running them concurrently "
            "would cost about one",
            ctx.statement(),
            display_fix(_bounded_form(node, loop, ctx)),
        )


# --- where the call stands ---------------------------------------------------------------------


def _waited_for_here(node: cst.Call, ctx: Context) -> bool:
    """`await client.get(u)`, `async with session.get(u) as r:`, and the call handed to a wrapper
    that is awaited at once (`await asyncio.wait_for(client.get(u), 5)`)."""
    parents = ctx.parents
    if ctx.is_awaited(node):
        return True
    parent = ctx.parent
    if isinstance(parent, cst.WithItem) and len(parents) >= 3:
        statement = parents[-3]
        return isinstance(statement, cst.With) and statement.asynchronous is not None
    if isinstance(parent, cst.Arg) and parent.value is node and len(parents) >= 4:
        wrapper, outer = parents[-3], parents[-4]
        return (
            isinstance(wrapper, cst.Call)
            and isinstance(outer, cst.Await)
            and ctx.qualified_name(wrapper.func) in ctx.tables.requests.wrappers
        )
    return False


def _serial_loop(ctx: Context) -> LoopFrame | None:
    """The innermost `for` loop or comprehension over data around the call. A fixed-size loop
    (a retry loop) is looked through; a `while` loop (polling, paging) or an `async for` (a
    stream, consumed in order) stops the search: what they repeat is not a list of items."""
    for frame in reversed(ctx.loops):
        node = frame.node
        if isinstance(node, cst.While) or isinstance(node, cst.GeneratorExp):
            return None
        if _is_async_clause(frame):
            return None
        if is_constant_size(frame, ctx):
            continue
        return frame
    return None


def _is_async_clause(frame: LoopFrame) -> bool:
    node = frame.node
    if isinstance(node, cst.For):
        return node.asynchronous is not None
    clause = getattr(node, "for_in", None)
    while clause is not None:
        if frozenset(target_names(clause.target)) == frame.target_names:
            return clause.asynchronous is not None
        clause = clause.inner_for_in
    return False


# --- whether the iterations depend on each other -------------------------------------------------


def _independent(node: cst.Call, loop: LoopFrame) -> bool:
    """True when the request is built from the loop's item and from nothing an earlier
    iteration changed: every name it reads that the loop body binds is bound afresh, from the
    item, earlier in the same iteration (`url = f"/users/{uid}"`), and the loop does not add to
    what it iterates (a crawler's queue). A request that does not mention the item repeats the
    same request (a poll, a retry), and one that reads a cursor or page token carried from the
    last response waits for it by nature."""
    facts = assignments(loop)
    carried = facts.rebound | facts.updated
    iterable = dotted_name(loop.iter) if loop.iter is not None else None
    if iterable is not None and iterable in facts.updated:
        return False  # `for url in queue: ... queue.append(next_url)`
    read = _names_read(node)
    item = loop.target_names | _fresh_names(node, loop, carried)
    if not any(_root(name) in item for name in read):
        return False
    return all(_root(name) in item or not _prefixes(name) & carried for name in read)


def _root(name: str) -> str:
    return name.split(".", 1)[0]


def _prefixes(name: str) -> set[str]:
    """`self.page.token` -> {"self", "self.page", "self.page.token"}."""
    parts = name.split(".")
    return {".".join(parts[: i + 1]) for i in range(len(parts))}


def _names_read(expr: cst.CSTNode) -> set[str]:
    """Every name and dotted name read in `expr`: `self.base`, `self`, `uid`."""
    from asynclint.analysis.walker import children  # walker loads libcst on import

    found: set[str] = set()
    pending = [expr]
    while pending:
        current = pending.pop()
        if isinstance(current, _NESTED()):
            continue
        if isinstance(current, (cst.Name, cst.Attribute)):
            dotted = dotted_name(current)
            if dotted is not None:
                found.add(dotted)
                if isinstance(current, cst.Attribute):
                    found.add(dotted.split(".", 1)[0])
                    continue
        pending.extend(children(current))
    return found


def _fresh_names(node: cst.Call, loop: LoopFrame, carried: frozenset[str]) -> set[str]:
    """Names the iteration binds, before the statement that holds `node`, from the item and
    other fresh or unchanging values alone: they hold nothing from an earlier iteration."""
    fresh: set[str] = set()
    if not isinstance(loop.node, cst.For):
        return fresh
    body = loop.node.body
    statements = body.body if isinstance(body, cst.IndentedBlock) else ()
    for statement in statements:
        if _contains(statement, node):
            break
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if not isinstance(small, (cst.Assign, cst.AnnAssign)) or small.value is None:
                continue
            known = loop.target_names | fresh
            if all(_root(n) in known or not _prefixes(n) & carried for n in _names_read(small.value)):
                targets = small.targets if isinstance(small, cst.Assign) else (small,)
                for target in targets:
                    fresh.update(target_names(target.target))
    return fresh


def _contains(tree: cst.CSTNode, node: cst.CSTNode) -> bool:
    from asynclint.analysis.walker import children  # walker loads libcst on import

    pending = [tree]
    while pending:
        current = pending.pop()
        if current is node:
            return True
        pending.extend(children(current))
    return False


# --- loops that are serial on purpose ------------------------------------------------------------


def _paced_or_cut_short(loop: LoopFrame, ctx: Context) -> bool:
    """A loop that sleeps or takes a rate limiter in each iteration (paced on purpose), that
    can stop early (`break`, or a `return` of the first hit), that yields each result as it
    comes (a lazy producer), or whose request is made under a lock or semaphore (already
    bounded, or serialised on purpose)."""
    if held(ctx):
        return True
    requests = ctx.tables.requests
    body = loop.node.body if isinstance(loop.node, cst.For) else loop.node
    for current, depth, recovering in _walk(body):
        if isinstance(current, (cst.Return, cst.Yield)) or (isinstance(current, cst.Break) and depth == 0):
            return True
        if recovering:
            continue  # a sleep in an `except` handler backs off after a failure; it paces nothing
        if isinstance(current, cst.Await) and isinstance(current.expression, cst.Call):
            awaited = current.expression
            name = ctx.callee(awaited)
            if name in requests.pacing_calls:
                return True
            if isinstance(awaited.func, cst.Attribute) and _paces(awaited.func.value, ctx):
                return True
        if isinstance(current, cst.With) and current.asynchronous is not None:
            if any(_paces(item.item, ctx) for item in current.items):
                return True
    return False


def _paces(expr: cst.BaseExpression, ctx: Context) -> bool:
    """True for a rate limiter: typed as one, or bound to its constructor (`LIMITER = AsyncLimiter(10, 1)`)."""
    pacing = ctx.tables.requests.pacing_types
    type_ = ctx.value_type(expr)
    if type_ is not None:
        return ctx.canonical(type_) in pacing
    made = origin_of(expr, ctx)
    return isinstance(made, cst.Call) and ctx.qualified_name(made.func) in pacing


def _walk(root: cst.CSTNode) -> Iterator[tuple[cst.CSTNode, int, bool]]:
    """The nodes under `root`, each with how many loops inside `root` hold it (a `break` at
    depth 0 leaves the loop itself) and whether an `except` handler holds it, not entering
    nested functions or classes."""
    from asynclint.analysis.walker import children  # walker loads libcst on import

    pending: list[tuple[cst.CSTNode, int, bool]] = [(root, 0, False)]
    while pending:
        current, depth, recovering = pending.pop()
        if isinstance(current, _NESTED()):
            continue
        yield current, depth, recovering
        inner = depth + 1 if isinstance(current, (cst.For, cst.While)) and current is not root else depth
        handler = recovering or isinstance(current, (cst.ExceptHandler, cst.ExceptStarHandler))
        pending.extend((child, inner, handler) for child in children(current))


# --- the suggestion ---------------------------------------------------------------------------------


def _bounded_form(node: cst.Call, loop: LoopFrame, ctx: Context) -> str:
    """The bounded concurrent form, written for this call and loop. Never applied: what the
    iteration does with each response (and in which order) decides how results come back."""
    target, iterable = _target_and_iterable(loop)
    statement = ctx.statement()
    if isinstance(loop.node, cst.For) and isinstance(statement, cst.SimpleStatementLine):
        shown = "; ".join(code_of(small).strip() for small in statement.body)  # `r = await ...`
    elif isinstance(ctx.parent, cst.WithItem):
        shown = f"async with {code_of(ctx.parent).strip()}:"
    else:
        shown = f"await {code_of(node)}"
    work = f"`async def one({target}):` doing the iteration's work, its request under `async with limit:` (`{shorten(shown, 70)}`)"
    chosen = framework(ctx)[0]
    if chosen == "asyncio":
        return (
            f"Run the iterations concurrently, at most 10 at a time: `limit = asyncio.Semaphore(10)`; "
            f"{work}; then `await asyncio.gather(*(one({target}) for {target} in {iterable}))`, "
            f"which returns what each `one()` returns, in the order of `{iterable}`"
        )
    limiter, group = (
        ("trio.CapacityLimiter(10)", "trio.open_nursery() as tg")
        if chosen == "trio"
        else ("anyio.CapacityLimiter(10)", "anyio.create_task_group() as tg")
    )
    return (
        f"Run the iterations concurrently, at most 10 at a time: `limit = {limiter}`; {work}; "
        f"then `async with {group}:` and `tg.start_soon(one, {target})` for each `{target}` in "
        f"`{iterable}`"
    )


def _target_and_iterable(loop: LoopFrame) -> tuple[str, str]:
    node = loop.node
    if isinstance(node, cst.For):
        return shorten(code_of(node.target), 20), shorten(code_of(node.iter), 30)
    clause = getattr(node, "for_in", None)
    while clause is not None and frozenset(target_names(clause.target)) != loop.target_names:
        clause = clause.inner_for_in
    if clause is None:
        return "item", "items"
    return shorten(code_of(clause.target), 20), shorten(code_of(clause.iter), 30)
