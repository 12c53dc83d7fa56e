"""`--output-format pylint`: pylint's parseable format as ruff emits it, one line per finding,

    src/app.py:5: [ASY100] `time.sleep()` puts the event loop thread to sleep, ...

for tools that read pylint reports (Jenkins Warnings NG's PyLint parser, editors' quickfix
lists). The format has no column; the message is kept on its one line."""

from __future__ import annotations


def render(diagnostics, context) -> str:
    return "".join(
        f"{d.path}:{d.span.line}: [{d.code}] {' '.join(d.message.splitlines())}\n" for d in diagnostics
    )
