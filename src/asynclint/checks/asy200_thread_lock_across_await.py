"""ASY200 thread-lock-across-await: see docs/rules/ASY200.md; the primitives are listed in
rules/locks.toml."""

from __future__ import annotations

from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context
from asynclint.analysis.locks import Hold
from asynclint.checks._held import HeldAcrossSuspensionCheck, lock_label, suspension_label
from asynclint.diagnostic import Severity
from asynclint.tables import Tables


class ThreadLockAcrossAwait(HeldAcrossSuspensionCheck):
    code = "ASY200"
    name = "thread-lock-across-await"
    severity = Severity.ERROR

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        # A thread primitive is named somewhere (constructor, annotation or import), and only
        # an `async def` can suspend.
        thread_types = {n for n, p in tables.primitives.items() if p.family == "thread"}
        spellings = thread_types | {f for f, t in tables.returns.items() if t in thread_types}
        return (frozenset({"async"}), frozenset(n.rsplit(".", 1)[-1] for n in spellings))

    def judge(self, hold: Hold, suspension: cst.CSTNode, ctx: Context) -> str | None:
        if hold.primitive.family != "thread":
            return None
        return (
            f"{lock_label(hold)} is held across {suspension_label(suspension)}: while this task "
            "is suspended, another task that takes the lock blocks the event loop's thread, "
            "and the holder can then never resume to release it (deadlock); use an "
            "`asyncio.Lock`, or release the lock before awaiting"
        )
