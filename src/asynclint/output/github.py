"""`--output-format github`: GitHub Actions workflow commands, which the runner turns into
annotations on the pull request's diff:

    ::warning file=src/app.py,line=3,col=5,endLine=3,endColumn=18,title=ASY100 (blocking-sleep)::ASY100 ...

Lines and columns are 1-based, in code points, `endColumn` exclusive as in the `json` format.
Columns are given only when the span is on one line (GitHub ignores them otherwise). Paths
are relative to the repository root, with forward slashes. A finding in a notebook has no
line (GitHub shows it on the file: its lines are the notebook's JSON) and its message names
the cell: `ASY100 cell 3:2:5: ...`.
"""

from __future__ import annotations

from asynclint.diagnostic import Severity
from asynclint.output import cell_prefix, repo_relative
from asynclint.positions import one_based_column

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """The message part: `%`, CR and LF are percent-encoded (as the runner's toolkit does)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: as the message, and `:` and `,` too, since they delimit properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(diagnostic, root: str) -> str:
    span = diagnostic.span
    properties = [("file", repo_relative(diagnostic.path, root))]
    if diagnostic.notebook is None:
        properties.append(("line", str(span.line)))
        if span.line == span.end_line:
            properties.append(("col", str(one_based_column(span.column))))
        properties.append(("endLine", str(span.end_line)))
        if span.line == span.end_line:
            properties.append(("endColumn", str(one_based_column(span.end_column))))
    properties.append(("title", f"{diagnostic.code} ({diagnostic.name})"))
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    message = f"{diagnostic.code} {cell_prefix(diagnostic)}{diagnostic.message}"
    return f"::{_COMMAND[diagnostic.severity]} {rendered}::{escape_data(message)}"


def render(diagnostics, context) -> str:
    root = context.project_root()
    return "".join(command(d, root) + "\n" for d in diagnostics)
