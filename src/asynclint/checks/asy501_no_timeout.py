"""ASY501 no-timeout: see docs/rules/ASY501.md; the constructors and their timeouts are listed
in rules/pools.toml."""

from __future__ import annotations

from asynclint._lazy import libcst as cst

from asynclint.analysis.context import Context
from asynclint.checks._pools import PoolCall, pool_call, pool_words, shown
from asynclint.checks.base import Check, ProposedFix
from asynclint.checks.fixes import display_fix, shown_call, with_arguments
from asynclint.tables import Tables

_COST = "a stalled server or an exhausted pool then holds the caller, and everything waiting behind it, with no end"


class NoTimeout(Check):
    code = "ASY501"

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        return pool_words(tables, lambda spec: bool(spec.timeouts))

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        found = pool_call(node, ctx)
        if found is None or not found.spec.timeouts:
            return
        if found.spec.all_timeouts:
            self._timeout_set(node, found, ctx)
        else:
            self._client(node, found, ctx)

    def _timeout_set(self, node: cst.Call, found: PoolCall, ctx: Context) -> None:
        """An object made of timeouts (`aiohttp.ClientTimeout`, `httpx.Timeout`): reported when
        none of them is bounded."""
        spec = found.spec
        given = {k: found.written(k) for k in spec.timeouts if found.given(k) is not None}
        if any(value not in spec.forever.get(k, ()) for k, value in given.items()):
            return
        if not given and (found.unpacked or not spec.absent_is_forever or not _configures(ctx)):
            return
        if given:
            what = ", ".join(f"`{k}={v}`" for k, v in given.items())
            detail = f"{what} and no other bound"
        else:
            detail = "no argument (each of its timeouts defaults to None)"
        first = spec.timeouts[0]
        phases = [k for k in spec.timeouts[1:] if k in spec.suggest]
        if first in given and phases:
            # `total=None` written out: the whole exchange may rightly take long (a stream, a
            # proxy), so a total would cut it; its connect and read phases can still be bounded.
            self.report(
                node,
                f"{shown(node, found.name)} with {detail} never times out: {_COST}",
                ctx.statement(),
                _phases_fix(node, found, phases, f"`{first}={given[first]}`"),
            )
            return
        self.report(
            node,
            f"{shown(node, found.name)} with {detail} never times out: {_COST}",
            ctx.statement(),
            _fix(node, found, first),
        )

    def _client(self, node: cst.Call, found: PoolCall, ctx: Context) -> None:
        spec = found.spec
        for keyword in spec.timeouts:
            value = found.written(keyword)
            if value is not None and value in spec.forever.get(keyword, ()):
                self.report(
                    node,
                    f"{shown(node, found.name)} with `{keyword}={value}` waits forever: {_COST}",
                    ctx.statement(),
                    _fix(node, found, keyword),
                )
                return
        required = spec.required_timeout
        if required is None or found.given(required) is not None or found.unpacked:
            return
        if found.in_url(required):
            return
        self.report(
            node,
            f"{shown(node, found.name)} sets no `{required}`: {spec.required_why}",
            ctx.statement(),
            _fix(node, found, required, "Give it a timeout, so a request fails fast when the pool is exhausted"),
        )


def _fix(node: cst.Call, found: PoolCall, keyword: str, what: str = "Give it a timeout") -> ProposedFix:
    """The call with `keyword` set to the table's suggestion: replacing the value that waits
    forever where the call gives one (`timeout=None`), added after the arguments otherwise."""
    changes = ((keyword, found.spec.suggest[keyword], found.given(keyword)),)
    return display_fix(
        f"{what}, e.g. `{shown_call(node, changes)}`",
        node,
        with_arguments(node, changes),
    )


def _phases_fix(node: cst.Call, found: PoolCall, phases: list[str], overall: str) -> ProposedFix:
    """The call with each phase timeout set to the table's suggestion (replacing a `None`
    given for it), the overall timeout (`overall`, as written) left alone: the whole exchange
    may rightly take long (a stream, a proxy)."""
    changes = tuple((k, found.spec.suggest[k], found.given(k)) for k in phases)
    return display_fix(
        f"If the exchange may take long (a stream, a proxy), keep {overall} and bound its phases, "
        f"e.g. `{shown_call(node, changes)}`",
        node,
        with_arguments(node, changes),
    )


def _configures(ctx: Context) -> bool:
    """True when the object being built is given as a `timeout=` or bound to a name: an
    argument-less timeout object handed positionally to an internal API configures nothing."""
    parent = ctx.parent
    if isinstance(parent, cst.Arg):
        return parent.keyword is not None and parent.keyword.value == "timeout"
    return isinstance(parent, (cst.Assign, cst.AnnAssign))
