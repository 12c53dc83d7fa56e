"""The shared mechanism of ASY100-ASY108: a call, in async context, that the blocking table
lists under the check's code. Each code is its own small check module that names itself."""

from __future__ import annotations

import ast
from collections.abc import Callable

from asynclint._lazy import NodeTypes
from asynclint._lazy import libcst as cst

from asynclint.analysis.bridges import bridge_at
from asynclint.analysis.context import Context
from asynclint.analysis.guards import IN_MEMORY_FILES, type_name
from asynclint.analysis.values import constant_number, origin_of
from asynclint.checks.base import Check, ProposedFix
from asynclint.checks.fixes import code_of, display_fix, offload_fix
from asynclint.tables import ArgumentCondition, BlockingGroup, Tables

# Handing an object to these makes it async; the call inside is not a blocking use.
_ASYNC_WRAPPERS = frozenset({"trio.wrap_file", "anyio.wrap_file"})

# Only an operation on a socket or descriptor in non-blocking mode raises these: code that
# handles them has switched the object to that mode, and the call returns at once.
_NONBLOCKING_MODE_ERRORS = frozenset(
    {"builtins.BlockingIOError", "ssl.SSLWantReadError", "ssl.SSLWantWriteError"}
)

# Where a lazy call's iterator is kept for later rather than consumed on the spot.
_STORING_STATEMENTS = NodeTypes("Assign", "AnnAssign", "NamedExpr", "Return", "Yield")


class BlockingCallCheck(Check):
    def __init__(self, tables: Tables) -> None:
        self._calls: dict[str, BlockingGroup] = tables.blocking_for(self.code)
        super().__init__(tables)

    def start_file(self) -> None:
        super().start_file()
        self._reported: set[int] = set()  # ids of the calls reported in this file

    def required_words(self, tables: Tables) -> tuple[frozenset[str], ...]:
        # Every call is named by its last component somewhere in the text (at the call or
        # in the import that aliases it), and async context needs `async def`.
        return (frozenset({"async"}), frozenset(name.rsplit(".", 1)[-1] for name in self._calls))

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        if not ctx.in_async:
            return
        name = ctx.callee(node)
        if name in _ASYNC_WRAPPERS:
            self._withdraw_wrapped(node, ctx)
            return
        group = self._calls.get(name) if name is not None else None
        if group is None or not blocks(node, group, ctx):
            return
        if self.code == "ASY106" and bridge_at(node, ctx) is not None:
            return  # `run_coroutine_threadsafe(...).result()` waits for a loop: ASY110's finding
        origin = ctx.receiver_origin(node)
        if origin is not None and id(origin) in self._reported:
            return  # `f.read()` after a reported `f = open(p)`: one finding says it all
        self._reported.add(id(node))
        message = f"{describe_call(node, name)} {group.what}"  # the remedy is the help (the fix title)
        # Offloading a lazy call would move only the iterator's creation to a thread and
        # leave the I/O, which happens while it is consumed, on the loop.
        # A call that must stay on its thread (`offload = false`) gets no fix either.
        fix = self.fix(node, name, ctx) if group.offload and not group.lazy else None
        if fix is None:  # no rewrite here: what the table says to use instead, never applied
            fix = display_fix(group.remedy[:1].upper() + group.remedy[1:])
        self.report(node, message, ctx.statement(), fix)

    def fix(self, node: cst.Call, name: str, ctx: Context) -> ProposedFix | None:
        """The fix for one reported call; checks that offer one override this."""
        return None

    def _withdraw_wrapped(self, wrapper: cst.Call, ctx: Context) -> None:
        """`with open(p) as f:` then `wrap_file(f)` is the exempt `wrap_file(open(p))` in two
        steps: the finding already made at that `open(p)` is taken back."""
        for arg in wrapper.args:
            origin = ctx.value_origin(arg.value)
            if origin is not None and id(origin) in self._reported:
                self._reported.discard(id(origin))
                self.reports = [report for report in self.reports if report.node is not origin]


def blocks(node: cst.Call, group: BlockingGroup, ctx: Context) -> bool:
    """Whether a call the table lists under `group` blocks where it stands: not awaited or
    wrapped async, not made non-blocking by its arguments or by a non-blocking socket's error
    handling. ASY100-ASY108 report such calls in async context; ASY109 follows them in sync
    helpers."""
    return (
        is_blocking_use(node, group, ctx)
        and not made_nonblocking(node, group, ctx)
        and not _in_memory_receiver(node, ctx)
        and not _fresh_lock(node, ctx)
        and not _known_finished(node, ctx)
        and not _socket_ready(node, ctx)
        and not _NONBLOCKING_MODE_ERRORS & ctx.handled_exceptions()
    )


def _in_memory_receiver(node: cst.Call, ctx: Context) -> bool:
    """A method called on an in-memory file never waits on a disk, whatever annotation calls
    it a file object: `buf: io.IOBase = io.BytesIO()`, or `self._buf` whose first value (in
    `__init__`) is an `io.StringIO()`."""
    if not isinstance(node.func, cst.Attribute):
        return False
    receiver = node.func.value
    origin = receiver if isinstance(receiver, cst.Call) else origin_of(receiver, ctx)
    if not isinstance(origin, cst.Call):
        return False
    name = ctx.callee(origin)
    return name is not None and type_name(ctx.canonical(name)) in IN_MEMORY_FILES


def _fresh_lock(node: cst.Call, ctx: Context) -> bool:
    """`lock = threading.Lock()` (or `self._lock = ...`) and then, in the same block and before
    anything else names it, `lock.acquire()`: no other thread has the lock yet, so the acquire
    returns at once. (A semaphore built with a count of 0 waits even then: only one built
    without arguments or with a positive literal count counts.)"""
    func = node.func
    if not (isinstance(func, cst.Attribute) and func.attr.value == "acquire"):
        return False
    receiver = func.value
    name = _plain_target(receiver, ctx)
    method = ctx.callee(node)
    statement = ctx.statement()
    index = next((i for i, p in enumerate(ctx.parents) if p is statement), 0)
    block = ctx.parents[index - 1] if index else None
    if name is None or method is None or not isinstance(block, cst.IndentedBlock):
        return False
    earlier = block.body[: next(i for i, s in enumerate(block.body) if s is statement)]
    for previous in reversed(earlier):
        value = _assigned_to(previous, name, ctx)
        if value is not None:
            return (
                isinstance(value, cst.Call)
                and ctx.callee(value) == method.rpartition(".")[0]
                and (not value.args or (len(value.args) == 1 and (constant_number(value.args[0].value, ctx) or 0) > 0))
            )
        if _names(previous, name):
            return False
    return False


# Waits for a thread, process or future to finish, and what shows it already has.
_WAITS_FOR_END = frozenset({"join", "result"})


def _known_finished(node: cst.Call, ctx: Context) -> bool:
    """`t.join()` / `fut.result()` where this function already knows the thread or future is
    done, so the call returns at once: inside `if fut.done():`; after `while t.is_alive():`
    (or `while not fut.done():`) that awaits in its body; after an `await` of the future
    itself (`await asyncio.wrap_future(fut)`, `await fut`); or after `fut.add_done_callback(...)`
    followed by an `await` (the callback is how async code learns the future is done, and the
    await waits for it)."""
    func = node.func
    if not (isinstance(func, cst.Attribute) and func.attr.value in _WAITS_FOR_END):
        return False
    name = _plain_target(func.value, ctx)
    if name is None:
        return False
    callback_seen = False
    for earlier in _earlier_statements(ctx):
        if callback_seen and _contains(earlier, cst.Await):
            return True
        if isinstance(earlier, cst.While) and _tests_running(earlier.test, name, ctx) and _contains(earlier.body, cst.Await):
            return True
        if _awaits_itself(earlier, name, ctx):
            return True
        callback_seen = callback_seen or _calls_method(earlier, name, "add_done_callback", ctx)
    return any(
        isinstance(parent, cst.If)
        and child is parent.body
        and not isinstance(parent.test, cst.UnaryOperation)
        and _calls_method(parent.test, name, "done", ctx)
        for parent, child in zip(ctx.parents, ctx.parents[1:])
    )


def _earlier_statements(ctx: Context) -> list[cst.CSTNode]:
    """The statements before the current one in each block around it, up to the function,
    in source order."""
    parents = ctx.parents
    found: list[list[cst.CSTNode]] = []
    for index in range(len(parents) - 2, -1, -1):
        block = parents[index]
        if isinstance(block, (cst.FunctionDef, cst.Lambda, cst.Module)):
            break
        if isinstance(block, cst.IndentedBlock):
            child = parents[index + 1]
            position = next((i for i, s in enumerate(block.body) if s is child), 0)
            found.append(list(block.body[:position]))
    return [statement for level in reversed(found) for statement in level]


# Awaits that return once a socket can be read or written without waiting.
_READINESS_WAITS = frozenset({"wait_readable", "wait_writable", "wait_socket_readable", "wait_socket_writable"})


def _socket_ready(node: cst.Call, ctx: Context) -> bool:
    """A socket method that returns at once: the socket was switched to non-blocking mode
    (`sock.setblocking(False)` earlier in the function, or `self._sock.setblocking(False)` in
    any method of the class: trio's and anyio's socket wrappers), or this function awaited its
    readiness first (`await trio.lowlevel.wait_readable(sock)`, `anyio.wait_socket_writable`)."""
    method = ctx.callee(node)
    func = node.func
    if method is None or not method.startswith(("socket.socket.", "ssl.SSLSocket.")) or not isinstance(func, cst.Attribute):
        return False
    name = _plain_target(func.value, ctx)
    if name is None:
        return False
    for earlier in _earlier_statements(ctx):
        if _sets_nonblocking(earlier, name, ctx) or _awaits_readiness(earlier, name, ctx):
            return True
    if name.startswith("."):
        owner = next((p for p in reversed(ctx.parents) if isinstance(p, cst.ClassDef)), None)
        return owner is not None and _sets_nonblocking(owner, name, ctx, any_self=True)
    return False


def _sets_nonblocking(node: cst.CSTNode, name: str, ctx: Context, any_self: bool = False) -> bool:
    """Whether `node` holds `<name>.setblocking(False)` or `<name>.settimeout(0)`; with
    `any_self`, `name` is an attribute (".sock") set on whatever a method calls its instance."""

    def receiver_is_name(receiver: cst.CSTNode) -> bool:
        if any_self:
            return isinstance(receiver, cst.Attribute) and isinstance(receiver.value, cst.Name) and "." + receiver.attr.value == name
        return _plain_target(receiver, ctx) == name

    return _finds(
        node,
        lambda current: _is_method_call(current, ("setblocking", "settimeout"))
        and len(current.args) == 1
        and code_of(current.args[0].value).strip() in ("False", "0", "0.0")
        and receiver_is_name(current.func.value),
    )


def _awaits_readiness(statement: cst.CSTNode, name: str, ctx: Context) -> bool:
    def waits_for_name(current: cst.CSTNode) -> bool:
        if not (isinstance(current, cst.Await) and isinstance(current.expression, cst.Call)):
            return False
        call = current.expression
        callee = call.func.attr.value if isinstance(call.func, cst.Attribute) else getattr(call.func, "value", None)
        return callee in _READINESS_WAITS and any(_plain_target(arg.value, ctx) == name for arg in call.args)

    return _finds(statement, waits_for_name)


def _contains(node: cst.CSTNode, kind: type) -> bool:
    """Whether `node` holds a `kind` outside the functions and lambdas it defines."""
    return _finds(node, lambda current: isinstance(current, kind), into_functions=False)


def _is_method_call(node: cst.CSTNode, methods: tuple[str, ...]) -> bool:
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in methods


def _finds(node: cst.CSTNode, matches: Callable[[cst.CSTNode], bool], into_functions: bool = True) -> bool:
    """Whether `matches` accepts `node` or a node under it; with `into_functions` false, not
    one inside a def or lambda that `node` holds."""
    from asynclint.analysis.walker import children

    pending = [node]
    while pending:
        current = pending.pop()
        if matches(current):
            return True
        if not into_functions and isinstance(current, (cst.FunctionDef, cst.Lambda)):
            continue
        pending.extend(children(current))
    return False


def _calls_method(node: cst.CSTNode, name: str, method: str, ctx: Context) -> bool:
    """Whether `node` holds a call `<name>.<method>(...)` (`name` as _plain_target gives it)."""
    return _finds(
        node,
        lambda current: _is_method_call(current, (method,)) and _plain_target(current.func.value, ctx) == name,
    )


def _tests_running(test: cst.BaseExpression, name: str, ctx: Context) -> bool:
    """`t.is_alive()` or `not fut.done()`: true while the thread or future runs."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return _calls_method(test.expression, name, "done", ctx)
    return _calls_method(test, name, "is_alive", ctx)


def _awaits_itself(statement: cst.CSTNode, name: str, ctx: Context) -> bool:
    """Whether `statement` awaits the future `name` itself or a wrapper of it:
    `await fut`, `await asyncio.wrap_future(fut)`, `await asyncio.wait_for(fut, 5)`."""
    from asynclint.analysis.walker import children

    pending = [statement]
    while pending:
        current = pending.pop()
        if isinstance(current, cst.Await):
            awaited = current.expression
            if _plain_target(awaited, ctx) == name:
                return True
            if isinstance(awaited, cst.Call) and any(_plain_target(arg.value, ctx) == name for arg in awaited.args):
                return True
        pending.extend(children(current))
    return False


def _plain_target(expr: cst.BaseExpression, ctx: Context) -> str | None:
    """"lock" for `lock`, ".lock" for `self.lock` in a method: what an assignment binds."""
    if isinstance(expr, cst.Name):
        return expr.value
    frame = ctx.function
    if (
        isinstance(expr, cst.Attribute)
        and isinstance(expr.value, cst.Name)
        and frame.self_name is not None
        and expr.value.value == frame.self_name
    ):
        return "." + expr.attr.value
    return None


def _assigned_to(statement: cst.CSTNode, name: str, ctx: Context) -> cst.BaseExpression | None:
    """The value a `name = value` (or `self.name = value`) statement binds, if it is one."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        target = small.target
    else:
        return None
    return small.value if _plain_target(target, ctx) == name else None


def _names(node: cst.CSTNode, name: str) -> bool:
    """Whether `node` mentions `name` ("lock") or the attribute `name` (".lock") anywhere."""
    from asynclint.analysis.walker import children

    attribute = name[1:] if name.startswith(".") else None
    pending = [node]
    while pending:
        current = pending.pop()
        if attribute is None and isinstance(current, cst.Name) and current.value == name:
            return True
        if attribute is not None and isinstance(current, cst.Attribute) and current.attr.value == attribute:
            return True
        pending.extend(children(current))
    return False


def describe_call(node: cst.Call, qualified_name: str) -> str:
    """The call as written, with what it resolved to when that is not obvious from it:
    "`pause()` (`time.sleep`)", "`self.s.get()` (`requests.Session.get`)", "`open()`"."""
    written = cst.Module(body=()).code_for_node(node.func)
    shown = qualified_name.removeprefix("builtins.")
    if written == shown or len(written) > 60:
        return f"`{shown}()`"
    return f"`{written}()` (`{shown}`)"


class OffloadableBlockingCallCheck(BlockingCallCheck):
    """A blocking call whose fix runs it in a worker thread (always unsafe; see offload_fix)."""


    def fix(self, node: cst.Call, name: str, ctx: Context) -> ProposedFix | None:
        return offload_fix(node, ctx)


def made_nonblocking(node: cst.Call, group: BlockingGroup, ctx: Context) -> bool:
    """True when an argument named in the group's `nonblocking_if` makes the call return at
    once (`lock.acquire(blocking=False)`, `os.waitpid(pid, os.WNOHANG)`), or when the group
    is `bounded_by` an argument that the receiver was built without (`q = queue.Queue()`)."""
    if group.bounded_by is not None and _built_unbounded(node, group.bounded_by, ctx):
        return True
    if not group.nonblocking_if:
        return False
    positional = [arg for arg in node.args if arg.keyword is None and not arg.star]
    for condition in group.nonblocking_if:
        if condition.keyword is not None:
            candidates = [a.value for a in node.args if a.keyword and a.keyword.value == condition.keyword]
        elif condition.position is not None:
            candidates = [positional[condition.position].value] if condition.position < len(positional) else []
        else:
            candidates = [arg.value for arg in node.args]
        if any(_argument_matches(value, condition, ctx) for value in candidates):
            return True
    return False


def _built_unbounded(call: cst.Call, size_argument: str, ctx: Context) -> bool:
    """True when the receiver of a method call was built by its own class's constructor, seen
    here, without a positive `size_argument` (the keyword, or the first positional argument):
    `q = queue.Queue()` or `queue.Queue(maxsize=0)`, a queue that never fills."""
    method = ctx.callee(call)
    origin = ctx.receiver_origin(call)
    if method is None or not isinstance(origin, cst.Call):
        return False
    if ctx.callee(origin) != method.rsplit(".", 1)[0]:
        return False  # built by some other factory: its bound is not visible here
    sizes = [a.value for a in origin.args if a.keyword and a.keyword.value == size_argument]
    sizes += [a.value for a in origin.args if a.keyword is None and not a.star][:1]
    if not sizes:
        return not any(a.star for a in origin.args)  # `*args`/`**kwargs` may carry a bound
    try:
        size = ast.literal_eval(cst.Module(body=()).code_for_node(sizes[0]).strip())
    except (ValueError, SyntaxError):
        return False
    return isinstance(size, (int, float)) and size <= 0


def _argument_matches(value: cst.BaseExpression, condition: ArgumentCondition, ctx: Context) -> bool:
    if condition.names_a_call:
        return isinstance(value, cst.Call) and ctx.callee(value) == condition.value[: -len("()")]
    if not condition.names_a_constant:
        return _same_literal(cst.Module(body=()).code_for_node(value).strip(), condition.value)
    # The constant may sit inside an expression (`os.WNOHANG | os.WUNTRACED`), or in one
    # that a name was bound to (`NUMERIC = socket.AI_NUMERICHOST | socket.AI_NUMERICSERV`).
    pending = [value]
    seen: set[int] = set()  # `flags = flags | x` must not loop
    while pending:
        expr = pending.pop()
        if id(expr) in seen:
            continue
        seen.add(id(expr))
        if isinstance(expr, (cst.Name, cst.Attribute)) and ctx.qualified_name(expr) == condition.value:
            return True
        if isinstance(expr, cst.BinaryOperation):
            pending += [expr.left, expr.right]
        elif isinstance(expr, cst.Name) and (origin := ctx.value_origin(expr)) is not None:
            pending.append(origin)
    return False


def _same_literal(written: str, expected: str) -> bool:
    """Literals compare by value: `blocking=0` is `blocking=False`, `timeout=0.0` is `timeout=0`."""
    try:
        return ast.literal_eval(written) == ast.literal_eval(expected)
    except (ValueError, SyntaxError):
        return written == expected


def is_blocking_use(node: cst.Call, group: BlockingGroup, ctx: Context) -> bool:
    """False when the call's result is awaited, used by `async with`, or wrapped async, and
    when the group's calls are lazy and the iterator is only stored, not consumed here."""
    if group.lazy and _only_stored(ctx):
        return False
    parent = ctx.parent
    if isinstance(parent, cst.Await):
        return False
    if isinstance(parent, cst.WithItem):
        with_statement = ctx.parents[-3] if len(ctx.parents) >= 3 else None
        return not (isinstance(with_statement, cst.With) and with_statement.asynchronous)
    if isinstance(parent, cst.Arg) and len(ctx.parents) >= 3:
        wrapper = ctx.parents[-3]
        if isinstance(wrapper, cst.Call) and ctx.qualified_name(wrapper.func) in _ASYNC_WRAPPERS:
            return False
    return True


def _only_stored(ctx: Context) -> bool:
    """True when the value of the node being visited is assigned, returned or yielded (also
    through `a if cond else b`) rather than consumed where it stands."""
    value = ctx.parents[-1]
    for holder in reversed(ctx.parents[:-1]):
        if isinstance(holder, cst.IfExp) and value is not holder.test:
            value = holder
            continue
        return isinstance(holder, _STORING_STATEMENTS()) and holder.value is value
    return False
