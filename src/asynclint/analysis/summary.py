"""Per-file summaries of the functions a file defines, for checks that follow calls across
files (ASY109). Built in the file's one traversal, in the worker that parses it; plain records
that go to JSON and back (`to_dict`/`from_dict`), so they travel between processes and are
cached with the file's diagnostics, keyed by its content.

A summary depends only on the file's text (and the tables): names are kept as written,
relative imports included (`.utils.helper`), and made absolute when the summaries are joined
(see callgraph.py), where the file's module name is known.

Every call a summary mentions has a *site* number, unique in the file, and a *rank*: its
index among the file's calls (or attributes) in source order. Positions are costly to get from
libcst (it generates the code up to the node), so a summary carries positions only for the
sites that needed one when it was built; the others are found later, and only for sites that
end up in a finding, from Python's `ast` by rank (see sourceorder.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from asynclint.analysis import guards
from asynclint.analysis.guards import Guard, Value

# Site kinds: how the call names what it calls.
LOCAL = "L"  # a function or class defined in the same file, by its local qualname ("Cls.meth")
DOTTED = "Q"  # a dotted name bound by an import or an alias ("pkg.io.read", ".io.read")
SELF = "S"  # a method called on the method's own `self`/`cls` ("_load")
SUPER = "B"  # a method called on `super()`: looked up in the bases only
ATTRIBUTE = "P"  # `self.name` read without a call: matters when `name` is a property

# How a function may be called.
PLAIN = "plain"  # a def whose decorators (if any) keep it a plain function
PROPERTY = "property"  # read as an attribute (`@property`, `@functools.cached_property`)
OPAQUE = "opaque"  # a decorator we do not know may turn it into something else

Position = tuple[int, int, int, int, int, int]  # line, col, end line, end col, statement lines


@dataclass(frozen=True, slots=True)
class Site:
    """A call in a function's own body of something that may be defined in the project."""

    id: int
    kind: str
    target: str
    text: str  # as written, for messages: "self._load()", "utils.read_file()", "self.settings"
    consumed: bool = False  # iterated or entered right here (matters for generators)
    rank: int = -1  # among the file's calls (attributes, for ATTRIBUTE sites) in source order
    guards: Guard = ()  # what must hold for it to run (analysis/guards.py)
    # The arguments: (positional count, unpacked ones, {keyword: Value}, {position: Value});
    # every keyword passed is listed, positions only where something is known. Unpacked:
    # "" none, "**" only the caller's own `**kwargs` as it came in, "*" any other.
    args: tuple[int, str, dict[str, Value], dict[int, Value]] = (0, "", {}, {})


@dataclass(frozen=True, slots=True)
class BlockingCall:
    """A call listed in rules/blocking_calls.toml, made in a sync function's own body."""

    id: int
    name: str  # qualified name: "builtins.open"
    code: str  # the rule that lists it: "ASY103"
    text: str
    rank: int = -1  # among the file's calls in source order
    guards: Guard = ()


@dataclass(frozen=True, slots=True)
class AttributeSet:
    """`self.name = value` in a method's own body, before the site numbered `order` (and every
    later one). `plain`: a statement of the body itself, not inside an `if`, a loop or a `try`."""

    order: int
    name: str
    value: Value
    plain: bool


@dataclass(slots=True)
class FunctionSummary:
    qualname: str  # within the module: "load", "Store.get", "outer.<locals>.inner"
    is_async: bool
    kind: str = PLAIN
    is_generator: bool = False
    cls: str | None = None  # the class it is a method of (its local qualname)
    blocking: list[BlockingCall] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    # The parameters its guards or its calls' arguments name: name -> (positional index, -1
    # for keyword-only; its default, UNKNOWN when it has none). See callgraph.py.
    params: dict[str, tuple[int, Value]] = field(default_factory=dict)
    bound: bool = False  # a method whose first parameter is bound (self, cls)
    # The attributes of `self` it sets before calls of its own class's methods.
    attributes: list[AttributeSet] = field(default_factory=list)

    def to_list(self) -> list:
        return [
            self.qualname,
            int(self.is_async) | int(self.is_generator) << 1 | int(self.bound) << 2,
            self.kind,
            self.cls,
            [[b.id, b.name, b.code, b.text, b.rank, guards.to_json(b.guards)] for b in self.blocking],
            [
                [s.id, s.kind, s.target, s.text, int(s.consumed), s.rank, guards.to_json(s.guards), _args_out(s.args)]
                for s in self.sites
            ],
            {name: [index, default.to_json()] for name, (index, default) in self.params.items()},
            [[a.order, a.name, a.value.to_json(), int(a.plain)] for a in self.attributes],
        ]

    @classmethod
    def from_list(cls, data: list) -> FunctionSummary:
        qualname, bits, kind, owner, blocking, sites, params, attributes = data
        return cls(
            qualname,
            bool(bits & 1),
            kind,
            bool(bits & 2),
            owner,
            [BlockingCall(i, n, c, t, r, guards.from_json(g)) for i, n, c, t, r, g in blocking],
            [Site(i, k, t, x, bool(c), r, guards.from_json(g), _args_in(a)) for i, k, t, x, c, r, g, a in sites],
            {name: (index, Value.from_json(default)) for name, (index, default) in params.items()},
            bool(bits & 4),
            [AttributeSet(o, n, Value.from_json(v), bool(p)) for o, n, v, p in attributes],
        )


def _args_out(args: tuple) -> int | list:
    count, star, keywords, positions = args
    if not star and not keywords and not positions:
        return count  # the usual case, kept small
    return [
        count,
        star,
        {name: value.to_json() for name, value in keywords.items()},
        {str(i): value.to_json() for i, value in positions.items()},
    ]


def _args_in(data: int | list) -> tuple:
    if isinstance(data, int):
        return (data, "", {}, {})
    count, star, keywords, positions = data
    return (
        count,
        str(star),
        {name: Value.from_json(value) for name, value in keywords.items()},
        {int(i): Value.from_json(value) for i, value in positions.items()},
    )


@dataclass(slots=True)
class ClassSummary:
    qualname: str
    bases: list[tuple[str, str]] = field(default_factory=list)  # (kind, target) as for sites
    # The types of its instances' attributes, where annotations (or every value the class's
    # own methods assign) tell: `_value: io.BytesIO`.
    attributes: dict[str, Value] = field(default_factory=dict)


@dataclass(slots=True)
class FileSummary:
    functions: list[FunctionSummary] = field(default_factory=list)
    classes: list[ClassSummary] = field(default_factory=list)
    # Module-level names bound to something importable (`from .io import read`): followed
    # when another module imports a name through this one (re-exports).
    names: dict[str, str] = field(default_factory=dict)
    positions: dict[int, Position] = field(default_factory=dict)
    calls: int = 0  # how many calls and attributes the file has (ranks are checked against them)
    attributes: int = 0

    def to_dict(self) -> dict:
        return {
            "functions": [f.to_list() for f in self.functions],
            "classes": [
                [c.qualname, [list(b) for b in c.bases], {n: v.to_json() for n, v in c.attributes.items()}]
                for c in self.classes
            ],
            "names": self.names,
            "positions": {str(site): list(p) for site, p in self.positions.items()},
            "counts": [self.calls, self.attributes],
        }

    @classmethod
    def from_dict(cls, data: dict) -> FileSummary:
        return cls(
            [FunctionSummary.from_list(f) for f in data["functions"]],
            [
                ClassSummary(q, [tuple(b) for b in bases], {n: Value.from_json(v) for n, v in attributes.items()})
                for q, bases, attributes in data["classes"]
            ],
            dict(data["names"]),
            {int(site): tuple(p) for site, p in data["positions"].items()},
            *data["counts"],
        )

    def rank_of(self, site: int) -> tuple[bool, int, str] | None:
        """(is an attribute, rank, the name it ends in) for a site, as sourceorder.py wants."""
        from asynclint.analysis.sourceorder import last_name

        for function in self.functions:
            for call in function.blocking:
                if call.id == site:
                    return (False, call.rank, last_name(call.text))
            for found in function.sites:
                if found.id == site:
                    return (found.kind == ATTRIBUTE, found.rank, last_name(found.text))
        return None
