"""`--output-format pylint`: pylint's parseable format as ruff emits it, one line per finding,

    src/app.py:5: [ASY100] `time.sleep()` puts the event loop thread to sleep, ...

for tools that read pylint reports (Jenkins Warnings NG's PyLint parser, editors' quickfix
lists). The format has no column; the message is kept on its one line. In a notebook the
line is 1 and the message starts with the cell's position (`cell 3:2:5: ...`)."""

from __future__ import annotations

from asynclint.output import cell_prefix


def render(diagnostics, context) -> str:
    return "".join(_line(d) for d in diagnostics)


def _line(diagnostic) -> str:
    # A notebook's line is a line of its JSON text, which no cell's line is: line 1, as ruff
    # gives, and the message names the cell.
    line = 1 if diagnostic.notebook is not None else diagnostic.span.line
    message = cell_prefix(diagnostic) + " ".join(diagnostic.message.splitlines())
    return f"{diagnostic.path}:{line}: [{diagnostic.code}] {message}\n"
