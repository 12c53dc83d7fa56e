"""The shared mechanism of ASY200 and ASY201: a lock held (`ctx.holds`, see
analysis/locks.py) at a point where the task suspends: `await`, `async for`, `async with`.
Each code decides which holds and which suspensions it cares about; a hold is reported once,
at the expression that names the lock (or its `acquire()` call)."""

from __future__ import annotations

from asynclint._lazy import libcst as cst
from asynclint.analysis.context import Context
from asynclint.analysis.locks import LOCK_HOLDS, Hold, held
from asynclint.checks.base import Check, ProposedFix
from asynclint.checks.fixes import code_of


class HeldAcrossSuspensionCheck(Check):
    facts = frozenset({LOCK_HOLDS})

    def start_file(self) -> None:
        super().start_file()
        self._reported: set[int] = set()  # ids of the holds' `taken_by` nodes

    def judge(self, hold: Hold, suspension: cst.CSTNode, ctx: Context) -> str | None:
        """The message for `hold` held across `suspension`, or None when it is fine."""
        raise NotImplementedError

    def fix(self, hold: Hold, suspension: cst.CSTNode, ctx: Context) -> ProposedFix | None:
        """The suggestion for a hold `judge` reported."""
        return None

    def visit_Await(self, node: cst.Await, ctx: Context) -> None:
        if ctx.holds:
            self._suspends(node, ctx)

    def visit_For(self, node: cst.For, ctx: Context) -> None:
        if ctx.holds and node.asynchronous is not None:
            self._suspends(node, ctx)

    def visit_With(self, node: cst.With, ctx: Context) -> None:
        if ctx.holds and node.asynchronous is not None:
            self._suspends(node, ctx)

    def _suspends(self, node: cst.CSTNode, ctx: Context) -> None:
        for hold in held(ctx):
            if id(hold.taken_by) in self._reported:
                continue
            message = self.judge(hold, node, ctx)
            if message is not None:
                self._reported.add(id(hold.taken_by))
                reported = hold.lock if isinstance(hold.taken_by, cst.With) else hold.taken_by
                self.report(reported, message, None, self.fix(hold, node, ctx))


def lock_label(hold: Hold) -> str:
    """"`self._lock` (a `threading.Lock`)", "`lock` (an `asyncio.Lock`)"."""
    type_ = hold.primitive.name
    article = "an" if type_[0] in "aeiou" else "a"
    return f"`{shorten(code_of(hold.lock))}` ({article} `{type_}`)"


def suspension_label(node: cst.CSTNode) -> str:
    """"`await self._pool.fetchrow()`", "`async for`", "`async with session.get()`"."""
    if isinstance(node, cst.Await):
        return f"`await {call_label(node.expression)}`"
    if isinstance(node, cst.For):
        return f"`async for ... in {call_label(node.iter)}`"
    if isinstance(node, cst.With):
        return f"`async with {call_label(node.items[0].item)}`"
    return "a suspension point"


def call_label(expr: cst.BaseExpression) -> str:
    if isinstance(expr, cst.Call):
        return shorten(code_of(expr.func)) + "()"
    return shorten(code_of(expr))


def shorten(text: str, limit: int = 50) -> str:
    """`text` (code) on one line of at most `limit` characters, for a message or a help line.
    Lines are joined only between tokens: a string that spans lines, a backslash continuation
    or a comment cannot be shown on one line as it means, so the text stops before it with
    `...` (a help line must never show code that means something else)."""
    text = _one_line(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _one_line(text: str) -> str:
    if "\n" not in text and "\r" not in text:
        return text
    import io
    import tokenize

    lines = text.splitlines()
    out = ""
    previous: tokenize.TokenInfo | None = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
                continue
            if token.type == tokenize.COMMENT or token.start[0] != token.end[0]:
                return _elided(out)  # a comment, or a string over several lines
            if previous is None:
                out = token.string
            elif token.start[0] == previous.end[0]:
                out += lines[token.start[0] - 1][previous.end[1] : token.start[1]] + token.string
            elif lines[previous.end[0] - 1].rstrip().endswith("\\"):
                return _elided(out)  # a backslash continuation
            else:  # a line break inside brackets: as if written on one line
                tight = previous.string in "([{" or token.string in ")]},"
                out += ("" if tight else " ") + token.string
            previous = token
    except (tokenize.TokenError, SyntaxError):
        return _elided(lines[0].rstrip())
    return out


def _elided(shown: str) -> str:
    return shown + ("..." if shown.endswith(("(", "[", "{")) or not shown else " ...")
