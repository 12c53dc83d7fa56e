"""`--output-format concise`: one line per finding, `path:line:column: CODE [*] message`,
then the same summary as `text` (no source snippets)."""

from __future__ import annotations

from dataclasses import replace

from asynclint.output.text import _Painter, fixable_summary, header, statistics, summary


def _one_line(diagnostic):
    """A message with line breaks would break the one-line-per-finding promise."""
    if "\n" in diagnostic.message or "\r" in diagnostic.message:
        return replace(diagnostic, message=" ".join(diagnostic.message.splitlines()))
    return diagnostic


def render(diagnostics, context) -> str:
    paint = _Painter(context.color)
    out = [header(_one_line(d), paint, context.unsafe_fixes) for d in diagnostics]
    if context.statistics:
        out.extend([""] if out else [])
        out.extend(statistics(diagnostics))
    if not context.quiet:
        out.append(summary(diagnostics, context.files_checked))
        out.extend(fixable_summary(diagnostics, context.unsafe_fixes))
    return "\n".join(out) + ("\n" if out else "")
