"""The table of ASY109 (blocking-via-helper): rules/helpers.toml, parsed into a typed record.
`tables.py` reads the file and hands its contents here; a malformed table raises ValueError
with its location."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HelperDecorators:
    plain: frozenset[str] = frozenset()  # the decorated function is still called and runs its body
    properties: frozenset[str] = frozenset()  # read as an attribute, which runs the getter


def parse_helper_tables(data: dict) -> HelperDecorators:
    where = "rules/helpers.toml [decorators]"
    decorators = data.get("decorators", {})
    if not isinstance(decorators, dict):
        raise ValueError(f"{where} must be a table")
    found = {}
    for key in ("plain", "property"):
        names = decorators.get(key, [])
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise ValueError(f"{where}: {key} must be a list of qualified names")
        found[key] = frozenset(names)
    unknown = set(decorators) - {"plain", "property"}
    if unknown:
        raise ValueError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    return HelperDecorators(found["plain"], found["property"])
