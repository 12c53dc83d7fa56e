"""`--output-format text` (the default), laid out as ruff's full output: per finding a title
line (`CODE [*] message`), a `-->` line with its location, the lines it covers with two lines
of context either side and a marker under the span, and the `help:` line with the remedy;
then the summary. Colour (pygments for the code, ANSI for the rest) only when asked for or
writing to a terminal.

The shared pieces of the line-oriented formats live here too: the one-line `header` that
`concise` prints, the fix marker, and the summary with its fixable counts."""

from __future__ import annotations

import re
import textwrap

from asynclint.diagnostic import Applicability, Span
from asynclint.output.cells import cell_location
from asynclint.positions import one_based_column

RESET = "\x1b[0m"
BOLD = "\x1b[1m"
RED = "\x1b[31m"
CYAN = "\x1b[36m"

# Lines of source shown before and after the reported lines, as ruff shows them.
_CONTEXT = 2
# Spans longer than this show their first two and last lines with an elision between them.
_MAX_SNIPPET_LINES = 4
# Titles and help lines are wrapped to this many columns (code in backticks is never split).
_WIDTH = 100


class Painter:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._highlight = None

    def __call__(self, text: str, *styles: str) -> str:
        return "".join(styles) + text + RESET if self.enabled and text else text

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


# --- which fixes count as available ------------------------------------------------------


def applicable(fix, unsafe_fixes: bool) -> bool:
    """Whether `--fix` (with --unsafe-fixes when `unsafe_fixes`) would apply `fix`. A
    display-only suggestion never is."""
    if fix is None or not fix.edits:
        return False
    return fix.applicability is Applicability.SAFE or (
        unsafe_fixes and fix.applicability is Applicability.UNSAFE
    )


def shows_marker(diagnostic, context) -> bool:
    """`[*]`: the fix that running the same command with `--fix` would apply. After a fix run
    no finding is marked: a fix that was available and is still there was refused."""
    return not context.fixing and applicable(diagnostic.fix, context.unsafe_fixes)


# --- one finding ---------------------------------------------------------------------------


def position(diagnostic) -> str:
    """`line:column` (1-based), or `cell N:line:column` in a notebook, as ruff writes them."""
    span = diagnostic.span
    return cell_location(diagnostic) or f"{span.line}:{one_based_column(span.column)}"


def header(diagnostic, paint: Painter | None = None, marked: bool = False) -> str:
    """The one-line form `path:line:column: CODE [*] message` (concise, and the remaining
    findings of a `--fix -` on standard input)."""
    paint = paint or Painter(False)
    location = f"{diagnostic.path}:{position(diagnostic)}:"
    marker = paint("[*] ", CYAN) if marked else ""
    code = paint(diagnostic.code, BOLD, RED)
    message = " ".join(diagnostic.message.splitlines())  # one line per finding, whatever the message
    return f"{paint(location, BOLD)} {code} {marker}{message}"


def _wrap(text: str, first_indent: int, indent: int) -> list[str]:
    """`text` in lines of at most _WIDTH columns (the first one `first_indent` columns in),
    continuation lines indented by `indent`. Code spans in backticks are kept whole."""
    # Spaces inside code spans become NULs for the wrapping (which only breaks at whitespace).
    protected = re.sub(r"`[^`]*`", lambda m: m.group(0).replace(" ", "\x00"), text)
    if " ".join(protected.split()) == protected:  # words and single spaces: most messages
        lines = _fill(protected.split(" "), _WIDTH - first_indent, _WIDTH - indent, indent)
        return [line.replace("\x00", " ") for line in lines]
    lines = textwrap.wrap(
        protected,
        width=_WIDTH,
        initial_indent=" " * first_indent,  # room for what precedes the text on its first line
        subsequent_indent=" " * indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [" " * first_indent]
    lines[0] = lines[0][first_indent:]
    return [line.replace("\x00", " ") for line in lines]


def _fill(words: list[str], first_width: int, width: int, indent: int) -> list[str]:
    """What textwrap.wrap makes of `words` joined by single spaces (without breaking long
    words), in a fifth of its time: each word goes on the line while it fits, and a word
    longer than a line stands alone on one."""
    lines = [words[0]]
    room = first_width - len(words[0])
    for word in words[1:]:
        if len(word) < room:  # the space before it fits too
            lines[-1] += " " + word
            room -= 1 + len(word)
        else:
            lines.append(" " * indent + word)
            room = width - len(word)
    return lines


def title(diagnostic, paint: Painter, marked: bool, message: str) -> list[str]:
    prefix = diagnostic.code + (" [*]" if marked else "") + " "
    lines = _wrap(message, len(prefix), len(prefix))
    painted = paint(diagnostic.code, BOLD, RED) + (" " + paint("[*]", CYAN) if marked else "") + " "
    return [painted + paint(lines[0], BOLD)] + [paint(line, BOLD) for line in lines[1:]]


def help_lines(help_text: str, paint: Painter) -> list[str]:
    lines = _wrap(help_text, len("help: "), len("help: "))
    return [paint("help", BOLD, CYAN) + ": " + lines[0]] + lines[1:]


# Columns count code points; a terminal does not. The marker goes under the span as shown:
# tabs are shown as _TAB, and wide (East Asian) characters take two cells.
_TAB = "    "


def _display_width(text: str) -> int:
    import unicodedata

    text = text.replace("\t", _TAB)
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _shown_lines(span, lines: list[str]) -> list[int | None]:
    """The line numbers the frame shows (None: an elision): the span's lines, and up to
    _CONTEXT lines either side that are not blank at the frame's edges."""
    reported = list(range(span.line, span.end_line + 1))
    if len(reported) > _MAX_SNIPPET_LINES:
        reported = reported[:2] + [None] + reported[-1:]
    last = max(len(lines), span.end_line)

    def blank(number: int) -> bool:
        return number > len(lines) or not lines[number - 1].strip()

    before = list(range(max(1, span.line - _CONTEXT), span.line))
    while before and blank(before[0]):
        before.pop(0)
    after = list(range(span.end_line + 1, min(last, span.end_line + _CONTEXT) + 1))
    while after and blank(after[-1]):
        after.pop()
    return before + reported + after


def _in_cell(diagnostic, lines: list[str]) -> tuple[list[str], Span]:
    """A notebook finding's cell: its lines, and the finding's span counted in them (ending
    at the cell's end when it runs past it). The frame shows only that cell, numbered as the
    notebook numbers its lines."""
    cell = diagnostic.notebook.cell_at(diagnostic.span.line)
    first, count = cell.first_line, cell.line_count
    cell_lines = lines[first - 1 : first - 1 + count]
    span = diagnostic.span
    end_line, end_column = span.end_line - first + 1, span.end_column
    if end_line > count:
        end_line = count
        end_column = len(cell_lines[-1]) if cell_lines else 0
    return cell_lines, Span(span.line - first + 1, span.column, end_line, end_column)


def frame(diagnostic, lines: list[str], paint: Painter) -> list[str]:
    """The `-->` location line and, when the file's lines are known, the code frame."""
    span = diagnostic.span
    location = f"{diagnostic.path}:{position(diagnostic)}"
    if diagnostic.notebook is not None and lines:
        lines, span = _in_cell(diagnostic, lines)
    numbers = _shown_lines(span, lines) if lines else []
    width = len(str(max((n for n in numbers if n is not None), default=span.line)))
    out = [" " * width + paint("-->", CYAN) + " " + location]
    if not lines:  # a file that could not be read or decoded: no empty frame
        return out
    gutter = paint(" " * width + " |", CYAN)
    out.append(gutter)
    for number in numbers:
        if number is None:
            out.append(paint(" " * width + " ...", CYAN))
            continue
        text = lines[number - 1] if number <= len(lines) else ""
        shown = text.replace("\t", _TAB)
        out.append(paint(f"{number:>{width}} |", CYAN) + (" " + paint.code(shown) if shown else ""))
        if not span.line <= number <= span.end_line:
            continue
        start = span.column if number == span.line else len(text) - len(text.lstrip())
        end = span.end_column if number == span.end_line else len(text)
        marker = "^" * max(1, _display_width(text[start:end]))
        out.append(gutter + " " + " " * _display_width(text[:start]) + paint(marker, BOLD, RED))
    out.append(gutter)
    return out


def render(diagnostics, context) -> str:
    paint = Painter(context.color)
    out: list[str] = []
    for diagnostic in diagnostics:
        fix = diagnostic.fix
        out.extend(title(diagnostic, paint, shows_marker(diagnostic, context), diagnostic.message))
        out.extend(frame(diagnostic, context.source_lines(diagnostic.path), paint))
        if fix is not None:
            out.extend(help_lines(fix.title, paint))
        out.append("")
    if not context.quiet:
        out.extend(footer(diagnostics, context))
    return "\n".join(out) + ("\n" if out else "")


# --- the summary ---------------------------------------------------------------------------


def footer(diagnostics, context) -> list[str]:
    return [summary(diagnostics, context.files_checked, context.fixed), *fixable_summary(diagnostics, context)]


def fixable_summary(diagnostics, context) -> list[str]:
    """How many findings a `--fix` run would fix, named with the flags that fix them: the
    count after `[*]` is exactly the findings marked `[*]`."""
    safe = sum(1 for d in diagnostics if applicable(d.fix, unsafe_fixes=False))
    unsafe = sum(1 for d in diagnostics if applicable(d.fix, unsafe_fixes=True)) - safe
    if context.fixing:
        # What is left after --fix was not fixable by it; only --unsafe-fixes could add more.
        return [] if context.unsafe_fixes or not unsafe else [f"{unsafe} fixable with `--fix --unsafe-fixes`."]
    if context.unsafe_fixes and unsafe:
        return [f"[*] {safe + unsafe} fixable with `--fix --unsafe-fixes` ({unsafe} unsafe: review the diff)."]
    lines = []
    if safe:
        lines.append(f"[*] {safe} fixable with the `--fix` option.")
    if unsafe and not context.unsafe_fixes:
        more = "more " if safe else ""
        lines.append(f"({unsafe} {more}fixable with `--fix --unsafe-fixes`.)")
    return lines


def summary(diagnostics, files_checked: int, fixed: int = 0) -> str:
    checked = f"{files_checked} file{'s' if files_checked != 1 else ''} checked"
    problems = len(diagnostics)
    if fixed:  # after --fix, as ruff says it: what was found, what was fixed, what remains
        found = problems + fixed
        return f"Found {found} problem{'s' if found != 1 else ''} ({fixed} fixed, {problems} remaining; {checked})."
    if not diagnostics:
        return f"All checks passed ({checked})."
    files = len({d.path for d in diagnostics})
    return (
        f"Found {problems} problem{'s' if problems != 1 else ''} in {files}"
        f" file{'s' if files != 1 else ''} ({checked})."
    )
