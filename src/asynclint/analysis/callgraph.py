"""The second phase of ASY109: join the per-file summaries into a call graph of the project's
own functions, find the sync functions that may block (directly, or through the functions
they call: a fixed point, computed as a breadth-first search backwards from the blocking
calls, so cycles end by themselves and every chain found is a shortest one), and list the
calls that async functions make to them.

Names are resolved by module path: a file's module comes from its path (modules.py), a
relative name is made absolute against it, and a dotted name is looked up as the longest
module prefix plus a name defined (or imported, for re-exports) in that module. Methods called
on `self`/`cls`/`super()` are looked up in the class and then its bases, depth first, left to
right, among the project's own classes.

Summaries are needed only for the functions reachable from an async function, so the files
that the first phase did not summarize (it skips files without `async`) are asked for on
demand: `explore()` returns the files it needs, the caller summarizes them and asks again.
A file whose summary turns out damaged when the walk reads a function's body (summaries read
from the cache decode bodies lazily, summary.py) is dropped and asked for the same way.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterable

from asynclint.analysis.modules import ModulePath, absolute_name
from asynclint.analysis.summary import (
    ATTRIBUTE,
    DOTTED,
    LOCAL,
    PLAIN,
    PROPERTY,
    SELF,
    SUPER,
    ClassSummary,
    DamagedSummary,
    FileSummary,
    FunctionSummary,
    Site,
)
from asynclint.analysis.guards import UNKNOWN, Value, conjoin, decide, satisfiable

_MAX_ALIAS_DEPTH = 8


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of a chain: in `path`, function `function` makes the call `text` (site
    `site`). The last hop is the blocking call itself, with its rule's code."""

    path: str
    site: int
    text: str
    code: str | None = None
    function: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    path: str  # the file of the async function
    site: Site  # its call of a sync helper that may block
    function: str  # the async function's qualname
    chain: tuple[Hop, ...]  # the calls from the helper down to the blocking call


class _File:
    __slots__ = ("path", "module", "summary", "functions", "classes")

    def __init__(self, path: str, module: ModulePath, summary: FileSummary) -> None:
        self.path = path
        self.module = module
        self.summary = summary
        self.functions: dict[str, FunctionSummary] = {}
        for function in summary.functions:
            self.functions[function.qualname] = function
        self.classes: dict[str, ClassSummary] = {c.qualname: c for c in summary.classes}


Key = tuple[str, str]  # (path, function qualname)


class CallGraph:
    def __init__(
        self,
        modules: dict[str, ModulePath],
        blocking_codes: Iterable[str],
        reports_in: Callable[[str], bool],
    ) -> None:
        """`modules`: every checked file's module; `blocking_codes`: the codes whose calls
        count as blocking (those enabled); `reports_in(path)`: whether ASY109 reports in a file."""
        self._modules = modules
        self._codes = frozenset(blocking_codes)
        self._reports_in = reports_in
        self._files: dict[str, _File | None] = {}
        self._by_name: dict[str, list[str]] = {}
        for path, module in sorted(modules.items()):
            if module.name:
                self._by_name.setdefault(module.name, []).append(path)
        self._needs: set[str] = set()
        self._damaged: set[str] = set()  # files whose summaries the walk found damaged
        self._dropped: set[str] = set()  # files dropped so, once each
        self._memo: dict[tuple, object] = {}
        self._callees: dict[Key, list[tuple[Site, Key]]] = {}
        self._root_functions: list[tuple[str, FunctionSummary]] | None = None

    # --- summaries ----------------------------------------------------------------------

    def add(self, path: str, summary: FileSummary | None) -> None:
        """A file's summary; None for a file that has none (it could not be parsed)."""
        module = self._modules.get(path)
        self._files[path] = _File(path, module, summary) if summary is not None and module else None
        self._forget()

    def _forget(self) -> None:
        """Drop what was worked out from the summaries held, when they change."""
        self._memo.clear()
        self._callees.clear()
        self._root_functions = None

    def _file(self, path: str) -> _File | None:
        if path not in self._files:
            self._needs.add(path)
            return None
        return self._files[path]

    # --- resolution ---------------------------------------------------------------------

    def _module_file(self, name: str, near: str) -> str | None:
        paths = self._by_name.get(name)
        if not paths:
            return None
        if len(paths) == 1:
            return paths[0]
        # The same module name in two places (scripts in different directories, a .py and
        # its .pyi): the one beside the importing file, as Python's sys.path[0] would give.
        root = self._modules[near].root
        close = [p for p in paths if self._modules[p].root == root] or paths
        sources = [p for p in close if p.endswith(".py")] or close
        return sources[0] if len(sources) == 1 else None

    def _resolve_dotted(self, name: str, near: str, depth: int = 0):
        """What an absolute dotted name stands for: ("function", key), ("class", key), None.
        The same wherever it is written under the same root (see `_module_file`)."""
        memo_key = ("dotted", name, self._modules[near].root, depth)
        if memo_key in self._memo:
            return self._memo[memo_key]
        resolved = None
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            path = self._module_file(".".join(parts[:end]), near)
            if path is not None:
                resolved = self._resolve_in(path, parts[end:], depth) if end < len(parts) else None
                break
        self._memo[memo_key] = resolved
        return resolved

    def _resolve_in(self, path: str, parts: list[str], depth: int):
        file = self._file(path)
        if file is None:
            return None
        local = ".".join(parts)
        if local in file.functions:
            return ("function", (path, local))
        if local in file.classes:
            return ("class", (path, local))
        if len(parts) >= 2:
            owner = self._resolve_in(path, parts[:-1], depth)
            if owner is not None and owner[0] == "class":
                method = self._method(owner[1], parts[-1], skip_own=False)
                return ("function", method) if method is not None else None
        bound = file.summary.names.get(parts[0])
        if bound is not None and depth < _MAX_ALIAS_DEPTH:
            target = absolute_name(bound, file.module)
            if target is not None:
                return self._resolve_dotted(".".join([target, *parts[1:]]), path, depth + 1)
        return None

    def _bases(self, key: Key) -> list[Key]:
        path, qualname = key
        file = self._file(path)
        found = []
        for kind, target in file.classes[qualname].bases if file is not None else ():
            resolved = self._reference(kind, target, path)
            if resolved is not None and resolved[0] == "class":
                found.append(resolved[1])
        return found

    def _mro(self, key: Key) -> tuple[Key, ...]:
        """The class and its bases, depth first, left to right (asked once per method name
        looked up in it, so kept)."""
        memo_key = ("mro", key)
        if memo_key in self._memo:
            return self._memo[memo_key]
        order: list[Key] = []
        pending = [key]
        while pending:
            current = pending.pop()
            if current in order:
                continue
            order.append(current)
            pending.extend(reversed(self._bases(current)))
        self._memo[memo_key] = found = tuple(order)
        return found

    def _method(self, cls: Key, name: str, skip_own: bool) -> Key | None:
        memo_key = ("method", cls, name, skip_own)
        if memo_key in self._memo:
            return self._memo[memo_key]
        found = None
        for path, qualname in self._mro(cls)[1 if skip_own else 0 :]:
            file = self._files.get(path)
            if file is not None and f"{qualname}.{name}" in file.functions:
                found = (path, f"{qualname}.{name}")
                break
        self._memo[memo_key] = found
        return found

    def _reference(self, kind: str, target: str, path: str):
        memo_key = (kind, target, path)
        if memo_key in self._memo:
            return self._memo[memo_key]
        resolved = None
        if kind == LOCAL:
            resolved = self._resolve_in(path, target.split("."), 0)
        elif kind == DOTTED:
            file = self._files.get(path)
            name = absolute_name(target, file.module) if file is not None else None
            if name is not None:
                resolved = self._resolve_dotted(name, path)
        self._memo[memo_key] = resolved
        return resolved

    def callee(self, path: str, function: FunctionSummary, site: Site) -> Key | None:
        """The project function a site calls, when it is a sync function the call runs."""
        if site.kind in (SELF, SUPER, ATTRIBUTE):
            if function.cls is None:
                return None
            key = self._method((path, function.cls), site.target, skip_own=site.kind == SUPER)
        else:
            resolved = self._reference(site.kind, site.target, path)
            if resolved is None:
                return None
            key = resolved[1]
            if resolved[0] == "class":  # a constructor call runs __init__
                key = self._method(key, "__init__", skip_own=False)
        if key is None:
            return None
        callee = self._files[key[0]].functions[key[1]]
        if callee.is_async or callee.kind != (PROPERTY if site.kind == ATTRIBUTE else PLAIN):
            return None
        if callee.is_generator and not site.consumed:
            return None  # a generator runs its body only as it is consumed, elsewhere
        return key

    # --- the graph ------------------------------------------------------------------------

    def _roots(self) -> list[tuple[str, FunctionSummary]]:
        """The async functions of the files ASY109 reports in (explore and findings both ask)."""
        if self._root_functions is None:
            self._root_functions = [
                (path, function)
                for path in sorted(p for p, f in self._files.items() if f is not None and self._reports_in(p))
                for function in self._files[path].summary.functions
                if function.is_async
            ]
        return self._root_functions

    def _calls(self, path: str, function: FunctionSummary) -> list[tuple[Site, Key]]:
        """The function's sites that call a project sync function, with that function (see
        `callee`); none for a function whose body is damaged (its file is asked for again)."""
        key = (path, function.qualname)
        found = self._callees.get(key)
        if found is None:
            try:
                sites = function.sites
            except DamagedSummary:
                if path in self._dropped:
                    raise  # made again and still damaged: not the cache's doing
                self._damaged.add(path)
                sites = []
            found = []
            for site in sites:
                callee = self.callee(path, function, site)
                if callee is not None:
                    found.append((site, callee))
            self._callees[key] = found
        return found

    def explore(self) -> set[str]:
        """Walk from every async function's calls through the sync functions they reach; return
        the files whose summaries the walk needed and did not have, or found damaged (empty:
        it is complete)."""
        self._needs = set()
        self._reached: set[Key] = set()
        pending: deque[Key] = deque()
        for path, function in self._roots():
            for _site, key in self._calls(path, function):
                if key not in self._reached:
                    self._reached.add(key)
                    pending.append(key)
        while pending:
            path, qualname = pending.popleft()
            for _site, key in self._calls(path, self._files[path].functions[qualname]):
                if key not in self._reached:
                    self._reached.add(key)
                    pending.append(key)
        if self._damaged:
            for path in self._damaged:
                del self._files[path]
            self._dropped |= self._damaged
            self._needs |= self._damaged
            self._damaged = set()
            self._forget()
        return set(self._needs)

    def findings(self) -> list[Finding]:
        """Each async function's call of a sync helper that may block, with a shortest chain
        from the helper to a blocking call. Call `explore()` until it needs nothing first.

        "May block" is worked out backwards from the blocking calls, as a fixed point over
        the reached functions. A blocking call runs only when its guard holds (the `if`s
        around it, analysis/guards.py): a function keeps, for each way it may block, the
        guard on its own parameters (and `self`'s attributes, and the platform) that way
        needs. At a call, the callee's guard is decided by what the call passes (or leaves
        at its default): a literal that fails rules the way out, one that holds drops, one
        about a parameter the caller passes on becomes the caller's, and one that cannot be
        told drops too, keeping the chain. Each function keeps the ways no other of its ways
        is weaker than (at most _MAX_WAYS, fewest conditions first, then fewest hops)."""
        callers: dict[Key, list[tuple[Key, Site]]] = {}
        for key in sorted(self._reached):
            for site, callee in self._calls(key[0], self._function(key)):
                callers.setdefault(callee, []).append((key, site))
        ways: dict[Key, list[_Way]] = {}
        seen: set[tuple[Key, frozenset]] = set()
        pending: deque[Key] = deque()

        def offer(key: Key, way: _Way) -> bool:
            if (key, way.guard) in seen:
                return False
            kept = ways.setdefault(key, [])
            if any(other.covers(way) for other in kept):
                return False
            seen.add((key, way.guard))
            kept[:] = sorted([other for other in kept if not way.covers(other)] + [way], key=_Way.rank)[:_MAX_WAYS]
            return way in kept

        for key in sorted(self._reached):
            for call in self._function(key).blocking:
                if call.code not in self._codes or not satisfiable(call.guards):
                    continue
                hop = Hop(key[0], call.id, call.text, call.code, key[1])
                if offer(key, _Way(frozenset(call.guards), (hop,))) and key not in pending:
                    pending.append(key)
        while pending:
            callee = pending.popleft()
            callee_function = self._function(callee)
            for caller, site in callers.get(callee, ()):
                caller_function = self._function(caller)
                for way in list(ways.get(callee, ())):
                    guard = self._at_call(way.guard, caller, caller_function, site, callee_function)
                    if guard is None:
                        continue
                    hop = Hop(caller[0], site.id, site.text, None, caller[1])
                    if offer(caller, _Way(guard, (hop, *way.chain))) and caller not in pending:
                        pending.append(caller)
        found = []
        for path, function in self._roots():
            for site, key in self._calls(path, function):
                if key not in ways:
                    continue
                callee_function = self._function(key)
                for way in ways[key]:
                    if self._at_call(way.guard, (path, function.qualname), function, site, callee_function) is not None:
                        found.append(Finding(path, site, function.qualname, way.chain))
                        break
        return found

    def _function(self, key: Key) -> FunctionSummary:
        return self._files[key[0]].functions[key[1]]

    # --- guards at a call -------------------------------------------------------------------

    def _at_call(
        self, guard: frozenset, caller: Key, function: FunctionSummary, site: Site, callee: FunctionSummary
    ) -> frozenset | None:
        """What the callee's guard becomes in the caller at this call, with the call's own
        guard added; None when the call rules it out."""
        clauses: list[tuple] = []
        for clause in guard:
            kept: list[tuple] = []
            for literal in clause:
                mapped = self._literal_at_call(literal, caller, function, site, callee)
                if mapped is True or mapped is None:
                    break  # the clause holds, or may: it says nothing in the caller
                if mapped is not False:
                    kept.append(mapped)
            else:
                if not kept:
                    return None  # every literal of the clause fails here
                clauses.append(tuple(kept))
        result = conjoin(tuple(clauses), site.guards)
        return frozenset(result) if satisfiable(result) else None

    def _literal_at_call(
        self, literal: tuple, caller: Key, function: FunctionSummary, site: Site, callee: FunctionSummary
    ):
        """True/False when the call decides the literal, None when it cannot be told, or the
        literal about the caller's own parameter, attribute or process it stands for."""
        subject = literal[0]
        if subject.startswith("g:"):
            return literal
        if subject.startswith("p:"):
            value = _argument(site, callee, subject[2:])
        elif site.kind not in (SELF, SUPER, ATTRIBUTE):
            return None  # another object's attribute (or a new one's, for a constructor)
        else:
            value = _attribute_at(function, site, subject[2:])
            if value is None or not value.known:
                declared = self._declared(caller, function, subject[2:])
                if decide(literal, declared) is not None:
                    value = declared
                elif value is _UNSET:
                    return literal  # the caller's own `self`, as it came in: still to be told
                else:
                    return None
        decided = decide(literal, value)
        if decided is not None:
            return decided
        if value.param is not None:
            return ("p:" + value.param, *literal[1:])
        return None

    def _declared(self, caller: Key, function: FunctionSummary, name: str) -> Value:
        """The type the caller's class (or its nearest base that says) gives `self.name`."""
        if function.cls is None:
            return UNKNOWN
        for path, qualname in self._mro((caller[0], function.cls)):
            file = self._files.get(path)
            cls = file.classes.get(qualname) if file is not None else None
            if cls is not None and name in cls.attributes:
                return cls.attributes[name]
        return UNKNOWN


_MAX_WAYS = 8


@dataclass(frozen=True, slots=True)
class _Way:
    """One way a function may block: the guard it needs, and the chain of calls."""

    guard: frozenset  # of clauses
    chain: tuple[Hop, ...]

    def covers(self, other: _Way) -> bool:
        """At least as likely to run (a subset of the conditions), and not longer if the same."""
        return self.guard <= other.guard and (self.guard != other.guard or len(self.chain) <= len(other.chain))

    def rank(self) -> tuple[int, int]:
        return (len(self.guard), len(self.chain))


def _argument(site: Site, callee: FunctionSummary, name: str) -> Value:
    """What the call passes for the callee's parameter `name`: the argument, or the default
    when the call leaves it out; UNKNOWN when unpacked arguments may pass it, but for the
    caller's own `**kwargs` passed on as it came in: then the parameter is whatever the
    caller's callers pass under that keyword, "**name=default" (see `_kwargs_entry`)."""
    if name.startswith("**"):
        return _kwargs_entry(site, name)
    count, star, keywords, positions = site.args
    if name in keywords:
        return keywords[name]
    index, default = callee.params.get(name, (-1, UNKNOWN))
    index -= 1 if callee.bound else 0
    if 0 <= index < count:
        return positions.get(index, UNKNOWN)
    if star == "**":
        if not default.known:
            return Value(param=f"**{name}")
        return Value(param=f"**{name}=" + json.dumps(default.to_json(), sort_keys=True))
    return UNKNOWN if star else default


def _kwargs_entry(site: Site, entry: str) -> Value:
    _, star, keywords, _ = site.args
    key, _, default = entry[2:].partition("=")
    if key in keywords:
        return keywords[key]
    if star == "**":
        return Value(param=entry)
    return Value.from_json(json.loads(default)) if default and not star else UNKNOWN


_UNSET = Value()  # `self.name` as the caller received it


def _attribute_at(function: FunctionSummary, site: Site, name: str) -> Value | None:
    """What `self.name` holds at a call of one of the caller's own methods: the value of the
    caller's last plain `self.name = ...` before it, or _UNSET when the caller has neither set
    it nor called a method of `self` before; None when that cannot be told (set inside a
    branch or a loop, or a method of `self` called since may have changed it)."""
    last = None
    for assignment in function.attributes:
        if assignment.order > site.id:
            break
        if assignment.name == name:
            last = assignment
    if last is not None and not last.plain:
        return None
    start = last.order if last is not None else -1
    if any(start <= other.id < site.id for other in function.sites if other.kind in (SELF, SUPER)):
        return None
    return last.value if last is not None else _UNSET
