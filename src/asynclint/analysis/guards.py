"""When a call runs, and whether it can for a given caller: the conditions a function's `if`s
put on its parameters, on `self`'s attributes and on the interpreter (platform, version), and
what a call site (or a parameter's default) tells about the values it passes.

ASY109 follows a helper chain only through calls whose conditions can hold. A blocking call
under `if isinstance(cfg, str) and cfg.endswith(".json"):` runs only for callers that may pass
a string; a call that passes a dict (or leaves a dict default) rules that branch out. A
condition whose outcome is unknown keeps the chain: precision never costs a true chain.

A condition is kept in conjunctive normal form, a *guard*: a tuple of clauses, each a tuple of
literals of which at least one holds; the empty guard always holds. A literal is a plain tuple
`(subject, test, argument, negated)`, so guards go to JSON and back with summaries:

- subject: "p:name" (a parameter of the function), "a:name" (`self.name`), or "g:sys.platform"
  (something the whole process shares: `sys.platform`, `os.name`, `sys.version_info`);
- test: "truthy", "is" (identity with None/True/False), "eq", "in", "isinstance", "type",
  "endswith", "startswith", or "cmp" (a version comparison);
- argument: the test's operand (reprs of literals, qualified type names, a version tuple).

Reading conditions from the code never guesses: a test of something that is not a subject
(a local variable, a call) is no condition at all, and a subject the function may have
rebound before the test is weakened by the conditions under which the rebinding ran.
"""

from __future__ import annotations

import ast
import functools
import itertools
import math
from dataclasses import dataclass

from asynclint._lazy import NodeTypes
from asynclint._lazy import libcst as cst

Literal = tuple  # (subject, test, argument, negated)
Clause = tuple  # of Literal: one of them holds
Guard = tuple  # of Clause: all of them hold; () always holds

# Bounds that keep guards small; dropping a clause only weakens a guard (keeps a chain).
MAX_CLAUSES = 12
MAX_LITERALS = 6

# --- types ------------------------------------------------------------------------------------

_NUMBERS = ("numbers.Number", "numbers.Complex", "numbers.Real", "numbers.Rational", "numbers.Integral")


def _abcs(*names: str) -> frozenset[str]:
    return frozenset(f"collections.abc.{name}" for name in names)


_COLLECTION = ("Iterable", "Container", "Sized", "Collection")
_SEQUENCE = (*_COLLECTION, "Sequence", "Reversible")
_FILE = _abcs("Iterable", "Iterator", "Hashable") | {"io.IOBase"}

# What an instance of each type is an instance of (builtins.object is implied). These are the
# types a literal, a display, a known constructor or an annotation can give a value; for an
# exact value of one of them, isinstance() against any type named here is decided.
SUPERTYPES: dict[str, frozenset[str]] = {
    "builtins.NoneType": _abcs("Hashable"),
    "builtins.bool": _abcs("Hashable") | {"builtins.int", *_NUMBERS},
    "builtins.int": _abcs("Hashable") | set(_NUMBERS),
    "builtins.float": _abcs("Hashable") | set(_NUMBERS[:3]),
    "builtins.complex": _abcs("Hashable") | set(_NUMBERS[:2]),
    "builtins.str": _abcs("Hashable", *_SEQUENCE),
    "builtins.bytes": _abcs("Hashable", "ByteString", *_SEQUENCE),
    "builtins.bytearray": _abcs("ByteString", "MutableSequence", *_SEQUENCE),
    "builtins.list": _abcs("MutableSequence", *_SEQUENCE),
    "builtins.tuple": _abcs("Hashable", *_SEQUENCE),
    "builtins.dict": _abcs("Mapping", "MutableMapping", "Reversible", *_COLLECTION),
    "builtins.set": _abcs("Set", "MutableSet", *_COLLECTION),
    "builtins.frozenset": _abcs("Set", "Hashable", *_COLLECTION),
    "io.BytesIO": _FILE | {"io.BufferedIOBase"},
    "io.StringIO": _FILE | {"io.TextIOBase"},
    "pathlib.Path": _abcs("Hashable") | {"pathlib.PurePath", "os.PathLike"},
    "builtins.function": _abcs("Hashable", "Callable"),  # a `def` (or a `lambda`)
    "builtins.type": _abcs("Hashable", "Callable"),  # a `class`
}
SUPERTYPES = {name: bases | {name, "builtins.object"} for name, bases in SUPERTYPES.items()}
KNOWN_TYPES = frozenset(itertools.chain.from_iterable(SUPERTYPES.values()))

# Builtin types no class can inherit from two of (their instance layouts conflict): a value
# that is one of them is never an instance of another, whatever subclass it is.
_LAYOUTS = {
    "builtins.bool": "int",
    "builtins.int": "int",
    "builtins.float": "float",
    "builtins.complex": "complex",
    "builtins.str": "str",
    "builtins.bytes": "bytes",
    "builtins.bytearray": "bytearray",
    "builtins.list": "list",
    "builtins.tuple": "tuple",
    "builtins.dict": "dict",
    "builtins.set": "set",
    "builtins.frozenset": "frozenset",
    "builtins.NoneType": "None",
    "builtins.function": "function",
    "builtins.type": "type",
}
# Values of these never compare equal to a value of another group.
_EQUALITY_GROUPS = {
    "builtins.bool": "number",
    "builtins.int": "number",
    "builtins.float": "number",
    "builtins.complex": "number",
    "builtins.str": "str",
    "builtins.bytes": "bytes",
    "builtins.bytearray": "bytes",
    "builtins.list": "list",
    "builtins.tuple": "tuple",
    "builtins.dict": "dict",
    "builtins.set": "set",
    "builtins.frozenset": "set",
    "builtins.NoneType": "None",
}

# Other spellings of the types above, as isinstance() tests and annotations write them.
_TYPE_ALIASES = {
    **{f"{module}.{name}": f"builtins.{name.lower()}" for module in ("typing", "typing_extensions")
       for name in ("Dict", "List", "Tuple", "Set", "FrozenSet")},
    **{f"{module}.{name}": f"collections.abc.{name}" for module in ("typing", "typing_extensions")
       for name in ("Mapping", "MutableMapping", "Sequence", "MutableSequence", "Iterable",
                    "Iterator", "Collection", "Container", "Sized", "Hashable", "Reversible",
                    "MutableSet", "ByteString")},
    "typing.AbstractSet": "collections.abc.Set",
    "typing.Text": "builtins.str",
    "typing_extensions.Text": "builtins.str",
    "pathlib.PosixPath": "pathlib.Path",
    "pathlib.WindowsPath": "pathlib.Path",
    "_io.BytesIO": "io.BytesIO",
    "_io.StringIO": "io.StringIO",
}  # fmt: skip

# Calls that build a value of exactly one known type.
_CONSTRUCTORS = frozenset(
    {f"builtins.{name}" for name in ("dict", "list", "set", "frozenset", "tuple", "str", "bytes",
                                     "bytearray", "int", "float", "complex", "bool")}
    | {"io.BytesIO", "io.StringIO", "pathlib.Path"}
)  # fmt: skip

# In-memory files: their reads, writes and seeks never wait on a disk. A file object the
# tables type `io.IOBase` may be one of them.
IN_MEMORY_FILES = ("io.BytesIO", "io.StringIO")
NONBLOCKING_SUBTYPES = {"io.IOBase": IN_MEMORY_FILES}

# What every part of the process sees alike: a chain's conditions on them must agree.
_SHARED_SUBJECTS = frozenset({"sys.platform", "os.name", "sys.version_info"})


def type_name(name: str) -> str:
    return _TYPE_ALIASES.get(name, name)


# --- values -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Value:
    """What is known, where a call is made or a default is written, about a value."""

    literal: str | None = None  # repr of the exact value: "None", "'127.0.0.1'", "(3, 8)"
    kinds: tuple[str, ...] = ()  # the types it is an instance of, one of them; () unknown
    exact: bool = False  # the value's type is one of `kinds` itself, not a subclass
    truth: bool | None = None
    param: str | None = None  # the calling function's own parameter, as it came in

    @property
    def known(self) -> bool:
        return bool(self.literal is not None or self.kinds or self.truth is not None or self.param)

    def to_json(self) -> dict:
        data: dict = {}
        if self.literal is not None:
            data["v"] = self.literal
        if self.kinds:
            data["k"] = list(self.kinds)
        if self.exact:
            data["x"] = 1
        if self.truth is not None:
            data["t"] = int(self.truth)
        if self.param is not None:
            data["p"] = self.param
        return data

    @classmethod
    def from_json(cls, data: dict) -> Value:
        if not data:
            return UNKNOWN  # the most common value, and a frozen one to share
        truth = data.get("t")
        return cls(
            data.get("v"),
            tuple(data.get("k", ())),
            bool(data.get("x")),
            None if truth is None else bool(truth),
            data.get("p"),
        )

    def only_type(self) -> Value:
        """What is known of its type alone (an attribute's value may change; its type does not)."""
        return Value(kinds=self.kinds) if self.kinds and self.literal is None else Value()


UNKNOWN = Value()


@functools.lru_cache(maxsize=4096)
def _evaluate(text: str):
    return ast.literal_eval(text)


def literal_value(text: str) -> Value:
    value = _evaluate(text)
    return Value(text, (_type_of(value),), True, bool(value))


def _type_of(value) -> str:
    return "builtins.NoneType" if value is None else "builtins." + type(value).__name__


# --- deciding a literal -----------------------------------------------------------------------


def decide(literal: Literal, value: Value) -> bool | None:
    """Whether the literal holds for the value: True, False, or None when it cannot be told."""
    _, test, argument, negated = literal
    if value.literal is not None:
        result = _decide_exact(test, argument, _evaluate(value.literal))
    else:
        result = _decide_kinds(test, argument, value)
    return result if result is None or not negated else not result


def _decide_exact(test: str, argument, value) -> bool | None:
    if test == "truthy":
        return bool(value)
    if test == "is":
        return value is _evaluate(argument)
    if test == "eq":
        return value == _evaluate(argument)
    if test == "in":
        return any(value == _evaluate(item) for item in argument)
    if test in ("endswith", "startswith"):
        if not isinstance(value, str):
            return None
        return getattr(value, test)(tuple(argument))
    if test == "cmp":
        return _compare(value, argument) if isinstance(value, tuple) else None
    return _decide_kinds(test, argument, Value(kinds=(_type_of(value),), exact=True))


def _decide_kinds(test: str, argument, value: Value) -> bool | None:
    if test == "truthy":
        return False if value.kinds == ("builtins.NoneType",) else value.truth
    if not value.kinds:
        return None
    if test in ("isinstance", "type"):
        return _all_same(_instance(kind, value.exact, argument, test == "type") for kind in value.kinds)
    if test in ("is", "eq", "in"):
        operands = (argument,) if test != "in" else argument
        groups = {_EQUALITY_GROUPS.get(_type_of(_evaluate(item))) for item in operands}
        if any(_EQUALITY_GROUPS.get(kind) is None or _EQUALITY_GROUPS[kind] in groups for kind in value.kinds):
            return None
        return False
    return None


def _all_same(results) -> bool | None:
    found = set(results)
    return found.pop() if len(found) == 1 else None


def _instance(kind: str, exact: bool, types: tuple[str, ...], exact_type: bool) -> bool | None:
    """Whether a value whose type is `kind` (or, unless exact, a subclass of it) is an
    instance of one of `types` (`type(v) is t` when `exact_type`)."""
    bases = SUPERTYPES.get(kind, frozenset({kind, "builtins.object"}))
    if exact_type:
        if exact and kind in types:
            return True
    elif any(t in bases for t in types):
        return True
    # A builtin's relations to the known types are all listed; for a subclass of one
    # (a parameter annotated `dict`) only isinstance() is, not type().
    if (exact or (kind in _LAYOUTS and not exact_type)) and kind in SUPERTYPES and all(t in KNOWN_TYPES for t in types):
        return False
    layout = _LAYOUTS.get(kind)
    if layout is not None and all(_LAYOUTS.get(t) not in (None, layout) for t in types):
        return False
    return None


def _compare(version: tuple, argument) -> bool:
    operator, operand, prefix = argument
    left = version[:prefix] if prefix else version
    return {
        "<": left < operand,
        "<=": left <= operand,
        ">": left > operand,
        ">=": left >= operand,
        "==": left == operand,
        "!=": left != operand,
    }[operator]


# --- guards -----------------------------------------------------------------------------------


def negated(literal: Literal) -> Literal:
    subject, test, argument, negative = literal
    return (subject, test, argument, not negative)


def conjoin(*guards: Guard) -> Guard:
    found: list[Clause] = []
    for guard in guards:
        for clause in guard:
            if not clause:
                return _FALSE
            if clause not in found:
                found.append(clause)
    return tuple(found[:MAX_CLAUSES])


def disjoin(left: Guard, right: Guard) -> Guard:
    """`left or right`; an unknown side (the empty guard) makes the whole unknown."""
    if not left or not right:
        return ()
    found = []
    for a, b in itertools.product(left, right):
        clause = tuple(dict.fromkeys((*a, *b)))
        if len(clause) <= MAX_LITERALS and clause not in found:
            found.append(clause)
    return tuple(found[:MAX_CLAUSES])


def subjects(guard: Guard) -> set[str]:
    return {literal[0] for clause in guard for literal in clause}


def satisfiable(guard: Guard) -> bool:
    """False when the guard's single-literal clauses contradict each other about one subject
    (`x is None` and `x is not None`; `sys.platform == "win32"` and `!= "win32"`)."""
    units: dict[str, list[Literal]] = {}
    for clause in guard:
        if not clause:
            return False
        if len(clause) == 1:
            units.setdefault(clause[0][0], []).append(clause[0])
    for literals in units.values():
        if any(negated(literal) in literals for literal in literals):
            return False
        candidates = _candidates(literals)
        if candidates and not any(
            all(decide(literal, candidate) is not False for literal in literals) for candidate in candidates
        ):
            return False
    return True


def _candidates(literals: list[Literal]) -> list[Value]:
    """Values that between them cover every value the literals allow, when one literal pins
    the subject down to a few (`x == "a"`, `x in (...)`, `x is None`, a version range)."""
    versions: set[tuple] = set()
    for _, test, argument, negative in literals:
        if test == "cmp":
            operand = tuple(argument[1])
            above = (*operand[:-1], operand[-1] + 1) if operand else ()
            versions |= {operand, (*operand, 0), _just_below(operand), above}
        elif negative:
            continue
        elif test in ("eq", "is"):
            return [literal_value(argument)]
        elif test == "in":
            return [literal_value(item) for item in argument]
        elif test == "isinstance" and all(t in _LAYOUTS for t in argument):
            return [Value(kinds=(t,)) for t in argument]
    if versions:
        return [literal_value(repr(v)) for v in sorted(versions | {(0,), (99,)})]
    return []


def _just_below(version: tuple) -> tuple:
    if not version:
        return ()
    if version[-1] > 0:
        return (*version[:-1], version[-1] - 1, 999)
    return (*_just_below(version[:-1]), 999)


def to_json(guard: Guard) -> list:
    return [[[s, t, _listed(a), int(n)] for s, t, a, n in clause] for clause in guard]


def from_json(data: list) -> Guard:
    if not data:
        return ()  # most calls have no guard: spare the generators
    return tuple(tuple((s, t, _tupled(a), bool(n)) for s, t, a, n in clause) for clause in data)


def _listed(argument):
    return [_listed(a) for a in argument] if isinstance(argument, tuple) else argument


def _tupled(argument):
    return tuple(_tupled(a) for a in argument) if isinstance(argument, list) else argument


# --- reading conditions from the code ---------------------------------------------------------

_SIMPLE_STATEMENTS = NodeTypes("SimpleStatementLine", "SimpleStatementSuite")
_EXITS = NodeTypes("Return", "Raise", "Continue", "Break")
_LOOPS = NodeTypes("For", "While")
_TESTED = NodeTypes("If", "While", "IfExp")  # whose body runs only when the test holds
_FORKS = NodeTypes("If", "IfExp")  # whose orelse runs only when it does not
_SCOPES = NodeTypes("FunctionDef", "ClassDef", "Lambda", "CompFor")
# What _Rebinding._note looks at: bindings, and calls (of `self`'s methods).
_BINDING_NODES = NodeTypes(
    "Call", "Assign", "AnnAssign", "AugAssign", "NamedExpr", "For", "AsName", "Del", "Global", "Nonlocal"
)
# Nodes with no code below them.
_LEAVES = NodeTypes("Name", "Integer", "Float", "Imaginary", "SimpleString", "Ellipsis")
_COMPARISONS = {
    "Is": "is",
    "IsNot": "is not",
    "Equal": "==",
    "NotEqual": "!=",
    "In": "in",
    "NotIn": "not in",
    "LessThan": "<",
    "LessThanEqual": "<=",
    "GreaterThan": ">",
    "GreaterThanEqual": ">=",
}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_FALSE: Guard = ((),)  # no way to hold
_MAX_PROPERTY_DEPTH = 2


class ClassBody:
    """What a class's own body tells, read once per class: the attributes of `self` each
    method may set (through the methods of the class it calls on `self` too), and what a
    property returns when its body is one `return`."""

    def __init__(self, node: cst.ClassDef, ctx, property_decorators: frozenset[str]) -> None:
        self._methods = {s.name.value: s for s in node.body.body if isinstance(s, cst.FunctionDef)}
        self._ctx = ctx
        self._property_decorators = property_decorators
        self._writes: dict[str, frozenset[str] | None] | None = None
        self._scans: dict[int, _Rebinding] = {}

    def scan(self, method: cst.FunctionDef) -> _Rebinding:
        """The rebinding scan of one of the class's methods, made once."""
        found = self._scans.get(id(method))
        if found is None:
            found = self._scans[id(method)] = _Rebinding(method, _first_param(method), self)
        return found

    def writes(self, method: str | None) -> frozenset[str] | None:
        """The attributes a call of `self.method()` may set; None for any (a method this body
        does not define, or one that calls such a method)."""
        if self._writes is None:
            self._writes = self._all_writes()
        return self._writes.get(method) if method is not None else None

    def _all_writes(self) -> dict[str, frozenset[str] | None]:
        direct: dict[str, set[str]] = {}
        calls: dict[str, set[str | None]] = {}
        for name, method in self._methods.items():
            scan = self.scan(method)
            direct[name] = {s[2:] for s in scan.subjects() if s.startswith("a:")}
            calls[name] = scan.self_calls()
        found: dict[str, frozenset[str] | None] = {name: frozenset(d) for name, d in direct.items()}
        changed = True
        while changed:
            changed = False
            for name in self._methods:
                if found[name] is None:
                    continue
                total = set(found[name])
                for callee in calls[name]:
                    more = found.get(callee) if callee is not None else None
                    if more is None:
                        total = None
                        break
                    total |= more
                new = frozenset(total) if total is not None else None
                if new != found[name]:
                    found[name], changed = new, True
        return found

    def property_return(self, name: str) -> tuple[cst.BaseExpression, str] | None:
        """(the returned expression, the name of its `self`) for a property whose body is
        one `return` (after a docstring)."""
        method = self._methods.get(name)
        if method is None or not any(
            self._ctx.qualified_name(d.decorator) in self._property_decorators for d in method.decorators
        ):
            return None
        body = [s for s in method.body.body if not _is_docstring(s)]
        if len(body) != 1 or not isinstance(body[0], cst.SimpleStatementLine) or len(body[0].body) != 1:
            return None
        statement = body[0].body[0]
        self_name = _first_param(method)
        if not isinstance(statement, cst.Return) or statement.value is None or self_name is None:
            return None
        return statement.value, self_name


class Conditions:
    """Reads the conditions under which code in one function runs. `params` are the names of
    the function's parameters (subjects "p:"), `annotations` their annotations; `self_name`
    is its bound first parameter, whose attributes are subjects "a:"; `body` is its class's
    ClassBody, when it is a method."""

    def __init__(
        self,
        ctx,
        function: cst.FunctionDef,
        params: frozenset[str],
        self_name: str | None,
        annotations: dict[str, cst.BaseExpression],
        body: ClassBody | None = None,
        depth: int = 0,
    ) -> None:
        self._ctx = ctx
        self._function = function
        self._params = params
        self._self_name = self_name
        self._annotations = annotations
        self._body = body
        self._depth = depth
        self._rebinding: _Rebinding | None = None
        self._rebound: set[str] = set()  # the subjects rebound so far, as the walk goes
        self._self_called = False  # whether the walk has met a call of a method of `self`
        self._forwarded: dict[str, bool] = {}
        self._loop_bindings: dict[int, tuple[set[str], bool]] = {}
        self._tests: dict[tuple[int, bool, bool], Guard] = {}  # every call under a test shares it
        self._exits: dict[tuple[int, bool], list[Guard]] = {}  # per statement: what those before establish

    # --- the path to a node ---

    def at(self, node: cst.CSTNode, parents: list[cst.CSTNode]) -> Guard:
        """What must hold for `node` (whose enclosing nodes are `parents`) to run, as far as
        the function's own tests tell, about the subjects as the function received them."""
        return self._path(node, parents, as_received=True)

    def _path(self, node, parents, as_received: bool) -> Guard:
        found: list[Guard] = []
        child = node
        # By exact type, as these node classes have no subclasses: isinstance goes through
        # ABCMeta for libcst's nodes, and this runs for every level above every call.
        tests, forks, boolean, block = _TESTED(), _FORKS(), cst.BooleanOperation, cst.IndentedBlock
        for holder in reversed(parents):
            if holder is self._function:
                break
            kind = type(holder)
            if kind in tests and child is holder.body:
                found.append(self._test(holder.test, True, parents, as_received))
            elif kind in forks and child is holder.orelse:
                found.append(self._test(holder.test, False, parents, as_received))
            elif kind is boolean and child is holder.right:
                found.append(self._test(holder.left, isinstance(holder.operator, cst.And), parents, as_received))
            elif kind is block:
                key = (id(child), as_received)
                if key not in self._exits:
                    self._exits[key] = self._after(holder.body, child, parents, as_received)
                found.extend(self._exits[key])
            child = holder
        return conjoin(*found)

    def _after(self, body, statement, parents, as_received: bool) -> list[Guard]:
        """What the statements before `statement` in its block establish: an `if` whose body
        always leaves the block (`return`, `raise`, `continue`, `break`) means its test is
        false after it (also each leading `elif` that leaves), and `assert test` means true."""
        found = []
        for earlier in body:
            if earlier is statement:
                break
            if isinstance(earlier, cst.If):
                branch = earlier
                while isinstance(branch, cst.If) and _leaves(branch.body):
                    found.append(self._test(branch.test, False, parents, as_received))
                    branch = branch.orelse
            elif isinstance(earlier, _SIMPLE_STATEMENTS()):
                for small in earlier.body:
                    if isinstance(small, cst.Assert):
                        found.append(self._test(small.test, True, parents, as_received))
        return found

    def _test(self, test, outcome: bool, parents, as_received: bool) -> Guard:
        key = (id(test), outcome, as_received)
        found = self._tests.get(key)
        if found is None:
            when_true, when_false = self.read(test)
            found = when_true if outcome else when_false
            if found and as_received:
                found = self.as_received(found, test)
            self._tests[key] = found
        return found

    def value(self, expr, node, walking: bool = True) -> Value:
        """What `expr`, evaluated at `node`, passes on: a parameter the function has not
        rebound before is itself (with the types its annotation allows); see `value_of`.
        `walking`: the walk is at `node`, so what it noted so far may tell (see `_unchanged`)."""
        if isinstance(expr, cst.Name) and expr.value in self._params:
            subject = "p:" + expr.value
            if not (walking and self._unchanged({subject})) and self._rebindings().before(subject, node):
                return UNKNOWN
            annotation = self._annotations.get(expr.value)
            kinds = annotation_kinds(annotation, self._ctx) if annotation is not None else ()
            return Value(kinds=kinds, param=expr.value)
        return value_of(expr, self._ctx)

    def note_binding(self, node) -> None:
        """The walk has reached `node`: the subjects it rebinds count as rebound from here."""
        for target in bound_targets(node):
            self._rebound.update(target_subjects(target, self._params, self._self_name))

    def note_self_call(self) -> None:
        """The walk has reached a call of a method of `self`, which may set any attribute."""
        self._self_called = True

    def _unchanged(self, subjects_: set[str]) -> bool:
        """Whether, where the walk is, none of the subjects can have been rebound yet: the
        walk has met no rebinding of them (nor, for attributes, a call of a method of
        `self`), and the loop around it, if any, has none either (a later one in the loop
        runs before the next turn). Reading the whole body (`_Rebinding`) is needed only
        when this fails."""
        loop = next((frame.node for frame in self._ctx.loops if isinstance(frame.node, _LOOPS())), None)
        rebound, self_called = self._rebound, self._self_called
        if loop is not None:
            in_loop, calls_in_loop = self._bound_in(loop)
            rebound, self_called = rebound | in_loop, self_called or calls_in_loop
        return not any(s in rebound or (s.startswith("a:") and self_called) for s in subjects_)

    def _bound_in(self, loop) -> tuple[set[str], bool]:
        """What a loop's body rebinds, and whether it calls a method of `self`."""
        from asynclint.analysis.walker import children

        found = self._loop_bindings.get(id(loop))
        if found is None:
            bound: set[str] = set()
            calls = False
            pending: list[cst.CSTNode] = [loop]
            while pending:
                node = pending.pop()
                for target in bound_targets(node):
                    bound.update(target_subjects(target, self._params, self._self_name))
                if isinstance(node, cst.Call) and self._self_name is not None:
                    calls = calls or _method_of_self(node.func, self._self_name) is not False
                if not isinstance(node, _SCOPES()):
                    pending.extend(children(node))
            found = self._loop_bindings[id(loop)] = (bound, calls)
        return found

    def forwards(self, name: str) -> bool:
        """Whether the function's `**name` reaches its calls unchanged: used only as `**name`."""
        if name not in self._forwarded:
            self._forwarded[name] = _only_unpacked(self._function, name)
        return self._forwarded[name]

    # --- tests ---

    def read(self, expr, depth: int = 0) -> tuple[Guard, Guard]:
        """(what holds when `expr` is true, what holds when it is false); () for unknown."""
        if isinstance(expr, cst.BooleanOperation):
            left, right = self.read(expr.left, depth), self.read(expr.right, depth)
            if isinstance(expr.operator, cst.And):
                return conjoin(left[0], right[0]), disjoin(left[1], right[1])
            return disjoin(left[0], right[0]), conjoin(left[1], right[1])
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Not):
            when_true, when_false = self.read(expr.expression, depth)
            return when_false, when_true
        if isinstance(expr, cst.Comparison) and len(expr.comparisons) == 1:
            literal = self._comparison(expr.left, expr.comparisons[0])
        elif isinstance(expr, cst.Call):
            literal = self._call_test(expr)
        else:
            subject = self.subject(expr)
            if subject is None:
                return self._alias(expr, depth)
            if subject.startswith("a:"):
                expanded = self._property(subject[2:])
                if expanded is not None:
                    return expanded
            literal = (subject, "truthy", None, False)
        if literal is None:
            return (), ()
        return ((literal,),), ((negated(literal),),)

    def _property(self, name: str) -> tuple[Guard, Guard] | None:
        """`self.should_reload` for a property of the class that returns
        `isinstance(self.app, str) and self.reload`: that test, about the same object."""
        found = self._body.property_return(name) if self._body is not None else None
        if found is None or self._depth >= _MAX_PROPERTY_DEPTH:
            return None
        expr, self_name = found
        getter = Conditions(self._ctx, self._function, frozenset(), self_name, {}, self._body, self._depth + 1)
        when_true, when_false = getter.read(expr)
        if not when_true and not when_false:
            return None
        if not all(s.startswith(("a:", "g:")) for s in subjects(when_true) | subjects(when_false)):
            return None
        return when_true, when_false

    def _alias(self, expr, depth: int) -> tuple[Guard, Guard]:
        """A module-level name bound to a test of the process (`WINDOWS = sys.platform ==
        "win32"`): the test it stands for."""
        if depth or not isinstance(expr, cst.Name):
            return (), ()
        scope = self._ctx.scope
        while scope.parent is not None and expr.value not in scope.names:
            scope = scope.parent
        binding = scope.names.get(expr.value) if scope.kind == "module" else None
        origin = binding.origin if binding is not None else None
        if isinstance(origin, (cst.Comparison, cst.BooleanOperation, cst.UnaryOperation, cst.Call)):
            when_true, when_false = self.read(origin, depth + 1)
            if subjects(when_true) | subjects(when_false) <= {"g:" + s for s in _SHARED_SUBJECTS}:
                return when_true, when_false
        return (), ()

    def subject(self, expr) -> str | None:
        if isinstance(expr, cst.Name):
            if expr.value in self._params:
                return "p:" + expr.value
        elif (
            isinstance(expr, cst.Attribute)
            and self._self_name is not None
            and isinstance(expr.value, cst.Name)
            and expr.value.value == self._self_name
        ):
            return "a:" + expr.attr.value
        if isinstance(expr, (cst.Name, cst.Attribute)):
            name = self._ctx.qualified_name(expr)
            if name in _SHARED_SUBJECTS:
                return "g:" + name
        return None

    def _comparison(self, left, target) -> Literal | None:
        operator = _COMPARISONS.get(type(target.operator).__name__)
        right = target.comparator
        if operator is None:
            return None
        if isinstance(left, cst.Call) and _is_call_of(left, "builtins.type", self._ctx):
            return self._type_test(left, operator, right)
        subject, prefix = self._version_side(left)
        other = right
        if subject is None:
            subject, prefix = self._version_side(right)
            operator, other = _FLIPPED.get(operator, operator), left
        if subject is not None:
            version = literal_text(other)
            if operator not in _FLIPPED or version is None or not _is_version(_evaluate(version)):
                return None
            return (subject, "cmp", (operator, _evaluate(version), prefix), False)
        subject, other = self.subject(left), right
        if subject is None and operator in ("is", "is not", "==", "!="):
            subject, other = self.subject(right), left
        if subject is None:
            return None
        if operator in ("in", "not in"):
            items = _literal_items(other)
            return (subject, "in", items, operator == "not in") if items is not None else None
        text = literal_text(other)
        if text is None:
            return None
        if operator in ("is", "is not"):
            if text not in ("None", "True", "False"):
                return None
            return (subject, "is", text, operator == "is not")
        if operator in ("==", "!="):
            return (subject, "eq", text, operator == "!=")
        return None

    def _version_side(self, expr) -> tuple[str | None, int]:
        """`sys.version_info` or `sys.version_info[:n]`: (its subject, n)."""
        prefix = 0
        if isinstance(expr, cst.Subscript) and len(expr.slice) == 1:
            part = expr.slice[0].slice
            if not (
                isinstance(part, cst.Slice)
                and part.lower is None
                and part.step is None
                and isinstance(part.upper, cst.Integer)
            ):
                return None, 0
            prefix, expr = part.upper.evaluated_value, expr.value
        if isinstance(expr, cst.Attribute) and self._ctx.qualified_name(expr) == "sys.version_info":
            return "g:sys.version_info", prefix
        return None, 0

    def _type_test(self, call: cst.Call, operator: str, right) -> Literal | None:
        if operator not in ("is", "is not", "==", "!=") or len(call.args) != 1:
            return None
        subject = self.subject(call.args[0].value)
        types = self._types(right)
        if subject is None or types is None:
            return None
        return (subject, "type", types, operator in ("is not", "!="))

    def _call_test(self, call: cst.Call) -> Literal | None:
        args = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
        if len(args) != len(call.args):
            return None
        if _is_call_of(call, "builtins.isinstance", self._ctx) and len(args) == 2:
            subject, types = self.subject(args[0]), self._types(args[1])
            return (subject, "isinstance", types, False) if subject and types is not None else None
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in ("startswith", "endswith") and len(args) == 1:
            subject = self.subject(func.value)
            single = literal_text(args[0])
            items = _literal_items(args[0]) or ((single,) if single is not None else None)
            if subject is None or items is None:
                return None
            strings = [_evaluate(item) for item in items]
            if not all(isinstance(s, str) for s in strings):
                return None
            return (subject, func.attr.value, tuple(strings), False)
        return None

    def _types(self, expr) -> tuple[str, ...] | None:
        """The qualified names of the classes an isinstance() test names ("?" for a class it
        cannot name), or None when they are not written out."""
        elements = [el.value for el in expr.elements] if isinstance(expr, cst.Tuple) else [expr]
        if not elements or any(not isinstance(el, (cst.Name, cst.Attribute)) for el in elements):
            return None
        names = []
        for element in elements:
            if isinstance(element, cst.Name) and element.value == "None":
                return None
            name = self._ctx.qualified_name(element)
            names.append(type_name(name) if name else "?")
        return tuple(names)

    # --- what the function rebinds ---

    def as_received(self, guard: Guard, node) -> Guard:
        """The guard, read at `node`, about the subjects as the function received them. A
        subject last set by a plain assignment of the body before `node` (`self.reload =
        reload`) holds that value: the literal is decided by it, or becomes one about the
        parameter it copies. A subject otherwise rebound before `node` widens each literal
        about it to "the literal, or the condition under which a rebinding ran" (unknown
        when that is unknown)."""
        if self._unchanged(subjects(guard)):
            return guard
        rebinding = self._rebindings()
        order = rebinding.order(node)
        result: list[Clause] = []
        for clause in guard:
            alternatives = _FALSE
            for literal in clause:
                rebinds = rebinding.before(literal[0], node)
                alternatives = disjoin(alternatives, self._received(literal, rebinds, order))
                if not alternatives:
                    break
            result.extend(alternatives)
        return conjoin(tuple(result))

    def _received(self, literal: Literal, rebinds: list[_Assignment], order: int) -> Guard:
        if not rebinds:
            return ((literal,),)
        latest = max(rebinds, key=lambda r: r.order)
        if latest.value is not None and latest.order < order:
            value = self.value(latest.value, latest.node, walking=False)
            decided = decide(literal, value)
            if decided is not None:
                return () if decided else _FALSE
            return ((("p:" + value.param, *literal[1:]),),) if value.param is not None else ()
        widened: Guard = ((literal,),)
        for rebind in rebinds:
            parents = self._rebindings().parents_of(rebind.node)
            widened = disjoin(widened, self._path(rebind.node, parents, as_received=False))
            if not widened:
                break
        return widened

    def _rebindings(self) -> _Rebinding:
        if self._rebinding is None:
            if self._body is not None and self._self_name is not None:
                self._rebinding = self._body.scan(self._function)
            else:
                self._rebinding = _Rebinding(self._function, self._self_name, self._body)
        return self._rebinding


def _is_version(value) -> bool:
    return isinstance(value, tuple) and all(type(part) is int for part in value)


def _leaves(body) -> bool:
    """Whether a block always leaves where it ends: its last statement returns, raises,
    continues or breaks."""
    last = body.body[-1] if body.body else None
    if isinstance(last, _SIMPLE_STATEMENTS()):
        last = last.body[-1] if last.body else None
    return isinstance(last, _EXITS())


def _is_call_of(call: cst.Call, name: str, ctx) -> bool:
    return isinstance(call.func, cst.Name) and ctx.qualified_name(call.func) == name


def _first_param(method: cst.FunctionDef) -> str | None:
    positional = [*method.params.posonly_params, *method.params.params]
    return positional[0].name.value if positional else None


def _only_unpacked(function: cst.FunctionDef, name: str) -> bool:
    """Whether every use of `name` in the function's body is a `**name` argument."""
    from asynclint.analysis.walker import children

    uses, unpacked = 0, 0
    pending: list[cst.CSTNode] = [function.body]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Name):
            uses += node.value == name
        elif isinstance(node, cst.Arg) and node.star == "**" and isinstance(node.value, cst.Name):
            unpacked += node.value.value == name
        pending.extend(children(node))
    return uses == unpacked


def _is_docstring(statement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


@dataclass(frozen=True, slots=True)
class _Assignment:
    """A place that may rebind a subject; `value` is what a plain assignment (a statement of
    the function's own body, one target) binds it to."""

    node: cst.CSTNode
    order: int
    loops: frozenset[int]
    value: cst.BaseExpression | None = None
    method: str | None = None  # for a call of a method of `self`: its name (None: `super()`)


class _Rebinding:
    """Every place a function's body may rebind a subject: assignments to a parameter or to a
    `self` attribute, and calls of methods of `self` for the attributes those may set (all of
    them, without a ClassBody to tell). Nested functions and classes are their own scopes.
    One pass over the body numbers its nodes in source order and notes the loops around each."""

    def __init__(self, function: cst.FunctionDef, self_name: str | None, body: ClassBody | None) -> None:
        from asynclint.analysis.walker import children

        self._function = function
        self._self_name, self._body = self_name, body
        self._order: dict[int, int] = {}
        self._loops: dict[int, frozenset[int]] = {}
        self._parent: dict[int, cst.CSTNode] = {id(function.body): function}
        self._by_subject: dict[str, list[_Assignment]] = {}
        self._self_calls: list[_Assignment] = []
        loop_types, scope_types, binding_types = (frozenset(t()) for t in (_LOOPS, _SCOPES, _BINDING_NODES))
        leaf_types = frozenset(_LEAVES())
        order, parent, loops_of = self._order, self._parent, self._loops
        pending: list[tuple[cst.CSTNode, frozenset[int]]] = [(function.body, frozenset())]
        while pending:
            node, loops = pending.pop()
            node_id = id(node)
            order[node_id] = len(order)
            loops_of[node_id] = loops
            kind = type(node)
            if kind in leaf_types:
                continue
            if kind in binding_types:
                self._note(node, loops, order[node_id])
            if kind in scope_types:
                continue
            inner = loops | {node_id} if kind in loop_types else loops
            for child in reversed(list(children(node))):
                parent[id(child)] = node
                pending.append((child, inner))

    def order(self, node) -> int:
        return self._order.get(id(node), 0)

    def parents_of(self, node) -> list[cst.CSTNode]:
        """The nodes around `node`, outermost first, from the function down."""
        found = []
        current = self._parent.get(id(node))
        while current is not None:
            found.append(current)
            if current is self._function:
                break
            current = self._parent.get(id(current))
        return found[::-1]

    def subjects(self) -> set[str]:
        return set(self._by_subject)

    def self_calls(self) -> set[str | None]:
        return {call.method for call in self._self_calls}

    def before(self, subject: str, node) -> list[_Assignment]:
        """The rebindings of `subject` that may run before `node`: earlier in the body, or in
        a loop around it."""
        if subject.startswith("g:"):
            return []
        order = self.order(node)
        loops = self._loops.get(id(node), frozenset())
        candidates = self._by_subject.get(subject, [])
        if subject.startswith("a:"):
            name = subject[2:]
            candidates = candidates + [
                call for call in self._self_calls if (written := self._writes(call.method)) is None or name in written
            ]
        return [a for a in candidates if a.order < order or a.loops & loops]

    def _writes(self, method: str | None) -> frozenset[str] | None:
        return self._body.writes(method) if self._body is not None else None

    def _note(self, node, loops: frozenset[int], order: int) -> None:
        if isinstance(node, cst.Call) and self._self_name is not None:
            method = _method_of_self(node.func, self._self_name)
            if method is not False:
                self._self_calls.append(_Assignment(node, order, loops, method=method))
            return
        targets = bound_targets(node)
        value = None
        if isinstance(node, (cst.Assign, cst.AnnAssign)) and len(targets) == 1 and self._plain(node):
            value = node.value
        for target in targets:
            for subject in target_subjects(target, None, self._self_name):
                self._by_subject.setdefault(subject, []).append(_Assignment(node, order, loops, value))

    def _plain(self, node) -> bool:
        """A statement of the function's own body: def > block > line > assignment."""
        line = self._parent.get(id(node))
        block = self._parent.get(id(line)) if line is not None else None
        return block is not None and self._parent.get(id(block)) is self._function

def _method_of_self(func, self_name: str) -> str | None | bool:
    """The method name `self.name(...)` calls; None for `super().name(...)`; False for any
    other call."""
    if not isinstance(func, cst.Attribute):
        return False
    receiver = func.value
    if isinstance(receiver, cst.Name) and receiver.value == self_name:
        return func.attr.value
    if isinstance(receiver, cst.Call) and isinstance(receiver.func, cst.Name) and receiver.func.value == "super":
        return None
    return False


def bound_targets(node) -> list[cst.BaseExpression]:
    """What a statement or expression (re)binds: assignment, `for`, `as`, walrus and `del`
    targets, and the names of `global`/`nonlocal`."""
    if isinstance(node, cst.Assign):
        return [t.target for t in node.targets]
    if isinstance(node, cst.AnnAssign):
        return [node.target] if node.value is not None else []
    if isinstance(node, (cst.AugAssign, cst.NamedExpr, cst.For)):
        return [node.target]
    if isinstance(node, cst.AsName):
        return [node.name]
    if isinstance(node, (cst.WithItem, cst.ExceptHandler)):  # as the walk meets them: their `as`
        alias = node.asname if isinstance(node, cst.WithItem) else node.name
        return [alias.name] if alias is not None else []
    if isinstance(node, cst.Del):
        return [node.target]
    if isinstance(node, (cst.Global, cst.Nonlocal)):
        return [item.name for item in node.names]
    return []


def target_subjects(target, params: frozenset[str] | None, self_name: str | None) -> list[str]:
    """The subjects an assignment target rebinds: parameters ("p:"; any name for None) and
    `self` attributes ("a:")."""
    if isinstance(target, cst.Name):
        return ["p:" + target.value] if params is None or target.value in params else []
    if isinstance(target, (cst.Tuple, cst.List)):
        return [s for el in target.elements for s in target_subjects(el.value, params, self_name)]
    if isinstance(target, cst.StarredElement):
        return target_subjects(target.value, params, self_name)
    if (
        isinstance(target, cst.Attribute)
        and self_name is not None
        and isinstance(target.value, cst.Name)
        and target.value.value == self_name
    ):
        return ["a:" + target.attr.value]
    return []


# --- values in the code -----------------------------------------------------------------------


def literal_text(expr) -> str | None:
    """The repr of a literal's value (`None`, `"x"`, `-1`, `(3, 8)`), or None."""
    value = _literal(expr)
    return repr(value) if value is not _NOT_LITERAL else None


_NOT_LITERAL = object()
_NAMED_LITERALS = {"None": None, "True": True, "False": False}


def _literal(expr):
    # By exact type (these node classes have no subclasses), sparing ABCMeta's isinstance:
    # every argument of every call a summary keeps comes here.
    kind = type(expr)
    if kind is cst.Name:
        return _NAMED_LITERALS.get(expr.value, _NOT_LITERAL)
    if kind is cst.Integer or kind is cst.Float:
        value = expr.evaluated_value
        return value if math.isfinite(value) else _NOT_LITERAL
    if kind is cst.SimpleString or kind is cst.ConcatenatedString:
        value = expr.evaluated_value
        return value if isinstance(value, (str, bytes)) else _NOT_LITERAL
    if kind is cst.UnaryOperation and type(expr.operator) is cst.Minus:
        inner = _literal(expr.expression)
        return -inner if isinstance(inner, (int, float)) and not isinstance(inner, bool) else _NOT_LITERAL
    if kind is cst.Tuple:
        items = [_literal(el.value) for el in expr.elements]
        ok = all(item is not _NOT_LITERAL for item in items) and not any(
            isinstance(el, cst.StarredElement) for el in expr.elements
        )
        return tuple(items) if ok else _NOT_LITERAL
    return _NOT_LITERAL


def _literal_items(expr) -> tuple[str, ...] | None:
    if not isinstance(expr, (cst.Tuple, cst.List, cst.Set)):
        return None
    items = tuple(literal_text(el.value) for el in expr.elements if not isinstance(el, cst.StarredElement))
    if len(items) != len(expr.elements) or None in items:
        return None
    return items


_DISPLAYS = {
    "Dict": "builtins.dict",
    "List": "builtins.list",
    "Set": "builtins.set",
    "Tuple": "builtins.tuple",
    "DictComp": "builtins.dict",
    "ListComp": "builtins.list",
    "SetComp": "builtins.set",
    "FormattedString": "builtins.str",
}


def value_of(expr, ctx, params: frozenset[str] = frozenset(), depth: int = 0) -> Value:
    """What `expr` evaluates to, as far as it shows: a literal, a display, a known
    constructor, a parameter of the function (`params`), or a name bound to one of these."""
    text = literal_text(expr)
    if text is not None:
        return literal_value(text)
    kind = _DISPLAYS.get(type(expr).__name__)
    if kind is not None:
        elements = getattr(expr, "elements", None)
        truth = None
        unpacked = (cst.StarredElement, cst.StarredDictElement)
        if elements is not None and not any(isinstance(el, unpacked) for el in elements):
            truth = bool(elements)
        return Value(kinds=(kind,), exact=True, truth=truth)
    if isinstance(expr, cst.Call):
        name = ctx.callee(expr)
        if name is not None and type_name(ctx.canonical(name)) in _CONSTRUCTORS:
            return Value(kinds=(type_name(ctx.canonical(name)),), exact=True)
        return UNKNOWN
    if isinstance(expr, cst.Lambda):
        return Value(kinds=("builtins.function",), exact=True, truth=True)
    if isinstance(expr, cst.Name):
        if expr.value in params:
            return Value(param=expr.value)
        binding = ctx.scope.lookup(expr.value)
        definition = binding.definition if binding is not None else None
        if definition is not None and not definition.decorators:  # a decorator may return anything
            if isinstance(definition, cst.FunctionDef):
                return Value(kinds=("builtins.function",), exact=True, truth=True)
            return Value(kinds=("builtins.type",), truth=True)
        if binding is not None and binding.origin is not None and depth == 0 and binding.origin is not expr:
            return value_of(binding.origin, ctx, depth=1)
    return UNKNOWN


def annotation_kinds(annotation, ctx) -> tuple[str, ...]:
    """The types a parameter annotation allows (`dict[str, Any]`, `str | None`,
    `Optional[Mapping]`), when each is named; () when any is not."""
    if isinstance(annotation, (cst.SimpleString, cst.ConcatenatedString)):
        quoted = annotation.evaluated_value
        if not isinstance(quoted, str):
            return ()
        try:
            return annotation_kinds(cst.parse_expression(quoted.strip()), ctx)
        except cst.ParserSyntaxError:
            return ()
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        left, right = annotation_kinds(annotation.left, ctx), annotation_kinds(annotation.right, ctx)
        return tuple(dict.fromkeys((*left, *right))) if left and right else ()
    if isinstance(annotation, cst.Name) and annotation.value == "None":
        return ("builtins.NoneType",)
    if isinstance(annotation, cst.Subscript):
        wrapper = ctx.qualified_name(annotation.value)
        members = [el.slice.value for el in annotation.slice if isinstance(el.slice, cst.Index)]
        if wrapper in ("typing.Optional", "typing_extensions.Optional") and len(members) == 1:
            inner = annotation_kinds(members[0], ctx)
            return (*inner, "builtins.NoneType") if inner else ()
        if wrapper in ("typing.Union", "typing_extensions.Union"):
            found = [annotation_kinds(m, ctx) for m in members]
            return tuple(dict.fromkeys(k for kinds in found for k in kinds)) if all(found) else ()
        if wrapper in _QUALIFIERS and members:
            return annotation_kinds(members[0], ctx)
        return _named_kind(annotation.value, ctx)
    return _named_kind(annotation, ctx)


_QUALIFIERS = frozenset(
    f"{module}.{name}" for module in ("typing", "typing_extensions") for name in ("Annotated", "ClassVar", "Final")
)


def _named_kind(expr, ctx) -> tuple[str, ...]:
    name = ctx.qualified_name(expr) if isinstance(expr, (cst.Name, cst.Attribute)) else None
    if name is None or name in _QUALIFIERS or name in ("typing.Any", "typing_extensions.Any", "builtins.object"):
        return ()
    return (type_name(ctx.canonical(name)),)
