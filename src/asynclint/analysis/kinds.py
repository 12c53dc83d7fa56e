"""Value kinds: the builtin type of a value (`bytes`, `str`, `bytearray`, `list`, `int`, ...)
when a literal, a constructor call or an annotation says it.

All of it is read from the bindings the walker already keeps (values.py follows a name to the
expression it was bound from); nothing here walks the tree. A kind is only given when the code
says it: an unknown value has no kind, and checks treat "no kind" as "not reported".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asynclint._lazy import libcst as cst

from asynclint.analysis.values import origin_of

if TYPE_CHECKING:
    from asynclint.analysis.context import Context

_MAX_DEPTH = 4  # how many bindings to follow (`a = b""; b = a`); also stops `x = x + y`

_BUILTIN_KINDS = frozenset(
    {
        "bytes", "str", "bytearray", "memoryview", "list", "dict", "tuple", "set", "frozenset",
        "int", "float", "bool", "complex",
    }
)
# Methods of str/bytes/bytearray that return a new value of the receiver's kind.
_SAME_KIND_METHODS = frozenset(
    {
        "join", "strip", "lstrip", "rstrip", "replace", "lower", "upper", "title", "capitalize",
        "casefold", "swapcase", "center", "ljust", "rjust", "zfill", "expandtabs", "format",
        "removeprefix", "removesuffix", "translate",
    }
)  # fmt: skip
_SEQUENCES = frozenset({"str", "bytes", "bytearray", "list", "tuple"})
# Annotations whose first type argument is the type of each item iterated:
# `frames: list[bytearray]`, `reader: AsyncIterator[bytes]`.
_CONTAINERS = frozenset(
    {
        "builtins.list", "builtins.tuple", "builtins.set", "builtins.frozenset",
        "collections.deque",
    }
    | {
        f"{module}.{name}"
        for module in ("typing", "collections.abc")
        for name in (
            "List", "Tuple", "Set", "FrozenSet", "Deque", "Sequence", "MutableSequence",
            "Iterable", "Iterator", "AsyncIterable", "AsyncIterator", "Collection",
            "Generator", "AsyncGenerator",
        )
    }
)


def value_kind(expr: cst.BaseExpression, ctx: Context, depth: int = 0) -> str | None:
    """The builtin type of `expr`'s value ("bytes", "str", "list", ...) when the code says it."""
    if isinstance(expr, (cst.SimpleString, cst.FormattedString)):
        return "bytes" if "b" in expr.prefix.lower() else "str"
    if isinstance(expr, cst.ConcatenatedString):
        return value_kind(expr.left, ctx, depth)
    if isinstance(expr, cst.Integer):
        return "int"
    if isinstance(expr, cst.Float):
        return "float"
    if isinstance(expr, (cst.List, cst.ListComp)):
        return "list"
    if isinstance(expr, (cst.Dict, cst.DictComp)):
        return "dict"
    if isinstance(expr, (cst.Set, cst.SetComp)):
        return "set"
    if isinstance(expr, cst.Tuple):
        return "tuple"
    if isinstance(expr, cst.Call):
        return _call_kind(expr, ctx, depth)
    if isinstance(expr, cst.BinaryOperation):
        if isinstance(expr.operator, (cst.Add, cst.Multiply)):
            return value_kind(expr.left, ctx, depth) or value_kind(expr.right, ctx, depth)
        if isinstance(expr.operator, cst.Modulo):
            left = value_kind(expr.left, ctx, depth)  # "%s" % x
            return left if left in ("str", "bytes") else None
        return None
    if isinstance(expr, cst.Subscript):
        # A slice of a sequence has the sequence's kind (an index of bytes is an int: unknown).
        if len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Slice):
            kind = value_kind(expr.value, ctx, depth)
            return kind if kind in _SEQUENCES else None
        return None
    if isinstance(expr, cst.IfExp):
        body = value_kind(expr.body, ctx, depth)
        return body if body == value_kind(expr.orelse, ctx, depth) else None
    if isinstance(expr, (cst.Name, cst.Attribute)):
        declared = _builtin_kind(ctx.value_type(expr))
        if declared is not None:
            return declared
        origin = origin_of(expr, ctx)
        if origin is not None and origin is not expr and depth < _MAX_DEPTH:
            return value_kind(origin, ctx, depth + 1)
    return None


def item_kind(iterable: cst.BaseExpression | None, ctx: Context) -> str | None:
    """The builtin type of each item of `iterable` when it is a parameter whose annotation
    says what it holds: `for frame in frames` with `frames: list[bytearray]`."""
    function = ctx.function.node
    if not isinstance(iterable, cst.Name) or not isinstance(function, cst.FunctionDef):
        return None
    binding = ctx.scope.lookup(iterable.value)
    if binding is None or binding.origin is not None or binding.qualname is not None:
        return None  # bound from a value, or an import: not the parameter
    params = function.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        if param.name.value != iterable.value or param.annotation is None:
            continue
        annotation = param.annotation.annotation
        if not isinstance(annotation, cst.Subscript) or not annotation.slice:
            return None
        container = ctx.qualified_name(annotation.value)
        first = annotation.slice[0].slice
        if container not in _CONTAINERS or not isinstance(first, cst.Index):
            return None
        return _builtin_kind(ctx.qualified_name(first.value))
    return None


def _call_kind(call: cst.Call, ctx: Context, depth: int) -> str | None:
    func = call.func
    if isinstance(func, cst.Attribute):
        method = func.attr.value
        if method == "decode":
            return "str"  # bytes.decode
        if method == "encode":
            return "bytes"  # str.encode
        if method in _SAME_KIND_METHODS:
            kind = value_kind(func.value, ctx, depth)
            return kind if kind in ("str", "bytes", "bytearray") else None
    return _builtin_kind(ctx.qualified_name(func))


def _builtin_kind(qualified_name: str | None) -> str | None:
    if qualified_name is None or not qualified_name.startswith("builtins."):
        return None
    kind = qualified_name[len("builtins.") :]
    return kind if kind in _BUILTIN_KINDS else None
