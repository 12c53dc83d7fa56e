"""ASY100 blocking-sleep: see docs/rules/ASY100.md; the calls are listed in rules/blocking_calls.toml."""

from __future__ import annotations

from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context
from asynclint.checks._blocking import BlockingCallCheck
from asynclint.checks._held import shorten
from asynclint.checks.base import ProposedFix
from asynclint.checks.fixes import as_operand, code_of, framework, replacement_fix
from asynclint.diagnostic import Applicability


class BlockingSleep(BlockingCallCheck):
    code = "ASY100"

    def fix(self, node: cst.Call, name: str, ctx: Context) -> ProposedFix | None:
        """`time.sleep(x)` -> `await asyncio.sleep(x)` (trio/anyio when the module uses one).

        Safe when the sleep is a statement of its own, the module uses exactly one framework
        and the name written is certain to mean it there (Context.module_reference); unsafe
        when its value is used, the framework is a guess, or the name is not certain."""
        if len(node.args) != 1 or node.args[0].keyword is not None:
            return None
        chosen, certain = framework(ctx)
        reference = ctx.module_reference(chosen)
        replacement = f"await {reference.name}.sleep({code_of(node.args[0].value)})"
        standalone = isinstance(ctx.parent, cst.Expr)
        safe = certain and standalone and reference.safe
        return replacement_fix(
            f"Replace with `{shorten(replacement, 70)}`",
            node,
            as_operand(node, ctx, replacement),
            Applicability.SAFE if safe else Applicability.UNSAFE,
            reference.imports,
        )
