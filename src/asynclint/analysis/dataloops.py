"""The loop that makes code run once per item of some data (ASY402, ASY502).

Read from `ctx.loops`: the innermost `for`/`async for` loop or comprehension clause whose
iterable is not of a fixed size (a retry loop inside a loop over rows does not hide the rows). Fixed size: `range(...)` with literal bounds, a literal
tuple/list/set/string or a name bound once to one, `enumerate`/`reversed` of one of these. `while` loops are skipped: they
poll, page through results or reconnect, rather than walk a collection.
"""

from __future__ import annotations

from asynclint._lazy import libcst as cst

from asynclint.analysis.context import Context, LoopFrame
from asynclint.analysis.origins import origin_of_name
from asynclint.analysis.scope import target_names

_WRAPPERS = frozenset({"builtins.enumerate", "builtins.reversed", "builtins.sorted"})


def data_loop(ctx: Context) -> tuple[LoopFrame, cst.BaseExpression] | None:
    for frame in reversed(ctx.loops):
        iterable = loop_iterable(frame)
        if iterable is not None and not fixed_size(iterable, ctx):
            return frame, iterable
    return None


def loop_iterable(frame: LoopFrame) -> cst.BaseExpression | None:
    node = frame.node
    if isinstance(node, cst.For):
        return node.iter
    if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
        clause = node.for_in
        while clause is not None:
            if frozenset(target_names(clause.target)) == frame.target_names:
                return clause.iter
            clause = clause.inner_for_in
    return None


def fixed_size(iterable: cst.BaseExpression, ctx: Context, depth: int = 0) -> bool:
    if isinstance(iterable, cst.Name) and depth < 3:
        origin = origin_of_name(iterable, ctx)  # `cases = [...]` then `for case in cases`
        return origin is not None and fixed_size(origin, ctx, depth + 1)
    if isinstance(iterable, (cst.Tuple, cst.List, cst.Set)):
        return not any(isinstance(el, cst.StarredElement) for el in iterable.elements)
    if isinstance(iterable, (cst.SimpleString, cst.ConcatenatedString)):
        return True
    if isinstance(iterable, cst.Call):
        name = ctx.qualified_name(iterable.func)
        args = [arg.value for arg in iterable.args]
        if name == "builtins.range":
            return bool(args) and all(_literal_int(a) for a in args)
        if name in _WRAPPERS and args:
            return fixed_size(args[0], ctx, depth)
    return False


def describe(frame: LoopFrame, iterable: cst.BaseExpression) -> str:
    """"the loop over `lines`", "the comprehension over `ids`"."""
    written = cst.Module(body=()).code_for_node(iterable)
    kind = "loop" if isinstance(frame.node, cst.For) else "comprehension"
    return f"the {kind}" if len(written) > 40 else f"the {kind} over `{written}`"


def _literal_int(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.UnaryOperation):
        expr = expr.expression
    return isinstance(expr, cst.Integer)
