"""libcst's parser, without the per-node validation it runs as it builds the tree.

libcst validates every node it constructs (`CSTNode.__post_init__` calls `_validate`: a Name
holds an identifier, whitespace is whitespace, parentheses pair up, ...). Those checks guard
trees built by hand; on a tree its own parser builds they find nothing, and they cost a fifth of
the parse. `parse_module_unvalidated` skips them, for text Python's own parser has already
accepted (the engine's syntax pre-check); any other text goes through `libcst.parse_module`
with validation as usual, and so does every node a check or a fix builds.

This uses a private detail of libcst: that `CSTNode.__post_init__` does nothing but call
`self._validate()`. It was read from libcst 1.9.0 (the dependency range is libcst>=1.1,<2);
`skips_validation()` tests that detail on the libcst installed, so a libcst that
changes it is simply parsed with validation, and tests/test_parse.py fails on it.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_checked: bool | None = None  # whether the installed libcst has the expected __post_init__


def skips_validation() -> bool:
    """Whether `parse_module_unvalidated` can skip validation on the libcst installed."""
    global _checked
    if _checked is None:
        from libcst._nodes.base import CSTNode

        post_init = CSTNode.__dict__.get("__post_init__")
        code = getattr(post_init, "__code__", None)
        # `def __post_init__(self): self._validate()`, and nothing else: no other name, no constant
        # but the implicit None.
        _checked = (
            code is not None
            and code.co_names == ("_validate",)
            and code.co_argcount == 1
            and code.co_consts in ((None,), ())
            and callable(getattr(CSTNode, "_validate", None))
        )
    return _checked


def _skip(self) -> None:
    """Stands for `CSTNode.__post_init__` while the parser builds a tree."""


def parse_module_unvalidated(text: str):
    """`libcst.parse_module(text)` without per-node validation. Only for text that Python's
    parser accepted: the tree is then the one libcst builds with validation (tests check it),
    and its `code` is `text`."""
    import libcst

    if not skips_validation():
        return libcst.parse_module(text)
    from libcst._nodes.base import CSTNode

    # Nodes other threads build meanwhile go unvalidated too; the lock only keeps two parses
    # from restoring each other's stand-in.
    with _lock:
        validate = CSTNode.__dict__["__post_init__"]
        CSTNode.__post_init__ = _skip
        try:
            return libcst.parse_module(text)
        finally:
            CSTNode.__post_init__ = validate
