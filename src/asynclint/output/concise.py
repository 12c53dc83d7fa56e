"""`--output-format concise`: one line per finding, `path:line:column: CODE [*] message`,
then the same summary as `text` (no source, no help lines)."""

from __future__ import annotations

from asynclint.output.text import Painter, footer, header, shows_marker


def render(diagnostics, context) -> str:
    paint = Painter(context.color)
    out = [header(d, paint, shows_marker(d, context)) for d in diagnostics]
    if not context.quiet:
        out.extend(footer(diagnostics, context))
    return "\n".join(out) + ("\n" if out else "")
