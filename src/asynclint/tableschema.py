"""The shape of the data tables under rules/, declared: each table is a `Table` of `Field`s whose
key is the TOML key, whose kind states the value's type and constraints (a qualified name, one
of a few words, a list of ...), and which says whether it is required. `check` reads a parsed
TOML document against its schema and raises `TableError` naming the file, the key and what
was expected; an unknown key is an error with the closest known one, never a silent typo.

tables.py declares the schema of every rules/*.toml file, and derives the user's
`extend-<table>` config keys from the same kinds, so a name a user adds obeys the rules a
shipped name obeys.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


class TableError(Exception):
    """A table under rules/ is malformed (a packaging bug, or a user extension gone wrong)."""


@dataclass(frozen=True)
class Where:
    """Where a value sits, for errors: the table's header (`rules/pools.toml [[constructor]] #4`)
    and the key inside it (`bounds[2]`)."""

    table: str
    key: str = ""

    def __str__(self) -> str:
        return f"{self.table}: {self.key}" if self.key else self.table

    def field(self, key: str) -> Where:
        return Where(self.table, f"{self.key}.{key}" if self.key else key)

    def item(self, index: int) -> Where:
        return Where(self.table, f"{self.key}[{index}]")

    def section(self) -> Where:
        """The table under this key, as its TOML header says: `rules/sql.toml [calls]`,
        `pyproject.toml [tool.asynclint.extend-types]`."""
        if not self.key:
            return self
        head, sep, last = self.table.rpartition(" [")
        if sep and last.endswith("]") and not last.startswith("["):
            return Where(f"{head} [{last[:-1]}.{self.key}]")
        return Where(f"{self.table} [{self.key}]")


def did_you_mean(word: str, choices) -> str:
    """` (did you mean 'x'?)` for an unknown key or code, or nothing. The config's messages use
    it too."""
    import difflib  # only for a message: a run that reads a valid config never needs it

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


class Kind(ABC):
    """What a value must be: `description` completes "must be ...", `plural` "a list of ..."."""

    description: str
    plural: str

    @abstractmethod
    def check(self, value: object, where: Where) -> None:
        """Raises TableError when `value`, found at `where`, is not of this kind."""

    def fail(self, value: object, where: Where, hint: str = "") -> TableError:
        return TableError(f"{where} must be {self.description}, not {value!r}{hint}")


class Text(Kind):
    """Words for a message: a non-empty string."""

    description, plural = "a non-empty string", "non-empty strings"

    def check(self, value: object, where: Where) -> None:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(value, where)


class Flag(Kind):
    description, plural = "true or false", "booleans"

    def check(self, value: object, where: Where) -> None:
        if not isinstance(value, bool):
            raise self.fail(value, where)


class Number(Kind):
    def __init__(self, integer: bool = False, minimum: int | None = None) -> None:
        self.integer = integer
        self.minimum = minimum
        noun = "integer" if integer else "number"
        least = "" if minimum is None else f" of at least {minimum}"
        self.description = f"an {noun}{least}" if integer else f"a {noun}{least}"
        self.plural = f"{noun}s{least}"

    def check(self, value: object, where: Where) -> None:
        types = (int,) if self.integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, types):
            raise self.fail(value, where)
        if self.minimum is not None and value < self.minimum:
            raise self.fail(value, where)


class Choice(Kind):
    def __init__(self, *options: str, noun: str = "values") -> None:
        self.options = options
        listed = ", ".join(repr(option) for option in options)
        self.description = f"one of {listed}"
        self.plural = f"{noun} ({listed})"

    def check(self, value: object, where: Where) -> None:
        if value not in self.options:
            raise self.fail(value, where, did_you_mean(str(value), self.options))


class Identifier(Kind):
    """A Python identifier: a keyword argument, a parameter, a method name."""

    description, plural = "an identifier", "identifiers"

    def check(self, value: object, where: Where) -> None:
        if not isinstance(value, str) or not value.isidentifier():
            raise self.fail(value, where)


class QualifiedName(Kind):
    """What a call or type resolves to: dotted identifiers (`requests.Session.get`). A pattern
    (`requests.*`) is not one: tables list names explicitly, so they never match more than they
    mean (rules/README.md)."""

    description = "a qualified name such as 'ourlib.http.fetch_sync' (no wildcards)"
    plural = "qualified names such as 'ourlib.http.fetch_sync' (no wildcards)"

    def check(self, value: object, where: Where) -> None:
        if not isinstance(value, str) or not all(part.isidentifier() for part in value.split(".")):
            raise self.fail(value, where)


class Version(Kind):
    """A Python version written "MAJOR.MINOR" (`"3.13"`)."""

    description, plural = "a Python version such as '3.13'", "Python versions such as '3.13'"

    def check(self, value: object, where: Where) -> None:
        parts = value.split(".") if isinstance(value, str) else []
        if len(parts) != 2 or not all(part.isdigit() for part in parts):
            raise self.fail(value, where)

    @staticmethod
    def parse(text: str) -> tuple[int, int]:
        major, minor = text.split(".")
        return int(major), int(minor)


class Assignment(Kind):
    """`LEFT=RIGHT` written as one string (`timeout=None`, `0=socket.socket()`)."""

    def __init__(self, left: str = "KEYWORD", right: str = "VALUE") -> None:
        self.description = f"a string '{left}={right}'"
        self.plural = f"strings '{left}={right}'"

    def check(self, value: object, where: Where) -> None:
        if not isinstance(value, str):
            raise self.fail(value, where)
        left, sep, right = value.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise self.fail(value, where)


class ListOf(Kind):
    def __init__(self, item: Kind, nonempty: bool = False) -> None:
        self.item = item
        self.nonempty = nonempty
        self.description = f"a {'non-empty ' if nonempty else ''}list of {item.plural}"
        self.plural = f"lists of {item.plural}"

    def check(self, value: object, where: Where) -> None:
        if not isinstance(value, list) or (self.nonempty and not value):
            raise self.fail(value, where)
        for index, item in enumerate(value):
            self.item.check(item, where.item(index))


@dataclass(frozen=True)
class Field:
    key: str  # the TOML key
    kind: Kind
    required: bool = False


class Table(Kind):
    """A TOML table with known keys. Under a key, it is the section `[key]`."""

    def __init__(self, *fields: Field) -> None:
        self.fields = {field.key: field for field in fields}
        self.description = f"a table of {', '.join(self.fields)}"
        self.plural = f"tables of {', '.join(self.fields)}"

    def check(self, value: object, where: Where) -> None:
        if not isinstance(value, dict):
            raise self.fail(value, where)
        self.check_keys(value, where.section())

    def check_keys(self, value: dict, where: Where) -> None:
        for key, item in value.items():
            field = self.fields.get(key)
            if field is None:
                raise TableError(f"{where}: unknown key {key!r}{did_you_mean(key, self.fields)}")
            field.kind.check(item, where.field(key))
        for field in self.fields.values():
            if field.required and field.key not in value:
                raise TableError(f"{where}: {field.key} is required")


class ArrayOf(Kind):
    """An array of tables: under the key `constructor`, the entries `[[constructor]]`."""

    description, plural = "an array of tables", "arrays of tables"

    def __init__(self, table: Table) -> None:
        self.table = table

    def check(self, value: object, where: Where) -> None:
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.fail(value, where)
        for index, item in enumerate(value):
            self.table.check_keys(item, Where(f"{where.table} [[{where.key}]] #{index + 1}"))


class MapOf(Kind):
    """A table whose keys are data (names, codes), each mapped to a value of one kind."""

    def __init__(self, key: Kind, value: Kind) -> None:
        self.key = key
        self.value = value
        self.description = f"a table of {key.plural} to {value.plural}"
        self.plural = f"tables of {key.plural} to {value.plural}"

    def check(self, value: object, where: Where) -> None:
        if not isinstance(value, dict):
            raise self.fail(value, where)
        inner = where.section()
        for key, item in value.items():
            self.key.check(key, inner.field(f"key {key!r}"))
            self.value.check(item, inner.field(key))
