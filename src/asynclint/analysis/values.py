"""Values the source states outright: where a name or `self.attr` got its value, and the number
a constant expression stands for."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from asynclint._lazy import libcst as cst

if TYPE_CHECKING:
    from asynclint.analysis.context import Context

_MAX_DEPTH = 4


def origin_of(expr: cst.BaseExpression, ctx: Context) -> cst.BaseExpression | None:
    """The expression a plain name, or `self.attr` in a method, was bound to, when known."""
    if isinstance(expr, cst.Name):
        binding = ctx.scope.lookup(expr.value)
        return binding.origin if binding is not None else None
    if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
        frame = ctx.function
        facts = frame.class_facts
        if facts is not None and expr.value.value == frame.self_name:
            return facts.attr_origins.get(expr.attr.value)
    return None


def constant_number(expr: cst.BaseExpression, ctx: Context, depth: int = 0) -> float | None:
    """The number a literal (`4`, `-1`, `2.5`, `math.inf`, `float("inf")`), or a name bound to
    one, stands for; None when the source does not say."""
    if isinstance(expr, cst.Integer):
        return int(expr.value.replace("_", ""), 0)
    if isinstance(expr, cst.Float):
        return float(expr.value.replace("_", ""))
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        value = constant_number(expr.expression, ctx, depth)
        return -value if value is not None else None
    if isinstance(expr, cst.Call) and ctx.qualified_name(expr.func) == "builtins.float":
        if len(expr.args) == 1 and isinstance(expr.args[0].value, cst.SimpleString):
            text = expr.args[0].value.evaluated_value
            if isinstance(text, str) and text.strip().lower() in ("inf", "+inf", "infinity"):
                return math.inf
        return None
    if isinstance(expr, (cst.Name, cst.Attribute)):
        if ctx.qualified_name(expr) == "math.inf":
            return math.inf
        if depth < _MAX_DEPTH:
            origin = origin_of(expr, ctx)
            if origin is not None and origin is not expr:
                return constant_number(origin, ctx, depth + 1)
    return None
