"""The table of ASY110 (sync-bridge-in-async): rules/bridges.toml, its schema, and its parsing
into typed records. `tables.py` reads the file and checks it against the schema before it hands
its contents here; a name listed twice raises ValueError with its location."""

from __future__ import annotations

from dataclasses import dataclass, field

from asynclint.tableschema import ArrayOf, Choice, Field, ListOf, QualifiedName, Table, Text

SHAPES = ("call", "wrapper", "future")
RUNS = ("coroutine", "async_function", "sync_function")

BRIDGES_SCHEMA = Table(
    Field("forks", ListOf(QualifiedName())),
    Field(
        "bridge",
        ArrayOf(
            Table(
                Field("what", Text(), required=True),
                Field("remedy", Text(), required=True),
                Field("shape", Choice(*SHAPES), required=True),
                Field("runs", Choice(*RUNS), required=True),
                Field("calls", ListOf(QualifiedName(), nonempty=True), required=True),
            )
        ),
    ),
)


@dataclass(frozen=True)
class BridgeGroup:
    what: str  # why the call fails on the event loop's thread: "`asyncio.run()` {what}"
    remedy: str
    shape: str  # one of SHAPES
    runs: str  # one of RUNS


@dataclass(frozen=True)
class Bridges:
    calls: dict[str, BridgeGroup] = field(default_factory=dict)  # qualified name -> group
    forks: frozenset[str] = frozenset()  # calls after which a child process has no running loop


def parse_bridge_tables(data: dict) -> Bridges:
    calls: dict[str, BridgeGroup] = {}
    for raw in data.get("bridge", []):
        group = BridgeGroup(raw["what"], raw["remedy"], raw["shape"], raw["runs"])
        for name in raw["calls"]:
            if name in calls:
                raise ValueError(f"rules/bridges.toml: {name} is listed twice")
            calls[name] = group
    return Bridges(calls, frozenset(data.get("forks", [])))
