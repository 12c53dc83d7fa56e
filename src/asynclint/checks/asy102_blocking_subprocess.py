"""ASY102 blocking-subprocess: see docs/rules/ASY102.md; the calls are listed in rules/blocking_calls.toml."""

from __future__ import annotations

from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context
from asynclint.checks._blocking import BlockingCallCheck
from asynclint.checks._held import shorten
from asynclint.checks.base import ProposedFix
from asynclint.checks.fixes import code_of
from asynclint.diagnostic import Applicability

# Calls whose first argument is the command (a list of program and arguments, or a string).
_RUNS_A_COMMAND = frozenset(
    {"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output"}
)


class BlockingSubprocess(BlockingCallCheck):
    code = "ASY102"

    def fix(self, node: cst.Call, name: str, ctx: Context) -> ProposedFix | None:
        """A concrete asyncio equivalent to show, never applied: the output, return code and
        error handling of `subprocess.run` differ from a process object's, so the person who
        knows what the caller needs must make the change."""
        if name not in _RUNS_A_COMMAND or not node.args or node.args[0].keyword is not None:
            return None
        command = node.args[0].value
        if isinstance(command, cst.List) and all(
            isinstance(element, cst.Element) for element in command.elements
        ):
            program = ", ".join(code_of(element.value) for element in command.elements)
            suggestion = f"proc = await asyncio.create_subprocess_exec({shorten(program, 50)})"
        else:
            suggestion = f"proc = await asyncio.create_subprocess_shell({shorten(code_of(command), 50)})"
        waits = "await proc.communicate()" if "output" in name else "await proc.wait()"
        return ProposedFix(f"Use `{suggestion}` then `{waits}`", Applicability.DISPLAY_ONLY)
