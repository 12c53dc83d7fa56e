"""ASY106 blocking-wait: see docs/rules/ASY106.md; the calls are listed in rules/blocking_calls.toml."""

from asynclint.checks._blocking import OffloadableBlockingCallCheck


class BlockingWait(OffloadableBlockingCallCheck):
    code = "ASY106"
