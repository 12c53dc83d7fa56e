"""The table of ASY604 (serial-awaits-in-loop): rules/requests.toml, parsed into a typed
record. `tables.py` reads the file and hands its contents here; a malformed table raises
ValueError with its location."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestCalls:
    calls: dict[str, str] = field(default_factory=dict)  # qualified name -> what it sends


def parse_request_tables(data: dict) -> RequestCalls:
    groups = data.get("request", [])
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise ValueError("rules/requests.toml: [[request]] must be an array of tables")
    calls: dict[str, str] = {}
    for index, raw in enumerate(groups):
        where = f"rules/requests.toml [[request]] #{index + 1}"
        unknown = set(raw) - {"what", "calls"}
        if unknown:
            raise ValueError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        what, names = raw.get("what"), raw.get("calls")
        if not isinstance(what, str) or not what:
            raise ValueError(f"{where}: what must be a non-empty string")
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
            raise ValueError(f"{where}: calls must be a non-empty list of qualified names")
        for name in names:
            if name in calls:
                raise ValueError(f"rules/requests.toml: {name} is listed twice")
            calls[name] = what
    return RequestCalls(calls)
