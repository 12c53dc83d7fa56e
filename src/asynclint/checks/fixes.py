"""Building fixes: the pieces several checks share. A fix is decided where it is built (its
applicability included); the engine only turns it into positioned edits."""

from __future__ import annotations

from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context
from asynclint.checks.base import NodeEdit, ProposedFix
from asynclint.diagnostic import Applicability


def code_of(node: cst.CSTNode) -> str:
    return cst.Module(body=()).code_for_node(node)


def has_comment(node: cst.CSTNode) -> bool:
    """True when replacing `node` would drop a comment written inside it."""

    class _FindComment(cst.CSTVisitor):
        found = False

        def visit_Comment(self, comment: cst.Comment) -> bool:
            self.found = True
            return False

    finder = _FindComment()
    node.visit(finder)
    return finder.found


def as_operand(node: cst.CSTNode, ctx: Context, replacement: str) -> str:
    """`replacement` (an `await ...` expression) parenthesised where `node` is followed by
    `.attr`, `[...]` or `(...)`: `requests.get(u).json()` must become
    `(await asyncio.to_thread(requests.get, u)).json()`."""
    parent = ctx.parent
    if (
        isinstance(parent, cst.Attribute)
        and parent.value is node
        or isinstance(parent, cst.Subscript)
        and parent.value is node
        or isinstance(parent, cst.Call)
        and parent.func is node
    ):
        return f"({replacement})"
    return replacement


def cannot_become_await(ctx: Context) -> bool:
    """Where an `await` cannot replace the call: a `with` item (the context manager would
    become a coroutine), inside a generator expression (it would turn into an async
    generator), or a decorator."""
    for node in reversed(ctx.parents[:-1]):
        if isinstance(node, (cst.WithItem, cst.GeneratorExp, cst.Decorator)):
            return True
        if isinstance(node, cst.BaseStatement):
            return False
    return False


def framework(ctx: Context) -> tuple[str, bool]:
    """The async framework a fix should use, and whether that choice is certain: the one the
    module imports; asyncio, uncertainly, when it imports none or several."""
    imported = ctx.imported_frameworks()
    if len(imported) == 1:
        return next(iter(imported)), True
    return "asyncio", False


def replacement_fix(
    title: str,
    node: cst.CSTNode,
    replacement: str,
    applicability: Applicability,
    imports: tuple[str, ...],
) -> ProposedFix:
    if applicability is Applicability.SAFE and has_comment(node):
        applicability = Applicability.UNSAFE
    return ProposedFix(title, applicability, (NodeEdit(node, replacement),), imports)


def offload_fix(node: cst.Call, ctx: Context) -> ProposedFix | None:
    """`f(a, k=v)` -> `await asyncio.to_thread(f, a, k=v)`; in trio or anyio modules
    `await trio.to_thread.run_sync(f, a)`, with `functools.partial` for keyword arguments.
    Always unsafe: the call moves to another thread (thread-safety of the objects it uses,
    context variables, and the ordering of side effects can change). The modules are named
    as Context.module_reference says (an alias under which the file imports them, or a free
    one where their names mean something else here)."""
    if cannot_become_await(ctx):
        return None
    chosen, _ = framework(ctx)
    runner = ctx.module_reference("asyncio" if chosen == "asyncio" else f"{chosen}.to_thread")
    imports = runner.imports
    func = code_of(node.func)
    args = [code_of(arg).strip().rstrip(",").strip() for arg in node.args]
    if chosen == "asyncio":
        call = f"await {runner.name}.to_thread({', '.join([func, *args])})"
    elif any(arg.keyword is not None or arg.star == "**" for arg in node.args):
        functools = ctx.module_reference("functools")
        imports += functools.imports
        call = f"await {runner.name}.run_sync({functools.name}.partial({', '.join([func, *args])}))"
    else:
        call = f"await {runner.name}.run_sync({', '.join([func, *args])})"
    # A sentence naming the callee and the runner: an editor shows it as the quick fix's title,
    # and the edit itself shows the whole call.
    runner_call = f"{runner.name}.to_thread" if chosen == "asyncio" else f"{runner.name}.run_sync"
    callee = func if len(func) <= 40 else func[:37] + "..."
    title = f"Run `{callee}` in a worker thread with `{runner_call}`"
    return replacement_fix(title, node, as_operand(node, ctx, call), Applicability.UNSAFE, imports)


def display_fix(title: str, node: cst.CSTNode | None = None, replacement: str | None = None) -> ProposedFix:
    """A display-only suggestion: the title, and when the change is a concrete edit of one
    node, that edit for editors to show. Never applied, so it needs no imports."""
    edits = (NodeEdit(node, replacement),) if node is not None and replacement is not None else ()
    return ProposedFix(title, Applicability.DISPLAY_ONLY, edits)


def with_arguments(call: cst.Call, changes: tuple[tuple[str, str, cst.BaseExpression | None], ...]) -> str:
    """The source of `call` with each `(keyword, value, replacing)` of `changes` made: when
    `replacing` is one of the call's argument values, that value becomes `value` (the argument
    keeps its keyword or position); otherwise `keyword=value` is added after the arguments.
    Every other argument stays as written."""
    args = list(call.args)
    no_space = cst.SimpleWhitespace("")
    for keyword, value, replacing in changes:
        new_value = cst.parse_expression(value)
        index = next((i for i, arg in enumerate(args) if replacing is not None and arg.value is replacing), None)
        if index is not None:
            args[index] = args[index].with_changes(value=new_value)
            continue
        added = cst.Arg(
            value=new_value,
            keyword=cst.Name(keyword),
            equal=cst.AssignEqual(whitespace_before=no_space, whitespace_after=no_space),
        )
        if args and isinstance(args[-1].comma, cst.Comma):
            # A trailing comma (a call over several lines): the new argument takes it over,
            # and the old last argument gets the separator its neighbours use.
            separator = args[-2].comma if len(args) > 1 else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            added = added.with_changes(comma=args[-1].comma)
            args[-1] = args[-1].with_changes(comma=separator)
        args.append(added)
    return code_of(call.with_changes(args=args))


def shown_call(call: cst.Call, changes: tuple[tuple[str, str, cst.BaseExpression | None], ...]) -> str:
    """`with_arguments` for a title: as written when that is one short line, otherwise with
    the other arguments elided (`create_async_engine(..., pool_size=5)`)."""
    full = with_arguments(call, changes)
    if "\n" not in full and len(full) <= 80:
        return full
    written = ", ".join(f"{keyword}={value}" for keyword, value, _ in changes)
    return f"{code_of(call.func)}(..., {written})"
