"""The one place where codes are registered: code -> check class, name, docs.

Everything a user sees about a code (`asynclint rules`, `asynclint rule ASY100`, SARIF rule
descriptors, LSP `codeDescription.href`) is derived from this list and the code's doc page.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from asynclint.checks.asy100_blocking_sleep import BlockingSleep
from asynclint.checks.asy101_blocking_http import BlockingHttp
from asynclint.checks.asy102_blocking_subprocess import BlockingSubprocess
from asynclint.checks.asy103_blocking_file_io import BlockingFileIO
from asynclint.checks.asy104_blocking_dns_socket import BlockingDnsSocket
from asynclint.checks.asy105_cpu_bound_in_loop import CpuBoundInLoop
from asynclint.checks.asy106_blocking_wait import BlockingWait
from asynclint.checks.asy107_blocking_db_driver import BlockingDbDriver
from asynclint.checks.asy108_blocking_input import BlockingInput
from asynclint.checks.asy109_blocking_via_helper import BlockingViaHelper
from asynclint.checks.asy110_sync_bridge_in_async import SyncBridgeInAsync
from asynclint.checks.asy400_unbounded_select import UnboundedSelect
from asynclint.checks.asy401_select_star import SelectStar
from asynclint.checks.asy402_query_per_iteration import QueryPerIteration
from asynclint.checks.asy403_unbounded_orm_query import UnboundedOrmQuery
from asynclint.checks.asy500_pool_without_limits import PoolWithoutLimits
from asynclint.checks.asy501_no_timeout import NoTimeout
from asynclint.checks.asy502_client_per_call import ClientPerCall
from asynclint.checks.asy200_thread_lock_across_await import ThreadLockAcrossAwait
from asynclint.checks.asy201_slow_await_under_async_lock import SlowAwaitUnderAsyncLock
from asynclint.checks.asy202_lock_created_in_place import LockCreatedInPlace
from asynclint.checks.asy300_copy_per_iteration import CopyPerIteration
from asynclint.checks.asy301_quadratic_concat import QuadraticConcat
from asynclint.checks.asy600_unbounded_fanout import UnboundedFanout
from asynclint.checks.asy601_unbounded_gather import UnboundedGather
from asynclint.checks.asy602_dangling_task import DanglingTask
from asynclint.checks.asy603_unbounded_queue import UnboundedQueue
from asynclint.checks.asy604_serial_awaits_in_loop import SerialAwaitsInLoop
from asynclint.checks.base import Check, FixAvailability
from asynclint.diagnostic import Severity

DOCS_BASE_URL = "https://github.com/asynclint/asynclint/blob/main/docs/rules/"

CHECKS: tuple[type[Check], ...] = (
    BlockingSleep,
    BlockingHttp,
    BlockingSubprocess,
    BlockingFileIO,
    BlockingDnsSocket,
    CpuBoundInLoop,
    BlockingWait,
    BlockingDbDriver,
    BlockingInput,
    BlockingViaHelper,
    SyncBridgeInAsync,
    UnboundedSelect,
    SelectStar,
    QueryPerIteration,
    UnboundedOrmQuery,
    PoolWithoutLimits,
    NoTimeout,
    ClientPerCall,
    ThreadLockAcrossAwait,
    SlowAwaitUnderAsyncLock,
    LockCreatedInPlace,
    CopyPerIteration,
    QuadraticConcat,
    UnboundedFanout,
    UnboundedGather,
    DanglingTask,
    UnboundedQueue,
    SerialAwaitsInLoop,
)

# ASY001 and ASY002 are not checks: the engine reports them, for a file it could not parse
# or decode, and for `# noqa` codes that silence nothing.
UNCHECKABLE_CODE = "ASY001"
UNCHECKABLE_NAME = "file-not-checked"
UNUSED_NOQA_CODE = "ASY002"


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    severity: Severity
    fix_availability: FixAvailability
    default_enabled: bool
    check: type[Check] | None

    @property
    def doc_url(self) -> str:
        return f"{DOCS_BASE_URL}{self.code}.md"

    def documentation(self) -> str:
        return resources.files("asynclint.ruledocs").joinpath(f"{self.code}.md").read_text("utf-8")

    def summary(self) -> str:
        """The doc page's one-sentence summary: its first non-empty line after the title."""
        lines = [line.strip() for line in self.documentation().splitlines()]
        return next((line for line in lines[1:] if line and not line.startswith("#")), self.name)


RULES: dict[str, RuleInfo] = {
    UNCHECKABLE_CODE: RuleInfo(
        UNCHECKABLE_CODE, UNCHECKABLE_NAME, Severity.ERROR, FixAvailability.NONE, True, None
    ),
    # Off by default: a team turns it on once its suppressions are meant to be exact.
    UNUSED_NOQA_CODE: RuleInfo(
        UNUSED_NOQA_CODE, "unused-noqa", Severity.WARNING, FixAvailability.ALWAYS, False, None
    ),
    **{
        check.code: RuleInfo(
            check.code,
            check.name,
            check.severity,
            check.fix_availability,
            check.default_enabled,
            check,
        )
        for check in sorted(CHECKS, key=lambda check: check.code)
    },
}
