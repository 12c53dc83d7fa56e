"""Loop facts: which names a loop's body assigns, which values stay the same across its
iterations, whether its size is fixed, and whether it runs once per item of some data.

The walker pushes a `LoopFrame` (context.py) for every `for`/`async for`/`while` and for each
`for` clause of a comprehension, with the loop's own target names and what it iterates. What a
body assigns is collected only when a check first asks about that loop, by a pass over the
body's *statements* (expressions are not entered), and cached on the frame: loops nobody asks
about cost nothing, and the pass never repeats.

Limits, on purpose: an assignment expression (`:=`) inside an expression is not seen, and a
value mutated through an alias (`alias = x; alias.append(...)`) still counts as unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from asynclint._lazy import NodeTypes
from asynclint._lazy import libcst as cst

from asynclint.analysis.scope import dotted_name, target_names
from asynclint.analysis.values import constant_number, origin_of

if TYPE_CHECKING:
    from asynclint.analysis.context import Context, LoopFrame

# Methods that change their receiver in place: a value they are called on is not invariant.
_MUTATORS = frozenset(
    {
        "append", "extend", "insert", "pop", "remove", "clear", "update", "add", "discard",
        "setdefault", "popitem", "sort", "reverse", "appendleft", "extendleft", "popleft",
        "rotate", "write", "writelines", "truncate", "seek", "difference_update",
        "intersection_update", "symmetric_difference_update", "__setitem__", "__delitem__",
    }
)  # fmt: skip
_MAX_DEPTH = 4
_EXITS = NodeTypes("Return", "Break", "Raise")


@dataclass(frozen=True, slots=True)
class LoopAssignments:
    """What a loop's body binds or changes: plain names and dotted names (`self.buf`)."""

    rebound: frozenset[str]  # bound afresh: `x = ...`, `for x in`, `with ... as x`, `del x`
    updated: frozenset[str]  # changed from their own value: `x += y`, `x = x + y`, `x.append(y)`
    awaited: frozenset[str]  # awaited in the body: `await t`, `await asyncio.wait_for(t, 5)`


def assignments(frame: LoopFrame) -> LoopAssignments:
    if frame.facts is None:
        rebound: set[str] = set()
        updated: set[str] = set()
        awaited: set[str] = set()
        node = frame.node
        if isinstance(node, (cst.For, cst.While)):
            _collect_block(node.body, _Sets(rebound, updated, awaited))
        frame.facts = LoopAssignments(frozenset(rebound), frozenset(updated), frozenset(awaited))
    return frame.facts


def is_item(expr: cst.BaseExpression, frame: LoopFrame) -> bool:
    """True when `expr` is (an attribute of) the loop's own target: `chunk` in `for chunk in`."""
    key = dotted_name(expr)
    return key is not None and key.split(".", 1)[0] in frame.target_names


def is_invariant(expr: cst.BaseExpression, frame: LoopFrame) -> bool:
    """True when `expr` (a name or dotted name) is bound outside the loop and neither rebound
    nor changed in place in its body, so it has the same value on every iteration."""
    key = dotted_name(expr)
    if key is None or is_item(expr, frame):
        return False
    facts = assignments(frame)
    parts = key.split(".")
    prefixes = {".".join(parts[: i + 1]) for i in range(len(parts))}
    return not (prefixes & facts.rebound or prefixes & facts.updated)


def is_constant_size(frame: LoopFrame, ctx: Context) -> bool:
    """True for a loop over a fixed number of items: `range(4)`, `range(N)` with `N = 4`,
    a literal tuple/list/set/dict, or a name bound to one."""
    return frame.iter is not None and _constant_size(frame.iter, ctx, 0)


def iterates_data(frame: LoopFrame, ctx: Context) -> bool:
    """True for a loop that runs once per item of some data, so its length grows with input.

    Not data: a constant-size loop, and a `range(n)` whose bound involves no `len()`, which
    counts (a pool of `n` workers) rather than walks data. A `while` loop is data: it repeats
    until something outside says stop (typically once per message or connection)."""
    iterable = frame.iter
    if iterable is None:
        return True
    if _constant_size(iterable, ctx, 0):
        return False
    return not (_is_range(iterable, ctx) and not _mentions_len(iterable, ctx))


def iterable_is_data(iterable: cst.BaseExpression, ctx: Context) -> bool:
    """`iterates_data` for an iterable expression outside any frame (a comprehension's)."""
    if _constant_size(iterable, ctx, 0):
        return False
    return not (_is_range(iterable, ctx) and not _mentions_len(iterable, ctx))


def unbounded_loop(ctx: Context, within: cst.CSTNode | None = None) -> LoopFrame | None:
    """For work started at this point: the innermost enclosing loop (of the current function)
    that runs once per item of data, unless a semaphore is acquired (`await sem.acquire()`)
    within an iteration of the outermost such loop, which bounds how much runs at once. With
    `within` (an enclosing node, such as the `async with` of a task group that waits for its
    tasks), only loops inside it count: work started in it ends before a loop around it goes on."""
    first = 0
    if within is not None:
        parents = ctx.parents
        position = next((i for i in range(len(parents) - 1, -1, -1) if parents[i] is within), None)
        inside = {id(p) for p in parents[position + 1 :]} if position is not None else set()
        first = next((i for i, frame in enumerate(ctx.loops) if id(frame.node) in inside), len(ctx.loops))
    data = [index for index in range(first, len(ctx.loops)) if iterates_data(ctx.loops[index], ctx)]
    if not data:
        return None
    from asynclint.analysis.locks import held

    for hold in held(ctx):
        if hold.block is not None and hold.primitive.kind == "semaphore" and hold.loop_depth > data[0]:
            return None
    return ctx.loops[data[-1]]


def leaves_after(frame: LoopFrame, ctx: Context) -> bool:
    """True when the statement being visited is followed by a `return`, `break` or `raise`
    in its own block, or in a block around it within `frame`'s body (or is one itself): it
    runs at most once per run of the loop, like a lookup that copies what it found and leaves."""
    parents = ctx.parents
    for index in range(len(parents) - 1, 0, -1):
        node, child = parents[index - 1], parents[index]
        if node is frame.node:
            return False
        if isinstance(child, cst.SimpleStatementLine) and any(isinstance(s, _EXITS()) for s in child.body):
            return True
        if isinstance(node, (cst.IndentedBlock, cst.SimpleStatementSuite)):
            body = list(node.body)
            later = body[next(i for i, s in enumerate(body) if s is child) + 1 :]
            for statement in later:
                smalls = statement.body if isinstance(statement, cst.SimpleStatementLine) else (statement,)
                if any(isinstance(s, _EXITS()) for s in smalls):
                    return True
    return False


def counts(frame: LoopFrame, ctx: Context) -> bool:
    """True for `for i in range(...)` (or `enumerate(range(...))`): the items are integers."""
    return frame.iter is not None and _is_range(frame.iter, ctx)


def describe(frame: LoopFrame) -> str:
    """The loop as a message names it: "the loop over `hooks`", "the `while` loop"."""
    if frame.iter is None:
        return "the `while` loop"
    written = cst.Module(body=()).code_for_node(frame.iter)
    kind = "loop" if isinstance(frame.node, cst.For) else "comprehension"
    if len(written) > 40:
        return f"the {kind}"
    return f"the {kind} over `{written}`"


# --- what a body assigns -------------------------------------------------------------------


@dataclass(slots=True)
class _Sets:
    rebound: set[str]
    updated: set[str]
    awaited: set[str]


def _collect_block(block: cst.BaseSuite, sets: _Sets) -> None:
    if isinstance(block, cst.SimpleStatementSuite):  # `for x in xs: total += x`
        for small in block.body:
            _collect_small(small, sets)
        return
    for statement in block.body:
        _collect_statement(statement, sets)


def _collect_statement(statement: cst.CSTNode, sets: _Sets) -> None:
    if isinstance(statement, cst.SimpleStatementLine):
        for small in statement.body:
            _collect_small(small, sets)
    elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
        sets.rebound.add(statement.name.value)
    elif isinstance(statement, cst.For):
        _add_target(statement.target, sets)
        _collect_block(statement.body, sets)
        if statement.orelse is not None:
            _collect_block(statement.orelse.body, sets)
    elif isinstance(statement, cst.While):
        _collect_block(statement.body, sets)
        if statement.orelse is not None:
            _collect_block(statement.orelse.body, sets)
    elif isinstance(statement, cst.If):
        _collect_block(statement.body, sets)
        if statement.orelse is not None:
            _collect_statement(statement.orelse, sets)
    elif isinstance(statement, cst.Else):
        _collect_block(statement.body, sets)
    elif isinstance(statement, cst.With):
        for item in statement.items:
            if item.asname is not None:
                _add_target(item.asname.name, sets)
        _collect_block(statement.body, sets)
    elif isinstance(statement, (cst.Try, cst.TryStar)):
        _collect_block(statement.body, sets)
        for handler in statement.handlers:
            if handler.name is not None:
                _add_target(handler.name.name, sets)
            _collect_block(handler.body, sets)
        for extra in (statement.orelse, statement.finalbody):
            if extra is not None:
                _collect_block(extra.body, sets)
    elif isinstance(statement, cst.Match):
        for case in statement.cases:
            _collect_block(case.body, sets)


def _collect_small(small: cst.CSTNode, sets: _Sets) -> None:
    if isinstance(small, cst.Assign):
        for target in small.targets:
            if _is_self_concat(target.target, small.value):
                sets.updated.add(dotted_name(target.target))
            else:
                _add_target(target.target, sets)
        _note_value(small.value, sets)
    elif isinstance(small, cst.AugAssign):
        key = dotted_name(small.target)
        if key is not None:
            sets.updated.add(key)
        else:
            _add_target(small.target, sets)
    elif isinstance(small, cst.AnnAssign):
        if small.value is not None:
            _add_target(small.target, sets)
            _note_value(small.value, sets)
    elif isinstance(small, cst.Expr):
        _note_value(small.value, sets)
    elif isinstance(small, cst.Del):
        _add_target(small.target, sets)
    elif isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(
        small.names, cst.ImportStar
    ):
        for alias in small.names:
            bound = alias.asname.name if alias.asname is not None else alias.name
            name = dotted_name(bound)
            if name is not None:
                sets.rebound.add(name.split(".", 1)[0])
    elif isinstance(small, cst.Return) and small.value is not None:
        _note_value(small.value, sets)


def _add_target(target: cst.BaseExpression, sets: _Sets) -> None:
    if isinstance(target, (cst.Subscript, cst.Attribute)):
        key = dotted_name(target)
        if key is not None:  # `self.buf = ...` rebinds the attribute
            sets.rebound.add(key)
            return
        base = dotted_name(target.value)
        if base is not None:  # `x[k] = v` changes x in place
            sets.updated.add(base)
        return
    if isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            _add_target(element.value, sets)
        return
    if isinstance(target, cst.StarredElement):
        _add_target(target.value, sets)
        return
    sets.rebound.update(target_names(target))


def _is_self_concat(target: cst.BaseExpression, value: cst.BaseExpression) -> bool:
    """`x = x + y`: the accumulator form of `x += y`."""
    key = dotted_name(target)
    return (
        key is not None
        and isinstance(value, cst.BinaryOperation)
        and isinstance(value.operator, cst.Add)
        and dotted_name(value.left) == key
    )


def _note_value(value: cst.BaseExpression, sets: _Sets) -> None:
    """Notes what a statement's value changes in place (`x.append(y)`) and what it awaits
    (`await t`, `await asyncio.wait_for(t, 5)`)."""
    if isinstance(value, cst.Await):
        value = value.expression
        awaited = dotted_name(value)
        if awaited is not None:
            sets.awaited.add(awaited)
        elif isinstance(value, cst.Call):
            for arg in value.args:
                awaited = dotted_name(arg.value)
                if awaited is not None and arg.keyword is None:
                    sets.awaited.add(awaited)
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
        if value.func.attr.value in _MUTATORS:
            receiver = dotted_name(value.func.value)
            if receiver is not None:
                sets.updated.add(receiver)


# --- sizes ---------------------------------------------------------------------------------


def _constant_size(iterable: cst.BaseExpression, ctx: Context, depth: int) -> bool:
    if isinstance(iterable, (cst.Tuple, cst.List, cst.Set)):
        return not any(isinstance(el, cst.StarredElement) for el in iterable.elements)
    if isinstance(iterable, cst.Dict):
        return not any(isinstance(el, cst.StarredDictElement) for el in iterable.elements)
    if isinstance(iterable, (cst.SimpleString, cst.ConcatenatedString)):
        return True
    if isinstance(iterable, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
        clause = iterable.for_in
        while clause is not None:  # `[f(i) for i in range(5)]`
            if not _constant_size(clause.iter, ctx, depth):
                return False
            clause = clause.inner_for_in
        return True
    if isinstance(iterable, cst.Call):
        func = iterable.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in ("keys", "values", "items", "copy")
            and not iterable.args
        ):
            return _constant_size(func.value, ctx, depth)  # `{"a": 1}.items()`
        name = ctx.qualified_name(func)
        args = [arg.value for arg in iterable.args if arg.keyword is None and not arg.star]
        if name in ctx.tables.gathers:  # one result per argument written out
            return not any(arg.star for arg in iterable.args)
        if name == "builtins.range":
            return bool(args) and all(constant_number(arg, ctx) is not None for arg in args)
        if name in ("builtins.enumerate", "builtins.reversed", "builtins.sorted"):
            return bool(args) and _constant_size(args[0], ctx, depth)
        if name == "builtins.zip":
            return any(_constant_size(arg, ctx, depth) for arg in args)
        return False
    if isinstance(iterable, cst.Name) and _is_star_parameter(iterable.value, ctx):
        return True  # `def f(*args): for a in args`: as many as the call sites write
    if isinstance(iterable, cst.Await):  # `responses = await asyncio.gather(a, b, c)`
        return _constant_size(iterable.expression, ctx, depth)
    if isinstance(iterable, cst.Subscript):
        return _constant_slice(iterable, ctx)
    if isinstance(iterable, (cst.Name, cst.Attribute)) and _imported_constant(iterable, ctx):
        return True
    if isinstance(iterable, (cst.Name, cst.Attribute)) and depth < _MAX_DEPTH:
        origin = origin_of(iterable, ctx)
        if origin is not None and _empty_literal(origin):
            # `pending = []`, filled later: a container, whose size is fixed only when the
            # function fills it with a handful of appends written out.
            return isinstance(iterable, cst.Name) and _filled_item_by_item(iterable, ctx)
        return origin is not None and _constant_size(origin, ctx, depth + 1)
    return False


def _constant_slice(node: cst.Subscript, ctx: Context) -> bool:
    """`events[:2]`, `xs[1:4]`, `xs[-3:]`: a slice whose bounds are constants takes a fixed
    number of items at most, however long the sequence is."""
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Slice):
        return False
    part = node.slice[0].slice
    lower = constant_number(part.lower, ctx) if part.lower is not None else None
    upper = constant_number(part.upper, ctx) if part.upper is not None else None
    if upper is not None:
        return upper >= 0 and (part.lower is None or lower is not None)
    return part.upper is None and lower is not None and lower < 0


def _imported_constant(expr: cst.Name | cst.Attribute, ctx: Context) -> bool:
    """An UPPER_CASE name imported from a module of the same package (`from .const import
    PLATFORMS`, or `const.PLATFORMS` after `from . import const`): a module constant by PEP 8's
    convention, fixed when the program is written. Its literal is in another file, which a check
    does not read; the relative import is what says that file belongs to the project."""
    name = expr.value if isinstance(expr, cst.Name) else expr.attr.value
    qualified = ctx.qualified_name(expr)
    return (
        qualified is not None
        and qualified.startswith(".")
        and name.upper() == name
        and any(c.isalpha() for c in name)
    )


# Methods that add one item to their receiver.
_ADDS_ONE = frozenset({"append", "add", "insert", "appendleft"})
_LOOPS = NodeTypes("For", "While", "ListComp", "SetComp", "GeneratorExp", "DictComp")
_NESTED = NodeTypes("FunctionDef", "ClassDef", "Lambda")


def _filled_item_by_item(name: cst.Name, ctx: Context) -> bool:
    """`tasks = []`, then `tasks.append(a)` and `if b: tasks.append(b)`: as many items as
    appends are written. True when `name` is a local bound once in the function, and every
    change to it adds one item (`append`, `add`, `insert`, `appendleft`, `name[key] = value`)
    outside any loop or comprehension; it is handed to no call that might fill it."""
    from asynclint.analysis.origins import origin_of_name
    from asynclint.analysis.walker import children

    function = ctx.function.node
    scope = ctx.scope
    while scope.kind == "comprehension" and scope.parent is not None:
        scope = scope.parent
    if not isinstance(function, cst.FunctionDef) or name.value not in scope.names:
        return False  # a module-level or outer container is filled elsewhere
    if origin_of_name(name, ctx) is None:
        return False  # bound more than once
    pending: list[tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]] = [(function.body, ())]
    while pending:
        node, ancestors = pending.pop()
        if isinstance(node, cst.Name) and node.value == name.value and ancestors:
            parent = ancestors[-1]
            above = ancestors[-2] if len(ancestors) >= 2 else None
            if any(isinstance(a, _NESTED()) for a in ancestors):
                return False  # a closure may fill it
            if isinstance(parent, cst.Attribute) and isinstance(above, cst.Call) and above.func is parent:
                method = parent.attr.value
                if method in _ADDS_ONE and any(isinstance(a, _LOOPS()) for a in ancestors):
                    return False  # one item per iteration: as many as the data
                if method in _MUTATORS and method not in _ADDS_ONE:
                    return False  # `tasks.extend(more)`
                continue
            if isinstance(parent, cst.Subscript) and isinstance(above, cst.AssignTarget):
                if any(isinstance(a, _LOOPS()) for a in ancestors):
                    return False  # `nodes[key] = value` per iteration: as many as the data
                continue
            if isinstance(parent, cst.Arg) and not parent.star:
                return False  # handed to a call that may fill it
            if isinstance(parent, cst.AugAssign) and parent.target is node:
                return False  # `tasks += more`
            continue
        pending.extend((child, (*ancestors, node)) for child in children(node))
    return True


def _empty_literal(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, (cst.List, cst.Set, cst.Tuple, cst.Dict)):
        return not expr.elements
    return False


def _is_range(iterable: cst.BaseExpression, ctx: Context) -> bool:
    if isinstance(iterable, cst.Call):
        name = ctx.qualified_name(iterable.func)
        if name == "builtins.range":
            return True
        if name == "builtins.enumerate" and iterable.args:
            return _is_range(iterable.args[0].value, ctx)
    return False


def _mentions_len(expr: cst.CSTNode, ctx: Context) -> bool:
    pending = [expr]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Call) and ctx.qualified_name(node.func) == "builtins.len":
            return True
        pending.extend(node.children)
    return False


def _is_star_parameter(name: str, ctx: Context) -> bool:
    function = ctx.function.node
    if not isinstance(function, cst.FunctionDef):
        return False
    star = function.params.star_arg
    if not isinstance(star, cst.Param) or star.name.value != name:
        return False
    binding = ctx.scope.lookup(name)  # from a comprehension too: its scope sits in the function's
    return binding is not None and binding.origin is None and binding.qualname is None
