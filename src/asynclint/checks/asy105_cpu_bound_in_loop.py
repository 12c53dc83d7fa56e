"""ASY105 cpu-bound-in-loop: see docs/rules/ASY105.md; the calls are listed in rules/blocking_calls.toml."""

from asynclint.checks._blocking import OffloadableBlockingCallCheck


class CpuBoundInLoop(OffloadableBlockingCallCheck):
    code = "ASY105"
