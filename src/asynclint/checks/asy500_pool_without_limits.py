"""ASY500 pool-without-limits: see docs/rules/ASY500.md; the constructors are listed in
rules/pools.toml."""

from __future__ import annotations

from asynclint._lazy import libcst as cst

from asynclint.analysis.context import Context
from asynclint.checks._pools import PoolCall, pool_call, pool_words, shown
from asynclint.checks.base import Check, ProposedFix
from asynclint.checks.fixes import display_fix, shown_call, with_arguments
from asynclint.tables import Tables


class PoolWithoutLimits(Check):
    code = "ASY500"

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        return pool_words(tables, lambda spec: bool(spec.bounds))

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        found = pool_call(node, ctx)
        if found is None or not found.spec.bounds:
            return
        spec = found.spec
        if any(found.given(k) is not None for k in spec.chosen_by):
            return  # the user built the pool (`poolclass=`, `connection_pool=`)
        if found.url is not None and _url_dialect_in(found.url, spec.ignore_urls):
            return
        call = shown(node, found.name)
        given = {k: found.written(k) for k in spec.bounds if found.given(k) is not None}
        for keyword, value in given.items():
            if value in spec.unbounded.get(keyword, ()):
                self.report(
                    node,
                    f"{call} with `{keyword}={value}` has no connection limit: it opens one per "
                    f"concurrent request until the server or the file-descriptor limit refuses; "
                    f"{spec.default}",
                    ctx.statement(),
                    _fix(node, found, (keyword,), "Give it a finite limit sized for your concurrency"),
                )
                return
        if given or not spec.missing_bound or found.unpacked:
            return
        if any(found.in_url(k) for k in spec.bounds):
            return
        bound = " or ".join(f"`{k}`" for k in spec.bounds)
        self.report(
            node,
            f"{call} sets no {bound}: {spec.default}, whatever the concurrency this process serves",
            ctx.statement(),
            _fix(node, found, spec.bounds, "Size the pool for your load (a few connections per core is a common start)"),
        )


def _fix(node: cst.Call, found: PoolCall, keywords: tuple[str, ...], what: str) -> ProposedFix:
    """The call with each of `keywords` set to the table's suggestion (the library's default,
    written out as a choice): replacing the value where the call gives one (`limit=0`),
    added after the arguments otherwise."""
    changes = tuple((k, found.spec.suggest[k], found.given(k)) for k in keywords)
    return display_fix(
        f"{what}, e.g. `{shown_call(node, changes)}`",
        node,
        with_arguments(node, changes),
    )


def _url_dialect_in(url: str, dialects: tuple[str, ...]) -> bool:
    """`sqlite:///x.db`, `sqlite+aiosqlite://`, `mock+sqlite://`: a dialect in the scheme."""
    scheme = url.partition("://")[0].lower()
    return any(d in scheme.split("+") for d in dialects)
