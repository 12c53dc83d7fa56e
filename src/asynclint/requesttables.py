"""The table of ASY604 (serial-awaits-in-loop): rules/requests.toml, its schema, and its parsing
into a typed record. `tables.py` reads the file and checks it against the schema before it
hands its contents here; a name listed twice raises ValueError with its location."""

from __future__ import annotations

from dataclasses import dataclass, field

from asynclint.tableschema import ArrayOf, Field, ListOf, QualifiedName, Table, Text

REQUESTS_SCHEMA = Table(
    Field(
        "request",
        ArrayOf(
            Table(
                Field("what", Text(), required=True),
                Field("calls", ListOf(QualifiedName(), nonempty=True), required=True),
            )
        ),
    ),
    Field("wrappers", ListOf(QualifiedName())),
    Field("pacing", Table(Field("calls", ListOf(QualifiedName())), Field("types", ListOf(QualifiedName())))),
)


@dataclass(frozen=True)
class RequestCalls:
    calls: dict[str, str] = field(default_factory=dict)  # qualified name -> what it sends
    wrappers: frozenset[str] = frozenset()  # await the awaitable they are given
    pacing_calls: frozenset[str] = frozenset()  # a loop that awaits one is paced on purpose
    pacing_types: frozenset[str] = frozenset()  # ... or that takes one of these


def parse_request_tables(data: dict) -> RequestCalls:
    calls: dict[str, str] = {}
    for raw in data.get("request", []):
        for name in raw["calls"]:
            if name in calls:
                raise ValueError(f"rules/requests.toml: {name} is listed twice")
            calls[name] = raw["what"]
    pacing = data.get("pacing", {})
    return RequestCalls(
        calls,
        frozenset(data.get("wrappers", [])),
        frozenset(pacing.get("calls", [])),
        frozenset(pacing.get("types", [])),
    )
