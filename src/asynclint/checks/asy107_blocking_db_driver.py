"""ASY107 blocking-db-driver: see docs/rules/ASY107.md; the calls are listed in rules/blocking_calls.toml."""

from asynclint.checks._blocking import OffloadableBlockingCallCheck


class BlockingDbDriver(OffloadableBlockingCallCheck):
    code = "ASY107"
