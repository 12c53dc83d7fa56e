"""libcst, loaded on first use.

Importing libcst costs ~90 ms, several times the rest of start-up. Check and analysis modules
name libcst at module level but touch it only when a file is parsed, so they import it as
`from asynclint._lazy import libcst as cst`: a run that parses nothing (every file cached or
prefiltered away, `asynclint rules`, `--help`) never pays for it.

A plain `import libcst` statement would load it at once: the import machinery reads the module's
`__spec__`, which is what makes a LazyLoader module load. Binding the name through this module
avoids that statement.
"""

import importlib.util
import sys


def _lazy_module(name: str):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ImportError(f"asynclint needs {name}; install it with `pip install {name}`")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


libcst = _lazy_module("libcst")


class NodeTypes:
    """libcst node classes named at import time and looked up on first use, for module-level
    constants: `_NESTED = NodeTypes("FunctionDef", "Lambda")`, then
    `isinstance(node, _NESTED())`. A plain tuple of `cst.X` would load libcst on import."""

    def __init__(self, *names: str) -> None:
        self._names = names
        self._types: tuple[type, ...] | None = None

    def __call__(self) -> tuple[type, ...]:
        if self._types is None:
            self._types = tuple(getattr(libcst, name) for name in self._names)
        return self._types
