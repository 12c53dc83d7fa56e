"""ASY602 dangling-task: see docs/rules/ASY602.md; the calls whose result must be kept are the
`keep_reference` groups of rules/tasks.toml."""

from __future__ import annotations

from asynclint._lazy import NodeTypes
from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context
from asynclint.analysis.reads import referenced_names
from asynclint.checks.base import Check, ProposedFix
from asynclint.diagnostic import Applicability
from asynclint.tables import Tables

# Expressions whose value is the task itself or holds it (`[t]`, `(t, u)`, `{k: t}`,
# `a if c else t`, `a or t`): what becomes of them becomes of the task.
_CARRIERS = NodeTypes(
    "Element", "StarredElement", "List", "Tuple", "Set", "DictElement", "StarredDictElement",
    "Dict", "BooleanOperation",
)  # fmt: skip
_COMPREHENSIONS = NodeTypes("ListComp", "SetComp", "GeneratorExp", "DictComp")
# Statements and expressions that only look at the task's truth, or compare it, and drop it.
_TRUTH_TESTS = NodeTypes(
    "If", "While", "Assert", "UnaryOperation", "Comparison", "ComparisonTarget"
)


class DanglingTask(Check):
    code = "ASY602"

    def __init__(self, tables: Tables) -> None:
        self._calls = frozenset(n for n, g in tables.spawns.items() if g.keep_reference)
        super().__init__(tables)

    def start_file(self) -> None:
        super().start_file()
        self._referenced: dict[int, frozenset[str] | None] = {}  # id(function) -> its reads

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        return (frozenset(name.rsplit(".", 1)[-1] for name in self._calls),)

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        name = ctx.callee(node)
        if name not in self._calls:
            return
        how = self._how_discarded(ctx)
        if how is None:
            return
        self.report(
            node,
            f"the task `{name}()` returns {how}: the event loop holds tasks only weakly, "
            "so it can be garbage-collected before it finishes, and its exception is never seen",
            ctx.statement(),
            ProposedFix(
                "Keep the task until it is done: `tasks.add(task)` and "
                "`task.add_done_callback(tasks.discard)`, or start it in a `TaskGroup`",
                Applicability.DISPLAY_ONLY,
            ),
        )

    def _how_discarded(self, ctx: Context) -> str | None:
        """How the task made by the call being visited is lost, as a clause for the message,
        or None when something may keep it (awaited, passed on, returned, stored, read)."""
        parents = ctx.parents
        value = parents[-1]  # the expression that holds the task, from the call outwards
        unread: list[str] = []  # walrus names on the way that nothing reads
        for index in range(len(parents) - 2, -1, -1):
            holder = parents[index]
            if isinstance(holder, cst.Expr):
                return _bound_to(unread) if unread else "is not kept"
            if isinstance(holder, _CARRIERS()):
                value = holder
            elif isinstance(holder, cst.IfExp):
                if value is holder.test:
                    return "is only tested for truth, never kept"
                value = holder
            elif isinstance(holder, _COMPREHENSIONS()):
                if value is getattr(holder, "elt", None) or value is getattr(holder, "value", None):
                    value = holder  # the comprehension's items carry it
                elif _is_condition(value, holder):
                    return "is only tested for truth, never kept"
                else:
                    return None
            elif isinstance(holder, _TRUTH_TESTS()):
                return "is only tested, never kept"
            elif isinstance(holder, cst.WithItem) and value is holder.item:
                return "is entered as a context manager (which a task is not), never kept"
            elif isinstance(holder, cst.Attribute):
                # `create_task(c).add_done_callback(cb)` returns None, and the callback does
                # not keep the task alive; any other attribute uses the task.
                return "is not kept" if holder.attr.value == "add_done_callback" else None
            elif isinstance(holder, cst.NamedExpr):
                if self._read_later(holder.target, ctx):
                    return None
                unread.append(holder.target.value)
                value = holder  # `(t := create_task(c))`: the value goes on outwards
            elif isinstance(holder, (cst.Assign, cst.AnnAssign)) and value is holder.value:
                targets = [t.target for t in holder.targets] if isinstance(holder, cst.Assign) else [holder.target]
                if all(isinstance(t, cst.Name) and not self._read_later(t, ctx) for t in targets):
                    return _bound_to(unread + [t.value for t in targets])
                return None
            else:
                return None
        return None

    def _read_later(self, target: cst.BaseExpression, ctx: Context) -> bool:
        """False only for a plain name local to the function that nothing in it reads: the
        binding dies with the function's frame. Module and class bindings live on."""
        function = ctx.function.node
        if not isinstance(target, cst.Name) or not isinstance(function, cst.FunctionDef):
            return True
        if id(function) not in self._referenced:
            self._referenced[id(function)] = referenced_names(function)
        referenced = self._referenced[id(function)]
        return referenced is None or target.value in referenced


def _bound_to(names: list[str]) -> str:
    return f"is only bound to {', '.join(f'`{n}`' for n in names)}, which nothing reads"


def _is_condition(value: cst.CSTNode, comprehension: cst.BaseComp) -> bool:
    """Whether `value` is the test of one of the comprehension's `if` clauses."""
    comp_for: cst.CompFor | None = comprehension.for_in
    while comp_for is not None:
        if any(condition.test is value for condition in comp_for.ifs):
            return True
        comp_for = comp_for.inner_for_in
    return False
