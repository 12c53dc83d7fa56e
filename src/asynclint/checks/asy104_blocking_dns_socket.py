"""ASY104 blocking-dns-socket: see docs/rules/ASY104.md; the calls are listed in rules/blocking_calls.toml."""

from __future__ import annotations

from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context
from asynclint.checks._blocking import BlockingCallCheck
from asynclint.checks.base import FixAvailability, ProposedFix
from asynclint.checks.fixes import offload_fix


class BlockingDnsSocket(BlockingCallCheck):
    code = "ASY104"
    name = "blocking-dns-socket"

    fix_availability = FixAvailability.SOMETIMES

    def fix(self, node: cst.Call, name: str, ctx: Context) -> ProposedFix | None:
        return offload_fix(node, ctx)
