"""Scopes, bindings and qualified-name resolution, built by our own pass.

libcst's ScopeProvider and QualifiedNameProvider cost several times the parse itself, so
asynclint keeps a scope chain of plain dicts, filled in traversal order. A name resolves to
the binding seen last along the chain, which is how the code reads top to bottom; function
bodies are walked after the module body (see walker.py), so they see every module-level name.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field

from asynclint._lazy import libcst as cst

BUILTIN_NAMES = frozenset(dir(builtins))


@dataclass(slots=True)
class Binding:
    """What a name holds, as far as a static reading can tell.

    `qualname` is set when the name stands for something importable (`import requests as rq`
    binds `rq` to "requests"; `sleep = time.sleep` binds `sleep` to "time.sleep").
    `type` is set when the name holds an instance of a known type (`s = requests.Session()`).
    `origin` is the expression the value came from (the call in `f = open(p)`), when known.
    `definition` is the `def` or `class` statement that bound the name, for those.
    A binding with none of these still matters: it shadows outer names.
    """

    qualname: str | None = None
    type: str | None = None
    origin: cst.BaseExpression | None = None
    definition: cst.FunctionDef | cst.ClassDef | None = None


@dataclass(slots=True)
class ClassFacts:
    name: str
    attr_types: dict[str, str] = field(default_factory=dict)  # self.x -> type of x
    # self.x -> the expression first assigned to it (`__init__` runs first, see walker.py)
    attr_origins: dict[str, cst.BaseExpression] = field(default_factory=dict)


@dataclass(slots=True)
class Scope:
    kind: str  # "module" | "class" | "function" | "lambda" | "comprehension"
    parent: Scope | None
    names: dict[str, Binding] = field(default_factory=dict)
    class_facts: ClassFacts | None = None  # for kind == "class"

    def lookup(self, name: str) -> Binding | None:
        """Python's rule: class bodies are not visible from the functions nested in them."""
        scope: Scope | None = self
        while scope is not None:
            if scope is self or scope.kind != "class":
                binding = scope.names.get(name)
                if binding is not None:
                    return binding
            scope = scope.parent
        return None


def dotted_name(expr: cst.BaseExpression) -> str | None:
    """`a.b.c` as written, or None when the expression is not a plain dotted name."""
    parts = []
    while isinstance(expr, cst.Attribute):
        parts.append(expr.attr.value)
        expr = expr.value
    if not isinstance(expr, cst.Name):
        return None
    parts.append(expr.value)
    return ".".join(reversed(parts))


def bind_import(scope: Scope, node: cst.Import) -> None:
    for alias in node.names:
        module = dotted_name(alias.name)
        if module is None:
            continue
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            scope.names[alias.asname.name.value] = Binding(qualname=module)
        else:
            # `import a.b.c` binds only `a`, which stands for the package `a`.
            top = module.split(".", 1)[0]
            scope.names[top] = Binding(qualname=top)


def bind_import_from(scope: Scope, node: cst.ImportFrom) -> None:
    if isinstance(node.names, cst.ImportStar):
        return
    module = dotted_name(node.module) if node.module is not None else ""
    prefix = "." * len(node.relative) + (module or "")
    for alias in node.names:
        name = dotted_name(alias.name)
        if name is None:
            continue
        qualname = f"{prefix}.{name}" if prefix and not prefix.endswith(".") else prefix + name
        local = name
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            local = alias.asname.name.value
        scope.names[local] = Binding(qualname=qualname)


def target_names(target: cst.BaseExpression) -> list[str]:
    """Plain names bound by an assignment target (tuples and starred parts included)."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        names: list[str] = []
        for element in target.elements:
            names.extend(target_names(element.value))
        return names
    if isinstance(target, cst.StarredElement):
        return target_names(target.value)
    return []
