"""Loads and validates the data tables under rules/ (shipped as the `asynclint.rules` package).

Checks never open files: they receive a `Tables` built once per run, already merged with the
user's config extensions.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from importlib import resources

from asynclint.bridgetables import Bridges, parse_bridge_tables
from asynclint.dbtables import DbTables, parse_db_tables
from asynclint.helpertables import HelperDecorators, parse_helper_tables
from asynclint.requesttables import RequestCalls, parse_request_tables

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


class TableError(Exception):
    """A table under rules/ is malformed (a packaging bug, or a user extension gone wrong)."""


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

    def known_modules(self) -> frozenset[str]:
        """Top-level modules the tables speak of: an unbound `subprocess.run` resolves there."""
        names = list(self.blocking) + list(self.returns) + list(self.aliases)
        return frozenset(name.split(".", 1)[0] for name in names) - {"builtins"}

    def blocking_for(self, code: str) -> dict[str, BlockingGroup]:
        return {name: group for name, group in self.blocking.items() if group.code == code}


def _read(name: str) -> dict:
    try:
        text = resources.files("asynclint.rules").joinpath(name).read_text(encoding="utf-8")
        return tomllib.loads(text)
    except (OSError, ModuleNotFoundError) as exc:
        raise TableError(f"rules/{name} is missing from this installation ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise TableError(f"rules/{name}: {exc}") from exc


def _string_map(data: object, where: str) -> dict[str, str]:
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise TableError(f"{where} must map names to names")
    return dict(data)


def load_tables(extend_blocking: dict[str, list[str]] | None = None) -> Tables:
    """The shipped tables, plus a user's own blocking helpers ({code: [qualified names]})."""
    tables = Tables()
    for code, groups in _read("blocking_calls.toml").items():
        if not isinstance(groups, list):
            raise TableError(f"rules/blocking_calls.toml: [{code}] must be an array of tables")
        for raw in groups:
            where = f"rules/blocking_calls.toml [[{code}]]"
            try:
                conditions = tuple(
                    ArgumentCondition.parse(text, where) for text in raw.get("nonblocking_if", ())
                )
                lazy = raw.get("lazy", False)
                bounded_by = raw.get("bounded_by")
                offload = raw.get("offload", True)
                group = BlockingGroup(
                    code,
                    tuple(raw["calls"]),
                    raw["what"],
                    raw["remedy"],
                    conditions,
                    lazy,
                    bounded_by,
                    offload,
                )
            except (KeyError, TypeError) as exc:
                raise TableError(f"{where}: entry lacks {exc}") from exc
            if not isinstance(lazy, bool) or not isinstance(offload, bool):
                raise TableError(f"{where}: lazy and offload must be true or false")
            if not (bounded_by is None or isinstance(bounded_by, str)):
                raise TableError(f"{where}: bounded_by must name a constructor argument")
            for name in group.calls:
                if name in tables.blocking:
                    raise TableError(f"rules/blocking_calls.toml: {name} is listed twice")
                tables.blocking[name] = group
    types = _read("types.toml")
    tables.returns = _string_map(types.get("returns", {}), "rules/types.toml [returns]")
    tables.aliases = _string_map(types.get("aliases", {}), "rules/types.toml [aliases]")
    for code, names in (extend_blocking or {}).items():
        group = BlockingGroup(
            code,
            tuple(names),
            what="is listed as blocking in this project's configuration",
            remedy="await an async equivalent or offload it with `await asyncio.to_thread(...)`",
        )
        for name in names:
            tables.blocking[name] = group
    _load_concurrency_tables(tables)
    tables.db = _load_db_tables()
    try:
        tables.helper_decorators = parse_helper_tables(_read("helpers.toml"))
        tables.bridges = parse_bridge_tables(_read("bridges.toml"))
        tables.requests = parse_request_tables(_read("requests.toml"))
    except ValueError as exc:
        raise TableError(str(exc)) from exc
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


def _names(raw: dict, key: str, where: str) -> tuple[str, ...]:
    names = raw.get(key, [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise TableError(f"{where}: {key} must be a list of qualified names")
    return tuple(names)


def _groups(data: dict, key: str, where: str) -> list[dict]:
    groups = data.get(key, [])
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise TableError(f"{where}: [[{key}]] must be an array of tables")
    return groups


def _add_once(table: dict, name: str, value: object, where: str) -> None:
    if name in table:
        raise TableError(f"{where}: {name} is listed twice")
    table[name] = value


def _load_concurrency_tables(tables: Tables) -> None:
    where = "rules/locks.toml"
    for raw in _groups(_read("locks.toml"), "primitive", where):
        family, kind = raw.get("family"), raw.get("kind")
        if family not in ("thread", "async") or kind not in ("lock", "condition", "semaphore"):
            raise TableError(f"{where}: bad family/kind {family!r}/{kind!r}")
        if (kind == "semaphore") != ("count" in raw):
            raise TableError(f"{where}: a semaphore (and only a semaphore) names its `count`")
        for name in _names(raw, "names", where):
            primitive = Primitive(name, family, kind, raw.get("count"), raw.get("default"))
            _add_once(tables.primitives, name, primitive, where)
            # A class returns an instance of itself: `asyncio.Lock()` types its result.
            tables.returns.setdefault(name, name)

    where = "rules/slow_awaits.toml"
    calls: dict[str, SlowGroup] = {}
    prefixes: list[tuple[str, SlowGroup]] = []
    for raw in _groups(_read("slow_awaits.toml"), "slow", where):
        if not isinstance(raw.get("what"), str):
            raise TableError(f"{where}: every [[slow]] needs `what`")
        conditions = raw.get("nonblocking_if", ())
        group = SlowGroup(raw["what"], tuple(ArgumentCondition.parse(t, where) for t in conditions))
        for name in _names(raw, "calls", where):
            _add_once(calls, name, group, where)
        prefixes += [(type_ + ".", group) for type_ in _names(raw, "types", where)]
    tables.slow_awaits = SlowAwaits(calls, tuple(prefixes))

    where = "rules/tasks.toml"
    data = _read("tasks.toml")
    for raw in _groups(data, "spawn", where):
        keep = raw.get("keep_reference", False)
        if not isinstance(raw.get("what"), str) or not isinstance(keep, bool):
            raise TableError(f"{where}: every [[spawn]] needs `what` (and a boolean keep_reference)")
        for name in _names(raw, "calls", where):
            _add_once(tables.spawns, name, SpawnGroup(raw["what"], keep), where)
    tables.gathers = frozenset(_names(data.get("gather", {}), "calls", where))
    tables.teardown_methods = frozenset(_names(data.get("teardown", {}), "methods", where))

    where = "rules/queues.toml"
    for raw in _groups(_read("queues.toml"), "queue", where):
        default = raw.get("default")
        if (
            not isinstance(raw.get("size"), str)
            or raw.get("unbounded") not in ("nonpositive", "infinite")
            or not (default is None or isinstance(default, (int, float)))
        ):
            raise TableError(f"{where}: every [[queue]] needs `size`, `unbounded` and a numeric `default`")
        spec = QueueSpec(raw["size"], default, raw["unbounded"])
        for name in _names(raw, "calls", where):
            _add_once(tables.queues, name, spec, where)

    tables.copy_functions = frozenset(_names(_read("copies.toml"), "functions", "rules/copies.toml"))
