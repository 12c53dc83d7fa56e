"""Loads and validates the data tables under rules/ (shipped as the `asynclint.rules` package).

Checks never open files: they receive a `Tables` built once per run, already merged with the
user's config extensions.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Callable
from importlib import resources

from asynclint.bridgetables import BRIDGES_SCHEMA, Bridges, parse_bridge_tables
from asynclint.dbtables import (
    HANDLERS_SCHEMA,
    POOLS_SCHEMA,
    SQL_SCHEMA,
    STORES_SCHEMA,
    DbTables,
    parse_db_tables,
)
from asynclint.helpertables import HelperDecorators, parse_helper_tables
from asynclint.requesttables import REQUESTS_SCHEMA, RequestCalls, parse_request_tables
from asynclint.tableschema import (
    ArrayOf,
    Assignment,
    Choice,
    Field,
    Flag,
    Identifier,
    Kind,
    ListOf,
    MapOf,
    Number,
    QualifiedName,
    Table,
    TableError,
    Text,
    Version,
    Where,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

# --- The schema of every table (see tableschema.py and rules/README.md) ----------------------

# The codes whose calls blocking_calls.toml lists (BlockingCallCheck's subclasses).
BLOCKING_CODES = tuple(f"ASY10{digit}" for digit in range(9))
_NAMES = ListOf(QualifiedName())
_SOME_NAMES = ListOf(QualifiedName(), nonempty=True)
_CONDITIONS = ListOf(Assignment("WHERE"))

BLOCKING_GROUP_SCHEMA = Table(
    Field("calls", _SOME_NAMES, required=True),
    Field("what", Text(), required=True),
    Field("remedy", Text(), required=True),
    Field("nonblocking_if", _CONDITIONS),
    Field("lazy", Flag()),
    Field("lazy_before", Version()),
    Field("bounded_by", Identifier()),
    Field("offload", Flag()),
)
TYPES_SCHEMA = Table(
    Field("returns", MapOf(QualifiedName(), QualifiedName())),
    Field("aliases", MapOf(QualifiedName(), QualifiedName())),
)
SCHEMAS: dict[str, Kind] = {
    "blocking_calls.toml": MapOf(Choice(*BLOCKING_CODES), ArrayOf(BLOCKING_GROUP_SCHEMA)),
    "types.toml": TYPES_SCHEMA,
    "locks.toml": Table(
        Field(
            "primitive",
            ArrayOf(
                Table(
                    Field("names", _SOME_NAMES, required=True),
                    Field("family", Choice("thread", "async"), required=True),
                    Field("kind", Choice("lock", "condition", "semaphore"), required=True),
                    Field("count", Identifier()),  # semaphores only: the count's keyword
                    Field("default", Number(integer=True, minimum=0)),
                )
            ),
        )
    ),
    "slow_awaits.toml": Table(
        Field(
            "slow",
            ArrayOf(
                Table(
                    Field("what", Text(), required=True),
                    Field("calls", _NAMES),
                    Field("types", _NAMES),
                    Field("nonblocking_if", _CONDITIONS),
                )
            ),
        )
    ),
    "tasks.toml": Table(
        Field(
            "spawn",
            ArrayOf(
                Table(
                    Field("what", Text(), required=True),
                    Field("calls", _SOME_NAMES, required=True),
                    Field("keep_reference", Flag()),
                )
            ),
        ),
        Field("gather", Table(Field("calls", _NAMES))),
        Field("teardown", Table(Field("methods", ListOf(Identifier())))),
    ),
    "queues.toml": Table(
        Field(
            "queue",
            ArrayOf(
                Table(
                    Field("calls", _SOME_NAMES, required=True),
                    Field("size", Identifier(), required=True),
                    Field("default", Number()),  # absent: the size argument is required
                    Field("unbounded", Choice("nonpositive", "infinite"), required=True),
                )
            ),
        )
    ),
    "copies.toml": Table(Field("functions", _NAMES)),
    "helpers.toml": Table(Field("decorators", Table(Field("plain", _NAMES), Field("property", _NAMES)))),
    "bridges.toml": BRIDGES_SCHEMA,
    "requests.toml": REQUESTS_SCHEMA,
    "sql.toml": SQL_SCHEMA,
    "pools.toml": POOLS_SCHEMA,
    "handlers.toml": HANDLERS_SCHEMA,
    "stores.toml": STORES_SCHEMA,
}


@dataclass(frozen=True)
class ArgumentCondition:
    """`WHERE=VALUE` from a table's `nonblocking_if` (see rules/README.md)."""

    keyword: str | None  # match this keyword argument ...
    position: int | None  # ... or this positional one; both None means any argument
    value: str  # a literal, a dotted name the argument mentions, or a call `name()`

    @classmethod
    def parse(cls, text: str, where: str) -> ArgumentCondition:
        where_part, sep, value = text.partition("=")
        where_part, value = where_part.strip(), value.strip()
        if not sep or not where_part or not value:
            raise TableError(f"{where}: nonblocking_if entry {text!r} is not WHERE=VALUE")
        if where_part == "*":
            return cls(None, None, value)
        if where_part.isdigit():
            return cls(None, int(where_part), value)
        return cls(where_part, None, value)

    @property
    def names_a_call(self) -> bool:
        return self.value.endswith("()")

    @property
    def names_a_constant(self) -> bool:
        return "." in self.value and not self.names_a_call


@dataclass(frozen=True)
class BlockingGroup:
    code: str
    calls: tuple[str, ...]
    what: str
    remedy: str
    nonblocking_if: tuple[ArgumentCondition, ...] = ()
    # The calls return an iterator that does its I/O while it is consumed (`os.walk`).
    lazy: bool = False
    # The receiver's constructor argument that bounds it (`maxsize`): without a positive one
    # the receiver never fills, and the calls return at once.
    bounded_by: str | None = None
    # False when the call must stay on the thread that made it (a lock's acquire): then no
    # fix moves it to a worker thread.
    offload: bool = True
    # Lazy (as `lazy`) on Python versions before this one, eager from it on: `Path.iterdir()`
    # is a generator before 3.13 and scans when called since.
    lazy_before: tuple[int, int] | None = None


@dataclass
class Tables:
    blocking: dict[str, BlockingGroup] = field(default_factory=dict)  # qualified name -> group
    returns: dict[str, str] = field(default_factory=dict)  # callee -> type of its result
    aliases: dict[str, str] = field(default_factory=dict)  # other spelling -> canonical name
    # ASY2xx/3xx/6xx: rules/locks.toml, slow_awaits.toml, tasks.toml, queues.toml, copies.toml
    primitives: dict[str, Primitive] = field(default_factory=dict)  # type -> primitive
    slow_awaits: SlowAwaits = field(default_factory=lambda: SlowAwaits({}, ()))
    spawns: dict[str, SpawnGroup] = field(default_factory=dict)  # qualified name -> group
    gathers: frozenset[str] = frozenset()
    teardown_methods: frozenset[str] = frozenset()  # fan-out of these releases, never exhausts
    queues: dict[str, QueueSpec] = field(default_factory=dict)  # constructor -> its size rule
    copy_functions: frozenset[str] = frozenset()
    # ASY4xx/5xx: rules/sql.toml, pools.toml, handlers.toml
    db: DbTables = field(default_factory=DbTables)
    # ASY109: rules/helpers.toml
    helper_decorators: HelperDecorators = field(default_factory=HelperDecorators)
    # ASY110: rules/bridges.toml; ASY604: rules/requests.toml
    bridges: Bridges = field(default_factory=Bridges)
    requests: RequestCalls = field(default_factory=RequestCalls)
    _known_modules: frozenset[str] | None = field(default=None, init=False, repr=False, compare=False)

    def known_modules(self) -> frozenset[str]:
        """Top-level modules the tables speak of: an unbound `subprocess.run` resolves there.
        Worked out on first use (every linted file asks; a thousand names to split) from the
        tables as they are then: complete, once loaded."""
        if self._known_modules is None:
            names = list(self.blocking) + list(self.returns) + list(self.aliases)
            self._known_modules = frozenset(name.split(".", 1)[0] for name in names) - {"builtins"}
        return self._known_modules

    def blocking_for(self, code: str) -> dict[str, BlockingGroup]:
        return {name: group for name, group in self.blocking.items() if group.code == code}


def _read(name: str) -> dict:
    """rules/`name`, parsed and checked against its schema."""
    try:
        text = resources.files("asynclint.rules").joinpath(name).read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, ModuleNotFoundError) as exc:
        raise TableError(f"rules/{name} is missing from this installation ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise TableError(f"rules/{name}: {exc}") from exc
    SCHEMAS[name].check(data, Where(f"rules/{name}"))
    return data


def load_tables(extensions: dict[str, object] | None = None, where: str = "configuration") -> Tables:
    """The shipped tables, plus a project's own rows: `extensions` maps an `extend-<table>` key
    of EXTENSIONS to its value from `where` (a config file), already checked by
    `Extension.check`."""
    tables = Tables()
    for code, groups in _read("blocking_calls.toml").items():
        for index, raw in enumerate(groups):
            here = f"rules/blocking_calls.toml [[{code}]] #{index + 1}"
            if raw.get("lazy") and "lazy_before" in raw:
                raise TableError(f"{here}: lazy and lazy_before contradict each other; give one")
            group = BlockingGroup(
                code,
                tuple(raw["calls"]),
                raw["what"],
                raw["remedy"],
                tuple(ArgumentCondition.parse(text, here) for text in raw.get("nonblocking_if", ())),
                raw.get("lazy", False),
                raw.get("bounded_by"),
                raw.get("offload", True),
                Version.parse(raw["lazy_before"]) if "lazy_before" in raw else None,
            )
            for name in group.calls:
                _add_once(tables.blocking, name, group, "rules/blocking_calls.toml")
    types = _read("types.toml")
    tables.returns = dict(types.get("returns", {}))
    tables.aliases = dict(types.get("aliases", {}))
    _load_concurrency_tables(tables)
    tables.db = _load_db_tables()
    try:
        tables.helper_decorators = parse_helper_tables(_read("helpers.toml"))
        tables.bridges = parse_bridge_tables(_read("bridges.toml"))
        tables.requests = parse_request_tables(_read("requests.toml"))
    except ValueError as exc:
        raise TableError(str(exc)) from exc
    extensions = extensions or {}
    for extension in EXTENSIONS:
        if extension.key in extensions:
            extension.add(tables, extensions[extension.key], f"{where}: {extension.key}")
    return tables


def _load_db_tables() -> DbTables:
    try:
        return parse_db_tables(
            _read("sql.toml"), _read("pools.toml"), _read("handlers.toml"), _read("stores.toml")
        )
    except ValueError as exc:
        raise TableError(str(exc)) from exc


# --- ASY2xx/3xx/6xx: locks, slow awaits, tasks, queues, copies ------------------------------


@dataclass(frozen=True)
class Primitive:
    """A synchronization primitive from rules/locks.toml."""

    name: str  # the qualified type, e.g. "threading.Lock"
    family: str  # "thread" | "async"
    kind: str  # "lock" | "condition" | "semaphore"
    count_keyword: str | None = None  # semaphores: the keyword of the initial count
    count_default: int | None = None


@dataclass(frozen=True)
class SlowGroup:
    what: str  # "sleeps", "waits for the network", ...
    nonblocking_if: tuple[ArgumentCondition, ...] = ()  # the await returns at once


@dataclass(frozen=True)
class SlowAwaits:
    calls: dict[str, SlowGroup]  # qualified name -> group
    prefixes: tuple[tuple[str, SlowGroup], ...]  # ("asyncpg.Pool.", group): every method

    def group_for(self, name: str) -> SlowGroup | None:
        group = self.calls.get(name)
        if group is None:
            group = next((g for prefix, g in self.prefixes if name.startswith(prefix)), None)
        return group


@dataclass(frozen=True)
class SpawnGroup:
    what: str  # "a task", "a worker-thread job"
    keep_reference: bool  # the loop holds the task weakly: a discarded result is ASY602


@dataclass(frozen=True)
class QueueSpec:
    size_keyword: str  # also the first positional argument
    default: float | None  # the size when the argument is left out; None: it is required
    unbounded: str  # "nonpositive" | "infinite"

    def is_unbounded(self, size: float) -> bool:
        return size <= 0 if self.unbounded == "nonpositive" else size == float("inf")


def _add_once(table: dict, name: str, value: object, where: str) -> None:
    if name in table:
        raise TableError(f"{where}: {name} is listed twice")
    table[name] = value


def _load_concurrency_tables(tables: Tables) -> None:
    where = "rules/locks.toml"
    for index, raw in enumerate(_read("locks.toml").get("primitive", [])):
        if (raw["kind"] == "semaphore") != ("count" in raw):
            raise TableError(f"{where} [[primitive]] #{index + 1}: a semaphore (and only a semaphore) names its `count`")
        for name in raw["names"]:
            primitive = Primitive(name, raw["family"], raw["kind"], raw.get("count"), raw.get("default"))
            _add_once(tables.primitives, name, primitive, where)
            # A class returns an instance of itself: `asyncio.Lock()` types its result.
            tables.returns.setdefault(name, name)

    where = "rules/slow_awaits.toml"
    calls: dict[str, SlowGroup] = {}
    prefixes: list[tuple[str, SlowGroup]] = []
    for raw in _read("slow_awaits.toml").get("slow", []):
        conditions = raw.get("nonblocking_if", ())
        group = SlowGroup(raw["what"], tuple(ArgumentCondition.parse(t, where) for t in conditions))
        for name in raw.get("calls", []):
            _add_once(calls, name, group, where)
        prefixes += [(type_ + ".", group) for type_ in raw.get("types", [])]
    tables.slow_awaits = SlowAwaits(calls, tuple(prefixes))

    where = "rules/tasks.toml"
    data = _read("tasks.toml")
    for raw in data.get("spawn", []):
        for name in raw["calls"]:
            _add_once(tables.spawns, name, SpawnGroup(raw["what"], raw.get("keep_reference", False)), where)
    tables.gathers = frozenset(data.get("gather", {}).get("calls", []))
    tables.teardown_methods = frozenset(data.get("teardown", {}).get("methods", []))

    where = "rules/queues.toml"
    for raw in _read("queues.toml").get("queue", []):
        spec = QueueSpec(raw["size"], raw.get("default"), raw["unbounded"])
        for name in raw["calls"]:
            _add_once(tables.queues, name, spec, where)

    tables.copy_functions = frozenset(_read("copies.toml").get("functions", []))


# --- A project's own rows: the `extend-<table>` config keys ----------------------------------


@dataclass(frozen=True)
class Extension:
    """A config key that adds a project's own rows to a shipped table. Its value is checked
    with kinds of the table's own schema, so a name a user adds obeys the rules a shipped name
    obeys; `add` merges it into the tables, where a row that contradicts a shipped one (a name
    the tables report under another code, a call typed otherwise) is an error, never a silent
    override."""

    key: str  # "extend-blocking-calls"
    kind: Kind  # the value's schema
    add: Callable[[Tables, object, str], None]  # (tables, checked value, where for errors)
    example: str  # a TOML snippet for the docs

    @property
    def description(self) -> str:
        """What the value must be, for "extend-x must be ..." in a config error."""
        return self.kind.description

    def check(self, value: object, where: str) -> None:
        """Raises TableError naming `where` (the config file's table) and the key."""
        self.kind.check(value, Where(where, self.key))


def _add_blocking_calls(tables: Tables, value: dict[str, list[str]], where: str) -> None:
    listed: dict[str, str] = {}
    for code, names in value.items():
        group = BlockingGroup(
            code,
            tuple(names),
            what="is listed as blocking in this project's configuration",
            remedy="await an async equivalent or offload it with `await asyncio.to_thread(...)`",
        )
        for name in names:
            shipped = tables.blocking.get(name)
            if name in listed and listed[name] != code:
                raise TableError(f"{where}: {name!r} is listed under both {listed[name]} and {code}")
            listed[name] = code
            if name in tables.bridges.calls:
                raise TableError(f"{where}.{code}: {name!r} is already reported as ASY110 (sync-bridge-in-async)")
            if shipped is not None and shipped.code != code:
                raise TableError(
                    f"{where}.{code}: {name!r} is already reported as {shipped.code} by asynclint's own"
                    " tables; a call is reported under one code"
                )
            if shipped is None:  # listed again under its own code: the shipped row stays, richer
                tables.blocking[name] = group


def _add_types(tables: Tables, value: dict[str, dict[str, str]], where: str) -> None:
    for section, table in (("returns", tables.returns), ("aliases", tables.aliases)):
        for name, type_ in value.get(section, {}).items():
            if table.get(name, type_) != type_:
                raise TableError(
                    f"{where}.{section}: {name!r} is {table[name]!r} in asynclint's own tables, not {type_!r}"
                )
            table[name] = type_


EXTENSIONS: tuple[Extension, ...] = (
    Extension(
        "extend-blocking-calls",
        MapOf(Choice(*BLOCKING_CODES, noun="blocking-call codes"), ListOf(QualifiedName())),
        _add_blocking_calls,
        '[tool.asynclint.extend-blocking-calls]\nASY101 = ["ourlib.http.fetch_sync"]',
    ),
    Extension(
        "extend-types",
        TYPES_SCHEMA,
        _add_types,
        '[tool.asynclint.extend-types.returns]\n"ourlib.http.make_session" = "requests.Session"',
    ),
)
