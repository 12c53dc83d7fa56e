"""Which names a function's code can read: a value bound to a local that nothing reads is
dropped when the function returns (ASY602's task bound to a local it never uses)."""

from __future__ import annotations

from asynclint._lazy import libcst as cst

from asynclint.analysis.walker import children

# Calls that read locals by name at run time: with one of them in view, any name may be read.
_INTROSPECTION = frozenset({"locals", "vars", "eval", "exec"})


def referenced_names(function: cst.FunctionDef) -> frozenset[str] | None:
    """The names whose value the function's code (nested functions, lambdas and
    comprehensions included) can read: every name loaded, and every name declared `global` or
    `nonlocal` (other code reads those). None when the function calls `locals()`, `vars()`,
    `eval` or `exec`, which can read any local."""
    stores: set[int] = set()  # ids of the Name nodes that only bind
    read: set[str] = set()
    pending: list[cst.CSTNode] = [function.body]
    while pending:
        node = pending.pop()
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            continue  # binds names, reads none
        if isinstance(node, (cst.Global, cst.Nonlocal)):
            read.update(item.name.value for item in node.names)
            continue
        for target in _binding_targets(node):
            stores.update(_stored_name_ids(target))
        if isinstance(node, cst.Name) and id(node) not in stores:
            read.add(node.value)
        pending.extend(children(node))
    return None if read & _INTROSPECTION else frozenset(read)


def _binding_targets(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The parts of `node` that name what it binds (not AugAssign's target: `x += 1` reads x)."""
    if isinstance(node, (cst.AssignTarget, cst.AnnAssign, cst.NamedExpr, cst.For, cst.CompFor, cst.Del)):
        return [node.target]
    if isinstance(node, cst.AsName):
        return [node.name]
    if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Param)):
        return [node.name]
    if isinstance(node, (cst.MatchAs, cst.MatchStar)) and node.name is not None:
        return [node.name]
    if isinstance(node, cst.MatchMapping) and node.rest is not None:
        return [node.rest]
    return []


def _stored_name_ids(target: cst.CSTNode) -> list[int]:
    """The Name nodes a target binds, through tuple and list unpacking (`a.x` or `a[i]` as a
    target reads `a`)."""
    if isinstance(target, cst.Name):
        return [id(target)]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [i for element in target.elements for i in _stored_name_ids(element.value)]
    if isinstance(target, cst.StarredElement):
        return _stored_name_ids(target.value)
    return []
