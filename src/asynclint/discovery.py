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
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

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
    """

    def __init__(self, config: Config) -> None:
        import pathspec

        self._pathspec = pathspec
        self._root = config.root
        patterns = list(DEFAULT_EXCLUDE if config.exclude is None else config.exclude)
        patterns += config.extend_exclude
        self._excludes = pathspec.GitIgnoreSpec.from_lines(patterns)
        self._respect_gitignore = config.respect_gitignore
        self._gitignores: dict[Path, object | None] = {}
        self._chains: dict[Path, tuple] = {}
        self._lifted: frozenset[int] = frozenset()

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
        # DEFAULT_EXCLUDE is among the patterns unless the config's `exclude` replaced it, as
        # docs/configuration.md says it does.
        suffix = "/" if is_dir else ""
        relative = _relative_to(path, self._root)
        if self._decides(self._excludes, (path.name if relative is None else relative) + suffix):
            return True
        return self._gitignored(path, suffix)

    def _decides(self, spec, path: str) -> bool | None:
        """True: `spec` ignores `path`; False: a negation re-includes it; None: no pattern
        matches. The last matching pattern decides, as in git."""
        if not self._lifted:
            return spec.check_file(path).include
        decision = None
        for pattern in spec.patterns:
            if pattern.include is not None and id(pattern) not in self._lifted and pattern.match_file(path):
                decision = pattern.include
        return decision

    def lifting(self, directory: Path) -> _IgnoreRules:
        """These rules for walking `directory`, named explicitly, whatever excludes it."""
        suffix = "/"
        relative = _relative_to(directory, self._root)
        candidates = [(self._excludes, (directory.name if relative is None else relative) + suffix)]
        if self._respect_gitignore:
            candidates += [
                (spec, directory.relative_to(base).as_posix() + suffix)
                for base, spec in self._gitignores_above(directory.parent)
            ]
        lifted = frozenset(
            id(pattern)  # patterns are not hashable; the specs that hold them outlive the walk
            for spec, path in candidates
            for pattern in spec.patterns
            if pattern.include and pattern.match_file(path)
        )
        rules = copy.copy(self)  # shares the .gitignore caches
        rules._lifted = lifted
        return rules

    def covers(self, file: Path) -> bool:
        """Whether the file, or a directory it is in below the root, is excluded or a virtual
        environment: what a walk from the root would skip. The file need not exist."""
        if self.excluded(file, is_dir=False):
            return True
        inside_root = [d for d in file.parents if _relative_to(d, self._root) not in (None, ".")]
        return any(self.excluded(d, is_dir=True) or _is_virtualenv(d) for d in inside_root)

    def _gitignored(self, path: Path, suffix: str) -> bool:
        # The nearest .gitignore with an opinion decides: a subdirectory's `!keep_pb2.py`
        # re-includes what the root's `*_pb2.py` ignores, as in git.
        if not self._respect_gitignore:
            return False
        for directory, spec in self._gitignores_above(path.parent):
            decision = self._decides(spec, path.relative_to(directory).as_posix() + suffix)
            if decision is not None:
                return decision
        return False

    def _gitignores_above(self, directory: Path) -> tuple:
        """(directory, spec) for each .gitignore from `directory` up to the repository root,
        nearest first."""
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
            for file in _walk(absolute, rules.lifting(absolute)):
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
