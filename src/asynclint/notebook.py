"""Jupyter notebooks (`.ipynb`): checked the way ruff checks them.

Reading. The code cells of a Python notebook are joined into one source, each cell followed by
a line break the notebook does not store, so one parse sees every cell, and an import in the
first cell is known in the last. Markdown and raw cells are skipped but keep their numbers: a
finding in the third cell of the notebook is in `cell 3`, whatever the cells before it hold.
A notebook whose kernel is not Python is not checked at all.

IPython syntax. Line magics (`%time f()`), shell escapes (`!ls`, `files = !ls`), help (`?x`,
`x??`), automagics (`pip install x`) and cell magics (`%%bash`) are not Python; libcst would
refuse the whole notebook. Each such line is masked: replaced by a placeholder (`...`, or
`files = ...` where the line assigns) that takes the same lines, so every position outside it
is unchanged, and that no check reports anything about. A cell magic that runs its body as
Python in the kernel (`%%time`, `%%timeit`, `%%capture`, `%%prun`, `%%debug`) masks only its
first line, and its body is checked; any other (`%%bash`, `%%html`, `%%writefile`...) masks
the whole cell.

Async context. A cell's top-level `await`, `async for` and `async with` are valid (IPython runs
such a cell as a coroutine) and parse as they are. Code at the top level of a cell counts as
synchronous, as module-level code does in a file: the blocking-call checks look inside `async
def` only. (A cell does run inside the kernel's event loop, so a blocking call there stalls
tasks that earlier cells started; that is left out of this first version on purpose, as ruff's
ASYNC rules leave it out.)

Findings keep positions in the joined source (`Diagnostic.notebook` maps them to cells), so
suppressions, fingerprints, the cache and the fixer work on a notebook as on any file.

Writing back. A fix edits the joined source; the edited source is cut back into cells by
following the unchanged lines (a line inserted where two cells meet, such as an import added
after the first cell's imports, stays with the cell before, as in ruff), the masked lines get
their IPython text back, and only the `source` values of the cells that changed are replaced
in the file's JSON text. Everything else stays byte for byte: outputs, metadata, key order,
indentation, the nbformat version, the final line break. Fixes that would move code from one
cell to another, or touch a masked line, are refused and the notebook is left as it was.

Why the standard library's json and not nbformat: nbformat (with its dependencies fastjsonschema,
jsonschema, jupyter_core and traitlets) validates and upgrades notebooks, and writes them back
whole with sorted keys, which changes files that another tool wrote with its own key order or
indentation, and may add cell ids; a linter that fixes three characters must change those three
characters. Reading needs only the parts of nbformat 4 every notebook has (`cells`, each cell's
`cell_type` and `source`, `metadata.language_info`), which json gives, and writing back needs
the position of each `source` value in the text, which no JSON library gives.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from asynclint.diagnostic import Diagnostic, NotebookCell, NotebookIndex
from asynclint.positions import split_lines
from asynclint.sourcefile import MAX_FILE_BYTES

if TYPE_CHECKING:
    from asynclint.engine import FileResult, Linter
    from asynclint.fixer import FixOutcome

SUFFIX = ".ipynb"

# What takes the place of an IPython line: an expression statement (or, after `x = `, an
# expression) that parses anywhere a statement or a value may stand and that no check reports.
PLACEHOLDER = "..."

# Cell magics whose body is Python run by the kernel: only their first line is masked.
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})

# IPython's line magics and default shell aliases, which a line may call without the `%`
# (automagic: `pip install numpy`, `cd data`). Such a line is masked only when it does not
# parse as Python (`time = 3` and `cd(x)` stay code).
_AUTOMAGICS = frozenset(
    """
    alias alias_magic autoawait autocall automagic bookmark cat cd clear colors conda config cp
    debug dhist dirs doctest_mode edit env gui history killbgscripts ldir less lf lk ll load
    load_ext loadpy logoff logon logstart logstate logstop ls lsmagic lx macro magic mamba man
    matplotlib micromamba mkdir more mv notebook page pastebin pdb pdef pdoc pfile pinfo pinfo2
    pip popd pprint precision prun psearch psource pushd pwd pycat pylab quickref recall
    rehashx reload_ext rerun reset reset_selective rm rmdir run save sc set_env sx system tb
    time timeit unalias unload_ext who who_ls whos xdel xmode
    """.split()
)

# A logical line that IPython reads as an escape: `%magic`, `%%magic`, `!cmd`, `!!cmd`,
# `?obj`, `??obj`, `/f x` (autocall), `,f a b` and `;f a b` (autoquote). None of these
# characters can start a Python statement.
_ESCAPE = re.compile(r"[ \t]*[%!?/,;]")
# `files = !ls`, `a, b = %magic`: IPython assigns the command's result.
_ASSIGNED_ESCAPE = re.compile(r"(?P<target>[ \t]*[\w.]+(?:[ \t]*,[ \t]*[\w.]+)*[ \t]*=[ \t]*)[!%]")
# `obj?`, `obj.attr??`, `%magic?`: help on a name.
_HELP_END = re.compile(r"[ \t]*%{0,2}[\w*]+(?:\.[\w*]+)*\?{1,2}[ \t]*")
_CELL_MAGIC = re.compile(r"%%(?P<name>\w+)")
_AUTOMAGIC = re.compile(r"[ \t]*(?P<name>\w+)[ \t]+\S")


class NotAPythonNotebook(Exception):
    """The file cannot be read as a Jupyter notebook; the message says why, for a person, and
    `line`/`column` where in the file's text (1-based line, 0-based column)."""

    def __init__(self, message: str, line: int = 1, column: int = 0) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class CannotWriteBack(Exception):
    """Fixed source that cannot be cut back into the notebook's cells."""


def is_notebook(path: str) -> bool:
    return path.lower().endswith(SUFFIX)


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeCell:
    position: int  # index in the notebook's `cells` list (its number is position + 1)
    source: str  # the cell's text, its `source` strings joined
    masked: str  # the same with IPython lines replaced by placeholders
    ipython_lines: tuple[int, ...]  # 0-based lines of the cell that are masked

    @property
    def number(self) -> int:
        return self.position + 1


@dataclass(frozen=True)
class Notebook:
    text: str  # the file's JSON text (without a byte-order mark)
    bom: bool
    cells: tuple[CodeCell, ...]  # the code cells, in order; () when the kernel is not Python
    python: bool

    @property
    def source(self) -> str:
        """The code cells joined: what the notebook runs, as the user wrote it."""
        return "".join(cell.source + "\n" for cell in self.cells)

    @property
    def masked_source(self) -> str:
        """The joined source the checks read: IPython lines replaced, every line in place."""
        return "".join(cell.masked + "\n" for cell in self.cells)

    @property
    def index(self) -> NotebookIndex:
        cells, line = [], 1
        for cell in self.cells:
            count = len(split_lines(cell.source + "\n"))
            cells.append(NotebookCell(cell.number, line, count))
            line += count
        return NotebookIndex(tuple(cells))

    def encode(self) -> bytes:
        return ("\ufeff" if self.bom else "").encode("utf-8") + self.text.encode("utf-8")


def read_notebook(data: bytes) -> Notebook:
    """The notebook in `data` (a `.ipynb` file's bytes). Raises NotAPythonNotebook."""
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data[3 if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise NotAPythonNotebook(f"not a Jupyter notebook: cannot decode line {line} as UTF-8: {exc.reason}", line) from exc
    return parse_notebook(text, bom)


def parse_notebook(text: str, bom: bool = False) -> Notebook:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotAPythonNotebook(f"not a Jupyter notebook: invalid JSON: {exc.msg}", exc.lineno, exc.colno - 1) from exc
    except RecursionError as exc:
        raise NotAPythonNotebook("not a Jupyter notebook: its JSON is nested too deeply") from exc
    if not isinstance(document, dict) or "nbformat" not in document:
        raise NotAPythonNotebook("not a Jupyter notebook: its JSON has no `nbformat` version")
    version = document["nbformat"]
    if version != 4:
        raise NotAPythonNotebook(
            f"notebook format {version} is not checked, only nbformat 4 (open and save it in"
            " Jupyter to convert it)"
        )
    if not isinstance(document.get("cells"), list):
        raise NotAPythonNotebook("not a Jupyter notebook: its JSON has no list of `cells`")
    if not _is_python(document.get("metadata")):
        return Notebook(text, bom, (), python=False)
    cells = []
    for position, cell in enumerate(document["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = _source_text(cell.get("source"), position + 1)
        masked, ipython_lines = mask_ipython(source)
        cells.append(CodeCell(position, source, masked, ipython_lines))
    notebook = Notebook(text, bom, tuple(cells), python=True)
    if len(notebook.source.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise NotAPythonNotebook(
            f"the notebook's code is over the {MAX_FILE_BYTES:,}-byte limit for source files;"
            " exclude it if it is generated"
        )
    return notebook


def cells_as_json(sources: list[str | None]) -> str:
    """An nbformat 4 notebook's JSON holding an editor's cells, in order (None for a markdown
    or raw cell), so that a notebook the language server gets as cell documents is linted by
    the one pipeline as the file would be."""
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ""}
        if source is None
        else {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}
        for source in sources
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, ensure_ascii=False)


def _is_python(metadata) -> bool:
    """A notebook without a language is taken as Python, as Jupyter and ruff take it."""
    if not isinstance(metadata, dict):
        return True
    language = (metadata.get("language_info") or {}).get("name") if isinstance(metadata.get("language_info"), dict) else None
    if language is None and isinstance(metadata.get("kernelspec"), dict):
        language = metadata["kernelspec"].get("language")
    return language is None or str(language).lower() == "python"


def _source_text(source, number: int) -> str:
    """A cell's `source`: a string, or a list of strings to join (nbformat's multiline string)."""
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source)
    raise NotAPythonNotebook(f"not a Jupyter notebook: the `source` of cell {number} is not text")


# --- masking IPython syntax ---------------------------------------------------------------


@dataclass
class _Scan:
    """How far into a Python statement the lines read so far have gone."""

    depth: int = 0  # open brackets
    string: str | None = None  # the quote of a string still open at the end of the line
    continued: bool = False  # the last line ended with a backslash

    @property
    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.string is None and not self.continued


def _scan(line: str, state: _Scan) -> None:
    """Advance `state` over one line of Python: brackets, strings and line continuations,
    enough to know whether the next line starts a statement."""
    i, length = 0, len(line)
    state.continued = False
    while i < length:
        ch = line[i]
        if state.string is not None:
            if ch == "\\":
                if line[i + 1 : i + 2] in ("\n", "\r", ""):
                    state.continued = len(state.string) == 1
                    return
                i += 2
                continue
            if line.startswith(state.string, i):
                i += len(state.string)
                state.string = None
                continue
            if ch in "\r\n" and len(state.string) == 1:
                state.string = None  # an unterminated string: Python reports it
            i += 1
            continue
        if ch == "#":
            return
        if ch in "'\"":
            state.string = ch * 3 if line.startswith(ch * 3, i) else ch
            i += len(state.string)
            continue
        if ch in "([{":
            state.depth += 1
        elif ch in ")]}":
            state.depth = max(0, state.depth - 1)
        elif ch == "\\" and line[i + 1 : i + 2] in ("\n", "\r", ""):
            state.continued = True
            return
        i += 1


def _line_break(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]


def _ends_continued(line: str) -> bool:
    return line.rstrip("\r\n").endswith("\\")


def _is_automagic(line: str) -> bool:
    match = _AUTOMAGIC.match(line)
    if match is None or match.group("name") not in _AUTOMAGICS:
        return False
    try:
        ast.parse(line.strip())
    except SyntaxError:
        return True
    return False


def mask_ipython(source: str) -> tuple[str, tuple[int, ...]]:
    """`source` (one cell) with every IPython line replaced by a placeholder on the same
    lines, and the 0-based numbers of the lines replaced."""
    lines = split_lines(source, keepends=True)
    masked: list[str] = []
    replaced: list[int] = []
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    cell_magic = _CELL_MAGIC.match(lines[first].lstrip()) if first is not None else None
    if cell_magic is not None and cell_magic.group("name") not in _PYTHON_CELL_MAGICS:
        # Not Python at all: every line that has text becomes a statement of its own.
        for number, line in enumerate(lines):
            if line.strip():
                masked.append(PLACEHOLDER + _line_break(line))
                replaced.append(number)
            else:
                masked.append(line)
        return "".join(masked), tuple(replaced)
    state = _Scan()
    escaped = False  # inside an IPython line continued with a backslash
    for number, line in enumerate(lines):
        if escaped:
            # A continuation of a masked line: the placeholder's line continues through it.
            masked.append(("\\" if _ends_continued(line) else "") + _line_break(line))
            replaced.append(number)
            escaped = _ends_continued(line)
            continue
        if state.at_statement_start and line.strip():
            placeholder = _placeholder(line, is_cell_magic=number == first and cell_magic is not None)
            if placeholder is not None:
                escaped = _ends_continued(line)
                masked.append(placeholder + (" \\" if escaped else "") + _line_break(line))
                replaced.append(number)
                continue
        _scan(line, state)
        masked.append(line)
    return "".join(masked), tuple(replaced)


def _placeholder(line: str, is_cell_magic: bool) -> str | None:
    """What replaces `line`, a line that starts a statement, when IPython reads it as its own
    syntax (its line break and continuation are added by the caller); None for Python."""
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    content = line.rstrip("\r\n")
    if is_cell_magic or _ESCAPE.match(content) or _HELP_END.fullmatch(content) or _is_automagic(content):
        return indent + PLACEHOLDER
    assigned = _ASSIGNED_ESCAPE.match(content)
    if assigned is not None:
        return assigned.group("target") + PLACEHOLDER
    return None


# --- linting ------------------------------------------------------------------------------


def in_cells(diagnostics: list[Diagnostic], notebook: Notebook) -> list[Diagnostic]:
    """`diagnostics` of the notebook's joined source, placed in its cells."""
    index = notebook.index
    return [replace(d, notebook=index) for d in diagnostics]


def lint_notebook(linter: Linter, notebook: Notebook, path: str) -> list[Diagnostic]:
    """The notebook's findings, placed in its cells. A notebook is linted on its own: no
    module imports it, so project-wide checks report what the notebook alone shows. (A file
    that is no notebook, NotAPythonNotebook from `read_notebook`, is the caller's ASY001, at
    the exception's line and column of the file's text.)"""
    if not notebook.cells:
        return []
    return in_cells(linter.lint_text(notebook.masked_source, path), notebook)


def source_lines(data: bytes) -> list[str]:
    """The lines of a notebook's joined source (the lines its findings' positions count), for
    code frames and fingerprints; [] when the bytes are no notebook."""
    try:
        return split_lines(read_notebook(data).source)
    except NotAPythonNotebook:
        return []


# --- fixing -------------------------------------------------------------------------------


@dataclass
class NotebookFix:
    """A notebook's fix run: `outcome` as for any file (its texts are the joined sources
    before and after, its diagnostics placed in cells), the notebook before and after, and
    the bytes to write (None: nothing to write)."""

    outcome: FixOutcome
    before: Notebook
    after: Notebook
    data: bytes | None = None
    cells_changed: list[int] = field(default_factory=list)  # cell numbers

    def diff(self, path: str) -> str:
        """A unified diff per changed cell, headed `path:cell N` as ruff heads them."""
        import difflib  # only for --diff: every run imports this module

        before = {cell.number: _diff_lines(cell.source) for cell in self.before.cells}
        after = {cell.number: _diff_lines(cell.source) for cell in self.after.cells}
        return "".join(
            "".join(
                difflib.unified_diff(
                    before[number], after[number], fromfile=f"a/{path}:cell {number}", tofile=f"b/{path}:cell {number}"
                )
            )
            for number in self.cells_changed
        )


def _diff_lines(source: str) -> list[str]:
    """A cell's lines for a diff, each ending with a line break (a notebook stores none after
    a cell's last line)."""
    return [line if line.endswith(("\n", "\r")) else line + "\n" for line in split_lines(source, keepends=True)]


def fix_notebook(linter: Linter, notebook: Notebook, path: str, unsafe: bool) -> NotebookFix:
    """Apply the notebook's fixes (`fixer.fix_text` on its joined source) and cut the result
    back into its cells. Only the sources of changed cells differ in `data`."""
    from asynclint.fixer import FixOutcome, fix_text

    original = notebook.source
    if not notebook.cells:
        return NotebookFix(FixOutcome(path, original, original), notebook, notebook)
    fixed = fix_text(linter, notebook.masked_source, path, unsafe)
    outcome = FixOutcome(path, original, original, error=fixed.error)
    if fixed.fixed == notebook.masked_source:
        outcome.remaining = in_cells(fixed.remaining, notebook)
        return NotebookFix(outcome, notebook, notebook)
    try:
        sources = carry_into_cells(notebook, fixed.fixed)
        after = with_sources(notebook, sources)
    except CannotWriteBack as exc:
        outcome.error = f"fixes left unapplied: {exc}"
        outcome.remaining = lint_notebook(linter, notebook, path)
        return NotebookFix(outcome, notebook, notebook)
    outcome.fixed = after.source
    outcome.applied = fixed.applied
    # The remaining findings' positions hold for the notebook as written when its joined
    # source is the fixed text; a cell the fixes emptied is one line longer once written.
    same_lines = after.masked_source == fixed.fixed
    outcome.remaining = in_cells(fixed.remaining, after) if same_lines else lint_notebook(linter, after, path)
    changed = [cell.number for cell in notebook.cells if sources[cell.number] != cell.source]
    return NotebookFix(outcome, notebook, after, after.encode(), changed)


def carry_into_cells(notebook: Notebook, fixed: str) -> dict[int, str]:
    """The source of each code cell (by number) once `fixed`, an edit of the notebook's
    masked joined source, is cut back into cells and its masked lines get their IPython text
    back. Raises CannotWriteBack when the edits leave that ambiguous."""
    import difflib  # only when a fix is written back: every run imports this module

    before = split_lines(notebook.masked_source, keepends=True)
    after = split_lines(fixed, keepends=True)
    opcodes = difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes()
    starts, line = [], 0
    for cell in notebook.cells:
        starts.append(line)
        line += len(split_lines(cell.source + "\n"))
    original = split_lines(notebook.source, keepends=True)
    ipython = {number: original[number] for number in _ipython_lines(notebook)}
    restored = list(after)
    for old, text in ipython.items():
        new = _moved_line(opcodes, old)
        if new is None:
            raise CannotWriteBack("a fix would change an IPython line (a magic or shell command)")
        restored[new] = text
    new_starts = [0] + [_moved_boundary(opcodes, start) for start in starts[1:]] + [len(restored)]
    sources = {}
    for cell, start, end in zip(notebook.cells, new_starts, new_starts[1:]):
        text = "".join(restored[start:end])
        sources[cell.number] = text.removesuffix("\n")  # the line break that joined the cells
    return sources


def _moved_line(opcodes, old: int) -> int | None:
    """Where line `old` (0-based) is after the edit; None if the edit changed it."""
    for tag, i1, i2, j1, _ in opcodes:
        if i1 <= old < i2:
            return j1 + (old - i1) if tag == "equal" else None
    return None


def _moved_boundary(opcodes, old: int) -> int:
    """Where the cell starting at line `old` (0-based) starts after the edit. Lines inserted
    where two cells meet stay with the cell before; lines deleted or replaced on both sides
    of the boundary are only placed when the replacement keeps their number."""
    for tag, i1, i2, j1, j2 in opcodes:
        if i1 == old:
            # At a junction: an insertion here belongs to the cell before.
            return j2 if tag == "insert" else j1
        if i1 < old < i2:
            if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
                return j1 + (old - i1)
            if tag == "delete":
                return j1
            raise CannotWriteBack("a fix would move code from one cell to another")
    raise CannotWriteBack("a fix would move code from one cell to another")


def add_noqa_to_notebook(notebook: Notebook, diagnostics: list[Diagnostic]) -> tuple[Notebook, int]:
    """`--add-noqa` for a notebook: the notebook with `# noqa: CODE` on each line that
    `diagnostics` (its findings, from `lint_notebook`) report (the same notebook when none is
    added), and how many lines got one. No comment goes on an IPython line: it would change it."""
    from asynclint.fixer import add_noqa_text

    ipython = set(_ipython_lines(notebook))
    wanted = [d for d in diagnostics if d.span.line - 1 not in ipython]
    text, added = add_noqa_text(notebook.masked_source, wanted)
    if not added:
        return notebook, 0
    return with_sources(notebook, carry_into_cells(notebook, text)), added


def _ipython_lines(notebook: Notebook):
    """The 0-based lines of the joined source that are masked IPython lines."""
    line = 0
    for cell in notebook.cells:
        yield from (line + number for number in cell.ipython_lines)
        line += len(split_lines(cell.source + "\n"))


# --- writing back -------------------------------------------------------------------------


def with_sources(notebook: Notebook, sources: dict[int, str]) -> Notebook:
    """The notebook with the cells in `sources` (number -> text) given those texts: only their
    `source` values change in the file's text. Raises CannotWriteBack if the result does not
    read back with exactly those sources."""
    changed = {number: text for number, text in sources.items() if text != _cell(notebook, number).source}
    if not changed:
        return notebook
    text = notebook.text
    layout = _Layout.of(text)
    pieces, cursor = [], 0
    for position, (start, end, key_start) in sorted(_source_values(text).items()):
        if position + 1 not in changed:
            continue
        pieces.append(text[cursor:start])
        pieces.append(layout.value(text, start, end, key_start, changed[position + 1]))
        cursor = end
    pieces.append(text[cursor:])
    try:
        result = parse_notebook("".join(pieces), notebook.bom)
    except NotAPythonNotebook as exc:
        raise CannotWriteBack(f"the rewritten notebook does not read back: {exc}") from exc
    if {cell.number: cell.source for cell in result.cells} != {
        cell.number: changed.get(cell.number, cell.source) for cell in notebook.cells
    }:
        raise CannotWriteBack("the rewritten notebook does not read back as written")
    return result


def _cell(notebook: Notebook, number: int) -> CodeCell:
    return next(cell for cell in notebook.cells if cell.number == number)


_WHITESPACE = " \t\r\n"


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WHITESPACE:
        i += 1
    return i


class _Members:
    """The members of the JSON object at `text[start]`, in order: (key, key start, value
    start); the caller tells where each value ends (`after`) before asking for the next."""

    def __init__(self, text: str, start: int) -> None:
        self.text = text
        self.i = _skip(text, start + 1)

    def __iter__(self):
        from json.decoder import scanstring

        text = self.text
        if text[self.i] == "}":
            return
        while True:
            key_start = self.i
            key, i = scanstring(text, self.i + 1)
            i = _skip(text, i)  # at ':'
            yield key, key_start, _skip(text, i + 1)
            i = _skip(text, self.i)  # self.i: the end of the value, set by `after`
            if text[i] == "}":
                return
            self.i = _skip(text, i + 1)  # past ','

    def after(self, end: int) -> None:
        self.i = end


def _value_end(text: str, start: int) -> int:
    return json.JSONDecoder().raw_decode(text, start)[1]


def _source_values(text: str) -> dict[int, tuple[int, int, int]]:
    """Where each cell's `source` value is in the notebook's JSON text: cell position ->
    (value start, value end, key start). The text is known to be valid JSON."""
    found = {}
    top = _Members(text, _skip(text, 0))
    for key, _, value_start in top:
        if key != "cells":
            top.after(_value_end(text, value_start))
            continue
        i, position = _skip(text, value_start + 1), 0
        while text[i] != "]":
            if text[i] == "{":
                cell = _Members(text, i)
                for cell_key, key_start, start in cell:
                    end = _value_end(text, start)
                    if cell_key == "source":
                        found[position] = (start, end, key_start)
                    cell.after(end)
            i = _skip(text, _value_end(text, i))
            if text[i] == ",":
                i = _skip(text, i + 1)
            position += 1
        top.after(i + 1)
    return found


@dataclass(frozen=True)
class _Layout:
    """How the file lays out its JSON, so a new `source` value looks like the old ones."""

    newline: str
    unit: str  # one level of indentation
    ascii_only: bool  # the file escapes every non-ASCII character

    @classmethod
    def of(cls, text: str) -> _Layout:
        newline = "\r\n" if "\r\n" in text else "\n"
        match = re.search(r"\{[ \t]*\r?\n([ \t]+)\"", text)
        return cls(newline, match.group(1) if match else " ", text.isascii())

    def value(self, text: str, start: int, end: int, key_start: int, source: str) -> str:
        old = text[start:end]

        def dumped(string: str) -> str:
            return json.dumps(string, ensure_ascii=self.ascii_only)

        if not old.startswith("["):
            return dumped(source)
        # nbformat splits a multiline string as str.splitlines(keepends=True) does.
        items = [dumped(part) for part in source.splitlines(keepends=True)]
        if not items:
            return "[]"
        line_start = text.rfind("\n", 0, key_start) + 1
        key_indent = text[line_start:key_start]
        if "\n" in old:
            item_indent = re.match(r"\[[ \t]*\r?\n([ \t]*)", old).group(1) if old.strip("[] \t\r\n") else key_indent + self.unit
            closing = old[old.rfind("\n") + 1 : -1]
        elif old == "[]" and key_indent.strip() == "" and "\n" in text:
            item_indent, closing = key_indent + self.unit, key_indent
        else:  # a compact file: one line
            separator = ", " if ", " in old or old == "[]" else ","
            return "[" + separator.join(items) + "]"
        newline = self.newline
        return "[" + newline + ("," + newline).join(item_indent + item for item in items) + newline + closing + "]"


# --- routing: what `asynclint check` and the pipeline call for a `.ipynb` path -------------
#
# Each of these never raises for one file's trouble: a file that is no notebook, or cannot be
# read, is its ASY001 (at the place in its JSON where reading stopped), as a Python file's is.


def lint_file(linter: Linter, path: str, project: bool = False) -> FileResult:
    """The pipeline's per-file task (`engine.map_paths`): a notebook read as one, any other
    file as Python source. `project` applies to Python files only: a notebook is linted on
    its own, since no module imports it."""
    from asynclint.engine import FileResult

    if not is_notebook(path):
        return linter.lint_path(path, project)
    data = _read_bytes(path)
    if isinstance(data, Diagnostic):
        return FileResult(path, [data])
    notebook = _read(data, path)
    if isinstance(notebook, list):
        return FileResult(path, notebook)
    diagnostics = lint_notebook(linter, notebook, path)
    lines = len(split_lines(notebook.source)) if notebook.cells else 0
    return FileResult(path, diagnostics, lines=lines, libcst_parsed=bool(notebook.cells) and linter.libcst_parsed)


def lint_notebook_data(linter: Linter, data: bytes | str, path: str) -> list[Diagnostic]:
    """The findings of a notebook given as its file's bytes, or as its JSON text (standard
    input's buffer, an editor's cells), placed in its cells."""
    notebook = _read(data, path)
    return notebook if isinstance(notebook, list) else lint_notebook(linter, notebook, path)


def fix_notebook_file(linter: Linter, path: str, unsafe: bool) -> tuple[FixOutcome, bytes | None, str]:
    """`--fix`, `--fix-only` and `--diff` for the notebook at `path`: see `fix_notebook_data`."""
    data = _read_bytes(path)
    if isinstance(data, Diagnostic):
        return _unchecked(path, [data]), None, ""
    return fix_notebook_data(linter, data, path, unsafe)


def fix_notebook_data(linter: Linter, data: bytes, path: str, unsafe: bool) -> tuple[FixOutcome, bytes | None, str]:
    """The notebook file `data` with its fixes applied: the outcome (its texts are the joined
    code cells before and after, its findings placed in cells), the file's new bytes (None
    when nothing changed; only the changed cells' `source` values differ), and the diff cell
    by cell. A fix that cannot be written back leaves the notebook as it was, and
    `outcome.error` says why."""
    from asynclint.engine import failure

    notebook = _read(data, path)
    if isinstance(notebook, list):
        return _unchecked(path, notebook), None, ""
    try:
        fixed = fix_notebook(linter, notebook, path, unsafe)
    except Exception as exc:  # noqa: BLE001 - one file's crash must not stop the others
        return _unchecked(path, [failure(path, exc, "fixing")], notebook.source), None, ""
    return fixed.outcome, fixed.data, fixed.diff(path)


def add_noqa_to_notebook_file(path: str, diagnostics: list[Diagnostic]) -> tuple[FixOutcome, bytes | None, int]:
    """`--add-noqa` for the notebook at `path`, given the pipeline's findings in it: the
    outcome (`remaining` holds the file's ASY001: a notebook that cannot be checked cannot be
    silenced either), the file's new bytes (None when no comment was added), and how many
    lines got one."""
    from asynclint.engine import failure
    from asynclint.registry import UNCHECKABLE_CODE

    uncheckable = [d for d in diagnostics if d.code == UNCHECKABLE_CODE]
    data = _read_bytes(path)
    notebook = [data] if isinstance(data, Diagnostic) else _read(data, path)
    if isinstance(notebook, list):
        return _unchecked(path, uncheckable or notebook), None, 0
    outcome = _unchecked(path, uncheckable, notebook.source)
    if uncheckable:
        return outcome, None, 0
    try:
        silenced, added = add_noqa_to_notebook(notebook, diagnostics)
    except CannotWriteBack as exc:
        outcome.error = f"no noqa comments added: {exc}"
        return outcome, None, 0
    except Exception as exc:  # noqa: BLE001 - one file's crash must not stop the others
        return _unchecked(path, [failure(path, exc, "adding noqa comments to")], notebook.source), None, 0
    outcome.fixed = silenced.source
    return outcome, silenced.encode() if added else None, added


def _read_bytes(path: str) -> bytes | Diagnostic:
    from asynclint.engine import uncheckable

    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        return uncheckable(path, f"cannot read file: {exc.strerror}")


def _read(data: bytes | str, path: str) -> Notebook | list[Diagnostic]:
    """The notebook in `data`, or the file's ASY001 where it is no notebook."""
    from asynclint.engine import uncheckable

    try:
        return read_notebook(data) if isinstance(data, bytes) else parse_notebook(data)
    except NotAPythonNotebook as exc:
        return [uncheckable(path, str(exc), exc.line, exc.column)]


def _unchecked(path: str, remaining: list[Diagnostic], source: str = "") -> FixOutcome:
    """An outcome that changes nothing, with these findings remaining."""
    from asynclint.fixer import FixOutcome

    return FixOutcome(path, source, source, remaining=remaining)
