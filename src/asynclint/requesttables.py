"""The table of ASY604 (serial-awaits-in-loop): rules/requests.toml, parsed into a typed
record. `tables.py` reads the file and hands its contents here; a malformed table raises
ValueError with its location."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestCalls:
    calls: dict[str, str] = field(default_factory=dict)  # qualified name -> what it sends
    wrappers: frozenset[str] = frozenset()  # await the awaitable they are given
    pacing_calls: frozenset[str] = frozenset()  # a loop that awaits one is paced on purpose
    pacing_types: frozenset[str] = frozenset()  # ... or that takes one of these


def _names(raw: object, where: str) -> frozenset[str]:
    if not isinstance(raw, list) or not all(isinstance(n, str) and n for n in raw):
        raise ValueError(f"{where} must be a list of qualified names")
    return frozenset(raw)


def parse_request_tables(data: dict) -> RequestCalls:
    where = "rules/requests.toml"
    unknown = set(data) - {"request", "wrappers", "pacing"}
    if unknown:
        raise ValueError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    pacing = data.get("pacing", {})
    if not isinstance(pacing, dict) or set(pacing) - {"calls", "types"}:
        raise ValueError(f"{where}: [pacing] takes calls and types")
    groups = data.get("request", [])
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise ValueError(f"{where}: [[request]] must be an array of tables")
    calls: dict[str, str] = {}
    for index, raw in enumerate(groups):
        here = f"{where} [[request]] #{index + 1}"
        unknown = set(raw) - {"what", "calls"}
        if unknown:
            raise ValueError(f"{here}: unknown key {sorted(unknown)[0]!r}")
        what = raw.get("what")
        if not isinstance(what, str) or not what:
            raise ValueError(f"{here}: what must be a non-empty string")
        names = _names(raw.get("calls"), f"{here}: calls")
        if not names:
            raise ValueError(f"{here}: calls is empty")
        for name in names:
            if name in calls:
                raise ValueError(f"{where}: {name} is listed twice")
            calls[name] = what
    return RequestCalls(
        calls,
        _names(data.get("wrappers", []), f"{where}: wrappers"),
        _names(pacing.get("calls", []), f"{where}: [pacing] calls"),
        _names(pacing.get("types", []), f"{where}: [pacing] types"),
    )
