"""Which files to check: the paths given, directories walked for *.py and *.pyi, minus what
should never be linted (VCS, virtual environments, build and cache directories), what
.gitignore files ignore, and the config's exclude patterns.

A file named explicitly is checked even when an exclude pattern matches it, unless
`force_exclude` is set: pre-commit and editors pass files one by one, and they still expect
the project's excludes to apply.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from asynclint.config import Config

SOURCE_SUFFIXES = (".py", ".pyi")

# Directories that hold no code of the project's own.
DEFAULT_EXCLUDE = (
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".mypy_cache", ".nox",
    ".pants.d", ".pytype", ".ruff_cache", ".svn", ".tox", ".venv", "__pypackages__",
    "_build", "buck-out", "build", "dist", "node_modules", "site-packages", "venv",
    "__pycache__", ".pytest_cache", ".asynclint_cache",
)  # fmt: skip


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


class _IgnoreRules:
    """The config's excludes plus every .gitignore from the repository root down."""

    def __init__(self, config: Config) -> None:
        import pathspec

        self._pathspec = pathspec
        self._root = config.root
        patterns = list(DEFAULT_EXCLUDE if config.exclude is None else config.exclude)
        patterns += config.extend_exclude
        self._excludes = pathspec.GitIgnoreSpec.from_lines(patterns)
        self._gitignores: dict[Path, object | None] = {}
        self._chains: dict[Path, tuple] = {}

    def _gitignore(self, directory: Path):
        if directory not in self._gitignores:
            spec = None
            ignore_file = directory / ".gitignore"
            if ignore_file.is_file():
                try:
                    lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
                    spec = self._pathspec.GitIgnoreSpec.from_lines(lines)
                except OSError:
                    spec = None
            self._gitignores[directory] = spec
        return self._gitignores[directory]

    def excluded(self, path: Path, is_dir: bool) -> bool:
        suffix = "/" if is_dir else ""
        if path.name in DEFAULT_EXCLUDE and is_dir:
            return True
        relative = _relative_to(path, self._root)
        if relative is not None and self._excludes.match_file(relative + suffix):
            return True
        if relative is None and self._excludes.match_file(path.name + suffix):
            return True
        return self._gitignored(path, suffix)

    def _gitignored(self, path: Path, suffix: str) -> bool:
        return any(
            spec.match_file(path.relative_to(directory).as_posix() + suffix)
            for directory, spec in self._gitignores_above(path.parent)
        )

    def _gitignores_above(self, directory: Path) -> tuple:
        """(directory, spec) for each .gitignore from `directory` up to the repository root."""
        chain = self._chains.get(directory)
        if chain is None:
            spec = self._gitignore(directory)
            own = ((directory, spec),) if spec is not None else ()
            at_root = (directory / ".git").exists() or directory.parent == directory
            chain = own if at_root else own + self._gitignores_above(directory.parent)
            self._chains[directory] = chain
        return chain


def _relative_to(path: Path, root: Path) -> str | None:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return None


def _is_virtualenv(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").is_file()


def _is_special(path: Path) -> bool:
    """A FIFO, socket or device named like a source file: reading one blocks or never ends.
    A path that cannot be stat'ed (a dangling symlink) is not special: the engine reports it."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def discover(paths: list[str], config: Config, force_exclude: bool = False) -> Discovery:
    rules = _IgnoreRules(config)
    found = Discovery()
    seen: set[str] = set()
    force_exclude = force_exclude or config.force_exclude

    def add(display: str) -> None:
        if display not in seen:
            seen.add(display)
            found.files.append(display)

    for given in paths:
        absolute = Path(os.path.abspath(given))
        if not absolute.exists():
            found.missing.append(given)
        elif absolute.is_file():
            if not (force_exclude and rules.excluded(absolute, is_dir=False)):
                add(os.path.normpath(given))
        elif not (force_exclude and rules.excluded(absolute, is_dir=True)):
            for file in _walk(absolute, rules):
                add(os.path.normpath(os.path.join(given, os.path.relpath(file, absolute))))
    found.files.sort()
    return found


def _walk(top: Path, rules: _IgnoreRules):
    for directory, subdirs, files in os.walk(top):
        here = Path(directory)
        subdirs[:] = sorted(
            name
            for name in subdirs
            if not rules.excluded(here / name, is_dir=True) and not _is_virtualenv(here / name)
        )
        for name in sorted(files):
            path = here / name
            if name.endswith(SOURCE_SUFFIXES) and not rules.excluded(path, is_dir=False) and not _is_special(path):
                yield path
