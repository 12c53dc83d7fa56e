"""The table of ASY110 (sync-bridge-in-async): rules/bridges.toml, parsed into typed records.
`tables.py` reads the file and hands its contents here; a malformed table raises ValueError
with its location."""

from __future__ import annotations

from dataclasses import dataclass, field

SHAPES = ("call", "wrapper", "future")
RUNS = ("coroutine", "async_function", "sync_function")
_KEYS = frozenset({"what", "remedy", "shape", "runs", "calls"})


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
    unknown = set(data) - {"bridge", "forks"}
    if unknown:
        raise ValueError(f"rules/bridges.toml: unknown key {sorted(unknown)[0]!r}")
    forks = data.get("forks", [])
    if not isinstance(forks, list) or not all(isinstance(n, str) and n for n in forks):
        raise ValueError("rules/bridges.toml: forks must be a list of qualified names")
    groups = data.get("bridge", [])
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise ValueError("rules/bridges.toml: [[bridge]] must be an array of tables")
    calls: dict[str, BridgeGroup] = {}
    for index, raw in enumerate(groups):
        where = f"rules/bridges.toml [[bridge]] #{index + 1}"
        unknown = set(raw) - _KEYS
        if unknown:
            raise ValueError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        if not all(isinstance(raw.get(key), str) and raw[key] for key in ("what", "remedy")):
            raise ValueError(f"{where}: what and remedy must be non-empty strings")
        if raw.get("shape") not in SHAPES or raw.get("runs") not in RUNS:
            raise ValueError(
                f"{where}: shape must be one of {', '.join(SHAPES)} and runs one of {', '.join(RUNS)}"
            )
        names = raw.get("calls")
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
            raise ValueError(f"{where}: calls must be a non-empty list of qualified names")
        group = BridgeGroup(raw["what"], raw["remedy"], raw["shape"], raw["runs"])
        for name in names:
            if name in calls:
                raise ValueError(f"rules/bridges.toml: {name} is listed twice")
            calls[name] = group
    return Bridges(calls, frozenset(forks))
