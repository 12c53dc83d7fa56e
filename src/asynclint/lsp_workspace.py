"""The language server's view of the workspace, apart from the protocol (no pygls here): the
configuration that applies to a document, each project's files and its index, and the few
things the server computes from a document's text besides its diagnostics.

A project is the set of files discovered under one configuration's root. Its index is the
run pipeline's own cache (`cache.ResultCache`, in memory): every file's findings and the
summaries project-wide checks (ASY109) make of it, keyed by content. It is built once in the
background, then kept current by the pipeline itself: each lint hashes the files and re-reads
only those whose content changed since (saved in the editor, or changed on disk). While it is
being built, a document is linted alone, so its own findings show at once; the server lints
it again as part of its project when the index is ready. The index also keeps the project
phase's last few results (ASY109's, by the summaries they read: the open document's are made of
its unsaved text), so typing that changes no summary does not run the phase again.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from asynclint.diagnostic import Diagnostic, Edit, Span
from asynclint.positions import lsp_character, offset_position, split_lines

if TYPE_CHECKING:
    from asynclint.cache import ResultCache
    from asynclint.config import Config
    from asynclint.engine import Linter
    from asynclint.pipeline import PipelineStats


class ProjectIndex:
    """One project: its configuration, its files (discovered again after files were created
    or deleted) and, once built, its index.

    `told_of_changes`: the editor reports every file that changes (it watches them for the
    server), so a file is read again only when it was reported; otherwise every lint hashes
    every file to find those that changed."""

    def __init__(self, config: Config, told_of_changes: bool = False) -> None:
        self.config = config
        self._files: list[str] | None = None
        self.cache: ResultCache | None = None  # set, complete, by `build`; None until then
        self.building = False  # a build is queued or running (touched on the server's loop only)
        self._told_of_changes = told_of_changes
        self._digests: dict[str, str] | None = None  # path -> content hash, of the files unchanged since read
        self._changed_while_building: set[str] = set()
        self._lock = threading.Lock()

    @property
    def ready(self) -> bool:
        return self.cache is not None

    def files(self) -> list[str]:
        with self._lock:
            if self._files is None:
                from asynclint.discovery import discover

                self._files = discover([str(self.config.root)], self.config).files
            return self._files

    def forget_files(self) -> None:
        with self._lock:
            self._files = None

    def knows(self, path: str) -> bool:
        with self._lock:
            return self._files is not None and path in self._files

    def changed(self, paths: list[str]) -> None:
        """These files changed (saved, or changed on disk): read them again at the next lint."""
        with self._lock:
            if self.cache is None:  # a build may have read them before they changed
                self._changed_while_building.update(paths)
            for path in paths:
                if self._digests is not None:
                    self._digests.pop(path, None)

    def build(self) -> None:
        """Lint every file of the project into a new index (on the index thread). One process:
        the server runs threads, and forking a threaded process for workers is not safe."""
        from asynclint.cache import ResultCache
        from asynclint.pipeline import lint_project

        cache = ResultCache(None, self.config.fingerprint())
        digests: dict[str, str] | None = {} if self._told_of_changes else None
        with self._lock:
            self._changed_while_building.clear()
        lint_project(self.files(), self.config, jobs=1, cache=cache, digests=digests)
        with self._lock:
            for path in self._changed_while_building:  # maybe read before the change
                if digests is not None:
                    digests.pop(path, None)
            self._digests = digests
        self.cache = cache

    def lint(self, path: str, text: str, stats: PipelineStats | None = None) -> list[Diagnostic]:
        """`text` as the file `path` of this project: with the saved state of every other file
        once the index is built, alone until then. The index also keeps the project phase's
        last results, by the summaries they were made from (the document's, of its text): a
        keystroke that changes no summary re-uses one. `stats`, when given, is filled in."""
        from asynclint.notebook import is_notebook
        from asynclint.pipeline import lint_project

        if self.cache is None or is_notebook(path):  # a notebook is linted alone in any case
            found = lint_project([], self.config, overlay={path: text}, jobs=1, stats=stats)
        else:
            found = lint_project(
                self.files(),
                self.config,
                overlay={path: text},
                jobs=1,
                cache=self.cache,
                digests=self._digests,
                stats=stats,
            )
        return [d for d in found if d.path == path]


class Workspace:
    """Configurations (one Linter per configuration file, rebuilt when the file changes) and
    the project of each."""

    def __init__(self) -> None:
        self._entries: dict[tuple, tuple[Linter, ProjectIndex]] = {}
        self.told_of_changes = False  # see ProjectIndex; set once the editor watches files for the server

    def linter_for(self, path: str) -> Linter:
        """The Linter for the configuration that applies to `path`. Raises ConfigError or
        TableError for a broken configuration."""
        return self._entry(Path(path).parent)[0]

    def project_for(self, path: str) -> ProjectIndex:
        return self._entry(Path(path).parent)[1]

    def project_of_directory(self, directory: str) -> ProjectIndex:
        return self._entry(Path(directory))[1]

    def forget_files(self) -> None:
        """Files were created or deleted: each project discovers its files again."""
        for _, project in self._entries.values():
            project.forget_files()

    def knows(self, path: str) -> bool:
        """Whether `path` is among the files some project discovered (a new file is not)."""
        return any(project.knows(path) for _, project in self._entries.values())

    def changed(self, paths: list[str]) -> None:
        for _, project in self._entries.values():
            project.changed(paths)

    def _entry(self, directory: Path) -> tuple[Linter, ProjectIndex]:
        from asynclint.config import find_config_file, load_config
        from asynclint.engine import Linter

        config_file = find_config_file(directory) if directory.is_dir() else None
        try:
            stat = config_file.stat() if config_file is not None else None
        except OSError:
            stat = None
        # A changed configuration file is a new entry: a new Linter, and a project whose
        # index is built again (its findings depend on the configuration).
        key = (str(config_file), stat.st_mtime_ns if stat else None, stat.st_size if stat else None)
        entry = self._entries.get(key)
        if entry is None:
            for stale in [k for k in self._entries if k[0] == key[0]]:  # the file as it was
                del self._entries[stale]
            config = load_config(config_file, directory)  # raises ConfigError
            config.enabled  # validate selectors and tables now, not in the middle of a lint
            config.tables
            entry = self._entries[key] = (Linter(config), ProjectIndex(config, self.told_of_changes))
        return entry


def excluded(linter: Linter, path: str) -> bool:
    """Whether the configuration excludes the file (as `asynclint check --force-exclude`)."""
    if not os.path.isfile(path):
        return False
    from asynclint.discovery import discover

    return not discover([path], linter.config, force_exclude=True).files


def minimal_edit(old: str, new: str) -> Edit:
    """One edit (internal positions) that turns `old` into `new`: the changed middle only, so
    the editor keeps the cursor and folds outside it."""
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    if 0 < start < len(old) and old[start - 1] == "\r" and old[start] == "\n":
        start -= 1  # never split a \r\n line break
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    if 0 < end_old < len(old) and old[end_old - 1] == "\r" and old[end_old] == "\n":
        end_old += 1
        end_new += 1
    line, column = offset_position(old, start)
    end_line, end_column = offset_position(old, end_old)
    return Edit(Span(line, column, end_line, end_column), new[start:end_new])


def cell_edits(notebook, edits: list[Edit], encoding: str) -> dict[int, list[dict]] | None:
    """Edits of a notebook's joined source (`notebook.Notebook`) as LSP TextEdits (data) by
    the number of the cell each falls in, counted in that cell. None, as `--fix` refuses them,
    when one crosses from a cell into another or touches a line of IPython syntax: the checks
    read a placeholder there, not what the cell holds."""
    from asynclint.output.lsp import text_edit

    lines = split_lines(notebook.source)
    index = notebook.index
    ipython = {place.first_line + line for cell, place in zip(notebook.cells, index.cells) for line in cell.ipython_lines}
    by_cell: dict[int, list[dict]] = {}
    for edit in edits:
        moved = _into_the_cell_before(edit, index, lines)
        if moved is not None:
            edit = moved  # ends a line of real text, whatever the checks read there
        else:
            start, end = index.locate_span(edit.span, lines)
            if start.cell != end.cell or not ipython.isdisjoint(range(edit.span.line, edit.span.end_line + 1)):
                return None
        found = text_edit(edit, lines, encoding, index)
        by_cell.setdefault(found.pop("cell"), []).append(found)
    return by_cell


def _into_the_cell_before(edit: Edit, index, lines: list[str]) -> Edit | None:
    """Whole lines inserted where a code cell starts, as lines appended to the code cell before
    (an import added after the first cell's imports stays with them, as `--fix` keeps it); None
    for any other edit."""
    span = edit.span
    if (span.line, span.column) != (span.end_line, span.end_column) or span.column or not edit.content.endswith("\n"):
        return None
    starts = [cell.first_line for cell in index.cells]
    if span.line not in starts[1:]:
        return None
    before = index.cells[starts.index(span.line) - 1]
    last = before.first_line + before.line_count - 1
    end = len(lines[last - 1])
    return Edit(Span(last, end, last, end), "\n" + edit.content[:-1])


# A code in a `# noqa: ...` comment, with the comment's own pattern (suppression.noqa_comments
# finds the comments); the codes are found again inside each comment for their columns.
_NOQA_CODE = re.compile(r"[A-Za-z]+[0-9]+")


def noqa_code_at(lines: list[str], line: int, character: int, encoding: str) -> tuple[str, int, int] | None:
    """The code of a `# noqa: CODES` comment at LSP position (`line`, `character`), with its
    start and end characters; None when the position is on none. `line` is 0-based."""
    from asynclint.suppression import noqa_comments

    if not 0 <= line < len(lines):
        return None
    text = lines[line]
    for _, start, end, _codes in noqa_comments([text]):
        codes_start = text.index(":", start, end) + 1
        for match in _NOQA_CODE.finditer(text, codes_start, end):
            first = lsp_character(text, match.start(), encoding)
            last = lsp_character(text, match.end(), encoding)
            if first <= character <= last:
                return match.group().upper(), first, last
    return None


# Code spans and fenced blocks, whose text is code, and a link's target in the rest.
_CODE_OR_LINK = re.compile(r"(```.*?```|`[^`\n]*`)|\]\((?![A-Za-z][A-Za-z0-9+.-]*:|#)([^)\s]+)\)", re.DOTALL)


def rule_page(code: str) -> str:
    """The rule's documentation page, as `asynclint rule CODE` prints it, with its relative
    links (`../fixes.md`) made absolute: an editor shows it far from the docs directory."""
    from urllib.parse import urljoin

    from asynclint.registry import RULES

    rule = RULES[code]

    def absolute(match: re.Match) -> str:
        return match.group(0) if match.group(1) else f"]({urljoin(rule.doc_url, match.group(2))})"

    return _CODE_OR_LINK.sub(absolute, rule.documentation().strip())


class Document:
    """What the server last computed for one open document version."""

    def __init__(self, version, text: str, path: str, diagnostics: list[Diagnostic]) -> None:
        self.version = version
        self.text = text
        self.path = path
        self.lines = split_lines(text)
        self.diagnostics = diagnostics
        self.fix_all: str | None = None  # the text after every safe fix, once computed
