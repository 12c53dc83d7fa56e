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
"""

from __future__ import annotations

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
    FileSummary,
    FunctionSummary,
    Site,
)

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
        self._memo: dict[tuple, object] = {}

    # --- summaries ----------------------------------------------------------------------

    def add(self, path: str, summary: FileSummary | None) -> None:
        """A file's summary; None for a file that has none (it could not be parsed)."""
        module = self._modules.get(path)
        self._files[path] = _File(path, module, summary) if summary is not None and module else None
        self._memo.clear()

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
        """What an absolute dotted name stands for: ("function", key), ("class", key), None."""
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            path = self._module_file(".".join(parts[:end]), near)
            if path is not None:
                return self._resolve_in(path, parts[end:], depth) if end < len(parts) else None
        return None

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

    def _mro(self, key: Key) -> list[Key]:
        order: list[Key] = []
        pending = [key]
        while pending:
            current = pending.pop()
            if current in order:
                continue
            order.append(current)
            pending.extend(reversed(self._bases(current)))
        return order

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

    def _roots(self):
        for path in sorted(p for p, f in self._files.items() if f is not None):
            if not self._reports_in(path):
                continue
            for function in self._files[path].summary.functions:
                if function.is_async:
                    yield path, function

    def explore(self) -> set[str]:
        """Walk from every async function's calls through the sync functions they reach; return
        the files whose summaries the walk needed and did not have (empty: it is complete)."""
        self._needs = set()
        self._reached: set[Key] = set()
        pending: deque[Key] = deque()
        for path, function in self._roots():
            for site in function.sites:
                key = self.callee(path, function, site)
                if key is not None and key not in self._reached:
                    self._reached.add(key)
                    pending.append(key)
        while pending:
            path, qualname = pending.popleft()
            function = self._files[path].functions[qualname]
            for site in function.sites:
                key = self.callee(path, function, site)
                if key is not None and key not in self._reached:
                    self._reached.add(key)
                    pending.append(key)
        return set(self._needs)

    def findings(self) -> list[Finding]:
        """Each async function's call of a sync helper that may block, with a shortest chain
        from the helper to a blocking call. Call `explore()` until it needs nothing first.

        "May block" is worked out backwards from the blocking calls, as a fixed point over
        the reached functions. A blocking call (or a call of a blocking helper) under
        `if trust_env:`, where `trust_env` is a parameter with a falsy default, blocks only
        for callers that pass it: each function keeps the smallest set of its own flag
        parameters its best chain needs, and a call that leaves one of them out (or passes
        a falsy literal) does not carry the chain. Best means fewest such conditions, then
        fewest hops; every update makes a function's best strictly better, so it ends."""
        callers: dict[Key, list[tuple[Key, Site]]] = {}
        for key in sorted(self._reached):
            function = self._function(key)
            for site in function.sites:
                callee = self.callee(key[0], function, site)
                if callee is not None:
                    callers.setdefault(callee, []).append((key, site))
        best: dict[Key, tuple[int, int, frozenset[str], tuple[Hop, ...]]] = {}
        pending: deque[Key] = deque()
        for key in sorted(self._reached):
            for call in self._function(key).blocking:
                if call.code not in self._codes:
                    continue
                guards = frozenset(call.guards)
                found = (len(guards), 0, guards, (Hop(key[0], call.id, call.text, call.code, key[1]),))
                if key not in best or found[:2] < best[key][:2]:
                    best[key] = found
            if key in best:
                pending.append(key)
        while pending:
            callee = pending.popleft()
            _, length, guards, chain = best[callee]
            callee_function = self._function(callee)
            for caller, site in callers.get(callee, ()):
                passed = _passed(guards, site, callee_function)
                if passed is None:
                    continue
                needed = frozenset(site.guards) | passed
                found = (len(needed), length + 1, needed, (Hop(caller[0], site.id, site.text, None, caller[1]), *chain))
                if caller not in best or found[:2] < best[caller][:2]:
                    best[caller] = found
                    pending.append(caller)
        found = []
        for path, function in self._roots():
            for site in function.sites:
                key = self.callee(path, function, site)
                if key is not None and key in best and _passed(best[key][2], site, self._function(key)) is not None:
                    found.append(Finding(path, site, function.qualname, best[key][3]))
        return found

    def _function(self, key: Key) -> FunctionSummary:
        return self._files[key[0]].functions[key[1]]


def _passed(guards: frozenset[str], site: Site, callee: FunctionSummary) -> frozenset[str] | None:
    """What the callee's flag parameters `guards` become at this call: None when the call
    leaves one at its falsy default (or passes a falsy literal), so the guarded code does not
    run; otherwise the caller's own flag parameters that the call passes on for them."""
    if not guards:
        return frozenset()
    count, star, keywords, positions = site.args
    offset = 1 if callee.bound else 0
    forwarded = set()
    for name in guards:
        if name in keywords:
            token = keywords[name]
        else:
            index = callee.flags.get(name, -1) - offset
            if 0 <= index < count:
                token = positions.get(index, "")
            elif star:
                token = ""  # *args or **kwargs may pass it
            else:
                return None
        if token == "0":
            return None
        if token.startswith("="):
            forwarded.add(token[1:])
    return frozenset(forwarded)
