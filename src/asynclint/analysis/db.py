"""Database calls: which calls send a query, what they do with its rows, and the SQL or
SQLAlchemy statement they send (ASY400-ASY403); and which calls send a command to a key-value
store (ASY402). The call names are data: rules/sql.toml and rules/stores.toml.

A call is a database call when its receiver's type names it in `[calls]`
(`conn.fetch(...)` with `conn = await asyncpg.connect(...)`), or, on a receiver of unknown type,
when its method is in `[methods]` and its first argument is evidence of a query: SQL text that
parses, or a SQLAlchemy statement (`select(User)`, `text("...")`). A bare method name on an
unknown receiver is never enough (`client.get(url)` is not a query).
"""

from __future__ import annotations

from dataclasses import dataclass

from asynclint._lazy import libcst as cst

from asynclint.analysis.context import Context
from asynclint.analysis.origins import origin_of_name, resolve, unwrap_await
from asynclint.analysis.sql import SqlFacts, SqlText, looks_like_sql, parse_sql, sql_text
from asynclint.analysis.values import origin_of
from asynclint.dbtables import BatchedForm

_QUERY_KEYWORDS = ("query", "sql", "statement", "stmt", "operation")


@dataclass(frozen=True, slots=True)
class SaStatement:
    """A SQLAlchemy statement built in the source: `select(User).where(...).limit(10)`."""

    root: cst.Call  # the `select(...)` / `insert(...)` / `text(...)` call
    kind: str  # "select" | "statement" | "text"
    methods: tuple[str, ...]  # the methods chained on the root, innermost first


    def returns_one_row(self) -> bool:
        """`select(1)`, `select(func.count())`: constants and aggregates only, one row."""
        args = [arg.value for arg in self.root.args]
        return bool(args) and all(_constant_or_aggregate(a) for a in args)


_AGGREGATES = frozenset({"count", "sum", "min", "max", "avg", "bool_and", "bool_or", "every"})


def _constant_or_aggregate(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, (cst.Integer, cst.Float, cst.SimpleString)):
        return True
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        return expr.func.attr.value in _AGGREGATES and isinstance(expr.func.value, cst.Name) and expr.func.value.value == "func"
    return False


@dataclass(frozen=True, slots=True)
class DbCall:
    call: cst.Call
    method: str
    kind: str  # a kind of rules/sql.toml: all_rows, one_row, no_rows, deferred, batch, stream
    typed: bool  # the receiver's type named the call; False: known by its method name only
    sql: SqlText | None  # the SQL text sent, when the source says it
    facts: SqlFacts | None  # what the parser says about that text
    statement: SaStatement | None  # a SQLAlchemy statement sent instead of text


_memo: tuple[cst.Call | None, DbCall | None] = (None, None)


def db_call(call: cst.Call, ctx: Context) -> DbCall | None:
    """The database call `call` is, or None. Memoized for the node being visited, since several
    checks ask about the same call."""
    global _memo
    if _memo[0] is call:
        return _memo[1]
    result = _classify(call, ctx)
    _memo = (call, result)
    return result


def _classify(call: cst.Call, ctx: Context) -> DbCall | None:
    func = call.func
    if not isinstance(func, cst.Attribute):
        return None
    table = ctx.tables.db.sql
    method = func.attr.value
    if method not in table.methods and method not in _typed_methods(ctx):
        return None
    name = ctx.callee(call)
    kind = table.calls.get(ctx.canonical(name)) if name is not None else None
    typed = kind is not None
    if kind is None:
        kind = table.methods.get(method)
        if kind is None:
            return None
    argument = query_argument(call)
    text = sql_text(argument, ctx) if argument is not None else None
    facts = parse_sql(text.text) if text is not None else None
    statement = sa_statement(argument, ctx) if argument is not None and facts is None else None
    if not typed and facts is None and statement is None:
        return None
    if statement is not None and statement.kind == "text":
        statement = None  # `text(q)` with q unknown: a query, but no statement to read
    return DbCall(call, method, kind, typed, text if facts is not None else None, facts, statement)


_typed_methods_cache: tuple[object, frozenset[str]] = (None, frozenset())


def _typed_methods(ctx: Context) -> frozenset[str]:
    global _typed_methods_cache
    calls = ctx.tables.db.sql.calls
    if _typed_methods_cache[0] is not calls:
        _typed_methods_cache = (calls, frozenset(n.rsplit(".", 1)[-1] for n in calls))
    return _typed_methods_cache[1]


def query_argument(call: cst.Call) -> cst.BaseExpression | None:
    """The argument that carries the query: the first positional one, or `query=`/`sql=`…"""
    for arg in call.args:
        if arg.star:
            return None
        if arg.keyword is None:
            return arg.value
        if arg.keyword.value in _QUERY_KEYWORDS:
            return arg.value
    return None


def sa_statement(expr: cst.BaseExpression | None, ctx: Context) -> SaStatement | None:
    """The SQLAlchemy statement an expression builds (through one local name), if it does."""
    orm = ctx.tables.db.orm
    text_calls = ctx.tables.db.sql.text_calls
    methods: list[str] = []
    expr = resolve(expr, ctx)
    for _ in range(32):
        if isinstance(expr, cst.Name):
            expr = unwrap_await(origin_of_name(expr, ctx))
            if expr is None:
                return None
            continue
        if not isinstance(expr, cst.Call):
            return None
        name = ctx.callee(expr)
        canonical = ctx.canonical(name) if name is not None else None
        if canonical in orm.sa_selects:
            return SaStatement(expr, "select", tuple(reversed(methods)))
        if canonical in orm.sa_statements:
            return SaStatement(expr, "statement", tuple(reversed(methods)))
        if canonical in text_calls:
            return SaStatement(expr, "text", tuple(reversed(methods)))
        if not isinstance(expr.func, cst.Attribute):
            return None
        methods.append(expr.func.attr.value)
        expr = expr.func.value
    return None


def is_sql_evidence(expr: cst.BaseExpression | None, ctx: Context) -> bool:
    """True when `expr` is SQL text or a SQLAlchemy statement."""
    if expr is None:
        return False
    text = sql_text(expr, ctx)
    if text is not None and looks_like_sql(text.text):
        return parse_sql(text.text) is not None
    return sa_statement(expr, ctx) is not None


# --- the rows of a deferred call ----------------------------------------------------------------


def deferred_source(receiver: cst.BaseExpression, ctx: Context, cursors: dict) -> DbCall | None:
    """The `deferred` call (`execute(...)`) whose rows a result method called on `receiver`
    takes: `(await cur.execute(q)).fetchall()`, `result = await s.execute(q); result.all()`,
    `async with db.execute(q) as cur: await cur.fetchall()`, and the cursor form
    `await cur.execute(q); await cur.fetchall()` (through `cursors`, which the caller keeps:
    receiver name -> the last deferred call made on it in the current function)."""
    table = ctx.tables.db.sql
    for _ in range(8):
        receiver = unwrap_await(receiver)
        if isinstance(receiver, cst.Call) and isinstance(receiver.func, cst.Attribute):
            if receiver.func.attr.value in table.passthrough:
                receiver = receiver.func.value
                continue
            found = db_call_at(receiver, ctx)
            return found if found is not None and found.kind == "deferred" else None
        if isinstance(receiver, cst.Name):
            origin = unwrap_await(origin_of_name(receiver, ctx))
            if isinstance(origin, cst.Call):
                found = db_call_at(origin, ctx)
                if found is not None and found.kind == "deferred":
                    return found
            return cursors.get((id(ctx.function.node), receiver.value))
        return None
    return None


def db_call_at(call: cst.Call, ctx: Context) -> DbCall | None:
    """`db_call` for a call other than the node being visited (not memoized)."""
    return _classify(call, ctx)


# --- key-value store commands -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoreCommand:
    """A command sent to a key-value store (rules/stores.toml): `await r.hget(name, field)`."""

    call: cst.Call
    command: str  # "hget"
    batched: BatchedForm | None  # its multi-key form; None: a pipeline batches it


def store_command(call: cst.Call, ctx: Context) -> StoreCommand | None:
    """The store command `call` sends as one round trip, or None. The receiver is a store client
    by its type (`r: redis.asyncio.Redis`), or, in a file that imports a store's module, of
    unknown type; then an ambiguous command (`get`, `set`) counts only when the receiver's name
    says it is a client (`self.redis.get(k)`). Commands on a pipeline are buffered: never one."""
    func = call.func
    if not isinstance(func, cst.Attribute):
        return None
    stores = ctx.tables.db.stores
    command = func.attr.value
    if command not in stores.commands:
        return None
    receiver = func.value
    if _is_pipeline(receiver, ctx):
        return None
    type_ = ctx.value_type(receiver)
    if type_ is not None:
        if ctx.canonical(type_) not in stores.types:
            return None  # an HTTP client's `get`, a dict's `get`
    elif not _imports_store(ctx):
        return None
    elif command in stores.ambiguous and not _named_like(receiver, stores.hints):
        return None
    return StoreCommand(call, command, stores.commands[command])


def _is_pipeline(receiver: cst.BaseExpression, ctx: Context) -> bool:
    """`pipe` of `async with r.pipeline() as pipe`, `r.pipeline()` itself, a receiver typed as
    a pipeline or named like one (`pipe`, `self._pipeline`)."""
    stores = ctx.tables.db.stores
    type_ = ctx.value_type(receiver)
    if type_ is not None and ctx.canonical(type_) in stores.pipeline_types:
        return True
    made = receiver if isinstance(receiver, cst.Call) else origin_of(receiver, ctx)
    made = unwrap_await(made)
    if isinstance(made, cst.Call) and isinstance(made.func, cst.Attribute):
        if made.func.attr.value in stores.pipelines:
            return True
    return _named_like(receiver, stores.pipeline_hints)


def _named_like(receiver: cst.BaseExpression, words: tuple[str, ...]) -> bool:
    """True when the last name of the receiver (`redis` of `self.app.redis`) contains one of
    `words`."""
    if isinstance(receiver, cst.Attribute):
        last = receiver.attr.value
    elif isinstance(receiver, cst.Name):
        last = receiver.value
    else:
        return False
    return any(word in last.lower() for word in words)


_store_imports_memo: tuple[object, bool] = (None, False)


def _imports_store(ctx: Context) -> bool:
    """True when the module imports one of the store modules of rules/stores.toml."""
    global _store_imports_memo
    module = ctx.scope
    while module.parent is not None:
        module = module.parent
    if _store_imports_memo[0] is not module:
        modules = ctx.tables.db.stores.modules
        found = any(
            binding.qualname is not None and binding.qualname.split(".", 1)[0] in modules
            for binding in module.names.values()
        )
        _store_imports_memo = (module, found)
    return _store_imports_memo[1]
