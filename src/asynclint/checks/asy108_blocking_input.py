"""ASY108 blocking-input: see docs/rules/ASY108.md; the calls are listed in rules/blocking_calls.toml."""

from __future__ import annotations

from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context
from asynclint.checks._blocking import BlockingCallCheck
from asynclint.checks._held import shorten
from asynclint.checks.base import ProposedFix
from asynclint.checks.fixes import display_fix, framework, offload_fix

# An async stream over standard input, per framework (anyio has none of its own).
_STREAMS = {"asyncio": " (`loop.connect_read_pipe`)", "trio": " (`trio.lowlevel.FdStream(0)`)"}


class BlockingInput(BlockingCallCheck):
    code = "ASY108"

    def fix(self, node: cst.Call, name: str, ctx: Context) -> ProposedFix | None:
        """The worker-thread form of the call, shown and never applied: a thread blocked on
        standard input cannot be cancelled, so a cancelled or timed-out read leaves it waiting
        (it swallows the next line typed) and holds up the loop's shutdown until a line or EOF
        arrives. Whether that is acceptable (an interactive tool) or an async stream is needed
        (a server) is the author's call."""
        stream = f"read stdin through an async stream{_STREAMS.get(framework(ctx)[0], '')}"
        offloaded = offload_fix(node, ctx)
        if offloaded is None:
            return display_fix(stream[0].upper() + stream[1:])
        (edit,) = offloaded.edits
        call = edit.replacement
        if call.startswith("(") and call.endswith(")"):
            call = call[1:-1]  # parenthesised as an operand: `(await ...).strip()`
        return display_fix(
            f"If it must stay interactive, `{shorten(call, 70)}` (it cannot be cancelled); otherwise {stream}",
            edit.node,
            edit.replacement,
        )
