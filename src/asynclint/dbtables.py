"""The tables of the database and client rules (ASY4xx, ASY5xx): rules/sql.toml,
rules/stores.toml, rules/pools.toml and rules/handlers.toml, their schemas, and their parsing
into typed records. `tables.py` reads the files and checks them against the schemas before it
hands their contents here; what a schema cannot say (a name listed twice, a suggestion for every bound)
raises ValueError with its location."""

from __future__ import annotations

from dataclasses import dataclass, field

from asynclint.tableschema import ArrayOf, Assignment, Field, Flag, Identifier, ListOf, MapOf, Number
from asynclint.tableschema import QualifiedName, Table, Text

SQL_KINDS = ("all_rows", "one_row", "no_rows", "deferred", "batch", "stream")

_NAMES = ListOf(QualifiedName())
_METHODS = ListOf(Identifier())  # method or keyword names, the receiver's type unknown
_PAIRS = ListOf(Assignment())


def _lists(kind: ListOf, *keys: str) -> tuple[Field, ...]:
    return tuple(Field(key, kind) for key in keys)


SQL_SCHEMA = Table(
    Field("calls", Table(*_lists(_NAMES, *SQL_KINDS))),
    Field("methods", Table(*_lists(_METHODS, *SQL_KINDS))),
    Field("results", Table(*_lists(_METHODS, "all_rows", "one_row", "passthrough"))),
    Field("text", Table(Field("calls", _NAMES))),
    Field("sqlalchemy", Table(*_lists(_NAMES, "selects", "statements"), Field("bounds", _METHODS))),
    Field(
        "django",
        Table(*_lists(_METHODS, "queryset_methods", "async_queries", "instance_queries", "materialize", "stream")),
    ),
    Field("tortoise", Table(*_lists(_METHODS, "queryset_methods", "queries", "bounds"))),
)
POOLS_SCHEMA = Table(
    Field(
        "constructor",
        ArrayOf(
            Table(
                Field("calls", ListOf(QualifiedName(), nonempty=True), required=True),
                Field("library", Text(), required=True),
                Field("bounds", _METHODS),
                Field("missing_bound", Flag()),
                Field("unbounded", _PAIRS),
                Field("default", Text()),
                Field("chosen_by", _METHODS),
                Field("timeouts", _METHODS),
                Field("forever", _PAIRS),
                Field("all_timeouts", Flag()),
                Field("absent_is_forever", Flag()),
                Field("required_timeout", Identifier()),
                Field("required_why", Text()),
                Field("positional", _METHODS),
                Field("uri_options", _METHODS),
                Field("ignore_urls", ListOf(Text())),  # URL prefixes
                Field("case_insensitive", Flag()),
                Field("client", Flag()),
                Field("local_if", ListOf(Assignment(right="CALLEE"))),  # or KEYWORD=*
                Field("suggest", _PAIRS),
            )
        ),
    )
)
HANDLERS_SCHEMA = Table(
    *_lists(_METHODS, "route_methods", "request_parameter_names"),
    *_lists(_NAMES, "router_types", "route_decorators", "request_types"),
)
STORES_SCHEMA = Table(
    *_lists(_NAMES, "types", "modules", "pipeline_types"),
    *_lists(_METHODS, "ambiguous", "pipelines", "pipelined"),
    *_lists(ListOf(Text()), "hints", "pipeline_hints"),  # words of a receiver's name
    Field(
        "batched",
        MapOf(
            Identifier(),
            Table(
                Field("batch", Text(), required=True),
                Field("over", ListOf(Number(integer=True, minimum=0), nonempty=True), required=True),
            ),
        ),
    ),
)


@dataclass(frozen=True)
class SqlCalls:
    calls: dict[str, str] = field(default_factory=dict)  # qualified name -> kind
    methods: dict[str, str] = field(default_factory=dict)  # method name -> kind (unknown receiver)
    results: dict[str, str] = field(default_factory=dict)  # result method -> all_rows | one_row
    passthrough: frozenset[str] = frozenset()
    text_calls: frozenset[str] = frozenset()


@dataclass(frozen=True)
class OrmTables:
    sa_selects: frozenset[str] = frozenset()
    sa_statements: frozenset[str] = frozenset()
    sa_bounds: frozenset[str] = frozenset()
    django_queryset: frozenset[str] = frozenset()
    django_async_queries: frozenset[str] = frozenset()
    django_instance_queries: frozenset[str] = frozenset()
    django_materialize: frozenset[str] = frozenset()
    django_stream: frozenset[str] = frozenset()
    tortoise_queryset: frozenset[str] = frozenset()
    tortoise_queries: frozenset[str] = frozenset()
    tortoise_bounds: frozenset[str] = frozenset()


@dataclass(frozen=True)
class BatchedForm:
    """How a store command is batched: `hget` per field of one hash is one `hmget`."""

    batch: str  # the call, with <receiver>, <0>, <1>, ... and <each N> (see rules/stores.toml)
    over: frozenset[int]  # the argument positions the loop may vary for the form to hold


@dataclass(frozen=True)
class StoreTable:
    """rules/stores.toml: key-value store clients and their commands (see its comment)."""

    types: frozenset[str] = frozenset()
    modules: frozenset[str] = frozenset()
    ambiguous: frozenset[str] = frozenset()
    hints: tuple[str, ...] = ()
    pipelines: frozenset[str] = frozenset()
    pipeline_types: frozenset[str] = frozenset()
    pipeline_hints: tuple[str, ...] = ()
    commands: dict[str, BatchedForm | None] = field(default_factory=dict)  # None: a pipeline


@dataclass(frozen=True)
class PoolSpec:
    """One [[constructor]] of rules/pools.toml (see the comment at its top)."""

    calls: tuple[str, ...]
    library: str
    bounds: tuple[str, ...] = ()
    missing_bound: bool = False
    unbounded: dict[str, frozenset[str]] = field(default_factory=dict)  # keyword -> values
    default: str = ""
    chosen_by: tuple[str, ...] = ()
    timeouts: tuple[str, ...] = ()
    forever: dict[str, frozenset[str]] = field(default_factory=dict)  # keyword -> values
    all_timeouts: bool = False
    absent_is_forever: bool = False
    required_timeout: str | None = None
    required_why: str = ""
    positional: tuple[str, ...] = ()
    uri_options: tuple[str, ...] = ()
    ignore_urls: tuple[str, ...] = ()
    case_insensitive: bool = False
    client: bool = False
    local_if: dict[str, frozenset[str]] = field(default_factory=dict)  # keyword -> callees or "*"
    suggest: dict[str, str] = field(default_factory=dict)  # keyword -> the value suggestions write


@dataclass(frozen=True)
class HandlerTable:
    route_methods: frozenset[str] = frozenset()
    router_types: frozenset[str] = frozenset()
    route_decorators: frozenset[str] = frozenset()
    request_types: frozenset[str] = frozenset()
    request_parameter_names: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DbTables:
    sql: SqlCalls = field(default_factory=SqlCalls)
    orm: OrmTables = field(default_factory=OrmTables)
    stores: StoreTable = field(default_factory=StoreTable)
    pools: dict[str, PoolSpec] = field(default_factory=dict)  # qualified name -> spec
    handlers: HandlerTable = field(default_factory=HandlerTable)


def parse_db_tables(sql: dict, pools: dict, handlers: dict, stores: dict) -> DbTables:
    return DbTables(_sql_calls(sql), _orm(sql), _stores(stores), _pools(pools), _handlers(handlers))


def _strings(data: dict, key: str, where: str) -> tuple[str, ...]:
    return tuple(data.get(key, []))


def _section(data: dict, key: str, where: str) -> dict:
    return data.get(key, {})


def _kinds(section: dict, where: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for kind in section:
        for name in _strings(section, kind, where):
            if name in found:
                raise ValueError(f"{where}: {name} is listed twice")
            found[name] = kind
    return found


def _sql_calls(data: dict) -> SqlCalls:
    where = "rules/sql.toml"
    results = dict(_section(data, "results", where))
    passthrough = _strings(results, "passthrough", f"{where} [results]")
    results.pop("passthrough", None)
    return SqlCalls(
        calls=_kinds(_section(data, "calls", where), f"{where} [calls]"),
        methods=_kinds(_section(data, "methods", where), f"{where} [methods]"),
        results=_kinds(results, f"{where} [results]"),
        passthrough=frozenset(passthrough),
        text_calls=frozenset(_strings(_section(data, "text", where), "calls", f"{where} [text]")),
    )


def _orm(data: dict) -> OrmTables:
    where = "rules/sql.toml"
    sa = _section(data, "sqlalchemy", where)
    dj = _section(data, "django", where)
    tt = _section(data, "tortoise", where)

    def names(section: dict, key: str, name: str) -> frozenset[str]:
        return frozenset(_strings(section, key, f"{where} [{name}]"))

    return OrmTables(
        sa_selects=names(sa, "selects", "sqlalchemy"),
        sa_statements=names(sa, "statements", "sqlalchemy"),
        sa_bounds=names(sa, "bounds", "sqlalchemy"),
        django_queryset=names(dj, "queryset_methods", "django"),
        django_async_queries=names(dj, "async_queries", "django"),
        django_instance_queries=names(dj, "instance_queries", "django"),
        django_materialize=names(dj, "materialize", "django"),
        django_stream=names(dj, "stream", "django"),
        tortoise_queryset=names(tt, "queryset_methods", "tortoise"),
        tortoise_queries=names(tt, "queries", "tortoise"),
        tortoise_bounds=names(tt, "bounds", "tortoise"),
    )


def _stores(data: dict) -> StoreTable:
    where = "rules/stores.toml"
    commands: dict[str, BatchedForm | None] = dict.fromkeys(_strings(data, "pipelined", where))
    for command, raw in _section(data, "batched", where).items():
        here = f"{where} [batched] {command}"
        if command in commands:
            raise ValueError(f"{here}: listed twice")
        if "<receiver>" not in raw["batch"]:
            raise ValueError(f"{here}: batch must be a call written with <receiver>")
        commands[command] = BatchedForm(raw["batch"], frozenset(raw["over"]))
    ambiguous = frozenset(_strings(data, "ambiguous", where))
    if ambiguous - set(commands):
        raise ValueError(f"{where}: ambiguous names a command not listed: {sorted(ambiguous - set(commands))[0]}")
    return StoreTable(
        types=frozenset(_strings(data, "types", where)),
        modules=frozenset(_strings(data, "modules", where)),
        ambiguous=ambiguous,
        hints=_strings(data, "hints", where),
        pipelines=frozenset(_strings(data, "pipelines", where)),
        pipeline_types=frozenset(_strings(data, "pipeline_types", where)),
        pipeline_hints=_strings(data, "pipeline_hints", where),
        commands=commands,
    )


def _pairs(raw: dict, key: str, where: str) -> dict[str, frozenset[str]]:
    pairs: dict[str, set[str]] = {}
    for text in _strings(raw, key, where):
        keyword, _, value = text.partition("=")
        pairs.setdefault(keyword.strip(), set()).add(value.strip())
    return {k: frozenset(v) for k, v in pairs.items()}


def _suggestions(raw: dict, where: str) -> dict[str, str]:
    suggest = {}
    for keyword, values in _pairs(raw, "suggest", where).items():
        if len(values) != 1:
            raise ValueError(f"{where}: suggest gives {keyword} more than one value")
        suggest[keyword] = next(iter(values))
    return suggest


def _suggested_keywords(spec: PoolSpec) -> list[str]:
    """The keywords ASY500's and ASY501's suggestions may write: every bound; for a set of
    timeouts its first one, for a client every timeout that can wait forever and the
    required one."""
    keywords = list(spec.bounds)
    if spec.all_timeouts:
        keywords += spec.timeouts[:1]
    else:
        keywords += [*spec.forever, *([spec.required_timeout] if spec.required_timeout else [])]
    return list(dict.fromkeys(keywords))


def _pools(data: dict) -> dict[str, PoolSpec]:
    specs: dict[str, PoolSpec] = {}
    for index, raw in enumerate(data.get("constructor", [])):
        where = f"rules/pools.toml [[constructor]] #{index + 1}"
        flags = {
            flag: raw.get(flag, False)
            for flag in ("missing_bound", "all_timeouts", "absent_is_forever", "case_insensitive", "client")
        }
        spec = PoolSpec(
            calls=_strings(raw, "calls", where),
            library=str(raw["library"]),
            bounds=_strings(raw, "bounds", where),
            unbounded=_pairs(raw, "unbounded", where),
            default=str(raw.get("default", "")),
            chosen_by=_strings(raw, "chosen_by", where),
            timeouts=_strings(raw, "timeouts", where),
            forever=_pairs(raw, "forever", where),
            required_timeout=raw.get("required_timeout"),
            required_why=str(raw.get("required_why", "")),
            positional=_strings(raw, "positional", where),
            uri_options=_strings(raw, "uri_options", where),
            ignore_urls=_strings(raw, "ignore_urls", where),
            local_if=_pairs(raw, "local_if", where),
            suggest=_suggestions(raw, where),
            **flags,
        )
        if spec.missing_bound and not (spec.bounds and spec.default):
            raise ValueError(f"{where}: missing_bound needs bounds and a default")
        unsuggested = [k for k in _suggested_keywords(spec) if k not in spec.suggest]
        if unsuggested:
            raise ValueError(f"{where}: suggest needs a value for {', '.join(unsuggested)}")
        for name in spec.calls:
            if name in specs:
                raise ValueError(f"rules/pools.toml: {name} is listed twice")
            specs[name] = spec
    return specs


def _handlers(data: dict) -> HandlerTable:
    where = "rules/handlers.toml"
    return HandlerTable(
        **{
            key: frozenset(_strings(data, key, where))
            for key in (
                "route_methods", "router_types", "route_decorators", "request_types",
                "request_parameter_names",
            )
        }  # fmt: skip
    )
