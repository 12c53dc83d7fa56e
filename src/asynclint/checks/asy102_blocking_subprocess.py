"""ASY102 blocking-subprocess: see docs/rules/ASY102.md; the calls are listed in rules/blocking_calls.toml."""

from asynclint.checks._blocking import BlockingCallCheck


class BlockingSubprocess(BlockingCallCheck):
    code = "ASY102"
    name = "blocking-subprocess"
