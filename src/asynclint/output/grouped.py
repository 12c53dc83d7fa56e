"""`--output-format grouped`, ruff's grouped format: findings under the name of their file,
one line each (`line:column CODE [*] message`, the line numbers right-aligned and the columns
padded so the codes line up; `cell N:line:column` in a notebook), a blank line after each
file, then the same summary as `text`:

    src/app.py:
       5:5  ASY100 [*] `time.sleep()` puts the event loop thread to sleep, ...
      12:13 ASY101 `requests.get()` sends an HTTP request and waits ...
"""

from __future__ import annotations

from asynclint.output.text import BOLD, CYAN, RED, Painter, footer, shows_marker
from asynclint.positions import one_based_column


def _place(diagnostic) -> tuple[str, str]:
    """The line (`cell N:line` in a notebook, as ruff writes it) and the column."""
    position = diagnostic.cell_position()
    if position is not None:
        return f"cell {position.cell}:{position.line}", str(one_based_column(position.column))
    return str(diagnostic.span.line), str(one_based_column(diagnostic.span.column))


def render(diagnostics, context) -> str:
    paint = Painter(context.color)
    files: dict[str, list] = {}
    for diagnostic in diagnostics:
        files.setdefault(diagnostic.path, []).append(diagnostic)
    out: list[str] = []
    for path, found in files.items():
        out.append(paint(f"{path}:", BOLD))
        places = [_place(d) for d in found]
        line_width = max(len(line) for line, _ in places)
        column_width = max(len(column) for _, column in places)
        for diagnostic, (line, column) in zip(found, places):
            line = f"{line:>{line_width}}"
            column = f"{column:<{column_width}}"
            marker = paint("[*]", CYAN) + " " if shows_marker(diagnostic, context) else ""
            message = " ".join(diagnostic.message.splitlines())
            out.append(f"  {line}{paint(':', CYAN)}{column} {paint(diagnostic.code, BOLD, RED)} {marker}{message}")
        out.append("")
    if not context.quiet:
        out.extend(footer(diagnostics, context))
    return "\n".join(out) + ("\n" if out else "")
