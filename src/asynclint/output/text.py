"""`--output-format text` (the default): one header line per finding, the source lines it
covers with a marker under the span, and a summary. Colour (pygments for the code, ANSI for
the rest) only when asked for or writing to a terminal."""

from __future__ import annotations

from collections import Counter

from asynclint.diagnostic import Applicability
from asynclint.positions import one_based_column

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_RED = "\x1b[31m"
_CYAN = "\x1b[36m"
_DIM = "\x1b[2m"

# Spans longer than this show their first and last lines with an elision between them.
_MAX_SNIPPET_LINES = 4


class _Painter:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._highlight = None

    def __call__(self, text: str, *styles: str) -> str:
        return "".join(styles) + text + _RESET if self.enabled and text else text

    def code(self, line: str) -> str:
        if not self.enabled:
            return line
        if self._highlight is None:
            from pygments import highlight
            from pygments.formatters import TerminalFormatter
            from pygments.lexers import PythonLexer

            lexer, formatter = PythonLexer(), TerminalFormatter()
            self._highlight = lambda text: highlight(text, lexer, formatter).rstrip("\n")
        return self._highlight(line)


def applicable(fix, unsafe_fixes: bool) -> bool:
    """Whether `--fix` (with or without --unsafe-fixes) would apply `fix`."""
    if fix is None or not fix.edits:
        return False
    return fix.applicability is Applicability.SAFE or (
        unsafe_fixes and fix.applicability is Applicability.UNSAFE
    )


def header(diagnostic, paint: _Painter | None = None, unsafe_fixes: bool = False) -> str:
    paint = paint or _Painter(False)
    span = diagnostic.span
    location = f"{diagnostic.path}:{span.line}:{one_based_column(span.column)}:"
    marker = paint("[*] ", _CYAN) if applicable(diagnostic.fix, unsafe_fixes) else ""
    code = paint(diagnostic.code, _BOLD, _RED)
    return f"{paint(location, _BOLD)} {code} {marker}{diagnostic.message}"


# Columns count code points; a terminal does not. The marker goes under the span as shown:
# tabs are shown as _TAB, and wide (East Asian) characters take two cells.
_TAB = "    "


def _display_width(text: str) -> int:
    import unicodedata

    text = text.replace("\t", _TAB)
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def snippet(diagnostic, lines: list[str], paint: _Painter) -> list[str]:
    span = diagnostic.span
    numbers = list(range(span.line, span.end_line + 1))
    if len(numbers) > _MAX_SNIPPET_LINES:
        numbers = numbers[:2] + [None] + numbers[-1:]
    width = len(str(span.end_line))
    gutter = paint(" " * width + " |", _CYAN)
    out = [gutter]
    for number in numbers:
        if number is None:
            out.append(paint(" " * width + " ...", _CYAN))
            continue
        text = lines[number - 1] if 0 < number <= len(lines) else ""
        out.append(paint(f"{number:>{width}} |", _CYAN) + " " + paint.code(text.replace("\t", _TAB)))
        start = span.column if number == span.line else len(text) - len(text.lstrip())
        end = span.end_column if number == span.end_line else len(text)
        marker = "^" * max(1, _display_width(text[start:end]))
        out.append(gutter + " " + " " * _display_width(text[:start]) + paint(marker, _BOLD, _RED))
    out.append(gutter)
    return out


def render(diagnostics, context) -> str:
    paint = _Painter(context.color)
    out: list[str] = []
    for diagnostic in diagnostics:
        out.append(header(diagnostic, paint, context.unsafe_fixes))
        lines = context.source_lines(diagnostic.path)
        if lines:  # none for a file that could not be read or decoded: no empty snippet then
            out.extend(snippet(diagnostic, lines, paint))
        if diagnostic.fix is not None:
            out.append(paint(f"  = help: {diagnostic.fix.title}", _DIM))
        out.append("")
    if context.statistics:
        out.extend(statistics(diagnostics))
    if not context.quiet:
        out.append(summary(diagnostics, context.files_checked))
        out.extend(fixable_summary(diagnostics, context.unsafe_fixes))
    return "\n".join(out) + ("\n" if out else "")


def statistics(diagnostics) -> list[str]:
    counts = Counter((d.code, d.name) for d in diagnostics)
    return [f"{count:>5}  {code}  {name}" for (code, name), count in sorted(counts.items())] + [""]


def fixable_summary(diagnostics, unsafe_fixes: bool) -> list[str]:
    fixable = sum(1 for d in diagnostics if applicable(d.fix, unsafe_fixes))
    hidden = sum(
        1 for d in diagnostics if not unsafe_fixes and applicable(d.fix, unsafe_fixes=True)
    ) - fixable
    lines = []
    if fixable:
        lines.append(f"[*] {fixable} fixable with the `--fix` option.")
    if hidden:
        lines.append(f"({hidden} more fixable with `--fix --unsafe-fixes`.)")
    return lines


def summary(diagnostics, files_checked: int) -> str:
    checked = f"{files_checked} file{'s' if files_checked != 1 else ''} checked"
    if not diagnostics:
        return f"All checks passed ({checked})."
    files = len({d.path for d in diagnostics})
    problems = len(diagnostics)
    return (
        f"Found {problems} problem{'s' if problems != 1 else ''} in {files}"
        f" file{'s' if files != 1 else ''} ({checked})."
    )
