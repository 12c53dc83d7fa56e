"""ASY105 cpu-bound-in-loop: see docs/rules/ASY105.md; the calls are listed in rules/blocking_calls.toml."""

from asynclint.checks._blocking import BlockingCallCheck


class CpuBoundInLoop(BlockingCallCheck):
    code = "ASY105"
    name = "cpu-bound-in-loop"
