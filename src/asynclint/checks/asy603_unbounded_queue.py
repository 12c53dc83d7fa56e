"""ASY603 unbounded-queue: see docs/rules/ASY603.md; the constructors and their size rules are
listed in rules/queues.toml."""

from __future__ import annotations

from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context
from asynclint.analysis.values import constant_number
from asynclint.checks._held import shorten
from asynclint.checks.base import Check, ProposedFix
from asynclint.checks.fixes import code_of, display_fix, shown_call, with_arguments
from asynclint.tables import Tables

# The size the suggestion writes in: a placeholder to replace with how far producers may get
# ahead of consumers, not a recommendation.
SUGGESTED_SIZE = "1000"


class UnboundedQueue(Check):
    code = "ASY603"

    def __init__(self, tables: Tables) -> None:
        self._queues = tables.queues
        super().__init__(tables)

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        return (frozenset(name.rsplit(".", 1)[-1] for name in tables.queues),)

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        func = node.func
        if isinstance(func, cst.Subscript):
            func = func.value  # `asyncio.Queue[int]()`
        name = ctx.qualified_name(func)
        spec = self._queues.get(name) if name is not None else None
        if spec is None:
            return
        size_arg = next(
            (
                arg.value
                for position, arg in enumerate(node.args)
                if (arg.keyword is not None and arg.keyword.value == spec.size_keyword)
                or (arg.keyword is None and position == 0 and not arg.star)
            ),
            None,
        )
        if size_arg is None:
            if spec.default is None or not spec.is_unbounded(spec.default) or _has_splat(node):
                return
            problem = f"`{name}()` has no `{spec.size_keyword}`, so it never makes a producer wait"
        else:
            size = constant_number(size_arg, ctx)
            if size is None or not spec.is_unbounded(size):
                return
            problem = (
                f"`{name}({spec.size_keyword}={shorten(code_of(size_arg), 30)})` sets no bound, so it never "
                "makes a producer wait"
            )
        self.report(
            node,
            f"{problem}: under load the buffer, and memory, grow without limit while consumers "
            "fall behind",
            ctx.statement(),
            _fix(node, spec.size_keyword, size_arg),
        )


def _fix(node: cst.Call, keyword: str, size_arg: cst.BaseExpression | None) -> ProposedFix:
    """The call with a finite size: the unbounded value replaced where it is written
    (`maxsize=0`, `math.inf`), or `maxsize=1000` added after the arguments."""
    changes = ((keyword, SUGGESTED_SIZE, size_arg),)
    return display_fix(
        f"Bound it, e.g. `{shown_call(node, changes)}`, sized for how far producers may get "
        "ahead of consumers",
        node,
        with_arguments(node, changes),
    )


def _has_splat(node: cst.Call) -> bool:
    return any(arg.star for arg in node.args)
