"""Positions for a few calls of a file without libcst's position codegen.

libcst places a node by generating the module's code up to it, which costs more than the parse
itself; Python's `ast` parses the same file in a fraction of that and carries positions. So a
call (or attribute) is identified by its *rank*: its index among the file's calls (attributes)
in source order. `ranks()` computes ranks on the libcst tree, in the traversal that summarizes
a file; `ast_positions()` later finds the node of the same rank in the `ast` tree, checks that
it names the same thing, and reads its position. When anything disagrees (a construct the two
parsers see differently), it returns None and the caller falls back to libcst.
"""

from __future__ import annotations

import ast

from asynclint._lazy import libcst as cst
from asynclint.analysis.tree import code_fields

Position = tuple[int, int, int, int, int, int]  # line, col, end line, end col, statement lines

# Nodes whose dataclass fields are not in source order (found by comparing a pre-order walk with
# libcst's positions over real projects). Fields not listed here hold no calls or attributes.
_FIELD_ORDER = {
    "FunctionDef": ("decorators", "params", "returns", "body"),
    "ClassDef": ("decorators", "bases", "keywords", "body"),
    "ExceptHandler": ("type", "name", "body"),
    "ExceptStarHandler": ("type", "name", "body"),
    "IfExp": ("body", "test", "orelse"),
    "Parameters": ("posonly_params", "params", "star_arg", "kwonly_params", "star_kwarg"),
}
_fields_cache: dict[type, tuple[str, ...]] = {}

# Nodes with no children that can hold a call or an attribute.
_LEAVES = frozenset(
    {"Name", "Integer", "Float", "Imaginary", "SimpleString", "Ellipsis", "Pass", "Break", "Continue",
     "FormattedStringText", "Newline", "EmptyLine", "Comment"}
)  # fmt: skip


def _reversed_fields(value_type: type) -> tuple[str, ...]:
    """The fields of a node type that can hold code, last first (for a stack); () for a type
    that holds no call or attribute, and for a value that is no node (a string, None)."""
    fields = _fields_cache.get(value_type)
    if fields is None:
        if not issubclass(value_type, cst.CSTNode):  # CSTNode is an ABC: asked once per type
            fields = ()
        elif value_type.__name__ in _LEAVES or value_type in (cst.Import, cst.ImportFrom):
            # `import a.b` is an Attribute to libcst and a plain string to ast: not counted.
            fields = ()
        else:
            fields = tuple(reversed(_FIELD_ORDER.get(value_type.__name__) or code_fields(value_type)))
        _fields_cache[value_type] = fields
    return fields


def ranks(module: cst.Module, nodes) -> tuple[dict[int, int], int, int]:
    """{id(node): rank} for `nodes` (calls and attributes), and how many calls and attributes
    the module has. A pre-order walk in source order that steps only into values that may hold
    a call or an attribute (a Name, a string, whitespace never do)."""
    wanted = {id(node) for node in nodes}
    found: dict[int, int] = {}
    calls = attributes = 0
    call_type, attribute_type = cst.Call, cst.Attribute
    stack: list = [module]
    pop, push, cache_get = stack.pop, stack.append, _fields_cache.get
    while stack:
        node = pop()
        node_type = type(node)
        if node_type is call_type:
            if id(node) in wanted:
                found[id(node)] = calls
            calls += 1
        elif node_type is attribute_type:
            if id(node) in wanted:
                found[id(node)] = attributes
            attributes += 1
        fields = cache_get(node_type)
        if fields is None:
            fields = _reversed_fields(node_type)
        for name in fields:
            value = getattr(node, name)
            value_type = type(value)
            if value_type is tuple or value_type is list:
                for item in reversed(value):
                    item_fields = cache_get(type(item))
                    if item_fields is None:
                        item_fields = _reversed_fields(type(item))
                    if item_fields:
                        push(item)
            else:
                value_fields = cache_get(value_type)
                if value_fields is None:
                    value_fields = _reversed_fields(value_type)
                if value_fields:
                    push(value)
    return found, calls, attributes


def last_name(text: str) -> str:
    """The identifier a call or attribute ends in, from its written form: "self.load()" ->
    "load"; used to check that both parsers point at the same node."""
    return text.removesuffix("()").rsplit(".", 1)[-1]


def ast_positions(
    text: str, wanted: dict[int, tuple[bool, int, str]], calls: int, attributes: int
) -> dict[int, Position] | None:
    """Positions for `wanted` ({site: (is_attribute, rank, last name)}), or None when the
    `ast` reading of `text` does not line up with libcst's (counts or names differ)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    found_calls: list[tuple] = []
    found_attributes: list[tuple] = []
    stack: list[tuple[ast.AST, ast.AST | None]] = [(tree, None)]
    while stack:
        node, statement = stack.pop()
        if isinstance(node, ast.stmt):
            statement = node
        elif isinstance(node, ast.Call):
            found_calls.append((_key(node), node, statement))
        elif isinstance(node, ast.Attribute):
            found_attributes.append((_key(node), node, statement))
        stack.extend((child, statement) for child in ast.iter_child_nodes(node))
    if len(found_calls) != calls or len(found_attributes) != attributes:
        return None
    found_calls.sort(key=lambda item: item[0])
    found_attributes.sort(key=lambda item: item[0])
    from asynclint.positions import split_lines

    lines = split_lines(text)
    positions: dict[int, Position] = {}
    for site, (is_attribute, rank, name) in wanted.items():
        listed = found_attributes if is_attribute else found_calls
        if not 0 <= rank < len(listed):
            return None
        _, node, statement = listed[rank]
        if _ast_name(node.func if isinstance(node, ast.Call) else node) != name:
            return None
        first, last = (statement.lineno, statement.end_lineno) if statement is not None else (node.lineno, node.end_lineno)
        positions[site] = (
            node.lineno,
            _column(lines, node.lineno, node.col_offset),
            node.end_lineno,
            _column(lines, node.end_lineno, node.end_col_offset),
            first,
            last,
        )
    return positions


def _key(node) -> tuple[int, int, int, int]:
    return (node.lineno, node.col_offset, -node.end_lineno, -node.end_col_offset)


def _ast_name(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _column(lines: list[str], line: int, utf8_offset: int) -> int:
    """ast counts columns in UTF-8 bytes; asynclint counts code points."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    if text.isascii():
        return utf8_offset
    return len(text.encode("utf-8")[:utf8_offset].decode("utf-8", errors="ignore"))
