"""The one place where codes are registered: code -> name, severity, default, fix availability,
doc page, and where its check lives.

Everything a user sees about a code (`asynclint rules`, `asynclint rule ASY100`, SARIF rule
descriptors, LSP `codeDescription.href`, which codes `select = ["ASY1"]` means) is derived from
this table and the code's doc page. The table names each check's class as "module:Class" and
imports it only when asked (`RuleInfo.check`): config, outputs and the rule listing never load
a check, and a check's module can import config without making a cycle.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

from asynclint.diagnostic import Severity

if TYPE_CHECKING:
    from asynclint.checks.base import Check

DOCS_BASE_URL = "https://github.com/asynclint/asynclint/blob/main/docs/rules/"


class FixAvailability(str, enum.Enum):
    NONE = "none"
    DISPLAY_ONLY = "display-only"  # a concrete suggestion, never applied
    SOMETIMES = "sometimes"  # applied where it can be done safely or, with --unsafe-fixes, unsafely
    ALWAYS = "always"


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    severity: Severity
    fix_availability: FixAvailability
    default_enabled: bool
    # "module:Class" under asynclint.checks; None for the codes the engine reports itself
    implementation: str | None
    # Its findings depend on other files (a ProjectCheck): the run has a project phase for it.
    project_wide: bool = False

    @property
    def check(self) -> type[Check] | None:
        """The check class, imported on first use."""
        return _load_check(self.implementation) if self.implementation is not None else None

    @property
    def doc_url(self) -> str:
        return f"{DOCS_BASE_URL}{self.code}.md"

    def documentation(self) -> str:
        from importlib import resources  # not at the top: every run imports this module, few read docs

        return resources.files("asynclint.ruledocs").joinpath(f"{self.code}.md").read_text("utf-8")

    def summary(self) -> str:
        """The doc page's one-sentence summary: its first non-empty line after the title."""
        lines = [line.strip() for line in self.documentation().splitlines()]
        return next((line for line in lines[1:] if line and not line.startswith("#")), self.name)


@cache
def _load_check(implementation: str) -> type[Check]:
    module, _, name = implementation.partition(":")
    return getattr(import_module(f"asynclint.checks.{module}"), name)


# ASY001 and ASY002 are not checks: the engine reports them, for a file it could not parse
# or decode, and for `# noqa` codes that silence nothing.
UNCHECKABLE_CODE = "ASY001"
UNCHECKABLE_NAME = "file-not-checked"
UNUSED_NOQA_CODE = "ASY002"

_ERROR, _WARNING, _INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
_NONE, _DISPLAY = FixAvailability.NONE, FixAvailability.DISPLAY_ONLY
_SOMETIMES, _ALWAYS = FixAvailability.SOMETIMES, FixAvailability.ALWAYS

# code, name, severity, fix availability, on by default, "module:Class" under asynclint.checks
# [, project-wide]
_TABLE: tuple[tuple, ...] = (
    (UNCHECKABLE_CODE, UNCHECKABLE_NAME, _ERROR, _NONE, True, None),
    # Off by default: a team turns it on once its suppressions are meant to be exact.
    (UNUSED_NOQA_CODE, "unused-noqa", _WARNING, _ALWAYS, False, None),
    ("ASY100", "blocking-sleep", _WARNING, _SOMETIMES, True, "asy100_blocking_sleep:BlockingSleep"),
    ("ASY101", "blocking-http", _WARNING, _SOMETIMES, True, "asy101_blocking_http:BlockingHttp"),
    ("ASY102", "blocking-subprocess", _WARNING, _DISPLAY, True, "asy102_blocking_subprocess:BlockingSubprocess"),
    ("ASY103", "blocking-file-io", _WARNING, _SOMETIMES, True, "asy103_blocking_file_io:BlockingFileIO"),
    ("ASY104", "blocking-dns-socket", _WARNING, _SOMETIMES, True, "asy104_blocking_dns_socket:BlockingDnsSocket"),
    ("ASY105", "cpu-bound-in-loop", _WARNING, _SOMETIMES, True, "asy105_cpu_bound_in_loop:CpuBoundInLoop"),
    ("ASY106", "blocking-wait", _WARNING, _SOMETIMES, True, "asy106_blocking_wait:BlockingWait"),
    ("ASY107", "blocking-db-driver", _WARNING, _SOMETIMES, True, "asy107_blocking_db_driver:BlockingDbDriver"),
    ("ASY108", "blocking-input", _WARNING, _DISPLAY, True, "asy108_blocking_input:BlockingInput"),
    ("ASY109", "blocking-via-helper", _WARNING, _DISPLAY, True, "asy109_blocking_via_helper:BlockingViaHelper", True),
    ("ASY110", "sync-bridge-in-async", _ERROR, _SOMETIMES, True, "asy110_sync_bridge_in_async:SyncBridgeInAsync"),
    ("ASY200", "thread-lock-across-await", _ERROR, _DISPLAY, True, "asy200_thread_lock_across_await:ThreadLockAcrossAwait"),
    ("ASY201", "slow-await-under-async-lock", _WARNING, _DISPLAY, True, "asy201_slow_await_under_async_lock:SlowAwaitUnderAsyncLock"),
    ("ASY202", "lock-created-in-place", _ERROR, _DISPLAY, True, "asy202_lock_created_in_place:LockCreatedInPlace"),
    ("ASY300", "copy-per-iteration", _WARNING, _DISPLAY, True, "asy300_copy_per_iteration:CopyPerIteration"),
    ("ASY301", "quadratic-concat", _WARNING, _SOMETIMES, True, "asy301_quadratic_concat:QuadraticConcat"),
    ("ASY400", "unbounded-select", _WARNING, _DISPLAY, True, "asy400_unbounded_select:UnboundedSelect"),
    ("ASY401", "select-star", _INFO, _DISPLAY, True, "asy401_select_star:SelectStar"),
    ("ASY402", "query-per-iteration", _WARNING, _DISPLAY, True, "asy402_query_per_iteration:QueryPerIteration"),
    ("ASY403", "unbounded-orm-query", _WARNING, _DISPLAY, True, "asy403_unbounded_orm_query:UnboundedOrmQuery"),
    ("ASY500", "pool-without-limits", _WARNING, _DISPLAY, True, "asy500_pool_without_limits:PoolWithoutLimits"),
    ("ASY501", "no-timeout", _WARNING, _DISPLAY, True, "asy501_no_timeout:NoTimeout"),
    ("ASY502", "client-per-call", _WARNING, _DISPLAY, True, "asy502_client_per_call:ClientPerCall"),
    ("ASY600", "unbounded-fanout", _WARNING, _DISPLAY, True, "asy600_unbounded_fanout:UnboundedFanout"),
    ("ASY601", "unbounded-gather", _WARNING, _DISPLAY, True, "asy601_unbounded_gather:UnboundedGather"),
    ("ASY602", "dangling-task", _ERROR, _DISPLAY, True, "asy602_dangling_task:DanglingTask"),
    ("ASY603", "unbounded-queue", _WARNING, _DISPLAY, True, "asy603_unbounded_queue:UnboundedQueue"),
    # Off by default: see docs/rules/ASY604.md, its audited precision is below 90%.
    ("ASY604", "serial-awaits-in-loop", _WARNING, _DISPLAY, False, "asy604_serial_awaits_in_loop:SerialAwaitsInLoop"),
)  # fmt: skip

RULES: dict[str, RuleInfo] = {row[0]: RuleInfo(*row) for row in _TABLE}
