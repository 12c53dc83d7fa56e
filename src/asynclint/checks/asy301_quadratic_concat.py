"""ASY301 quadratic-concat: see docs/rules/ASY301.md. What the accumulator holds comes from
analysis/values.py, whether the loop re-initialises it from analysis/loops.py."""

from __future__ import annotations

from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context
from asynclint.analysis.loops import assignments, is_constant_size
from asynclint.analysis.scope import dotted_name
from asynclint.analysis.kinds import value_kind
from asynclint.checks.base import Check, FixAvailability, ProposedFix
from asynclint.diagnostic import Applicability
from asynclint.tables import Tables

_REMEDY = {
    "bytes": (
        "accumulate in a `bytearray` (`buf = bytearray()`; `buf += part`), or collect the parts "
        'in a list and `b"".join()` them once',
        "Accumulate in a `bytearray` instead",
    ),
    "str": (
        'collect the parts in a list and `"".join()` them once, or write them to an `io.StringIO`',
        'Collect the parts in a list and `"".join()` them',
    ),
}


class QuadraticConcat(Check):
    code = "ASY301"
    name = "quadratic-concat"
    fix_availability = FixAvailability.DISPLAY_ONLY

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        return (frozenset({"async"}),)  # reported in async context only (see the doc page)

    def visit_AugAssign(self, node: cst.AugAssign, ctx: Context) -> None:
        if isinstance(node.operator, cst.AddAssign):
            self._judge(node, node.target, ctx)

    def visit_Assign(self, node: cst.Assign, ctx: Context) -> None:
        value = node.value
        if (
            len(node.targets) == 1
            and isinstance(value, cst.BinaryOperation)
            and isinstance(value.operator, cst.Add)
            and dotted_name(value.left) is not None
            and dotted_name(value.left) == dotted_name(node.targets[0].target)
        ):
            self._judge(node, node.targets[0].target, ctx)

    def _judge(self, node: cst.CSTNode, accumulator: cst.BaseExpression, ctx: Context) -> None:
        if not ctx.loops or not ctx.in_async:
            return
        name = dotted_name(accumulator)
        frame = ctx.loops[-1]
        if name is None or name in assignments(frame).rebound or is_constant_size(frame, ctx):
            return  # re-initialised on every iteration, or a handful of iterations at most
        kind = value_kind(accumulator, ctx)
        if kind not in _REMEDY:
            return
        remedy, title = _REMEDY[kind]
        self.report(
            node,
            f"`{name}` is `{kind}` and grows by concatenation in a loop: each step copies "
            f"everything gathered so far, so the work grows with the square of its size; {remedy}",
            ctx.statement(),
            ProposedFix(title, Applicability.DISPLAY_ONLY),
        )
