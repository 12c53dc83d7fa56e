"""ASY108 blocking-input: see docs/rules/ASY108.md; the calls are listed in rules/blocking_calls.toml."""

from asynclint.checks._blocking import BlockingCallCheck


class BlockingInput(BlockingCallCheck):
    code = "ASY108"
    name = "blocking-input"
