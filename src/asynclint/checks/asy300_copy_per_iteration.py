"""ASY300 copy-per-iteration: see docs/rules/ASY300.md; the copying calls are listed in
rules/copies.toml."""

from __future__ import annotations

from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context
from asynclint.analysis.loops import assignments, counts, is_invariant, is_item
from asynclint.analysis.scope import dotted_name
from asynclint.analysis.kinds import value_kind
from asynclint.checks._held import shorten
from asynclint.checks.base import Check, FixAvailability, ProposedFix
from asynclint.checks.fixes import code_of, display_fix
from asynclint.tables import Tables


class CopyPerIteration(Check):
    code = "ASY300"
    name = "copy-per-iteration"
    fix_availability = FixAvailability.DISPLAY_ONLY

    def __init__(self, tables: Tables) -> None:
        self._functions = tables.copy_functions
        super().__init__(tables)

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        return (frozenset({"async"}),)  # reported in async context only (see the doc page)

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        if not ctx.loops or not ctx.in_async:
            return
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "copy" and not node.args:
            self._judge(node, func.value, ctx)
            return
        if len(node.args) != 1 or node.args[0].keyword is not None or node.args[0].star:
            return
        name = ctx.qualified_name(func)
        if name not in self._functions:
            return
        copied = node.args[0].value
        if name in _CONVERSIONS and value_kind(copied, ctx) != _CONVERSIONS[name]:
            return  # `list(gen)`, `dict(record)`: a conversion, not a copy of the same thing
        if name in ("builtins.bytes", "builtins.bytearray") and (
            value_kind(copied, ctx) == "int" or is_item(copied, ctx.loops[-1]) and counts(ctx.loops[-1], ctx)
        ):
            return  # `bytes(n)` allocates n zero bytes; it copies nothing
        self._judge(node, copied, ctx)

    def visit_Subscript(self, node: cst.Subscript, ctx: Context) -> None:
        if not ctx.loops or not ctx.in_async or not _is_full_slice(node):
            return
        parent = ctx.parent
        if isinstance(parent, (cst.AssignTarget, cst.Del)) or (
            isinstance(parent, cst.AugAssign) and parent.target is node
        ):
            return  # `x[:] = y` and `del x[:]` write in place; they copy nothing
        self._judge(node, node.value, ctx)

    def _judge(self, node: cst.BaseExpression, copied: cst.BaseExpression, ctx: Context) -> None:
        frame = ctx.loops[-1]
        parent = ctx.parent
        if isinstance(parent, (cst.For, cst.CompFor)) and parent.iter is node:
            return  # `for c in list(conns):` iterates a snapshot so the body may change conns
        if isinstance(parent, cst.Assign) and any(
            dotted_name(t.target) in assignments(frame).updated for t in parent.targets
        ):
            return  # `d = dict(base); d["k"] = v`: the copy exists to be changed
        written = shorten(code_of(node))
        name = shorten(code_of(copied))
        view = f", or `memoryview({name})`" if _bytes_like(node, copied, ctx) else ""
        if is_item(copied, frame):
            message = (
                f"`{written}` copies each item the loop yields (`{name}`) in full: the copy "
                "doubles the memory traffic of every item; use the item as it is (you already "
                "own it), or a `memoryview` of it"
            )
            # The edit shows the item used as it is; never applied, since only the author knows
            # whether the copy guards against a later change to the item.
            fix = display_fix(f"Use `{name}` as it is{view}", node, code_of(copied))
        elif is_invariant(copied, frame):
            message = (
                f"`{written}` copies `{name}`, which does not change in the loop, again on every "
                "iteration; make the copy once before the loop, or pass the value itself"
            )
            fix = display_fix(f"Hoist `{written}` out of the loop (copy once, before it), or pass `{name}` itself{view}")
        else:
            return
        self.report(node, message, ctx.statement(), fix)


# list(x) and dict(x) copy only when x already is a list or dict; otherwise they convert.
_CONVERSIONS = {"builtins.list": "list", "builtins.dict": "dict"}


def _bytes_like(node: cst.BaseExpression, copied: cst.BaseExpression, ctx: Context) -> bool:
    """A copy of bytes (`bytes(buf)`, `bytearray(buf)`, `buf[:]` of bytes): a `memoryview`
    reads the same data without copying it."""
    if isinstance(node, cst.Call) and ctx.qualified_name(node.func) in ("builtins.bytes", "builtins.bytearray"):
        return True
    return value_kind(copied, ctx) in ("bytes", "bytearray")


def _is_full_slice(node: cst.Subscript) -> bool:
    if len(node.slice) != 1:
        return False
    part = node.slice[0].slice
    return (
        isinstance(part, cst.Slice)
        and part.lower is None
        and part.upper is None
        and part.step is None
    )
