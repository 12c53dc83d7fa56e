"""Output formats: thin, pure formatters over a list of `Diagnostic`s.

Each module exposes `render(diagnostics, context) -> str`. Position conversions come from
`asynclint.positions`; nothing here reads files except through the context
(`context.source_lines`, `context.project_root()`).

Findings in a Jupyter notebook name their cell in every format (docs/notebooks.md): as ruff
does, `cell N:line:column` where a format writes its own location text (text, concise,
grouped, pylint's message, JUnit), a `cell` field beside cell-relative lines in the JSON and
LSP forms. The formats whose consumers place findings on lines of the file itself (SARIF,
GitHub, GitLab, Azure, rdjson) cannot address a line inside a cell, since the file holds the
cell as JSON: they give the file without a line (a fallback line 1 where the format requires
one, as ruff gives), start the message with `cell N:line:column: `, and leave out fixes,
whose positions would be read as positions in the JSON text. `context.source_lines` gives a
notebook's joined source, the lines its findings' positions count.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path, PurePath
from typing import Callable

# The formats take these from here; they live in a leaf module so that text.py, which the
# statistics form imports from render(), does not import this package back.
from asynclint.output.cells import cell_location, cell_prefix  # noqa: F401 - re-exported


@dataclass(frozen=True)
class RenderContext:
    source_lines: Callable[[str], list[str]]  # path -> the file's lines (decoded, no newlines)
    files_checked: int
    color: bool = False
    statistics: bool = False
    quiet: bool = False
    unsafe_fixes: bool = False  # whether unsafe fixes count as available (--unsafe-fixes)
    fixing: bool = False  # the findings are what a --fix run left: none is marked fixable
    fixed: int = 0  # how many findings that --fix run fixed
    # The directory repository-relative paths (SARIF, GitLab, GitHub) are relative to;
    # None: the git work tree that holds the current directory, else the current directory.
    root: str | None = None

    def project_root(self) -> str:
        return self.root if self.root is not None else default_root()


# --output-format name -> module in this package ("full": ruff's name for the text layout).
_MODULES = {
    "text": "text",
    "full": "text",
    "concise": "concise",
    "json": "json_format",
    "json-lines": "json_lines",
    "lsp": "lsp",
    "github": "github",
    "sarif": "sarif",
    "gitlab": "gitlab",
    "junit": "junit",
    "grouped": "grouped",
    "pylint": "pylint",
    "rdjson": "rdjson",
    "azure": "azure",
}
FORMATS = tuple(_MODULES)
# The formats `--statistics` has a form for: a table (then the summary), or JSON.
STATISTICS_FORMATS = ("text", "full", "concise", "grouped", "json")


class UnsupportedStatistics(ValueError):
    """`--statistics` asked of a format that has no statistics form (see STATISTICS_FORMATS)."""


def render(name: str, diagnostics, context: RenderContext) -> str:
    if context.statistics:
        from asynclint.output import statistics

        if name not in STATISTICS_FORMATS:
            raise UnsupportedStatistics(
                f"--statistics prints a table or JSON: use it with --output-format"
                f" {', '.join(STATISTICS_FORMATS[:-1])} or {STATISTICS_FORMATS[-1]}, not {name}"
            )
        return statistics.render(name, diagnostics, context)
    module = import_module(f"asynclint.output.{_MODULES[name]}")
    return module.render(diagnostics, context)


def default_root() -> str:
    """The top of the git work tree holding the current directory, or the current directory."""
    cwd = Path.cwd()
    for directory in (cwd, *cwd.parents):
        if (directory / ".git").exists():
            return str(directory)
    return str(cwd)


def repo_relative(path: str, root: str) -> str:
    """`path` relative to `root` with forward slashes; an absolute path (with forward
    slashes) when it lies outside `root`. Standard input ('-') stays '-'."""
    if path == "-":
        return path
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, root)
    except ValueError:  # another drive on Windows
        return PurePath(absolute).as_posix()
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return PurePath(absolute).as_posix()
    return PurePath(relative).as_posix()
