"""ASY103 blocking-file-io: see docs/rules/ASY103.md; the calls are listed in rules/blocking_calls.toml."""

from asynclint.checks._blocking import OffloadableBlockingCallCheck


class BlockingFileIO(OffloadableBlockingCallCheck):
    code = "ASY103"
