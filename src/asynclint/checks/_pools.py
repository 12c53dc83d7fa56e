"""The shared mechanism of ASY500-ASY502: a call to a constructor listed in rules/pools.toml,
and the arguments it was given, read the way the constructor would bind them."""

from __future__ import annotations

from dataclasses import dataclass

from asynclint._lazy import libcst as cst

from asynclint.analysis.context import Context
from asynclint.dbtables import PoolSpec


@dataclass(frozen=True, slots=True)
class PoolCall:
    name: str  # the constructor's qualified name, as the table spells it
    spec: PoolSpec
    arguments: dict[str, cst.BaseExpression]  # parameter name (lower case if insensitive) -> value
    unpacked: bool  # `**kwargs` / `*args` passed through: what else is set is unknown
    url: str | None  # a literal first positional argument

    def given(self, keyword: str) -> cst.BaseExpression | None:
        return self.arguments.get(keyword.lower() if self.spec.case_insensitive else keyword)

    def written(self, keyword: str) -> str | None:
        value = self.given(keyword)
        return written(value) if value is not None else None

    def in_url(self, option: str) -> bool:
        return self.url is not None and option in self.spec.uri_options and f"{option.lower()}=" in self.url.lower()


def pool_call(call: cst.Call, ctx: Context) -> PoolCall | None:
    name = ctx.callee(call)
    if name is None:
        return None
    name = ctx.canonical(name)
    spec = ctx.tables.db.pools.get(name)
    if spec is None:
        return None
    arguments: dict[str, cst.BaseExpression] = {}
    unpacked = False
    url = None
    position = 0
    for arg in call.args:
        if arg.star:
            unpacked = True
            continue
        if arg.keyword is not None:
            key = arg.keyword.value
            arguments[key.lower() if spec.case_insensitive else key] = arg.value
            continue
        if position == 0 and isinstance(arg.value, (cst.SimpleString, cst.ConcatenatedString)):
            value = arg.value.evaluated_value
            url = value if isinstance(value, str) else None
        if position < len(spec.positional):
            key = spec.positional[position]
            arguments[key.lower() if spec.case_insensitive else key] = arg.value
        position += 1
    return PoolCall(name, spec, arguments, unpacked, url)


def pool_words(tables, want) -> tuple[frozenset[str], ...]:
    """Prefilter groups for the pool checks: a constructor's last name, and its library's
    top-level module (a file that never names `asyncpg` cannot call `asyncpg.create_pool`)."""
    specs = [spec for spec in tables.db.pools.values() if want(spec)]
    names = frozenset(n.rsplit(".", 1)[-1] for s in specs for n in s.calls)
    modules = frozenset(n.split(".", 1)[0] for s in specs for n in s.calls)
    return (names, modules)


def written(value: cst.BaseExpression) -> str:
    return cst.Module(body=()).code_for_node(value).strip()


def shown(call: cst.Call, name: str) -> str:
    """`asyncpg.create_pool()`, or the call as written when it is short and differs."""
    text = cst.Module(body=()).code_for_node(call.func)
    if text == name or len(text) > 60:
        return f"`{name}()`"
    return f"`{text}()` (`{name}`)"
