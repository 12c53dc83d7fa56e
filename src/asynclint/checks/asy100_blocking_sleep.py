"""ASY100 blocking-sleep: see docs/rules/ASY100.md; the calls are listed in rules/blocking_calls.toml."""

from asynclint.checks._blocking import BlockingCallCheck


class BlockingSleep(BlockingCallCheck):
    code = "ASY100"
    name = "blocking-sleep"
