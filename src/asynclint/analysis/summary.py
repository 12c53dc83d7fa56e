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


class DamagedSummary(ValueError):
    """A summary read back whose data is not what `to_list` writes (a damaged cache entry)."""


class FunctionSummary:
    """One function's summary. Read back (`from_list`), it keeps its body (the blocking
    calls, sites, parameters and attributes) as written and decodes it when one of them is
    first read: the call graph reads the bodies of the functions an async function reaches,
    a small part of a project's. A body that turns out damaged then raises DamagedSummary."""

    __slots__ = (
        "qualname",  # within the module: "load", "Store.get", "outer.<locals>.inner"
        "is_async",
        "kind",
        "is_generator",
        "cls",  # the class it is a method of (its local qualname)
        "bound",  # a method whose first parameter is bound (self, cls)
        "blocking",
        "sites",
        # The parameters its guards or its calls' arguments name: name -> (positional index,
        # -1 for keyword-only; its default, UNKNOWN when it has none). See callgraph.py.
        "params",
        "attributes",  # the attributes of `self` it sets before calls of its own class's methods
        "_encoded",  # the list `to_list` wrote, until its body is decoded; else None
    )

    def __init__(
        self,
        qualname: str,
        is_async: bool,
        kind: str = PLAIN,
        is_generator: bool = False,
        cls: str | None = None,
        blocking: list[BlockingCall] | None = None,
        sites: list[Site] | None = None,
        params: dict[str, tuple[int, Value]] | None = None,
        bound: bool = False,
        attributes: list[AttributeSet] | None = None,
    ) -> None:
        self.qualname = qualname
        self.is_async = is_async
        self.kind = kind
        self.is_generator = is_generator
        self.cls = cls
        self.bound = bound
        self.blocking = [] if blocking is None else blocking
        self.sites = [] if sites is None else sites
        self.params = {} if params is None else params
        self.attributes = [] if attributes is None else attributes
        self._encoded = None

    def __getattr__(self, name: str):
        # Python asks here only for a slot that is not set: the body of a summary read back.
        if name in _BODY and self._encoded is not None:
            self._decode()
            return getattr(self, name)
        raise AttributeError(name)

    def _decode(self) -> None:
        try:
            _qualname, _bits, _kind, _owner, blocking, sites, params, attributes = self._encoded
            decoded = (
                [BlockingCall(i, n, c, t, r, guards.from_json(g)) for i, n, c, t, r, g in blocking],
                [Site(i, k, t, x, bool(c), r, guards.from_json(g), _args_in(a)) for i, k, t, x, c, r, g, a in sites],
                {name: (index, Value.from_json(default)) for name, (index, default) in params.items()},
                [AttributeSet(o, n, Value.from_json(v), bool(p)) for o, n, v, p in attributes],
            )
        except (LookupError, TypeError, ValueError, AttributeError) as error:
            raise DamagedSummary(f"the summary of {self.qualname} is damaged: {error!r}") from error
        self.blocking, self.sites, self.params, self.attributes = decoded
        self._encoded = None

    def to_list(self) -> list:
        if self._encoded is not None:  # never decoded: written back as it was read
            return self._encoded
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
        """The header now (raising LookupError, TypeError or ValueError when it is damaged),
        the body when it is first read."""
        if len(data) != 4 + len(_BODY) or not isinstance(data[0], str):  # a header of four, then the body
            raise ValueError(f"not a function summary: {data!r:.80}")
        qualname, bits, kind, owner = data[0], data[1], data[2], data[3]
        function = cls.__new__(cls)
        function.qualname = qualname
        function.is_async = bool(bits & 1)
        function.is_generator = bool(bits & 2)
        function.bound = bool(bits & 4)
        function.kind = kind
        function.cls = owner
        function._encoded = data
        return function


_BODY = ("blocking", "sites", "params", "attributes")


_NO_VALUES: dict = {}  # shared by the arguments read back without keywords or known positions: never written to


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
        return (data, "", _NO_VALUES, _NO_VALUES)
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
        """Raises DamagedSummary (a ValueError), as do LookupError and TypeError, when `data`
        is not what `to_dict` writes; the functions' bodies are checked as they are read."""
        try:
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
        except AttributeError as error:  # a list where a dict belongs
            raise DamagedSummary(f"a damaged file summary: {error!r}") from error

    def rank_of(self, site: int) -> tuple[bool, int, str] | None:
        """(is an attribute, rank, the name it ends in) for a site, as sourceorder.py wants."""
        from asynclint.analysis.sourceorder import last_name

        for function in self.functions:
            try:
                blocking, sites = function.blocking, function.sites
            except DamagedSummary:
                continue  # a site the call graph names is in a body it has read, so not here
            for call in blocking:
                if call.id == site:
                    return (False, call.rank, last_name(call.text))
            for found in sites:
                if found.id == site:
                    return (found.kind == ATTRIBUTE, found.rank, last_name(found.text))
        return None
