"""`--output-format azure`: Azure Pipelines logging commands, which the agent turns into
errors and warnings on the run's summary and, for a pull request build, on the diff:

    ##vso[task.logissue type=warning;sourcepath=src/app.py;linenumber=5;columnnumber=5;code=ASY100;]`time.sleep()` ...

Lines and columns are 1-based (code points). Azure has two issue types: error for ASY001 (a
file that could not be checked) and other errors, warning for the rest. Paths are relative
to the repository root, with forward slashes. A finding in a notebook has no line and column
(the agent places it on the file; the notebook's lines are its JSON) and its message names the
cell: `cell 3:2:5: ...`.

Escaping is the agent's: `%` becomes `%AZP25`, then `;`, CR, LF and `]` become `%3B`, `%0D`,
`%0A` and `%5D`, in property values and in the message alike (the agent decodes both the
same way), so a message or path with any of them arrives as written.
"""

from __future__ import annotations

from asynclint.diagnostic import Severity
from asynclint.output import cell_prefix, repo_relative
from asynclint.positions import one_based_column

_TYPE = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "warning"}
_ESCAPES = (("%", "%AZP25"), (";", "%3B"), ("\r", "%0D"), ("\n", "%0A"), ("]", "%5D"))


def escape(text: str) -> str:
    for character, escaped in _ESCAPES:
        text = text.replace(character, escaped)
    return text


def command(diagnostic, root: str) -> str:
    properties = {"type": _TYPE[diagnostic.severity], "sourcepath": repo_relative(diagnostic.path, root)}
    if diagnostic.notebook is None:
        properties["linenumber"] = str(diagnostic.span.line)
        properties["columnnumber"] = str(one_based_column(diagnostic.span.column))
    properties["code"] = diagnostic.code
    rendered = "".join(f"{key}={escape(value)};" for key, value in properties.items())
    return f"##vso[task.logissue {rendered}]{escape(cell_prefix(diagnostic) + diagnostic.message)}"


def render(diagnostics, context) -> str:
    root = context.project_root()
    return "".join(command(d, root) + "\n" for d in diagnostics)
