"""ASY110 sync-bridge-in-async: see docs/rules/ASY110.md; the bridges are listed in
rules/bridges.toml and recognised by analysis/bridges.py."""

from __future__ import annotations

from collections.abc import Iterator

from asynclint._lazy import libcst as cst
from asynclint.analysis.bridges import BridgeUse, bridge_at, describe
from asynclint.analysis.context import Context
from asynclint.checks._held import shorten
from asynclint.checks.base import Check, ProposedFix
from asynclint.checks.fixes import as_operand, cannot_become_await, code_of, display_fix, replacement_fix
from asynclint.diagnostic import Applicability
from asynclint.tables import Tables


class SyncBridgeInAsync(Check):
    code = "ASY110"

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        # A bridge is named somewhere in the text (at the call, or in the import that binds it).
        names = frozenset(name.rsplit(".", 1)[-1] for name in tables.bridges.calls)
        return (frozenset({"async"}), names)

    def start_file(self) -> None:
        super().start_file()
        self._forking: dict[int, bool] = {}  # id of an async function -> whether it forks

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        if not ctx.in_async:
            return  # a sync function, run by a thread or at an entry point: what bridges are for
        use = bridge_at(node, ctx)
        if use is None or self._forks(ctx):
            return
        group = use.group
        fix = _await_fix(use, ctx)
        if fix is None:
            fix = display_fix(group.remedy[:1].upper() + group.remedy[1:])
        self.report(node, f"{describe(use)} in async code {group.what}", ctx.statement(), fix)


    def _forks(self, ctx: Context) -> bool:
        """True when the current function starts a child process (`os.fork()`): the child runs
        with no event loop, and may start its own with a bridge."""
        function = ctx.function.node
        key = id(function)
        if key not in self._forking:
            forks = ctx.tables.bridges.forks
            self._forking[key] = any(
                isinstance(node, cst.Call) and ctx.qualified_name(node.func) in forks
                for node in _code_nodes(function)
            )
        return self._forking[key]


def _code_nodes(function: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node of a function's body, not entering nested functions, classes or lambdas."""
    from asynclint.analysis.walker import children  # walker loads libcst on import

    pending = [function.body] if isinstance(function, cst.FunctionDef) else []
    while pending:
        node = pending.pop()
        yield node
        pending.extend(
            child for child in children(node) if not isinstance(child, (cst.FunctionDef, cst.ClassDef, cst.Lambda))
        )


def _await_fix(use: BridgeUse, ctx: Context) -> ProposedFix | None:
    """The call the bridge waits for, awaited where the bridge stands: `asyncio.run(main())` ->
    `await main()`, `trio.run(f, x)` -> `await f(x)`, `async_to_sync(f)(x)` -> `await f(x)`,
    `run_coroutine_threadsafe(c, loop).result()` -> `await asyncio.wrap_future(...)`.

    Always unsafe: the bridge raised, blocked the loop or deadlocked, and the awaited form lets
    other tasks run while it waits, on this loop rather than the one the bridge targeted. None
    where the form cannot be written: keyword arguments that belong to the bridge (`debug=True`,
    a timeout), a function wrapped elsewhere (a decorator, a name bound in another place), or a
    spot where an `await` cannot stand."""
    if cannot_become_await(ctx):
        return None
    group, bridge, call = use.group, use.bridge, use.call
    imports: tuple[str, ...] = ()
    if group.shape == "future":
        if call.args or not isinstance(call.func, cst.Attribute):
            return None  # `result(timeout)`: wait_for would also cancel the other loop's coroutine
        reference = ctx.module_reference("asyncio")
        imports = reference.imports
        awaited = f"await {reference.name}.wrap_future({code_of(call.func.value)})"
    else:
        if bridge is None:
            return None
        arguments = _plain_arguments(bridge)
        if not arguments or arguments[0].star:
            return None
        first = _operand(arguments[0].value)
        rest = [_argument_text(arg) for arg in arguments[1:]]
        if group.shape == "wrapper":
            if rest:
                return None
            rest = [_argument_text(arg) for arg in call.args]
        if group.runs == "coroutine":
            if rest:
                return None
            awaited = f"await {first}"
        elif group.runs == "async_function":
            awaited = f"await {first}({', '.join(rest)})"
        else:
            awaited = f"{first}({', '.join(rest)})"
    if group.shape == "wrapper" and call.func is not use.bridge:
        # `send = async_to_sync(notify)` made elsewhere: `notify` is named where the wrapper
        # was made, and may not mean the same here.
        return display_fix(f"Await the wrapped function where the wrapper is called: `{shorten(awaited, 70)}`")
    return replacement_fix(
        f"Replace with `{shorten(awaited, 70)}`",
        call,
        as_operand(call, ctx, awaited),
        Applicability.UNSAFE,
        imports,
    )


def _plain_arguments(call: cst.Call) -> list[cst.Arg]:
    """The positional arguments, or [] when the call passes keywords (options of the bridge
    itself) or `**kwargs`."""
    if any(arg.keyword is not None or arg.star == "**" for arg in call.args):
        return []
    return list(call.args)


def _argument_text(arg: cst.Arg) -> str:
    return code_of(arg).strip().rstrip(",").strip()


def _operand(expr: cst.BaseExpression) -> str:
    """`expr` as the operand of `await` or of a call: parenthesised unless it is a name, an
    attribute, a call or a subscript (`await (a or b)`, `(lambda: f())()`)."""
    written = code_of(expr).strip()
    if expr.lpar or isinstance(expr, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)):
        return written
    return f"({written})"
