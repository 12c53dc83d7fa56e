"""ASY601 unbounded-gather: see docs/rules/ASY601.md; the gathering calls are listed in
rules/tasks.toml, what bounds an iteration is decided in analysis/loops.py."""

from __future__ import annotations

from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context
from asynclint.analysis.locks import acquires_semaphore, primitive_of
from asynclint.analysis.loops import iterable_is_data
from asynclint.analysis.sources import iterable_source
from asynclint.analysis.values import origin_of
from asynclint.checks._held import shorten
from asynclint.checks.base import Check, ProposedFix
from asynclint.checks.fixes import code_of, display_fix
from asynclint.tables import Tables


class UnboundedGather(Check):
    code = "ASY601"

    def __init__(self, tables: Tables) -> None:
        self._gathers = tables.gathers
        self._spawns = tables.spawns
        super().__init__(tables)

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        return (frozenset(name.rsplit(".", 1)[-1] for name in tables.gathers),)

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        name = ctx.callee(node)
        if name not in self._gathers:
            return
        for arg in node.args:
            data = self._fans_out(arg.value, ctx) if arg.star == "*" else None
            if data is None:
                continue
            items = f"`{shorten(code_of(data), 40)}`"
            source = iterable_source(data, ctx)
            if source is not None:
                scale = (
                    f"its items come from {source}, so under load that can be thousands of "
                    "concurrent requests or queries, which exhaust sockets and pools and overload "
                    "the service they call"
                )
            else:
                scale = "as many run together as it has items"
            self.report(
                node,
                f"`{name}(*{shorten(code_of(arg.value), 40)})` starts the work for every item of "
                f"{items} at once, with no bound: {scale}",
                ctx.statement(),
                _fix(arg.value, ctx, scales=source is not None),
            )
            return

    def _fans_out(self, source: cst.BaseExpression, ctx: Context) -> cst.BaseExpression | None:
        """The data whose every item starts new work in `source` (what `*` unpacks), or None
        when it starts none or the number of items is fixed."""
        if isinstance(source, cst.Name):
            source = origin_of(source, ctx) or source  # `coros = [f(x) for x in xs]`
        if isinstance(source, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            if not self._starts_work(source.elt, ctx):
                return None
            clause = source.for_in
            while clause is not None:
                if iterable_is_data(clause.iter, ctx):
                    return clause.iter
                clause = clause.inner_for_in
            return None
        if isinstance(source, cst.Call) and ctx.qualified_name(source.func) == "builtins.map":
            iterables = [arg.value for arg in source.args[1:]]
            function = source.args[0].value if source.args else None
            if isinstance(function, cst.Attribute) and is_teardown(function.attr.value, ctx):
                return None
            if function is not None and only_waits(source, ctx):
                return None
            if iterables and all(iterable_is_data(it, ctx) for it in iterables):
                return iterables[0]
        return None

    def _starts_work(self, element: cst.BaseExpression, ctx: Context) -> bool:
        """A call that makes a new awaitable per item, not one bounded by a semaphore it is
        given, and not a task start (ASY600 reports those)."""
        if not isinstance(element, cst.Call):
            return False  # `gather(*(t for t in tasks))` gathers what already runs
        if tears_down(element, ctx):
            return False  # `conn.disconnect()` for every connection frees them
        if only_waits(element, ctx):
            return False  # `event.wait()` for every event waits for work that already runs
        callee = ctx.callee(element)
        if callee is not None and callee in self._spawns:
            return False
        for arg in element.args:
            primitive = primitive_of(arg.value, ctx)
            if primitive is not None and primitive.kind == "semaphore":
                return False  # `fetch(sem, url)`: the callee bounds itself
        if isinstance(element.func, cst.Name):
            binding = ctx.scope.lookup(element.func.value)
            definition = binding.definition if binding is not None else None
            if isinstance(definition, cst.FunctionDef) and acquires_semaphore(definition, ctx):
                return False  # `bounded(url)` whose body takes `async with limit:`
        return True


def _fix(source: cst.BaseExpression, ctx: Context, scales: bool) -> ProposedFix:
    """The work each item starts, run under a semaphore: named, never applied, since the bound
    depends on what the work uses (a pool's size, the remote service's rate limit). Unless the
    items come from where they `scales` (a request, a query, a stream), how many there can be
    is the user's to judge."""
    if isinstance(source, cst.Name):
        source = origin_of(source, ctx) or source
    if isinstance(source, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
        work = shorten(code_of(source.elt), 40)
    elif isinstance(source, cst.Call) and source.args:
        work = f"{shorten(code_of(source.args[0].value), 30)}(item)"  # map(f, items)
    else:
        work = "the work"
    work = f"`await {work}`" if work != "the work" else work
    bound = "Bound it" if scales else "If there can be many, bound it"
    return display_fix(
        f"{bound} with `sem = asyncio.Semaphore(10)`: gather wrappers that run {work} under "
        "`async with sem:`, or gather in chunks of 10"
    )


def is_teardown(method: str, ctx: Context) -> bool:
    """A method of the teardown table (`close`), or one named after it (`close_all`,
    `disconnect_free_connections`, `async_stop`: the `async_` prefix some code bases give every
    coroutine method does not count): what such a method starts releases resources."""
    verb = method.removeprefix("async_")
    return verb in ctx.tables.teardown_methods or verb.partition("_")[0] in ctx.tables.teardown_methods


def tears_down(call: cst.Call, ctx: Context) -> bool:
    """True when the work started is a teardown method (`conn.disconnect()`, `c.aclose()`),
    directly or as the coroutine handed to a spawn (`create_task(conn.disconnect())`)."""
    func = call.func
    if isinstance(func, cst.Attribute) and is_teardown(func.attr.value, ctx):
        return True
    first = call.args[0].value if call.args and call.args[0].keyword is None else None
    return (
        isinstance(first, cst.Call)
        and isinstance(first.func, cst.Attribute)
        and is_teardown(first.func.attr.value, ctx)
    )


def _waits(method: str) -> bool:
    """Methods whose awaitable waits for something that already runs and starts nothing:
    `event.wait()`, `holder.wait_until_released()`, `queue.join()`."""
    return method == "join" or method.startswith("wait")


def only_waits(call: cst.Call, ctx: Context) -> bool:
    """True when the work is a wait for something already running (`event.wait()`), directly
    or as the coroutine handed to a spawn (`create_task(waiter.wait())`). A module's function of
    the same name (`asyncio.wait(...)`) is not one."""
    first = call.args[0].value if call.args and call.args[0].keyword is None else None
    for candidate in (call, first):
        method = candidate.func if isinstance(candidate, cst.Call) else candidate
        if (
            isinstance(method, cst.Attribute)
            and _waits(method.attr.value)
            and ctx.qualified_name(method) is None
        ):
            return True
    return False
