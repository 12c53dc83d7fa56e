"""The child nodes of a libcst node that can hold code, in source order: the one walk order the
walker, the binding pass (scope.py) and the analyses that read a subtree all share."""

from __future__ import annotations

import dataclasses
from typing import Iterator, Literal, Optional, get_origin

from asynclint._lazy import libcst as cst

# Fields that never hold code: punctuation, whitespace, comments, and names that are not
# references (`x.attr`, `f(keyword=...)`).
_SKIPPED_FIELDS = frozenset(
    {
        "lpar", "rpar", "comma", "semicolon", "leading_lines", "lines_after_decorators",
        "header", "footer", "dot", "equal", "colon", "operator", "star", "lbrace", "rbrace",
        "lbracket", "rbracket", "first_line", "empty_lines", "indent", "newline",
        "trailing_whitespace", "encoding", "default_newline", "default_indent",
        "has_trailing_newline", "asynchronous", "lines", "relative", "attr", "keyword",
        "whitespace", "default_comma", "arrow",
    }
)  # fmt: skip

_fields_cache: dict[type, tuple[str, ...]] = {}


def _holds_text_only(annotation: object) -> bool:
    """A field typed `str`, `Optional[str]` or a `Literal` of strings: a Name's `value`, a
    string's quotes. Leaving them out leaves the commonest nodes with no field to read."""
    return annotation is str or annotation == Optional[str] or get_origin(annotation) is Literal


def code_fields(node_type: type) -> tuple[str, ...]:
    fields = _fields_cache.get(node_type)
    if fields is None:
        fields = tuple(
            f.name
            for f in dataclasses.fields(node_type)
            if f.name not in _SKIPPED_FIELDS
            and not f.name.startswith("whitespace")
            and not _holds_text_only(f.type)
        )
        _fields_cache[node_type] = fields
    return fields


# type -> whether it is a libcst node. CSTNode is an ABC, so `isinstance` goes through
# ABCMeta.__instancecheck__; the values met here are of a few dozen types, and a dict lookup per
# value costs a fraction of that (5% of a whole run, measured by cProfile on aiohttp).
_is_node: dict[type, bool] = {}


def _node(value: object) -> bool:
    kind = type(value)
    answer = _is_node.get(kind)
    if answer is None:
        answer = _is_node[kind] = issubclass(kind, cst.CSTNode)
    return answer


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The child nodes of `node` that can hold code, in source order."""
    for name in code_fields(type(node)):
        value = getattr(node, name)
        if _node(value):
            yield value
        elif type(value) in (tuple, list):
            for item in value:
                if _node(item):
                    yield item
