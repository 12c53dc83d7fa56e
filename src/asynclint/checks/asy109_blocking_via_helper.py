"""ASY109 blocking-via-helper: see docs/rules/ASY109.md.

An async function calls a sync function of the project that, directly or through further
helpers, makes one of the blocking calls of ASY100-ASY108 or waits in a sync bridge (ASY110).
Two phases:

1. Per file, in the one traversal: a summary of every function and method the file defines
   (analysis/summary.py): its blocking calls, decided exactly as ASY100-ASY108 decide them
   (same tables, same exemptions; a call whose line has `# noqa` for its code or for ASY109 is
   left out), and its calls of things the project may define, named as written.
2. Over every checked file's summary (analysis/callgraph.py): resolve the names by module
   path, propagate "may block" to a fixed point, and report each async function's call of a
   sync helper that may block, with the chain in the message and as related locations. The
   reports are `reporter.SiteReport`s: the reporter applies `# noqa` and builds diagnostics;
   what the rule needs of the run (the codes a chain may end in, where ASY109 is enabled,
   positions by rank in a file's current text) `Project` gives it.

Linting one file alone (standard input, an editor) runs phase 2 over that file only: helpers
defined in the same file are followed, imported ones are not.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from asynclint._lazy import libcst as cst
from asynclint.analysis.bridges import bridge_at
from asynclint.analysis.callgraph import CallGraph, Finding, Hop
from asynclint.analysis.context import Context
from asynclint.analysis.guards import (
    NONBLOCKING_SUBTYPES,
    UNKNOWN,
    ClassBody,
    Conditions,
    Guard,
    Value,
    annotation_kinds,
    conjoin,
    subjects,
    value_of,
)
from asynclint.analysis.modules import may_be_project_name, module_path
from asynclint.analysis.scope import dotted_name
from asynclint.analysis.sourceorder import ast_positions, ranks
from asynclint.analysis.summary import (
    ATTRIBUTE,
    DOTTED,
    LOCAL,
    OPAQUE,
    PLAIN,
    PROPERTY,
    SELF,
    SUPER,
    AttributeSet,
    BlockingCall,
    ClassSummary,
    FileSummary,
    FunctionSummary,
    Site,
)
from asynclint.checks._blocking import blocks
from asynclint.checks.base import ProjectCheck, ProposedFix
from asynclint.diagnostic import Applicability, Fix, RelatedLocation, Span
from asynclint.reporter import SitePlace, SiteReport
from asynclint.suppression import parse_noqa
from asynclint.tables import Tables

if TYPE_CHECKING:
    from asynclint.project import Project

# Builtins that iterate over an argument on the spot: `list(gen())` runs the generator here.
_CONSUMERS = frozenset(
    "builtins." + name
    for name in ("list", "tuple", "set", "frozenset", "dict", "sorted", "sum", "min", "max", "any", "all", "next")
)
_CONSUMING_METHODS = frozenset({"join", "extend", "update", "writelines"})

_NOQA_WORD = re.compile("noqa", re.IGNORECASE)

# Sites that call a method on the caller's own `self`: the attributes it set are seen there.
_SAME_SELF = frozenset({SELF, SUPER, ATTRIBUTE})


class BlockingViaHelper(ProjectCheck):
    code = "ASY109"

    def __init__(self, tables: Tables) -> None:
        self._blocking = tables.blocking
        self._plain_decorators = tables.helper_decorators.plain
        self._property_decorators = tables.helper_decorators.properties
        super().__init__(tables)

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        # Only files with async code need a summary up front; helpers in other files are
        # summarized when an async function's calls lead there (see callgraph.py).
        return (frozenset({"async"}),)

    # --- phase 1: the summary, built during the traversal ---------------------------------

    def start_file(self) -> None:
        super().start_file()
        self._summary = FileSummary()
        self._qualnames: dict[int, str] = {}  # id(def or class node) -> local qualname
        self._functions: dict[int, FunctionSummary] = {}  # id(def node) -> its summary
        self._nodes: list[cst.CSTNode] = []  # site id -> the call (or attribute) node
        self._statements: dict[int, cst.CSTNode] = {}  # site id -> its statement, when kept
        self._attributes_read: dict[int, set[str]] = {}  # id(def node) -> `self.x` names seen
        self._conditions: dict[int, Conditions] = {}  # id(def node) -> its conditions reader
        self._used_params: dict[int, set[str]] = {}  # id(def node) -> parameters its summary names
        # id(class node) -> attribute -> the types every value the class gives it has (None:
        # some value's type is unknown); declared ones (annotations) win.
        self._assigned_types: dict[int, dict[str, tuple[str, ...] | None]] = {}
        self._declared_types: dict[int, dict[str, tuple[str, ...]]] = {}
        self._class_summaries: dict[int, ClassSummary] = {}
        self._unsettled: list[tuple] = []  # `self.x = ...` statements waiting for their place
        self._class_bodies: dict[int, ClassBody] = {}
        self._kwargs_names: dict[int, str] = {}  # id(def node) -> its `**kwargs` parameter
        self._module_scope = None

    def visit_Import(self, node: cst.Import, ctx: Context) -> None:
        self._note_module_scope(ctx)

    def visit_ImportFrom(self, node: cst.ImportFrom, ctx: Context) -> None:
        self._note_module_scope(ctx)

    def _note_module_scope(self, ctx: Context) -> None:
        if self._module_scope is None:
            scope = ctx.scope
            while scope.parent is not None:
                scope = scope.parent
            self._module_scope = scope

    def _prefix(self, frame_node) -> str | None:
        """The qualname prefix of what is defined where `frame_node`'s code runs."""
        if frame_node is None:
            return ""
        qualname = self._qualnames.get(id(frame_node))
        if qualname is None:
            return None
        return qualname + (".<locals>." if isinstance(frame_node, cst.FunctionDef) else ".")

    def visit_ClassDef(self, node: cst.ClassDef, ctx: Context) -> None:
        self._note_module_scope(ctx)
        prefix = self._prefix(ctx.function.node)
        if prefix is None:
            return
        qualname = prefix + node.name.value
        self._qualnames[id(node)] = qualname
        bases = [
            ref
            for arg in node.bases
            if arg.keyword is None and not arg.star
            for ref in [self._reference(arg.value, ctx)]
            if ref is not None
        ]
        summary = ClassSummary(qualname, bases)
        self._class_summaries[id(node)] = summary
        self._summary.classes.append(summary)

    def visit_FunctionDef(self, node: cst.FunctionDef, ctx: Context) -> None:
        self._note_module_scope(ctx)
        frame = ctx.function.node
        prefix = self._prefix(frame)
        kind = self._decoration(node, ctx)
        if prefix is None or kind is None:
            return
        qualname = prefix + node.name.value
        owner = self._qualnames[id(frame)] if isinstance(frame, cst.ClassDef) else None
        summary = FunctionSummary(qualname, node.asynchronous is not None, kind, cls=owner)
        summary.bound = owner is not None and not _is_staticmethod(node, ctx)
        self._note_parameters(node, summary, ctx)
        self._qualnames[id(node)] = qualname
        self._functions[id(node)] = summary
        self._summary.functions.append(summary)

    def _note_parameters(self, node: cst.FunctionDef, summary: FunctionSummary, ctx: Context) -> None:
        """Every parameter's positional index and default (defaults are evaluated where the
        `def` stands, so here), and the types its annotation allows; the summary keeps those
        of the parameters it ends up naming (see `finish`)."""
        positional = [*node.params.posonly_params, *node.params.params]
        self_name = positional[0].name.value if summary.bound and positional else None
        annotations = {}
        for index, param in [*enumerate(positional), *((-1, p) for p in node.params.kwonly_params)]:
            name = param.name.value
            if name == self_name:
                continue
            default = value_of(param.default, ctx) if param.default is not None else UNKNOWN
            summary.params[name] = (index, default)
            if param.annotation is not None:
                annotations[name] = param.annotation.annotation
        frame = ctx.function.node
        body = self._class_body(frame, ctx) if summary.bound and isinstance(frame, cst.ClassDef) else None
        self._conditions[id(node)] = Conditions(ctx, node, frozenset(summary.params), self_name, annotations, body)
        self._used_params[id(node)] = set()
        star = node.params.star_kwarg
        if isinstance(star, cst.Param):
            self._kwargs_names[id(node)] = star.name.value

    def _class_body(self, node: cst.ClassDef, ctx: Context) -> ClassBody:
        found = self._class_bodies.get(id(node))
        if found is None:
            found = self._class_bodies[id(node)] = ClassBody(node, ctx, self._property_decorators)
        return found

    def _decoration(self, node: cst.FunctionDef, ctx: Context) -> str | None:
        """How the decorated function is called: PLAIN, PROPERTY or OPAQUE; None for a
        property's setter or deleter, which is not called by reading the property."""
        kind = PLAIN
        for decorator in node.decorators:
            expr = decorator.decorator
            if isinstance(expr, cst.Attribute) and expr.attr.value in ("setter", "deleter"):
                return None
            name = ctx.qualified_name(expr.func if isinstance(expr, cst.Call) else expr)
            if name in self._property_decorators:
                kind = PROPERTY
            elif name not in self._plain_decorators:
                return OPAQUE
        return kind

    def visit_Yield(self, node: cst.Yield, ctx: Context) -> None:
        function = self._functions.get(id(ctx.function.node))
        if function is not None:
            function.is_generator = True

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        function = self._functions.get(id(ctx.function.node))
        if function is None:
            return  # module level, a class body or a lambda
        self._note_call(node, function, ctx)
        if _calls_own_method(node, ctx):
            self._conditions[id(ctx.function.node)].note_self_call()

    def _note_call(self, node: cst.Call, function: FunctionSummary, ctx: Context) -> None:
        name = ctx.callee(node)
        group = self._blocking.get(name) if name is not None else None
        if group is not None:
            # In an async function ASY100-ASY108 report it; in a sync one it makes a helper.
            if not function.is_async and blocks(node, group, ctx):
                site = self._site_id(node, ctx, keep_statement=True)
                written = dotted_name(node.func) or name.removeprefix("builtins.")
                guards = conjoin(self._guards(node, ctx), self._receiver_guard(node, name, ctx))
                function.blocking.append(BlockingCall(site, name, group.code, written + "()", guards=guards))
            return
        if not function.is_async:
            bridge = bridge_at(node, ctx)
            if bridge is not None:  # waits for an event loop: on the loop's own thread it never returns
                site = self._site_id(node, ctx, keep_statement=True)
                written = (dotted_name(node.func) or bridge.name.rsplit(".", 1)[-1]) + "()"
                guards = self._guards(node, ctx)
                function.blocking.append(BlockingCall(site, bridge.name, "ASY110", written, guards=guards))
                return
        parent = ctx.parent
        if isinstance(parent, cst.Await) or _in_async_with(node, ctx):
            return
        reference = self._call_reference(node, ctx)
        if reference is None and name is not None and may_be_project_name(name):
            reference = (DOTTED, name)  # a method named by its receiver's type
        if reference is None:
            reference = self._constructed_receiver(node, ctx)
        if reference is not None:
            kind, target = reference
            site = self._site_id(node, ctx)
            text = _written(node.func, target) + "()"
            guards, arguments = self._guards(node, ctx), self._arguments(node, ctx)
            function.sites.append(Site(site, kind, target, text, _consumed_here(node, ctx), -1, guards, arguments))

    def visit_Attribute(self, node: cst.Attribute, ctx: Context) -> None:
        """`self.name` read in a method: a property's getter runs there."""
        frame = ctx.function
        value = node.value
        if not (isinstance(value, cst.Name) and value.value == frame.self_name and frame.class_facts):
            return
        parent = ctx.parent
        if (isinstance(parent, cst.Call) and parent.func is node) or isinstance(
            parent, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.Await, cst.Del)
        ):
            return
        function = self._functions.get(id(frame.node))
        if function is None:
            return
        seen = self._attributes_read.setdefault(id(frame.node), set())
        if node.attr.value in seen:
            return
        seen.add(node.attr.value)
        site = self._site_id(node, ctx)
        function.sites.append(Site(site, ATTRIBUTE, node.attr.value, f"{value.value}.{node.attr.value}"))

    def _guards(self, node: cst.CSTNode, ctx: Context) -> Guard:
        """What must hold for `node` to run, as the function's own tests tell: `if`s and
        their `else`s, `x if c else y`, `c and f()`, early exits (analysis/guards.py)."""
        conditions = self._conditions[id(ctx.function.node)]
        found = conditions.at(node, ctx.parents[:-1])
        self._note_used(ctx, found)
        return found

    def _receiver_guard(self, node: cst.Call, name: str, ctx: Context) -> Guard:
        """A file method called on a parameter or a `self` attribute waits on a disk only
        when the object is not an in-memory file: `buffer.seek(0)` blocks for `open(p)`, not
        for an `io.BytesIO()` the caller passes or the class declares."""
        owner = name.rpartition(".")[0]
        harmless = NONBLOCKING_SUBTYPES.get(owner)
        if harmless is None or not isinstance(node.func, cst.Attribute):
            return ()
        conditions = self._conditions[id(ctx.function.node)]
        subject = conditions.subject(node.func.value)
        if subject is None or subject.startswith("g:"):
            return ()
        found = conditions.as_received((((subject, "isinstance", harmless, True),),), node)
        self._note_used(ctx, found)
        return found

    def _arguments(self, node: cst.Call, ctx: Context) -> tuple:
        """The call's arguments as Site.args records them."""
        conditions = self._conditions[id(ctx.function.node)]
        count, star, keywords, positions = 0, "", {}, {}
        kwargs = self._kwargs_names.get(id(ctx.function.node))
        for arg in node.args:
            if arg.star:
                forwarded = (
                    arg.star == "**"
                    and isinstance(arg.value, cst.Name)
                    and arg.value.value == kwargs
                    and conditions.forwards(kwargs)
                )
                star = "**" if forwarded and star != "*" else "*"
                continue
            value = conditions.value(arg.value, node)
            if value.param is not None:
                self._used_params[id(ctx.function.node)].add(value.param)
            if arg.keyword is not None:
                keywords[arg.keyword.value] = value
            else:
                if value.known:
                    positions[count] = value
                count += 1
        return (count, star, keywords, positions)

    def _note_used(self, ctx: Context, guard: Guard) -> None:
        used = self._used_params[id(ctx.function.node)]
        used.update(subject[2:] for subject in subjects(guard) if subject.startswith("p:"))

    # --- attributes of `self` -------------------------------------------------------------

    def _settle(self, parents: list | None) -> None:
        """An assignment's place among the sites is the first site after its statement (its
        value's calls run before it): give that place to those the walk has left."""
        waiting = []
        for statement, function, assignment in self._unsettled:
            if parents is not None and any(p is statement for p in parents):
                waiting.append((statement, function, assignment))
            else:
                function.attributes.append(replace(assignment, order=len(self._nodes)))
        self._unsettled = waiting

    def visit_Assign(self, node: cst.Assign, ctx: Context) -> None:
        self._note_binding(node, ctx)
        for target in node.targets:
            self._note_attribute(target.target, node.value, None, ctx)

    def visit_AnnAssign(self, node: cst.AnnAssign, ctx: Context) -> None:
        self._note_binding(node, ctx)
        self._note_attribute(node.target, node.value, node.annotation.annotation, ctx)

    def visit_AugAssign(self, node: cst.AugAssign, ctx: Context) -> None:
        self._note_binding(node, ctx)
        self._note_attribute(node.target, None, None, ctx)

    def _note_binding(self, node: cst.CSTNode, ctx: Context) -> None:
        """Parameters rebound from here on are no longer what the caller passed."""
        conditions = self._conditions.get(id(ctx.function.node))
        if conditions is not None:
            conditions.note_binding(node)

    visit_For = visit_WithItem = visit_ExceptHandler = visit_NamedExpr = visit_Del = _note_binding
    visit_Global = visit_Nonlocal = _note_binding

    def _note_attribute(self, target, value, annotation, ctx: Context) -> None:
        """`self.name = value` in a method: what the name holds from here on (for the calls
        of the class's methods that follow), and what type the class gives it; `name: T` in a
        class body declares that type."""
        frame = ctx.function
        if isinstance(frame.node, cst.ClassDef):
            if isinstance(target, cst.Name) and annotation is not None:
                kinds = annotation_kinds(annotation, ctx)
                if kinds:
                    self._declared_types.setdefault(id(frame.node), {})[target.value] = kinds
            return
        function = self._functions.get(id(frame.node))
        if not (
            function is not None
            and function.bound
            and isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value == frame.self_name
        ):
            return
        name = target.attr.value
        conditions = self._conditions[id(frame.node)]
        found = conditions.value(value, ctx.parents[-1]) if value is not None else UNKNOWN
        parents = ctx.parents
        plain = len(parents) >= 4 and parents[-4] is frame.node  # def > block > line > assign
        self._unsettled.append((parents[-1], function, AttributeSet(-1, name, found, plain)))
        if found.param is not None:
            self._used_params[id(frame.node)].add(found.param)
        owner = ctx.parents[:-1]
        cls = next((p for p in reversed(owner) if isinstance(p, cst.ClassDef)), None)
        if cls is None:
            return
        if annotation is not None and annotation_kinds(annotation, ctx):
            self._declared_types.setdefault(id(cls), {})[name] = annotation_kinds(annotation, ctx)
        types = self._assigned_types.setdefault(id(cls), {})
        kinds = found.kinds if found.kinds and found.param is None else None
        if name not in types:
            types[name] = kinds
        elif types[name] is not None:
            types[name] = tuple(dict.fromkeys((*types[name], *kinds))) if kinds else None

    def _site_id(self, node: cst.CSTNode, ctx: Context, keep_statement: bool = False) -> int:
        if self._unsettled:
            self._settle(ctx.parents)
        site = len(self._nodes)
        self._nodes.append(node)
        if keep_statement or self._alone or site in self._locate:
            self._statements[site] = ctx.statement()
        return site

    def _call_reference(self, node: cst.Call, ctx: Context) -> tuple[str, str] | None:
        func = node.func
        if isinstance(func, cst.Attribute):
            frame = ctx.function
            value = func.value
            if isinstance(value, cst.Name) and value.value == frame.self_name and frame.class_facts:
                return (SELF, func.attr.value)
            if (
                isinstance(value, cst.Call)
                and isinstance(value.func, cst.Name)
                and value.func.value == "super"
                and ctx.qualified_name(value.func) == "builtins.super"
            ):
                return (SUPER, func.attr.value)
        return self._reference(func, ctx)

    def _constructed_receiver(self, node: cst.Call, ctx: Context) -> tuple[str, str] | None:
        """`up = Upstream(url)` then `up.user(uid)`: the method of the project class whose
        constructor built the receiver."""
        func = node.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
            return None
        origin = ctx.value_origin(func.value)
        if not isinstance(origin, cst.Call):
            return None
        reference = self._reference(origin.func, ctx)
        return (reference[0], f"{reference[1]}.{func.attr.value}") if reference is not None else None

    def _reference(self, expr: cst.BaseExpression, ctx: Context) -> tuple[str, str] | None:
        """A name or dotted name that the project may define: (LOCAL, "Cls.meth") for what
        this file defines, (DOTTED, "pkg.io.read") for what an import or alias names."""
        if isinstance(expr, cst.Name):
            binding = ctx.scope.lookup(expr.value)
            if binding is None:
                return None
            if binding.definition is not None:
                qualname = self._qualnames.get(id(binding.definition))
                return (LOCAL, qualname) if qualname is not None else None
            qualname = binding.qualname
            return (DOTTED, qualname) if qualname and may_be_project_name(qualname) else None
        if isinstance(expr, cst.Attribute):
            base = self._reference(expr.value, ctx)
            return (base[0], f"{base[1]}.{expr.attr.value}") if base is not None else None
        return None

    # --- the end of the file ----------------------------------------------------------------

    def finish(self, module: cst.Module, path: str, suppressions) -> None:
        self._settle(None)
        self._keep_what_is_named()
        if self._module_scope is not None:
            self._summary.names = {
                name: binding.qualname
                for name, binding in self._module_scope.names.items()
                if binding.qualname is not None and may_be_project_name(binding.qualname)
            }
        if not self._alone:
            self._rank(module)  # the summary outlives the tree: sites are placed by rank later
        if self._locate:
            self._place(module, self._locate)
        blocking = [b for f in self._summary.functions for b in f.blocking]
        if blocking and _has_noqa(suppressions.lines):
            sites = [b.id for b in blocking]
            if self._alone:
                self._place(module, sites)
            else:
                self._place_by_rank(module, suppressions.lines, sites)
            self._drop_silenced(suppressions)
        if self._alone:
            self._report_alone(module, path, self._followed)

    def _keep_what_is_named(self) -> None:
        """Summaries keep the parameters their guards and arguments name, the attribute
        assignments that come before a call of the class's own methods, and the attribute
        types their classes declare or always assign."""
        for node_id, function in self._functions.items():
            used = self._used_params.get(node_id, ())
            function.params = {name: found for name, found in function.params.items() if name in used}
            last = max((site.id for site in function.sites if site.kind in _SAME_SELF), default=-1)
            function.attributes = [a for a in function.attributes if a.order <= last]
        for node_id, summary in self._class_summaries.items():
            found = {name: Value(kinds=kinds) for name, kinds in self._assigned_types.get(node_id, {}).items() if kinds}
            found.update((name, Value(kinds=kinds)) for name, kinds in self._declared_types.get(node_id, {}).items())
            summary.attributes = found

    def _rank(self, module: cst.Module) -> None:
        """Every site's rank among the file's calls or attributes, for placing it later."""
        if not self._nodes:
            return
        found, self._summary.calls, self._summary.attributes = ranks(module, self._nodes)
        nodes = self._nodes
        for function in self._summary.functions:
            function.blocking = [replace(b, rank=found[id(nodes[b.id])]) for b in function.blocking]
            function.sites = [replace(s, rank=found[id(nodes[s.id])]) for s in function.sites]

    def _place_by_rank(self, module: cst.Module, lines: list[str], sites: list[int]) -> None:
        wanted = {site: self._summary.rank_of(site) for site in sites}
        placed = ast_positions("\n".join(lines), wanted, self._summary.calls, self._summary.attributes)
        if placed is None:
            self._place(module, sites)
        else:
            self._summary.positions.update(placed)

    def _place(self, module: cst.Module, sites) -> None:
        """Positions from libcst itself (exact, and costly: see sourceorder.py)."""
        from asynclint.positions import node_ranges

        sites = [s for s in sites if s < len(self._nodes)]
        nodes = [self._nodes[s] for s in sites]
        nodes += [self._statements[s] for s in sites if self._statements.get(s) is not None]
        ranges = node_ranges(module, nodes)
        for site in sites:
            node_range = ranges[self._nodes[site]]
            statement = self._statements.get(site)
            statement_range = ranges[statement] if statement is not None else node_range
            self._summary.positions[site] = (
                node_range.start.line,
                node_range.start.column,
                node_range.end.line,
                node_range.end.column,
                statement_range.start.line,
                statement_range.end.line,
            )

    def _drop_silenced(self, suppressions) -> None:
        """A blocking call under `# noqa: ASY109`, a bare `# noqa` or a noqa for its own code
        (`# noqa: ASY103` on an `open()`) makes no helper. Only the ASY109 form counts as used
        for ASY002: a noqa for the call's own code is judged by that code's findings alone."""
        for function in self._summary.functions:
            kept = []
            for call in function.blocking:
                position = self._summary.positions.get(call.id)
                lines = (position[0], position[2], position[4], position[5]) if position else ()
                if lines and (
                    suppressions.silences(self.code, lines) or _noqa_names(suppressions.lines, lines, call.code)
                ):
                    continue
                kept.append(call)
            function.blocking = kept

    def summary(self) -> dict:
        return self._summary.to_dict()

    # --- phase 2 ----------------------------------------------------------------------------

    def _report_alone(self, module: cst.Module, path: str, codes: frozenset[str]) -> None:
        """Phase 2 over this file only: chains through the helpers it defines."""
        graph = CallGraph({path: module_path(path)}, codes, lambda _: True)
        graph.add(path, self._summary)
        graph.explore()
        findings = graph.findings()
        if not findings:
            return
        from asynclint.positions import node_ranges

        nodes = [self._nodes[hop.site] for finding in findings for hop in finding.chain]
        ranges = node_ranges(module, nodes)

        def span(hop: Hop) -> Span:
            found = ranges[self._nodes[hop.site]]
            return Span(found.start.line, found.start.column, found.end.line, found.end.column)

        for finding in findings:
            message, related = describe(finding, span)
            node = self._nodes[finding.site.id]
            fix = ProposedFix(suggestion(finding), Applicability.DISPLAY_ONLY)
            self.report(node, message, self._statements.get(finding.site.id), fix, related)

    @classmethod
    def check_project(cls, project: Project) -> list[SiteReport]:
        modules = {path: module_path(path) for path in project.paths}
        graph = CallGraph(modules, project.followed_codes, project.reports_in)
        summaries: dict[str, FileSummary | None] = {}

        def add(found: dict[str, dict | None]) -> list[str]:
            damaged = []
            for path, data in found.items():
                try:
                    summaries[path] = FileSummary.from_dict(data) if data is not None else None
                except (LookupError, TypeError, ValueError):  # a damaged cache entry
                    damaged.append(path)
                    continue
                graph.add(path, summaries[path])
            return damaged

        damaged = add(project.summaries)
        if damaged:
            add(project.summarize(damaged))
        while True:
            needed = graph.explore()
            if not needed:
                break
            add(project.summarize(sorted(needed)))
        findings = graph.findings()
        if not findings:
            return []
        _locate(findings, summaries, project)
        reports = (_site_report(cls.code, finding, summaries) for finding in findings)
        return [report for report in reports if report is not None]


def _locate(findings: list[Finding], summaries: dict[str, FileSummary | None], project: Project) -> None:
    """Positions for the sites the findings mention that their summaries lack: those files
    are summarized again, placing just these sites (and the cache keeps the result)."""
    wanted: dict[str, set[int]] = {}
    for finding in findings:
        wanted.setdefault(finding.path, set()).add(finding.site.id)
        for hop in finding.chain:
            wanted.setdefault(hop.path, set()).add(hop.site)
    missing = {
        path: frozenset(sites - summaries[path].positions.keys())
        for path, sites in wanted.items()
        if sites - summaries[path].positions.keys()
    }
    for path, sites in list(missing.items()):
        # Python's ast finds them by rank, for a fraction of what libcst's codegen costs.
        summary = summaries[path]
        wanted_ranks = {site: summary.rank_of(site) for site in sites}
        placed = project.place_by_rank(path, wanted_ranks, summary.calls, summary.attributes)
        if placed is not None:
            summary.positions.update(placed)
            project.store_summary(path, summary.to_dict())
            del missing[path]
    if not missing:
        return
    for path, data in project.summarize(sorted(missing), missing).items():
        old = summaries[path]
        if data is None:
            continue
        new = FileSummary.from_dict(data)
        if _structure(new) != _structure(old):
            continue  # the file changed during the run: its site numbers mean other calls now
        old.positions.update(new.positions)
        project.store_summary(path, old.to_dict())


def _structure(summary: FileSummary) -> tuple:
    return tuple(tuple(f.to_list()) for f in summary.functions)


def _site_report(code: str, finding: Finding, summaries: dict[str, FileSummary | None]) -> SiteReport | None:
    """The finding as the reporter takes it; None when a site it names could not be placed."""
    places = []
    for path, site in [(finding.path, finding.site.id), *((hop.path, hop.site) for hop in finding.chain)]:
        summary = summaries[path]
        position = summary.positions.get(site)
        if position is None:
            return None
        places.append(SitePlace(path, summary.rank_of(site), (summary.calls, summary.attributes), position))
    line, column, end_line, end_column, first, last = places[0].position

    def span(hop: Hop) -> Span:
        found = summaries[hop.path].positions[hop.site]
        return Span(found[0], found[1], found[2], found[3])

    message, related = describe(finding, span, with_paths=True)
    return SiteReport(
        finding.path,
        code,
        Span(line, column, end_line, end_column),
        (line, end_line, first, last),
        message,
        related,
        Fix(suggestion(finding), Applicability.DISPLAY_ONLY, ()),
        tuple(places),
    )


def describe(finding: Finding, span, with_paths: bool = False) -> tuple[str, tuple[RelatedLocation, ...]]:
    """The message, naming every hop with where it is, and the hops as related locations. A
    hop's path is named where the chain enters another file than the one before (`line N`
    otherwise), so a chain within one file reads as short as it is."""
    steps = []
    related = []
    callers = [finding.site.text, *(hop.text for hop in finding.chain)]
    previous = finding.path
    for caller, hop in zip(callers, finding.chain):
        where = span(hop)
        if with_paths and hop.path != previous:
            place = f"{hop.path}:{where.line}"
        elif hop.path.endswith(".ipynb"):
            # A notebook is checked as its cells joined: that line number is no line the user
            # sees. The related location names the cell and line.
            place = ""
        else:
            place = f"line {where.line}"
        previous = hop.path
        if hop.code is not None:
            place = f"{place}, {hop.code}" if place else hop.code
        steps.append(f"`{hop.text}` ({place})" if place else f"`{hop.text}`")
        what = f"`{caller}` calls `{hop.text}` here"
        if hop.code is not None:
            what += f", which blocks ({hop.code})"
        related.append(RelatedLocation(hop.path, where, what))
    message = f"`{finding.site.text}` blocks the event loop through sync code: {' → '.join(steps)}"
    return message, tuple(related)


def suggestion(finding: Finding) -> str:
    """The display-only suggestion: offload the call (or property read) to a worker thread, or
    make the chain async. Never applied: whether the helper may run on another thread, or
    should become async with all its callers, is the author's call."""
    site = finding.site.text
    if site.endswith("()"):
        offloaded = f"await asyncio.to_thread({site[:-2]}, ...)"  # with the call's arguments
    else:  # a property read: `self.settings`
        offloaded = f"await asyncio.to_thread(lambda: {site})"
    blocking = finding.chain[-1]
    code = f" ({blocking.code})" if blocking.code else ""
    return (
        f"Run `{site}` in a worker thread, `{offloaded}`, or make the helpers async, down to "
        f"the `{blocking.text}` call{code}"
    )


def _is_staticmethod(node: cst.FunctionDef, ctx: Context) -> bool:
    return any(
        ctx.qualified_name(decorator.decorator) == "builtins.staticmethod" for decorator in node.decorators
    )


def _written(func: cst.BaseExpression, fallback: str) -> str:
    written = dotted_name(func)
    if written is None and isinstance(func, cst.Attribute):
        inner = dotted_name(func.value.func) if isinstance(func.value, cst.Call) else None
        written = f"{inner}().{func.attr.value}" if inner else f"….{func.attr.value}"
    return written or fallback.removeprefix("builtins.")


def _calls_own_method(node: cst.Call, ctx: Context) -> bool:
    """`self.name(...)` or `super().name(...)` in a method."""
    func = node.func
    if not isinstance(func, cst.Attribute) or ctx.function.self_name is None:
        return False
    receiver = func.value
    if isinstance(receiver, cst.Name):
        return receiver.value == ctx.function.self_name
    return isinstance(receiver, cst.Call) and isinstance(receiver.func, cst.Name) and receiver.func.value == "super"


def _in_async_with(node: cst.Call, ctx: Context) -> bool:
    parent = ctx.parent
    if not isinstance(parent, cst.WithItem) or len(ctx.parents) < 3:
        return False
    statement = ctx.parents[-3]
    return isinstance(statement, cst.With) and statement.asynchronous is not None


def _consumed_here(node: cst.Call, ctx: Context) -> bool:
    """Whether the call's result is iterated or entered where the call stands (`for x in
    gen()`, `with cm():`, `list(gen())`, `yield from gen()`), so a generator's body runs here."""
    parent = ctx.parent
    if isinstance(parent, cst.For):
        return parent.iter is node
    if isinstance(parent, cst.BaseComp):
        comp_for = parent.for_in
        while comp_for is not None:
            if comp_for.iter is node:
                return True
            comp_for = comp_for.inner_for_in
        return False
    if isinstance(parent, cst.WithItem):
        return not _in_async_with(node, ctx)
    if isinstance(parent, cst.From):
        return True
    if isinstance(parent, cst.Arg) and len(ctx.parents) >= 3:
        call = ctx.parents[-3]
        if isinstance(call, cst.Call):
            if isinstance(call.func, cst.Attribute) and call.func.attr.value in _CONSUMING_METHODS:
                return True
            return ctx.qualified_name(call.func) in _CONSUMERS
    return False


def _noqa_names(lines: list[str], numbers: tuple[int, ...], code: str) -> bool:
    for number in numbers:
        codes = parse_noqa(lines[number - 1]) if 0 < number <= len(lines) else None
        if codes is not None and (not codes or code in codes):
            return True
    return False


def _has_noqa(lines: list[str]) -> bool:
    return any(_NOQA_WORD.search(line) for line in lines)

