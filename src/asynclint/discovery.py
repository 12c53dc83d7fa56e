"""Which files to check: the paths given, directories walked for *.py, *.pyi and *.ipynb (Jupyter
notebooks, as ruff finds them by default), minus what
should never be linted (VCS, virtual environments, build and cache directories), what
.gitignore files ignore, and the config's exclude patterns.

A file named explicitly is checked even when an exclude pattern matches it, unless
`force_exclude` is set: pre-commit and editors pass files one by one, and they still expect
the project's excludes to apply.
"""

from __future__ import annotations

import copy
import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from asynclint.config import Config

SOURCE_SUFFIXES = (".py", ".pyi", ".ipynb")

# Directories that hold no code of the project's own.
DEFAULT_EXCLUDE = (
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".mypy_cache", ".nox",
    ".pants.d", ".pytype", ".ruff_cache", ".svn", ".tox", ".venv", "__pypackages__",
    "_build", "buck-out", "build", "dist", "node_modules", "site-packages", "venv",
    "__pycache__", ".pytest_cache", ".asynclint_cache",
    ".ipynb_checkpoints",  # Jupyter's autosaved copies: each notebook would be reported twice
)  # fmt: skip


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)
    # Paths named on the command line that cannot be checked, with why: "x.py: no such file
    # or directory". The run reports them, checks the rest, and exits 2.
    errors: list[str] = field(default_factory=list)


class _IgnoreRules:
    """The config's excludes plus every .gitignore from the repository root down (unless the
    config's `respect_gitignore` is off).

    `lifted`: (the ids of) patterns that matched a directory named explicitly on the command line. Such a
    pattern (`build`) matches everything below that directory too, so it stops counting there;
    the others (`__pycache__`) still apply inside it, as they would anywhere.

    A walk asks about every directory and source file, so the paths are strings here (a
    `Path` costs more to build and compare than the matching) and each spec's question is
    compiled once (`_decider`).
    """

    def __init__(self, config: Config) -> None:
        import pathspec

        self._pathspec = pathspec
        self._root = config.root
        patterns = list(DEFAULT_EXCLUDE if config.exclude is None else config.exclude)
        patterns += config.extend_exclude
        self._excludes = pathspec.GitIgnoreSpec.from_lines(patterns)
        self._respect_gitignore = config.respect_gitignore
        self._gitignores: dict[str, object | None] = {}
        self._chains: dict[str, tuple] = {}
        self._lifted: frozenset[int] = frozenset()
        self._deciders: dict[int, Callable[[str], bool | None]] = {}  # by id() of a spec

    def _gitignore(self, directory: str):
        if directory not in self._gitignores:
            spec = None
            ignore_file = os.path.join(directory, ".gitignore")
            if _is_file(ignore_file):
                try:
                    lines = Path(ignore_file).read_text(encoding="utf-8", errors="replace").splitlines()
                    spec = self._pathspec.GitIgnoreSpec.from_lines(lines)
                except OSError:
                    spec = None
            self._gitignores[directory] = spec
        return self._gitignores[directory]

    def excluded(self, path: Path, is_dir: bool) -> bool:
        return self._excluded(str(path), _relative_to(path, self._root), is_dir)

    def _excluded(self, path: str, relative: str | None, is_dir: bool) -> bool:
        """`excluded` for the absolute `path`, given its `relative` path below the root (None:
        outside it)."""
        # DEFAULT_EXCLUDE is among the patterns unless the config's `exclude` replaced it, as
        # docs/configuration.md says it does.
        suffix = "/" if is_dir else ""
        if self._decides(self._excludes, (os.path.basename(path) if relative is None else relative) + suffix):
            return True
        return self._gitignored(path, suffix)

    def _decides(self, spec, path: str) -> bool | None:
        """True: `spec` ignores `path`; False: a negation re-includes it; None: no pattern
        matches."""
        decide = self._deciders.get(id(spec))
        if decide is None:
            decide = self._deciders[id(spec)] = self._decider(spec)
        return decide(path)

    def _decider(self, spec) -> Callable[[str], bool | None]:
        """`_decides` for one spec. With nothing lifted, pathspec decides (the last matching
        pattern, a file's own match outweighing its directory's); with patterns lifted, the
        last matching pattern that is not lifted, as in git. Without negations both come to
        the same: a path is ignored when any pattern matches it. That is asked of the patterns'
        regular expressions directly (pathspec's own call costs several times more), and for
        a pattern that names a path component (`build`, `.git`, `__pycache__/`: all of the
        default excludes) of the path's components, twenty times faster than its expression."""
        patterns = [p for p in spec.patterns if p.include is not None and id(p) not in self._lifted]
        if all(pattern.include for pattern in patterns):
            named = [(pattern, _component_name(pattern)) for pattern in patterns]
            names = {component[0] for _, component in named if component is not None and not component[1]}
            directory_names = {component[0] for _, component in named if component is not None and component[1]}
            searches = [pattern.regex.search for pattern, component in named if component is None]
            every_search = [pattern.regex.search for pattern in patterns]
            # As pathspec's check_file reads a path (`./x` as `x`); a lifted pattern is asked as it is.
            normalize = self._pathspec.util.normalize_file if not self._lifted else None

            def any_match(path: str) -> bool | None:
                if normalize is not None:
                    path = normalize(path)
                if path.startswith("/") or "\n" in path:  # where `(?:.+/)?` and `$` differ from a split
                    return True if any(search(path) for search in every_search) else None
                parts = path.split("/")
                if not names.isdisjoint(parts) or not directory_names.isdisjoint(parts[:-1]):
                    return True
                return True if any(search(path) for search in searches) else None

            return any_match
        if not self._lifted:
            return lambda path: spec.check_file(path).include

        def last_match(path: str) -> bool | None:
            decision = None
            for pattern in patterns:
                if pattern.match_file(path):
                    decision = pattern.include
            return decision

        return last_match

    def lifting(self, directory: Path) -> _IgnoreRules:
        """These rules for walking `directory`, named explicitly, whatever excludes it."""
        suffix = "/"
        relative = _relative_to(directory, self._root)
        candidates = [(self._excludes, (directory.name if relative is None else relative) + suffix)]
        if self._respect_gitignore:
            candidates += [
                (spec, directory.relative_to(base).as_posix() + suffix)
                for base, spec in self._gitignores_above(str(directory.parent))
            ]
        lifted = frozenset(
            id(pattern)  # patterns are not hashable; the specs that hold them outlive the walk
            for spec, path in candidates
            for pattern in spec.patterns
            if pattern.include and pattern.match_file(path)
        )
        rules = copy.copy(self)  # shares the .gitignore caches
        rules._lifted = lifted
        rules._deciders = {}
        return rules

    def covers(self, file: Path) -> bool:
        """Whether the file, or a directory it is in below the root, is excluded or a virtual
        environment: what a walk from the root would skip. The file need not exist."""
        if self.excluded(file, is_dir=False):
            return True
        inside_root = [d for d in file.parents if _relative_to(d, self._root) not in (None, ".")]
        return any(self.excluded(d, is_dir=True) or _is_virtualenv(d) for d in inside_root)

    def _gitignored(self, path: str, suffix: str) -> bool:
        # The nearest .gitignore with an opinion decides: a subdirectory's `!keep_pb2.py`
        # re-includes what the root's `*_pb2.py` ignores, as in git.
        if not self._respect_gitignore:
            return False
        for directory, spec in self._gitignores_above(os.path.dirname(path)):
            decision = self._decides(spec, _below(path, directory) + suffix)
            if decision is not None:
                return decision
        return False

    def _gitignores_above(self, directory: str) -> tuple:
        """(directory, spec) for each .gitignore from `directory` up to the repository root,
        nearest first."""
        chain = self._chains.get(directory)
        if chain is None:
            spec = self._gitignore(directory)
            own = ((directory, spec),) if spec is not None else ()
            parent = os.path.dirname(directory)
            at_root = _mode(os.path.join(directory, ".git")) is not None or parent == directory
            chain = own if at_root else own + self._gitignores_above(parent)
            self._chains[directory] = chain
        return chain


# How pathspec compiles a pattern that names a path component: at any depth, as a file or
# directory (`build`) or as a directory only (`build/`).
_ANY_DEPTH = "^(?:.+/)?"
_ENDINGS = (("(?:(?P<ps_d>/)|$)", False), ("(?P<ps_d>/)", True))


def _component_name(pattern) -> tuple[str, bool] | None:
    """(name, directory only) when pathspec compiled `pattern` to "a path component equal to
    name" (read off its expression, so any other form is left to the expression); else None."""
    source = pattern.regex.pattern
    if not isinstance(source, str) or pattern.regex.flags != re.UNICODE or not source.startswith(_ANY_DEPTH):
        return None
    for ending, directory_only in _ENDINGS:
        if source.endswith(ending):
            escaped = source[len(_ANY_DEPTH) : -len(ending)]
            name = re.sub(r"\\(.)", r"\1", escaped, flags=re.DOTALL)
            if name and "/" not in name and re.escape(name) == escaped:
                return name, directory_only
    return None


def _below(path: str, ancestor: str) -> str:
    """`path` relative to the directory `ancestor`, one of its parents, with '/' separators."""
    relative = path[len(ancestor.rstrip(os.sep)) + 1 :]
    return relative if os.sep == "/" else relative.replace(os.sep, "/")


def _relative_to(path: Path, root: Path) -> str | None:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return None


def _is_virtualenv(directory: str | Path) -> bool:
    return _is_file(os.path.join(directory, "pyvenv.cfg"))


# The errors after which pathlib's exists() and is_file() answer False; they raise any other
# (a directory that cannot be searched), and so does _mode.
_NOT_THERE = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)


def _mode(path: str) -> int | None:
    """The type and permissions of the file at `path` (following symlinks); None where
    pathlib's exists() would answer False. A walk asks this of three names in every
    directory, and building a Path for each cost more than the stat."""
    try:
        return os.stat(path).st_mode
    except OSError as exc:
        if exc.errno in _NOT_THERE:
            return None
        raise
    except ValueError:  # a path the OS cannot take (a NUL in it)
        return None


def _is_file(path: str) -> bool:
    """`Path(path).is_file()`."""
    mode = _mode(path)
    return mode is not None and stat.S_ISREG(mode)


def _is_special(path: Path) -> bool:
    """A FIFO, socket or device named like a source file: reading one blocks or never ends.
    A path that cannot be stat'ed (a dangling symlink) is not special: the engine reports it."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


_SPECIAL_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _special_kind(mode: int) -> str:
    return next((kind for test, kind in _SPECIAL_KINDS if test(mode)), "not a regular file")


def is_excluded(path: str, config: Config) -> bool:
    """Whether `--force-exclude` drops `path`, which need not exist: an editor's unsaved
    buffer has a name (`--stdin-filename`) but no file yet."""
    return _IgnoreRules(config).covers(Path(os.path.abspath(path)))


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
        try:
            mode = os.stat(absolute).st_mode
        except OSError as exc:  # "no such file or directory", "permission denied", ...
            found.errors.append(f"{given}: {(exc.strerror or 'cannot be examined').lower()}")
            continue
        if stat.S_ISREG(mode):
            if not (force_exclude and rules.covers(absolute)):
                add(os.path.normpath(given))
        elif not stat.S_ISDIR(mode):
            # Reading it would block (a FIFO) or never end (/dev/zero); walking it finds nothing.
            found.errors.append(f"{given}: {_special_kind(mode)}, not a file or directory to check")
        elif not (force_exclude and rules.excluded(absolute, is_dir=True)):
            for file in _walk(str(absolute), _relative_to(absolute, rules._root), rules.lifting(absolute)):
                add(os.path.normpath(os.path.join(given, file)))
    found.files.sort()
    return found


def _walk(top: str, top_relative: str | None, rules: _IgnoreRules):
    """The source files under the directory `top` (whose path relative to the root is
    `top_relative`, None outside it), each relative to `top`."""
    relatives = {top: top_relative}  # a directory -> its path relative to the root
    for directory, subdirs, files in os.walk(top):
        relative = relatives.pop(directory)
        kept = []
        for name in sorted(subdirs):
            path = os.path.join(directory, name)
            child = _child_relative(relative, name, path, rules._root)
            if not rules._excluded(path, child, is_dir=True) and not _is_virtualenv(path):
                kept.append(name)
                relatives[path] = child
        subdirs[:] = kept
        below_top = _below(directory, top) + "/" if directory != top else ""
        for name in sorted(files):
            if not name.endswith(SOURCE_SUFFIXES):
                continue
            path = os.path.join(directory, name)
            child = _child_relative(relative, name, path, rules._root)
            if not rules._excluded(path, child, is_dir=False) and not _is_special(path):
                yield below_top + name


def _child_relative(relative: str | None, name: str, path: str, root: Path) -> str | None:
    """The path relative to the root of `name` in a directory whose own is `relative`."""
    if relative is None:  # the directory lies outside the root; the root may lie inside it
        return _relative_to(Path(path), root)
    return name if relative == "." else f"{relative}/{name}"
