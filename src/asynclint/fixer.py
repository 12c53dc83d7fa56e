"""Applying fixes: choose non-overlapping edits, apply them, re-parse, re-lint, repeat until
nothing changes; write atomically. Fixed code that would not parse is never written.

Also `--add-noqa`: the same machinery, with `# noqa: CODE` comments as the edits.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from asynclint.diagnostic import Applicability, Diagnostic, Edit, Span
from asynclint.edits import text_edits
from asynclint.positions import line_offsets, split_lines
from asynclint.sourcefile import DecodedSource
from asynclint.suppression import parse_noqa

if TYPE_CHECKING:
    from asynclint.engine import Linter

# Each round applies every non-overlapping fix; a fix that unlocks another is applied in the
# next round. Real files settle in two or three; the bound only stops a misbehaving rule.
MAX_ROUNDS = 10


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
    return _parsed(text) is not None


def _parsed(text: str):
    """The libcst module of `text`; None when libcst cannot read it, whatever the reason (a
    syntax error, its own CSTLogicError on grammar it does not know, too deep a nesting): a
    fix whose result libcst cannot read is refused, never a crash."""
    import libcst

    try:
        return libcst.parse_module(text)
    except Exception:  # noqa: BLE001 - any failure of the parser means "does not parse"
        return None


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
        edits = _distinct(e for d in chosen for e in d.fix.edits)
        candidate = apply_edits(outcome.fixed, edits)
        if candidate == outcome.fixed:
            break
        module = _parsed(candidate)
        if module is None:
            codes = ", ".join(sorted({d.code for d in chosen}))
            outcome.error = f"fixes for {codes} would have produced invalid code; left unfixed"
            break
        outcome.fixed = without_imports_made_unused(outcome.fixed, candidate, module, edits)
        outcome.applied.extend(chosen)
        diagnostics = linter.lint_text(outcome.fixed, path)
    outcome.remaining = diagnostics
    return outcome


def _distinct(edits) -> list[Edit]:
    """Edits shared by several fixes (the same import) are applied once."""
    return list(dict.fromkeys(edits))


# A name as code refers to it: an identifier that is not an attribute (`sleep` in `asyncio.sleep`).
_REFERENCE = re.compile(r"(?<![\w.])[^\W\d]\w*")


def without_imports_made_unused(before: str, after: str, module, edits: list[Edit]) -> str:
    """`after` (`edits` applied to `before`; `module` is its parse) without the imports whose
    last use those edits removed: `time.sleep(1)` -> `await asyncio.sleep(1)` leaves no use of
    `import time` (or of `from time import sleep` for `sleep(1)`), and a linter such as ruff
    would report it (F401) next. libcst's scope analysis decides what is still used, `__all__`
    and string annotations included; an import that was unused before the edits (a re-export,
    an import kept for its side effect) is never touched."""
    offsets = line_offsets(before)
    removed: set[str] = set()
    for edit in edits:
        start = _offset(offsets, len(before), edit.span.line, edit.span.column)
        end = _offset(offsets, len(before), edit.span.end_line, edit.span.end_column)
        removed.update(_REFERENCE.findall(before[start:end]))
    removed.difference_update(word for edit in edits for word in _REFERENCE.findall(edit.content))
    if not removed:
        return after  # every name the edits replaced is still referred to: no use went away
    from libcst.codemod.visitors import RemoveImportsVisitor

    try:
        context = _scope_analysis(module)
        made_unused = _unused_imports(context, removed) - _unused_imports(_scope_analysis(_parsed(before)), removed)
        if not made_unused:
            return after
        pruned = context.wrapper.module.visit(RemoveImportsVisitor(context, sorted(made_unused, key=str)))
    except Exception:  # noqa: BLE001 - libcst's scope analysis failing leaves the import, not the fix
        return after
    result = apply_edits(after, list(text_edits(module.code, pruned.code)))
    return result if parses(result) else after


def _unused_imports(context, names: set[str]) -> set[tuple[str, str | None, str | None]]:
    """The imports of the module `context` analyses that bind one of `names` and that nothing
    uses, as RemoveImportsVisitor names them: (module, imported object or None, alias or None)."""
    import libcst
    from libcst.codemod.visitors import GatherUnusedImportsVisitor
    from libcst.helpers import get_absolute_module_for_import

    gatherer = GatherUnusedImportsVisitor(context)
    context.wrapper.module.visit(gatherer)
    unused = set()
    for alias, statement in gatherer.unused_imports:
        local = alias.evaluated_alias or alias.evaluated_name.split(".", 1)[0]
        if local not in names:
            continue
        if isinstance(statement, libcst.Import):
            unused.add((alias.evaluated_name, None, alias.evaluated_alias))
            continue
        source = get_absolute_module_for_import(None, statement)
        if source is not None:  # None for a relative import, which RemoveImportsVisitor skips
            unused.add((source, alias.evaluated_name, alias.evaluated_alias))
    return unused


def _scope_analysis(module):
    """A codemod context holding `module` with libcst's scope analysis resolved, which the
    import visitors read."""
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import RemoveImportsVisitor
    from libcst.metadata import MetadataWrapper

    # A freshly parsed module shares no node between two places, so it needs no copy.
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    wrapper.resolve_many(RemoveImportsVisitor.METADATA_DEPENDENCIES)
    return CodemodContext(wrapper=wrapper)


def add_noqa_text(text: str, diagnostics: list[Diagnostic]) -> tuple[str, int]:
    """`text` with `# noqa: CODE` added for each finding, merged into a noqa comment already
    there. Returns the new text and how many lines were changed.

    The comment goes on the finding's first line, or on its last when the first ends inside a
    string or a backslash continuation (`requests.get('''` ... `''')`): a `#` there would be
    part of the string and change the program. The engine reads a noqa on either line. A
    finding with neither line free is left without one. The result must compile to the same
    syntax tree as `text`, or nothing is changed."""
    free = _lines_free_for_a_comment(text)
    codes_by_line: dict[int, set[str]] = {}
    for diagnostic in diagnostics:
        span = diagnostic.span
        if free is None:  # text the tokenizer refuses: the first line, as the engine reports
            target = span.line
        else:
            target = next((n for n in (span.line, span.end_line) if n in free), None)
        if target is not None:
            codes_by_line.setdefault(target, set()).add(diagnostic.code)
    lines = split_lines(text)
    edits = []
    for number, codes in sorted(codes_by_line.items()):
        if not 0 < number <= len(lines):
            continue
        line = lines[number - 1]
        new_line = _with_noqa(line, codes)
        if new_line != line:
            edits.append(Edit(Span(number, 0, number, len(line)), new_line))
    if not edits:
        return text, 0
    candidate = apply_edits(text, edits)
    if not _same_program(text, candidate):
        return text, 0
    return candidate, len(edits)


def _lines_free_for_a_comment(text: str) -> set[int] | None:
    """Numbers of the lines whose end lies outside every string and continuation, so that a
    comment added there is only a comment: the lines where the tokenizer ends a line (NEWLINE
    or NL). None when the text does not tokenize."""
    import io
    import tokenize

    # Universal newlines make the tokenizer's rows the lines `split_lines` counts (a lone \r
    # ends a line for Python, not for a plain StringIO's readline).
    readline = io.StringIO(text, newline=None).readline
    try:
        return {
            token.start[0]
            for token in tokenize.generate_tokens(readline)
            if token.type in (tokenize.NEWLINE, tokenize.NL)
        }
    except (tokenize.TokenError, SyntaxError):
        return None


def _same_program(before: str, after: str) -> bool:
    """Whether `after` parses to the syntax tree of `before` (comments aside). Text the
    standard parser cannot read (libcst reads some it does not) is held to parsing only."""
    import ast

    try:
        tree = ast.dump(ast.parse(before))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return parses(after)
    try:
        return ast.dump(ast.parse(after)) == tree
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


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
