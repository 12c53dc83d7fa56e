"""Whether an object a call creates outlives the code that creates it (ASY502).

A client created in a handler or a loop iteration is a problem only when it also dies there.
It lives on when the creating code returns or yields it, stores it on an object or in a
container (`self.client = ...`, `app.state.http = ...`, `app["db"] = ...`, `clients.append(c)`),
declares its name `global`/`nonlocal`, or hands it to another constructor. The function body is
scanned only for the calls a check asks about.
"""

from __future__ import annotations

from asynclint._lazy import NodeTypes
from asynclint._lazy import libcst as cst

from asynclint.analysis.context import Context

_NESTED = NodeTypes("FunctionDef", "ClassDef", "Lambda")
# Methods that put their argument into a longer-lived container.
_STORING_METHODS = frozenset(
    {"append", "add", "extend", "insert", "setdefault", "put", "put_nowait", "update", "push"}
)


def outlives_creator(call: cst.Call, ctx: Context) -> bool:
    """True when the object `call` creates is kept beyond the current function (see above).
    `call` must be the node being visited."""
    parents = ctx.parents
    index = len(parents) - 1
    while index > 0:
        parent = parents[index - 1]
        if isinstance(parent, (cst.Await, cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            index -= 1  # a comprehension builds a collection: what matters is where that goes
            continue
        if isinstance(parent, (cst.Return, cst.Yield)):
            return True
        if isinstance(parent, cst.Arg):
            return True  # handed to another call, which may keep it
        if isinstance(parent, (cst.List, cst.Tuple, cst.Set, cst.Dict, cst.Element, cst.DictElement)):
            return True  # built into a collection
        if isinstance(parent, cst.Assign):
            return _targets_keep([t.target for t in parent.targets], ctx)
        if isinstance(parent, (cst.AnnAssign, cst.NamedExpr)):
            return _targets_keep([parent.target], ctx)
        return False  # used in place (`ClientSession().get(...)`), or scoped by `async with`
    return False


def _targets_keep(targets: list[cst.BaseExpression], ctx: Context) -> bool:
    names = []
    for target in targets:
        if not isinstance(target, cst.Name):
            return True  # an attribute, a subscript, an unpacking: stored somewhere
        names.append(target.value)
    function = ctx.function.node
    if not isinstance(function, cst.FunctionDef):
        return True  # module or class level: created once
    return any(_name_escapes(function, name) for name in names)


def _name_escapes(function: cst.FunctionDef, name: str) -> bool:
    from asynclint.analysis.walker import children

    pending: list[tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]] = [(function.body, ())]
    while pending:
        node, ancestors = pending.pop()
        if isinstance(node, _NESTED()):
            continue
        if isinstance(node, (cst.Global, cst.Nonlocal)):
            if any(item.name.value == name for item in node.names):
                return True
        if isinstance(node, cst.Name) and node.value == name and _escaping_use(ancestors):
            return True
        chain = ancestors + (node,)
        pending.extend((child, chain) for child in children(node))
    return False


def _escaping_use(ancestors: tuple[cst.CSTNode, ...]) -> bool:
    if ancestors and isinstance(ancestors[-1], cst.Attribute):
        return False  # `conn.fetch(...)`, `session.closed`: a use of the object, not a hand-off
    for position in range(len(ancestors) - 1, -1, -1):
        node = ancestors[position]
        if isinstance(node, (cst.Return, cst.Yield)):
            return True
        if isinstance(node, cst.Assign):
            value_side = position + 1 < len(ancestors) and ancestors[position + 1] is node.value
            return value_side and any(not isinstance(t.target, cst.Name) for t in node.targets)
        if isinstance(node, cst.AnnAssign):
            value_side = position + 1 < len(ancestors) and ancestors[position + 1] is node.value
            return value_side and not isinstance(node.target, cst.Name)
        if isinstance(node, cst.Arg) and position > 0:
            call = ancestors[position - 1]
            if isinstance(call, cst.Call):
                func = call.func
                if isinstance(func, cst.Attribute) and func.attr.value in _STORING_METHODS:
                    return True
                callee = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
                if isinstance(callee, str) and (callee[:1].isupper() or callee == "setattr"):
                    return True  # a constructor keeps what it is given
        if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
            return False
    return False
