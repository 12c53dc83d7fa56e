"""Whether a copy is only read where it is used: compared, measured, searched, printed, and then
dropped, so the original would have served as well. A copy that is kept (stored in a container
or an attribute, returned, handed to a call that may hold on to it) or changed in place is what
the code needs, and so is one whose type matters where it is used.

ASY300 asks this about the copies it finds. Anything this module does not recognise counts as
kept, so an unknown use never makes a copy look avoidable. Writes to a stream or socket are not
reads here: a transport may keep the buffer it is given until it is sent (asyncio's selector
transports keep a view of it since Python 3.12), and a copy is then what keeps the sent data
intact when the original buffer is reused.

A copy bound to a local name (`snapshot = list(items)`) is only read when every other mention
of the name in the function is such a read, not inside a nested function, lambda or class, and
the name is bound nowhere else.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from asynclint._lazy import NodeTypes
from asynclint._lazy import libcst as cst

if TYPE_CHECKING:
    from asynclint.analysis.context import Context


class CopyKind(Enum):
    SHALLOW = "shallow"  # same type, the same items: `x.copy()`, `copy.copy(x)`, `list(a_list)`, `x[:]`
    DEEP = "deep"  # same type, new items all the way down: `copy.deepcopy(x)`
    CONVERT = "convert"  # same content, another type: `bytes(a_bytearray)`, `bytearray(b)`


# Reads whose result does not depend on the copy's type or identity: they give the same answer
# for the original.
_SAME_FOR_ANY_TYPE_FUNCTIONS = frozenset({"builtins.len"})
_SAME_FOR_ANY_TYPE_METHODS = frozenset(
    {"find", "rfind", "count", "index", "startswith", "endswith", "decode", "hex"}
)
# Reads that render the value: the same text for a copy of the same type.
_RENDERING_FUNCTIONS = frozenset({"builtins.print", "builtins.repr", "json.dumps"})
_NESTED = NodeTypes("FunctionDef", "Lambda", "ClassDef")


def only_read(node: cst.BaseExpression, ancestors: list[cst.CSTNode], kind: CopyKind, ctx: Context) -> bool:
    """True when the copy `node` (whose enclosing nodes are `ancestors`, outermost first, its
    parent last) is only read, directly or through the one local name it is bound to."""
    parent = ancestors[-1]
    if (
        isinstance(parent, cst.Assign)
        and parent.value is node
        and len(parent.targets) == 1
        and isinstance(parent.targets[0].target, cst.Name)
    ):
        function = ctx.function.node
        if not isinstance(function, cst.FunctionDef):
            return False
        return _name_only_read(parent.targets[0].target.value, parent, function, kind, ctx)
    return _read_here(node, ancestors, kind, ctx)


def _read_here(node: cst.CSTNode, ancestors: list[cst.CSTNode], kind: CopyKind, ctx: Context) -> bool:
    parent = ancestors[-1]
    above = ancestors[-2] if len(ancestors) >= 2 else None
    if isinstance(parent, cst.ComparisonTarget) and parent.comparator is node:
        return not isinstance(parent.operator, (cst.Is, cst.IsNot))
    if isinstance(parent, cst.Comparison) and parent.left is node:
        return not any(isinstance(t.operator, (cst.Is, cst.IsNot)) for t in parent.comparisons)
    if isinstance(parent, cst.UnaryOperation) and isinstance(parent.operator, cst.Not):
        return True
    if isinstance(parent, (cst.If, cst.While, cst.IfExp, cst.Assert)) and parent.test is node:
        return True
    if isinstance(parent, cst.Arg):
        if parent.value is not node or parent.star or parent.keyword is not None:
            return False
        if not isinstance(above, cst.Call):
            return False
        name = ctx.qualified_name(above.func)
        return name in _SAME_FOR_ANY_TYPE_FUNCTIONS or (
            name in _RENDERING_FUNCTIONS and kind is not CopyKind.CONVERT
        )
    if isinstance(parent, cst.Attribute) and parent.value is node:
        # `bytes(buf).decode()`: a reading method called on the copy itself.
        return (
            isinstance(above, cst.Call)
            and above.func is parent
            and parent.attr.value in _SAME_FOR_ANY_TYPE_METHODS
        )
    if isinstance(parent, cst.FormattedStringExpression):
        return kind is not CopyKind.CONVERT
    if kind is not CopyKind.SHALLOW:
        return False  # the uses below keep the copy's items, or give a result of its type
    if isinstance(parent, cst.BinaryOperation):
        return True  # `list(a) + b` builds a new list from the same items
    if isinstance(parent, cst.Subscript) and parent.value is node:
        # `list(x)[0]` reads an item the original holds too; `copy[k] = v` changes the copy.
        return not isinstance(above, (cst.AssignTarget, cst.Del)) and not (
            isinstance(above, cst.AugAssign) and above.target is parent
        )
    return False


def _name_only_read(
    name: str, binding: cst.Assign, function: cst.FunctionDef, kind: CopyKind, ctx: Context
) -> bool:
    from asynclint.analysis.walker import children

    pending: list[tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]] = [(function.body, ())]
    while pending:
        node, ancestors = pending.pop()
        if node is binding:
            pending.append((binding.value, (*ancestors, node)))  # its target is the binding itself
            continue
        if isinstance(node, cst.Name) and node.value == name:
            if any(isinstance(a, _NESTED()) for a in ancestors):
                return False  # a closure keeps it
            if not _read_here(node, list(ancestors), kind, ctx):
                return False  # kept, changed, or bound again
            continue
        pending.extend((child, (*ancestors, node)) for child in children(node))
    return True
