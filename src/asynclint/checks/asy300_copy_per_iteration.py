"""ASY300 copy-per-iteration: see docs/rules/ASY300.md; the copying calls are listed in
rules/copies.toml, and whether a copy is only read is decided in analysis/uses.py."""

from __future__ import annotations

from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context, LoopFrame
from asynclint.analysis.kinds import item_kind, value_kind
from asynclint.analysis.loops import counts, describe, is_invariant, is_item, leaves_after
from asynclint.analysis.uses import CopyKind, only_read
from asynclint.checks._held import shorten
from asynclint.checks.base import Check
from asynclint.checks.fixes import code_of, display_fix
from asynclint.tables import Tables

# Kinds a shallow copy gives back unchanged, or that hold no references to share.
_IMMUTABLE = frozenset({"bytes", "str", "tuple", "frozenset", "int", "float", "bool", "complex"})
# What `x[:]` copies: a full slice of bytes, str or a tuple is the object itself.
_SLICE_COPIES = frozenset({"list", "bytearray"})
_BYTES_LIKE = frozenset({"bytearray", "memoryview"})
_MODULE_COPIES = {"copy.copy": CopyKind.SHALLOW, "copy.deepcopy": CopyKind.DEEP}


class CopyPerIteration(Check):
    code = "ASY300"

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
            if _kind(func.value, ctx) not in _IMMUTABLE:
                self._judge(node, func.value, CopyKind.SHALLOW, ctx)
            return
        if len(node.args) != 1 or node.args[0].keyword is not None or node.args[0].star:
            return
        name = ctx.qualified_name(func)
        kind = _copy_kind(name, node.args[0].value, ctx) if name in self._functions else None
        if kind is not None:
            self._judge(node, node.args[0].value, kind, ctx)

    def visit_Subscript(self, node: cst.Subscript, ctx: Context) -> None:
        if not ctx.loops or not ctx.in_async or not _is_full_slice(node):
            return
        if _kind(node.value, ctx) in _SLICE_COPIES:
            self._judge(node, node.value, CopyKind.SHALLOW, ctx)

    def _judge(self, node: cst.BaseExpression, copied: cst.BaseExpression, kind: CopyKind, ctx: Context) -> None:
        frame = ctx.loops[-1]
        item = is_item(copied, frame)
        if not item and not is_invariant(copied, frame):
            return  # a copy of a value the loop changes: a snapshot of its state
        parent = ctx.parent
        if isinstance(parent, (cst.For, cst.CompFor)) and parent.iter is node:
            return  # `for c in list(conns):` iterates a snapshot so the body may change conns
        if leaves_after(frame, ctx):
            return  # followed by `return`/`break`: made once per run of the loop, not per item
        if not only_read(node, ctx.parents[:-1], kind, ctx):
            return  # kept, changed, or its type matters: each iteration needs its own copy
        written = shorten(code_of(node))
        name = shorten(code_of(copied))
        if item:
            message = (
                f"`{written}` copies each item of {describe(frame)} only to read it: a full copy "
                "per item, made on the event loop, that nothing changes or keeps"
            )
            fix = display_fix(f"Read `{name}` as it is", node, code_of(copied))
        else:
            message = (
                f"`{written}` copies `{name}`, which does not change in the loop, on every "
                "iteration only to read it"
            )
            fix = display_fix(f"Read `{name}` itself (or copy it once, before the loop)", node, code_of(copied))
        self.report(node, message, ctx.statement(), fix)


def _copy_kind(name: str, copied: cst.BaseExpression, ctx: Context) -> CopyKind | None:
    """The kind of full copy the call `name(copied)` makes of `copied`, or None when it makes
    none."""
    kind = _kind(copied, ctx)
    if name in ("builtins.list", "builtins.dict"):
        # `list(gen)`, `dict(record)` convert; only a list or dict is copied as it is.
        return CopyKind.SHALLOW if kind == name[len("builtins.") :] else None
    if name == "builtins.bytes":
        # `bytes(b)` of bytes is `b` itself, and an unknown value may be bytes.
        return CopyKind.CONVERT if kind in _BYTES_LIKE else None
    if name == "builtins.bytearray":
        frame = ctx.loops[-1]
        if kind == "int" or is_item(copied, frame) and counts(frame, ctx):
            return None  # `bytearray(n)` allocates n zero bytes; it copies nothing
        return CopyKind.SHALLOW if kind == "bytearray" else CopyKind.CONVERT
    if kind in _IMMUTABLE:
        return None  # copy.copy/deepcopy of an immutable value give it back
    return _MODULE_COPIES.get(name)


def _kind(expr: cst.BaseExpression, ctx: Context) -> str | None:
    """What `expr` holds: from the code that binds it, or for the loop's own item, from the
    annotation of what the loop iterates."""
    kind = value_kind(expr, ctx)
    if kind is None and isinstance(expr, cst.Name):
        frame: LoopFrame = ctx.loops[-1]
        if frame.target_names == frozenset({expr.value}):
            kind = item_kind(frame.iter, ctx)
    return kind


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
