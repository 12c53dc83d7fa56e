"""Building a fix's edits from text: the line edits between two versions of a text, and the
import lines a fix asks for (`ProposedFix.imports`). The engine builds a finding's fix with
these; the fixer (fixer.py) only chooses and applies edits."""

from __future__ import annotations

import difflib

from asynclint.diagnostic import Edit, Span
from asynclint.positions import split_lines


def import_edits(module, imports: tuple[str, ...]) -> tuple[Edit, ...]:
    """Edits that add each of `imports` ("asyncio", or "asyncio as asyncio_" for an alias: see
    scope.ModuleReference), placed the way libcst's codemods place them (after the docstring,
    `__future__` imports and the top import block; nothing when the import is already there).

    The codemod runs on the file's head alone (that docstring and import block, which is where
    it edits): a transform of the whole file costs as much as parsing it again. The head's code
    is a prefix of the file's, so the edits' positions hold for the whole file. Other
    statements follow a head, so it ends with a line break (libcst reads a file whose lines end
    in `\r` as having no final one, and would leave it out); an empty head is no text at all."""
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor, ImportItem

    items = []
    for spec in imports:
        name, _, alias = spec.partition(" as ")
        items.append(ImportItem(name, None, alias or None))
    statements = _head_statements(module)
    head = module.with_changes(body=statements, footer=(), has_trailing_newline=True)
    before = head.code if statements or module.header else ""  # libcst writes "\n" for nothing
    return text_edits(before, head.visit(AddImportsVisitor(CodemodContext(), items)).code)


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
    old = split_lines(before, keepends=True)
    new = split_lines(after, keepends=True)
    edits = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag != "equal":
            edits.append(Edit(Span(i1 + 1, 0, i2 + 1, 0), "".join(new[j1:j2])))
    return tuple(edits)
