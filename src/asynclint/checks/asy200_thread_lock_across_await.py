"""ASY200 thread-lock-across-await: see docs/rules/ASY200.md; the primitives are listed in
rules/locks.toml."""

from __future__ import annotations

from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context
from asynclint.analysis.locks import Hold
from asynclint.checks._held import HeldAcrossSuspensionCheck, lock_label, shorten, suspension_label
from asynclint.checks.base import ProposedFix
from asynclint.checks.fixes import code_of, display_fix, framework
from asynclint.tables import Tables

# The async primitive of each kind, by the name the frameworks all give it.
_ASYNC_KIND = {"lock": "Lock", "semaphore": "Semaphore", "condition": "Condition"}


class ThreadLockAcrossAwait(HeldAcrossSuspensionCheck):
    code = "ASY200"

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
            "and the holder can then never resume to release it (deadlock)"
        )

    def fix(self, hold: Hold, suspension: cst.CSTNode, ctx: Context) -> ProposedFix | None:
        """Which remedy applies depends on who else takes the lock (threads, or only tasks),
        which the linter cannot see: both are named, never applied."""
        lock = shorten(code_of(hold.lock), 40)
        async_type = f"{framework(ctx)[0]}.{_ASYNC_KIND[hold.primitive.kind]}"
        reentrant = " (not reentrant)" if hold.primitive.name.endswith("RLock") else ""
        return display_fix(
            f"If only tasks take `{lock}`, make it an `{async_type}`{reentrant} taken with "
            f"`async with {lock}:`; if threads take it too, release it before "
            f"{suspension_label(suspension)}"
        )
