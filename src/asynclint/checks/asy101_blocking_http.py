"""ASY101 blocking-http: see docs/rules/ASY101.md; the calls are listed in rules/blocking_calls.toml."""

from asynclint.checks._blocking import OffloadableBlockingCallCheck


class BlockingHttp(OffloadableBlockingCallCheck):
    code = "ASY101"
