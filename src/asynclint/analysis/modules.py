"""Which module a file is, by its path, and what a relative import names from there.

A file's module name is found the way Python would import it from the directory above its
top-most package: walk up while the directory holds an `__init__.py`. So `src/shop/io.py`
in a `src/` layout (with `src/shop/__init__.py`) is `shop.io`, `shop/__init__.py` is `shop`,
and a file in a plain directory (a script, `tests/test_x.py` without `__init__.py`) is a
top-level module named after the file. Nothing is imported and nothing is read but the
directory entries.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import lru_cache

# Names that never stand for a module of the project being checked.
_NOT_PROJECT = frozenset(sys.stdlib_module_names) | {"builtins", "__future__"}


@dataclass(frozen=True, slots=True)
class ModulePath:
    name: str  # "shop.io"; "" when the file's name is not an identifier
    is_package: bool  # an `__init__.py`: relative imports start from the module itself
    root: str  # the directory the top-level package (or the lone module) sits in


@lru_cache(maxsize=4096)
def _is_package_dir(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "__init__.py")) or os.path.isfile(
        os.path.join(directory, "__init__.pyi")
    )


def module_path(path: str) -> ModulePath:
    absolute = os.path.abspath(path)
    directory, filename = os.path.split(absolute)
    stem = filename.rsplit(".", 1)[0]
    is_package = stem == "__init__"
    parts = [] if is_package else [stem]
    while _is_package_dir(directory):
        directory, package = os.path.split(directory)
        parts.insert(0, package)
        if not package:  # the file system root
            break
    name = ".".join(parts) if all(part.isidentifier() for part in parts) else ""
    return ModulePath(name, is_package, directory)


def absolute_name(name: str, module: ModulePath) -> str | None:
    """`.utils.helper` (as written in `from .utils import helper`) seen from `module`, made
    absolute; absolute names come back unchanged. None when it climbs above the top package."""
    if not name.startswith("."):
        return name
    level = len(name) - len(name.lstrip("."))
    rest = name[level:]
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    parts = package.split(".") if package else []
    if level - 1 > len(parts) or (level - 1 == len(parts) and not rest):
        return None
    base = parts[: len(parts) - (level - 1)]
    if rest:
        base.append(rest)
    return ".".join(base) or None


def may_be_project_name(name: str) -> bool:
    """False for names that certainly belong to the standard library or builtins."""
    return name.startswith(".") or name.split(".", 1)[0] not in _NOT_PROJECT
