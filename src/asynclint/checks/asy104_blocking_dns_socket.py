"""ASY104 blocking-dns-socket: see docs/rules/ASY104.md; the calls are listed in rules/blocking_calls.toml."""

from asynclint.checks._blocking import OffloadableBlockingCallCheck


class BlockingDnsSocket(OffloadableBlockingCallCheck):
    code = "ASY104"
