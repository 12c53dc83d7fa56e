"""ASY202 lock-created-in-place: see docs/rules/ASY202.md; the primitives are listed in
rules/locks.toml."""

from __future__ import annotations

from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context
from asynclint.analysis.locks import primitive_of
from asynclint.checks._held import shorten
from asynclint.checks.base import Check, ProposedFix
from asynclint.checks.fixes import code_of, display_fix
from asynclint.tables import Tables


class LockCreatedInPlace(Check):
    code = "ASY202"

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        spellings = set(tables.primitives)
        spellings |= {f for f, t in tables.returns.items() if t in tables.primitives}
        return (frozenset({"with"}), frozenset(n.rsplit(".", 1)[-1] for n in spellings))

    def visit_WithItem(self, node: cst.WithItem, ctx: Context) -> None:
        created = node.item
        if not isinstance(created, cst.Call):
            return
        primitive = primitive_of(created, ctx)
        if primitive is None:
            return
        kind = primitive.kind
        # The statement is the whole `with` block: a `# noqa` belongs on the line of the call.
        self.report(
            created,
            f"`{ctx.callee(created)}()` creates a new {kind} each time this `with` runs, so no "
            "other task or thread ever waits for it and it protects nothing",
            None,
            _fix(created, kind, ctx),
        )


def _fix(created: cst.Call, kind: str, ctx: Context) -> ProposedFix:
    """Where the shared lock should live (module, instance, per key) is a design decision,
    so the suggestion names the usual home and is never applied: in a method, an attribute
    set in `__init__`; elsewhere, a module-level name."""
    call = shorten(code_of(created), 40)
    statement = ctx.parent  # the `with` of this WithItem
    keyword = "async with" if isinstance(statement, cst.With) and statement.asynchronous else "with"
    frame = ctx.function
    if frame.self_name is not None and frame.class_facts is not None:
        shared = f"{frame.self_name}._{kind}"
        where = f"`{shared} = {call}` in `__init__`"
    else:
        shared = f"_{kind}"
        where = f"`{shared} = {call}` at module level"
    return display_fix(f"Create the {kind} once, e.g. {where}, and use `{keyword} {shared}:`")
