"""Applying fixes: choose non-overlapping edits, apply them, re-parse, re-lint, repeat until
nothing changes; write atomically. Fixed code that would not parse is never written.

Also `--add-noqa`: the same machinery, with `# noqa: CODE` comments as the edits.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from asynclint.diagnostic import Applicability, Diagnostic, Edit, Span
from asynclint.positions import line_offsets, split_lines
from asynclint.sourcefile import DecodedSource
from asynclint.suppression import parse_noqa

if TYPE_CHECKING:
    from asynclint.engine import Linter

# Each round applies every non-overlapping fix; a fix that unlocks another is applied in the
# next round. Real files settle in two or three; the bound only stops a misbehaving rule.
MAX_ROUNDS = 10


def import_edits(module, modules: tuple[str, ...]) -> tuple[Edit, ...]:
    """Edits that add `import X` for each of `modules`, placed the way libcst's codemods place
    them (after the docstring, `__future__` imports and the top import block; nothing when an
    import is already there).

    The codemod runs on the file's head alone (that docstring and import block, which is where
    it edits): a transform of the whole file costs as much as parsing it again. The head's code
    is a prefix of the file's, so the edits' positions hold for the whole file."""
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor, ImportItem

    head = module.with_changes(body=_head_statements(module), footer=())
    visitor = AddImportsVisitor(CodemodContext(), [ImportItem(name, None, None) for name in modules])
    return text_edits(head.code, head.visit(visitor).code)


def _head_statements(module) -> list:
    """The module's leading docstring and import statements: the part AddImportsVisitor edits
    (a new import goes after the last of them, or at the top when there are none)."""
    import libcst

    head = []
    for index, statement in enumerate(module.body):
        is_docstring = (
            index == 0
            and isinstance(statement, libcst.SimpleStatementLine)
            and isinstance(statement.body[0], libcst.Expr)
            and isinstance(statement.body[0].value, (libcst.SimpleString, libcst.ConcatenatedString))
        )
        is_import = isinstance(statement, libcst.SimpleStatementLine) and all(
            isinstance(item, (libcst.Import, libcst.ImportFrom)) for item in statement.body
        )
        if not (is_docstring or is_import):
            break
        head.append(statement)
    return head


def text_edits(before: str, after: str) -> tuple[Edit, ...]:
    """The line-level edits that turn `before` into `after`."""
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    edits = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag != "equal":
            edits.append(Edit(Span(i1 + 1, 0, i2 + 1, 0), "".join(new[j1:j2])))
    return tuple(edits)


def _offset(offsets: list[int], text_length: int, line: int, column: int) -> int:
    if line - 1 >= len(offsets):
        return text_length
    return min(offsets[line - 1] + column, text_length)


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits (positions in the internal convention) to `text`."""
    offsets = line_offsets(text)
    located = sorted(
        (
            _offset(offsets, len(text), e.span.line, e.span.column),
            _offset(offsets, len(text), e.span.end_line, e.span.end_column),
            e.content,
        )
        for e in edits
    )
    pieces, cursor = [], 0
    for start, end, content in located:
        pieces.append(text[cursor:start])
        pieces.append(content)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _key(span: Span) -> tuple[int, int, int, int]:
    return (span.line, span.column, span.end_line, span.end_column)


def choose_fixes(diagnostics: list[Diagnostic], unsafe: bool) -> list[Diagnostic]:
    """The fixes to apply this round: applicable ones whose edits do not overlap an edit
    already chosen. Identical edits (two fixes adding the same import) are shared."""
    allowed = {Applicability.SAFE} | ({Applicability.UNSAFE} if unsafe else set())
    chosen: list[Diagnostic] = []
    taken: dict[tuple, str] = {}
    for diagnostic in diagnostics:
        fix = diagnostic.fix
        if fix is None or fix.applicability not in allowed or not fix.edits:
            continue
        if all(_fits(_key(e.span), e.content, taken) for e in fix.edits):
            chosen.append(diagnostic)
            for edit in fix.edits:
                taken[_key(edit.span)] = edit.content
    return chosen


def _fits(key: tuple, content: str, taken: dict[tuple, str]) -> bool:
    if key in taken:
        return taken[key] == content
    start, end = key[:2], key[2:]
    for other in taken:
        other_start, other_end = other[:2], other[2:]
        if start < other_end and other_start < end:
            return False
        if start == end == other_start == other_end:  # two different inserts at one point
            return False
    return True


def parses(text: str) -> bool:
    import libcst

    try:
        libcst.parse_module(text)
    except (libcst.ParserSyntaxError, RecursionError):
        return False
    return True


@dataclass
class FixOutcome:
    path: str
    original: str
    fixed: str
    applied: list[Diagnostic] = field(default_factory=list)
    remaining: list[Diagnostic] = field(default_factory=list)
    error: str | None = None

    @property
    def changed(self) -> bool:
        return self.fixed != self.original


def fix_text(linter: Linter, text: str, path: str, unsafe: bool) -> FixOutcome:
    outcome = FixOutcome(path, text, text)
    diagnostics = linter.lint_text(text, path)
    for _ in range(MAX_ROUNDS):
        chosen = choose_fixes(diagnostics, unsafe)
        if not chosen:
            break
        candidate = apply_edits(outcome.fixed, _distinct(e for d in chosen for e in d.fix.edits))
        if candidate == outcome.fixed:
            break
        if not parses(candidate):
            codes = ", ".join(sorted({d.code for d in chosen}))
            outcome.error = f"fixes for {codes} would have produced invalid code; left unfixed"
            break
        outcome.fixed = candidate
        outcome.applied.extend(chosen)
        diagnostics = linter.lint_text(candidate, path)
    outcome.remaining = diagnostics
    return outcome


def _distinct(edits) -> list[Edit]:
    """Edits shared by several fixes (the same import) are applied once."""
    return list(dict.fromkeys(edits))


def add_noqa_text(text: str, diagnostics: list[Diagnostic]) -> tuple[str, int]:
    """`text` with `# noqa: CODE` added on each reported line, merged into a noqa comment
    already there. Returns the new text and how many lines were changed."""
    codes_by_line: dict[int, set[str]] = {}
    for diagnostic in diagnostics:
        codes_by_line.setdefault(diagnostic.span.line, set()).add(diagnostic.code)
    lines = split_lines(text)
    edits = []
    for number, codes in sorted(codes_by_line.items()):
        line = lines[number - 1]
        new_line = _with_noqa(line, codes)
        if new_line != line:
            edits.append(Edit(Span(number, 0, number, len(line)), new_line))
    if not edits:
        return text, 0
    candidate = apply_edits(text, edits)
    if not parses(candidate):
        return text, 0
    return candidate, len(edits)


def _with_noqa(line: str, codes: set[str]) -> str:
    existing = parse_noqa(line)
    if existing is not None and not existing:
        return line  # a bare `# noqa` silences every code already
    if line.rstrip().endswith("\\"):
        return line  # a comment after a line continuation would break the code
    if existing is None:
        return f"{line.rstrip()}  # noqa: {', '.join(sorted(codes))}"
    missing = codes - existing
    if not missing:
        return line
    merged = ", ".join(sorted(existing | missing))
    return re.sub(r"#\s*noqa(?::[^#]*)?", f"# noqa: {merged}", line, count=1, flags=re.IGNORECASE)


def encode(source: DecodedSource, text: str) -> bytes:
    return (b"\xef\xbb\xbf" if source.bom else b"") + text.encode(source.encoding)


def write_atomically(path: str, data: bytes) -> None:
    """Replace `path` with `data` so that a crash leaves either the old or the new file,
    never a partial one; the file keeps its permission bits."""
    directory = os.path.dirname(os.path.abspath(path))
    mode = stat.S_IMODE(os.stat(path).st_mode)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".asynclint-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
