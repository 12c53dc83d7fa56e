"""ASY100 blocking-sleep: see docs/rules/ASY100.md; the calls are listed in rules/blocking_calls.toml."""

from __future__ import annotations

from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context
from asynclint.checks._blocking import BlockingCallCheck
from asynclint.checks.base import FixAvailability, ProposedFix
from asynclint.checks.fixes import as_operand, code_of, framework, replacement_fix
from asynclint.diagnostic import Applicability


class BlockingSleep(BlockingCallCheck):
    code = "ASY100"
    name = "blocking-sleep"
    fix_availability = FixAvailability.SOMETIMES

    def fix(self, node: cst.Call, name: str, ctx: Context) -> ProposedFix | None:
        """`time.sleep(x)` -> `await asyncio.sleep(x)` (trio/anyio when the module uses one).

        Safe when the sleep is a statement of its own and the module uses exactly one
        framework; unsafe when its value is used or the framework is a guess."""
        chosen, certain = framework(ctx)
        reference = ctx.module_reference(chosen)
        if reference is None or len(node.args) != 1 or node.args[0].keyword is not None:
            return None
        module, needs_import = reference
        delay = code_of(node.args[0].value)
        replacement = f"await {module}.sleep({delay})"
        standalone = isinstance(ctx.parent, cst.Expr)
        safe = certain and standalone
        return replacement_fix(
            f"Replace with `{replacement}`",
            node,
            as_operand(node, ctx, replacement),
            Applicability.SAFE if safe else Applicability.UNSAFE,
            (chosen,) if needs_import else (),
        )
