"""ASY402 query-per-iteration: see docs/rules/ASY402.md; the query calls are listed in
rules/sql.toml, the key-value store commands in rules/stores.toml."""

from __future__ import annotations

import re

from asynclint._lazy import libcst as cst

from asynclint.analysis.context import Context
from asynclint.analysis.context import LoopFrame
from asynclint.analysis.db import StoreCommand, db_call, query_argument, store_command
from asynclint.analysis.dataloops import data_loop, describe
from asynclint.analysis.loops import assignments
from asynclint.analysis.scope import dotted_name, target_names
from asynclint.analysis.sql import sql_text, takes_no_values
from asynclint.analysis.orm import django_chain, tortoise_chain
from asynclint.checks._held import shorten
from asynclint.checks._queries import call_text
from asynclint.checks.base import Check
from asynclint.checks.fixes import code_of, display_fix
from asynclint.tables import Tables


class QueryPerIteration(Check):
    code = "ASY402"

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        db = tables.db
        methods = set(db.sql.methods) | {name.rsplit(".", 1)[-1] for name in db.sql.calls}
        orm = db.orm
        methods |= orm.django_async_queries | orm.django_instance_queries | orm.tortoise_queries
        methods |= set(db.stores.commands)
        return (frozenset({"await"}), frozenset({"for"}), frozenset(methods))

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        if not ctx.loops or not ctx.in_async or not ctx.is_awaited(node):
            return
        loop = data_loop(ctx)
        if loop is None:
            return
        command = store_command(node, ctx)
        if command is not None:
            form = _batched_form(command, loop[0], ctx)
            self.report(
                node,
                f"{call_text(node)} is awaited once per item of {describe(*loop)}: every item waits "
                "a round trip to the store, so the loop's latency grows with the data",
                ctx.statement(),
                display_fix(_store_batched(command, form)),
            )
            return
        if not _is_query(node, ctx):
            return
        self.report(
            node,
            f"{call_text(node)} is awaited once per item of {describe(*loop)} (N+1): every item "
            "waits a database round trip, so the loop's latency grows with the data",
            ctx.statement(),
            display_fix(_batched(node, ctx)),
        )


def _is_query(node: cst.Call, ctx: Context) -> bool:
    found = db_call(node, ctx)
    if found is not None:
        return found.kind not in ("batch", "stream")
    func = node.func
    if not isinstance(func, cst.Attribute):
        return False
    orm = ctx.tables.db.orm
    method = func.attr.value
    if method in orm.django_instance_queries:
        return True
    if method in orm.django_async_queries:
        return django_chain(func.value, ctx, allow_bare=True) is not None
    if method in orm.tortoise_queries or method in orm.tortoise_queryset:
        return tortoise_chain(node, ctx) is not None
    return False


# --- the suggestion ----------------------------------------------------------------------------
# Batching changes the query and the shape of its results (rows for every item at once, to be
# matched back to the items), so the suggestion names the batched form and is never applied.

_WRITES = frozenset({"insert", "update", "delete"})
# `WHERE col = <placeholder>`: the column the loop looks up one value of at a time.
_LOOKUP = re.compile(r"\bWHERE\s+([\w.\"]+)\s*=\s*(\$\d+|:\w+|\?|%s|%\(\w+\)s)", re.IGNORECASE)


def _takes_no_values(node: cst.Call, ctx: Context) -> bool:
    """True when the call sends SQL text that is not a SELECT or DML statement (`PRAGMA`,
    `CREATE`, `SET`, `VACUUM`): no `= ANY($1)`, `IN (...)` or executemany batches those."""
    argument = query_argument(node)
    text = sql_text(argument, ctx) if argument is not None else None
    return text is not None and takes_no_values(text.text)


def _batched(node: cst.Call, ctx: Context) -> str:
    if _takes_no_values(node, ctx):
        return (
            f"Send the statements in one script (one {call_text(node)} with them joined by `;`, "
            "where the driver runs several), or run them once, outside the per-item path"
        )
    found = db_call(node, ctx)
    if found is not None and found.facts is not None and found.sql is not None:
        sql = shorten(found.sql.text, 50)
        if found.facts.statement in _WRITES:
            batch = _batch_method(node, ctx)
            if batch is None:
                return (
                    "Batch the writes: collect each item's parameters in the loop, then run the "
                    "statement once with the whole list (the driver's executemany form)"
                )
            query = f'"{sql}"' if '"' not in sql else "query"
            return (
                f"Batch the writes: collect each item's arguments in the loop, then send them once "
                f"with `{batch}({query}, args)`"
            )
        lookup = _LOOKUP.search(found.sql.text)
        if lookup is not None:
            column, placeholder = lookup.groups()
            batched = f"{column} = ANY($1)" if placeholder.startswith("$") else f"{column} IN (...)"
            return (
                f"Fetch the rows for every item in one query before the loop (`WHERE {batched}` "
                f"with all the values), then match them to the items by `{column}`"
            )
    func = node.func
    if isinstance(func, cst.Attribute):
        method = func.attr.value
        orm = ctx.tables.db.orm
        if method == "get" and len(node.args) >= 2 and node.args[0].keyword is None:
            model = shorten(code_of(node.args[0].value), 30)  # `session.get(User, key)`
            return (
                f"Load every `{model}` in one query before the loop: "
                f"`select({model}).where({model}.id.in_(keys))` (with its primary key)"
            )
        compared = _equality(node)
        if compared is not None:  # `select(User).where(User.id == order.user_id)`
            return f"Load them in one query before the loop: `.where({compared}.in_(values))` in place of `{compared} == ...`"
        if method in orm.django_instance_queries:
            if method == "asave":
                return (
                    "Save them in one query after the loop: `abulk_update(objs, fields)` (or "
                    "`abulk_create(objs)`) on the model's manager"
                )
            return "Load them in one query before the loop: `filter(pk__in=...)` on the model's manager"
        chain = django_chain(func.value, ctx, allow_bare=True) if method in orm.django_async_queries else None
        if chain is None and (method in orm.tortoise_queries or method in orm.tortoise_queryset):
            chain = tortoise_chain(node, ctx)
        keyword = _first_keyword(node)
        if chain is not None and keyword is not None:
            return (
                f"Fetch them in one query before the loop: `{chain.root}.filter({keyword}__in=...)`, "
                f"then match the results to the items by `{keyword}`"
            )
    return (
        f"Batch the queries: one query for every item before the loop (`= ANY($1)`, `IN (...)`, "
        f"a join or eager loading) instead of {call_text(node)} per item"
    )


def _batched_form(command: StoreCommand, loop: LoopFrame, ctx: Context) -> str | None:
    """The command's multi-key form written for this call (`r.hmget("users", fields)` for
    `r.hget("users", uid)`), when it fits: no keyword or star arguments, and every argument the
    form does not gather the same in each iteration."""
    form = command.batched
    call = command.call
    if form is None or any(arg.keyword is not None or arg.star for arg in call.args):
        return None
    if len(call.args) <= max(form.over):
        return None
    changing = assignments(loop).rebound | assignments(loop).updated | loop.target_names
    for position, arg in enumerate(call.args):
        if position not in form.over and not _same_each_time(arg.value, changing):
            return None
    written = form.batch.replace("<receiver>", shorten(code_of(call.func.value), 30))
    values = [arg.value for arg in call.args]
    for each in set(_EACH.findall(written)):
        positions = [int(p) for p in each.split(":")]
        gathered = _over_the_loop([values[p] for p in positions if p < len(values)], loop)
        if gathered is None:
            return None
        written = written.replace(f"<each {each}>", gathered)
    for position, value in enumerate(values):
        written = written.replace(f"<{position}>", shorten(code_of(value), 30))
    return written


_EACH = re.compile(r"<each (\d+(?::\d+)?)>")


def _over_the_loop(values: list[cst.BaseExpression], loop: LoopFrame) -> str | None:
    """What the loop's items give for `values`: the iterable itself when the value is the item
    (`keys`), else a comprehension over it (`[f"user:{uid}" for uid in users]`, or a dict for
    a key and a value)."""
    clause = _clause(loop)
    if clause is None or len(values) not in (1, 2):
        return None
    target, iterable, asynchronous = clause
    written = [shorten(code_of(value), 30) for value in values]
    if len(values) == 1 and written[0] == target and not asynchronous:
        return iterable
    head = "async for" if asynchronous else "for"
    if len(values) == 1:
        return f"[{written[0]} {head} {target} in {iterable}]"
    return f"{{{written[0]}: {written[1]} {head} {target} in {iterable}}}"


def _clause(loop: LoopFrame) -> tuple[str, str, bool] | None:
    """The loop's target and iterable as written, and whether it is an `async for`."""
    node = loop.node
    if isinstance(node, cst.For):
        target, iterable, asynchronous = node.target, node.iter, node.asynchronous is not None
    else:
        clause = getattr(node, "for_in", None)
        while clause is not None and frozenset(target_names(clause.target)) != loop.target_names:
            clause = clause.inner_for_in
        if clause is None:
            return None
        target, iterable, asynchronous = clause.target, clause.iter, clause.asynchronous is not None
    return shorten(code_of(target), 20), shorten(code_of(iterable), 30), asynchronous


def _same_each_time(expr: cst.BaseExpression, changing: frozenset[str]) -> bool:
    """A literal, or names and attributes the loop does not change: no call, await or loop name."""
    pending: list[cst.CSTNode] = [expr]
    while pending:
        node = pending.pop()
        if isinstance(node, (cst.Call, cst.Await, cst.Lambda, cst.NamedExpr)):
            return False
        if isinstance(node, (cst.Name, cst.Attribute)) and dotted_name(node) in changing:
            return False
        pending.extend(node.children)
    return True


def _store_batched(command: StoreCommand, form: str | None) -> str:
    call = command.call
    if form is not None:
        return (
            f"Send the items in one command instead of one per item (in chunks, if there can be "
            f"very many): `await {form}`"
        )
    receiver = shorten(code_of(call.func.value), 30)
    arguments = shorten(", ".join(code_of(arg).strip().rstrip(",").strip() for arg in call.args), 40)
    return (
        f"Queue the commands on one pipeline and send them together: `async with "
        f"{receiver}.pipeline(transaction=False) as pipe:` around the loop, "
        f"`pipe.{command.command}({arguments})` per item (not awaited), then `await pipe.execute()` once"
    )


def _batch_method(node: cst.Call, ctx: Context) -> str | None:
    """`pool.executemany` for `pool.execute(...)` when the receiver's type has a batch method
    in rules/sql.toml (`asyncpg.Pool.executemany`, `databases.Database.execute_many`)."""
    name = ctx.callee(node)
    if name is None or not isinstance(node.func, cst.Attribute):
        return None
    owner = ctx.canonical(name).rsplit(".", 1)[0]
    calls = ctx.tables.db.sql.calls
    for method in ("executemany", "execute_many"):
        if calls.get(f"{owner}.{method}") == "batch":
            return f"{shorten(code_of(node.func.value), 30)}.{method}"
    return None


def _equality(node: cst.Call) -> str | None:
    """`User.id` of a `User.id == value` comparison inside the call's arguments."""
    pending: list[cst.CSTNode] = [arg.value for arg in node.args]
    while pending:
        current = pending.pop()
        if (
            isinstance(current, cst.Comparison)
            and len(current.comparisons) == 1
            and isinstance(current.comparisons[0].operator, cst.Equal)
            and isinstance(current.left, cst.Attribute)
        ):
            return shorten(code_of(current.left), 30)
        pending.extend(current.children)
    return None


def _first_keyword(node: cst.Call) -> str | None:
    """The first keyword filter along a call chain: `pk` of `User.objects.aget(pk=...)`,
    `user` of `Order.objects.filter(user=...).acount()`."""
    current: cst.BaseExpression = node
    keyword = None
    while isinstance(current, cst.Call) and isinstance(current.func, cst.Attribute):
        for arg in current.args:
            if arg.keyword is not None:
                keyword = arg.keyword.value  # the innermost call's filter wins
                break
        current = current.func.value
    return keyword
