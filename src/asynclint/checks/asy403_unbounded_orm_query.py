"""ASY403 unbounded-orm-query: see docs/rules/ASY403.md; the ORM methods are listed in
rules/sql.toml ([sqlalchemy], [django], [tortoise])."""

from __future__ import annotations

from asynclint._lazy import libcst as cst

from asynclint.analysis.context import Context
from asynclint.analysis.db import SaStatement, query_argument, sa_statement
from asynclint.analysis.orm import OrmChain, django_chain, sa_filtered_by_key, tortoise_chain
from asynclint.analysis.origins import origin_of_name, unwrap_await
from asynclint.checks._queries import call_text
from asynclint.checks.base import Check, ProposedFix
from asynclint.diagnostic import Applicability
from asynclint.tables import Tables

_SA_EXECUTORS = frozenset({"execute", "scalars"})
_SYNC_TO_ASYNC = frozenset({"asgiref.sync.sync_to_async", "channels.db.database_sync_to_async"})


class UnboundedOrmQuery(Check):
    code = "ASY403"

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        # select(...) for SQLAlchemy, Model.objects for Django, the import for Tortoise.
        return (frozenset({"async"}), frozenset({"select", "objects", "tortoise"}))

    def start_file(self) -> None:
        super().start_file()
        self._reported: set[int] = set()

    # --- SQLAlchemy: execute(select(...)) then .all() / list(...) ------------------------------

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        if not ctx.in_async:
            return
        func = node.func
        sql = ctx.tables.db.sql
        materialized: cst.BaseExpression | None = None
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if sql.results.get(method) == "all_rows":
                self._sqlalchemy(func.value, node, ctx)
                return
            if method in ctx.tables.db.orm.django_materialize:
                materialized = func.value
        elif node.args and _calls(func, ctx) == "builtins.list":
            self._sqlalchemy(node.args[0].value, node, ctx)
            materialized = node.args[0].value
        elif isinstance(func, cst.Call) and node.args and _calls(func.func, ctx) in _SYNC_TO_ASYNC:
            if func.args and _calls(func.args[0].value, ctx) == "builtins.list":
                materialized = node.args[0].value  # `await sync_to_async(list)(qs)`
        if materialized is not None:
            self._django(materialized, ctx)

    def _sqlalchemy(self, receiver: cst.BaseExpression, taken_by: cst.Call, ctx: Context) -> None:
        executed = _executed_select(receiver, ctx)
        if executed is None:
            return
        call, statement = executed
        if any(m in ctx.tables.db.orm.sa_bounds for m in statement.methods) or statement.returns_one_row():
            return
        if sa_filtered_by_key(query_argument(call), ctx):
            return  # `.where(User.id == uid)`: one row at most
        if id(call) in self._reported:
            return
        self._reported.add(id(call))
        what = cst.Module(body=()).code_for_node(statement.root)
        what = what if len(what) <= 40 else "select(...)"
        self.report(
            call,
            f"{call_text(call)} runs `{what}` with no `.limit()`/`.slice()` and {call_text(taken_by)} "
            "loads every row it returns: memory and latency grow with the table",
            None,
            ProposedFix(
                "Add `.limit(...)` to the statement and paginate, or stream the rows with `stream_scalars()`",
                Applicability.DISPLAY_ONLY,
            ),
        )

    # --- Django: iterating a QuerySet to the end ---------------------------------------------

    def visit_For(self, node: cst.For, ctx: Context) -> None:
        if ctx.in_async:
            self._django(node.iter, ctx)

    def visit_ListComp(self, node: cst.ListComp, ctx: Context) -> None:
        self._comprehension(node, ctx)

    def visit_SetComp(self, node: cst.SetComp, ctx: Context) -> None:
        self._comprehension(node, ctx)

    def visit_DictComp(self, node: cst.DictComp, ctx: Context) -> None:
        self._comprehension(node, ctx)

    def _comprehension(self, node: cst.BaseComp, ctx: Context) -> None:
        if ctx.in_async:
            self._django(node.for_in.iter, ctx)

    def _django(self, expr: cst.BaseExpression, ctx: Context) -> None:
        chain = django_chain(expr, ctx)
        if chain is None or not _unbounded_django(chain, ctx) or id(expr) in self._reported:
            return
        self._reported.add(id(expr))
        self.report(
            expr,
            f"`{_chain_text(chain)}` is read to the end with no slice: every matching row is "
            "loaded, however many there are",
            None,
            ProposedFix(
                "Slice the QuerySet (`[:n]`) and paginate, or stream it with `.aiterator()`",
                Applicability.DISPLAY_ONLY,
            ),
        )

    # --- Tortoise: `await Model.filter(...)` ------------------------------------------------

    def visit_Await(self, node: cst.Await, ctx: Context) -> None:
        if not ctx.in_async or not isinstance(node.expression, cst.Call):
            return
        chain = tortoise_chain(node.expression, ctx)
        orm = ctx.tables.db.orm
        if chain is None or chain.methods[-1] not in orm.tortoise_queryset:
            return
        if any(m in orm.tortoise_bounds for m in chain.methods) or chain.by_key:
            return
        self.report(
            node.expression,
            f"`await {_chain_text(chain)}` loads every matching row into a list, however many "
            "there are",
            ctx.statement(),
            ProposedFix("Add `.limit(n)` to the query and paginate (`.offset()`)", Applicability.DISPLAY_ONLY),
        )


def _calls(func: cst.BaseExpression, ctx: Context) -> str | None:
    name = ctx.qualified_name(func)
    return ctx.canonical(name) if name is not None else None


def _executed_select(receiver, ctx: Context) -> tuple[cst.Call, SaStatement] | None:
    """The `session.execute(select(...))` whose result `receiver` is, through `.scalars()` and
    friends and one local name."""
    passthrough = ctx.tables.db.sql.passthrough
    for _ in range(8):
        receiver = unwrap_await(receiver)
        if isinstance(receiver, cst.Name):
            receiver = unwrap_await(origin_of_name(receiver, ctx))
        if not isinstance(receiver, cst.Call) or not isinstance(receiver.func, cst.Attribute):
            return None
        method = receiver.func.attr.value
        if method in _SA_EXECUTORS:
            statement = sa_statement(query_argument(receiver), ctx)
            if statement is not None and statement.kind == "select":
                return receiver, statement
            if method != "scalars":
                return None
        if method not in passthrough:
            return None
        receiver = receiver.func.value
    return None


def _unbounded_django(chain: OrmChain, ctx: Context) -> bool:
    orm = ctx.tables.db.orm
    return not chain.sliced and not chain.by_key and not any(m in orm.django_stream for m in chain.methods)


def _chain_text(chain: OrmChain) -> str:
    calls = "".join(f".{m}(...)" if m not in ("all",) else ".all()" for m in chain.methods)
    return chain.root + calls
