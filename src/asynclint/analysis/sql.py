"""SQL text in the source, read the way a database driver would receive it, and what a real SQL
parser (sqlglot) says about it.

Text comes from string literals, implicit and `+` concatenations, f-strings and `.format()`/`%`
templates (each interpolation becomes a placeholder identifier), SQLAlchemy `text("...")`, and
a local or module-level name bound once to one of these. The drivers' parameter markers (`$1`,
`%s`, `%(name)s`, `?`, `:name`) are accepted. A string that does not parse as one SQL statement,
or that reads as prose ("select an item from the list"), is not SQL.

sqlglot is imported on the first string that looks like SQL, never at start-up: its import
costs about as much as libcst's. Parses are cached per text, since the same query recurs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from asynclint._lazy import libcst as cst

from asynclint.analysis.context import Context
from asynclint.analysis.origins import origin_of_name

PLACEHOLDER = "asynclint_p"

_STATEMENT_START = re.compile(
    r"^\s*(?:(?:--[^\n]*\n|/\*.*?\*/|\()\s*)*"
    r"(select|with|insert|update|delete|replace|merge|upsert|values|table)\b",
    re.IGNORECASE | re.DOTALL,
)
# The first word of a statement, after comments and opening parentheses.
_FIRST_WORD = re.compile(r"^\s*(?:(?:--[^\n]*\n|/\*.*?\*/|\()\s*)*([A-Za-z_]+)\b", re.DOTALL)
_PYFORMAT_NAMED = re.compile(r"%\((\w+)\)s")
_PYFORMAT = re.compile(r"%[sdf]")
_FORMAT_FIELD = re.compile(r"\{[^{}]*\}")
# Identifiers no schema uses but English sentences do: "select an item from the list".
_PROSE_WORDS = frozenset(
    {
        "the", "an", "your", "our", "their", "this", "these", "those", "please", "you", "we",
        "is", "are", "will", "should", "would", "can", "could", "which", "one", "it",
    }
)  # fmt: skip
_DIALECTS = (None, "postgres", "mysql", "tsql", "sqlite")


@dataclass(frozen=True, slots=True)
class SqlText:
    text: str  # interpolations replaced by placeholders
    source: cst.BaseExpression  # the literal (or concatenation) the text was read from


@dataclass(frozen=True, slots=True)
class SqlFacts:
    """What the parsed statement is. `unbounded` is None when the text cannot tell (an
    interpolation stands where a clause could, a GROUP BY, a CTE or subquery source)."""

    statement: str  # "select", "insert", ... (sqlglot's class name, lower case)
    returns_rows: bool  # a SELECT (or a set operation of SELECTs)
    unbounded: bool | None
    star: bool  # the rows returned are `SELECT *` / `t.*`
    tables: tuple[str, ...]


# --- reading text out of the source -----------------------------------------------------------


def sql_text(expr: cst.BaseExpression | None, ctx: Context) -> SqlText | None:
    """The SQL an expression passes, when the source says what it is."""
    if expr is None:
        return None
    source = _source_expression(expr, ctx)
    if source is None:
        return None
    counter = [0]
    text = _read_text(source, ctx, counter, 0)
    return SqlText(text, source) if text is not None else None


def _source_expression(expr: cst.BaseExpression, ctx: Context) -> cst.BaseExpression | None:
    """Follow a name to the string it is bound to, and `text("...")` to its argument."""
    for _ in range(4):
        if isinstance(expr, cst.Name):
            origin = origin_of_name(expr, ctx)
            if origin is None:
                return None
            expr = origin
            continue
        if isinstance(expr, cst.Call):
            name = ctx.callee(expr)
            if name is not None and ctx.canonical(name) in ctx.tables.db.sql.text_calls:
                if not expr.args or expr.args[0].keyword is not None:
                    return None
                expr = expr.args[0].value
                continue
        return expr
    return None


def _read_text(expr, ctx: Context, counter: list[int], depth: int) -> str | None:
    if depth > 8:
        return None
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(expr, cst.ConcatenatedString):
        left = _read_text(expr.left, ctx, counter, depth + 1)
        right = _read_text(expr.right, ctx, counter, depth + 1)
        return left + right if left is not None and right is not None else None
    if isinstance(expr, cst.FormattedString):
        if "b" in expr.prefix.lower():
            return None
        raw = "r" in expr.prefix.lower()
        parts = []
        for part in expr.parts:
            if isinstance(part, cst.FormattedStringText):
                text = part.value.replace("{{", "{").replace("}}", "}")
                parts.append(text if raw else _unescape(text))
            else:
                parts.append(_placeholder(counter))
        return "".join(parts)
    if isinstance(expr, cst.BinaryOperation):
        if isinstance(expr.operator, cst.Add):
            left = _read_operand(expr.left, ctx, counter, depth)
            right = _read_operand(expr.right, ctx, counter, depth)
            return left + right if left is not None and right is not None else None
        if isinstance(expr.operator, cst.Modulo):  # "... %s" % (x,): markers become `?`
            return _read_text(expr.left, ctx, counter, depth + 1)
        return None
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        if expr.func.attr.value == "format":
            template = _read_text(expr.func.value, ctx, counter, depth + 1)
            if template is None:
                return None
            template = template.replace("{{", "\0").replace("}}", "\1")
            filled = _FORMAT_FIELD.sub(lambda _: _placeholder(counter), template)
            return filled.replace("\0", "{").replace("\1", "}")
    return None


def _read_operand(expr, ctx: Context, counter: list[int], depth: int) -> str | None:
    """A `+` operand: text when it is text, a placeholder when it is a value of unknown text
    (`"SELECT a FROM t WHERE id = " + str(x)`)."""
    text = _read_text(expr, ctx, counter, depth + 1)
    if text is not None:
        return text
    if isinstance(expr, cst.Name):
        origin = origin_of_name(expr, ctx)
        if origin is not None:
            text = _read_text(origin, ctx, counter, depth + 1)
            if text is not None:
                return text
    if isinstance(expr, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)):
        return _placeholder(counter)
    return None


def _placeholder(counter: list[int]) -> str:
    counter[0] += 1
    return f" {PLACEHOLDER}{counter[0]} "


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return text.replace("\\n", "\n").replace("\\t", "\t").replace("\\r", "\r").replace("\\'", "'").replace('\\"', '"')


# --- parsing ----------------------------------------------------------------------------------

_cache: dict[str, SqlFacts | None] = {}
_CACHE_LIMIT = 4096


def looks_like_sql(text: str) -> bool:
    """Cheap test before parsing: the text starts with a statement keyword."""
    return _STATEMENT_START.match(text) is not None


def takes_no_values(text: str) -> bool:
    """True for a statement that is not a query or DML (`PRAGMA table_info(t)`, `CREATE ...`,
    `SET ...`): no `= ANY($1)`, `IN (...)` or executemany batches it. False when the text
    starts with an interpolation, which could be anything."""
    first = _FIRST_WORD.match(text)
    return first is not None and not first.group(1).startswith(PLACEHOLDER) and not looks_like_sql(text)


def parse_sql(text: str) -> SqlFacts | None:
    """Facts about one SQL statement, or None when the text is not one SQL statement."""
    if text in _cache:
        return _cache[text]
    facts = _parse(text) if looks_like_sql(text) else None
    if len(_cache) >= _CACHE_LIMIT:
        _cache.clear()
    _cache[text] = facts
    return facts


def _normalized(text: str) -> str:
    """The drivers' pyformat markers as markers sqlglot's default dialect reads."""
    if "%" not in text:
        return text
    text = _PYFORMAT_NAMED.sub(r":\1", text)
    text = _PYFORMAT.sub("?", text)
    return text.replace("%%", "%")


def _parse(text: str) -> SqlFacts | None:
    import sqlglot
    from sqlglot.errors import ErrorLevel

    normalized = _normalized(text)
    for dialect in _DIALECTS:
        try:
            statements = sqlglot.parse(normalized, read=dialect, error_level=ErrorLevel.RAISE)
        except Exception:  # noqa: BLE001 - any parser failure means "not SQL in this dialect"
            continue
        statements = [s for s in statements if s is not None]
        if len(statements) != 1:
            return None
        return _facts(statements[0])
    return None


def _facts(tree) -> SqlFacts | None:
    from sqlglot import exp

    if _reads_as_prose(tree, exp):
        return None
    statement = type(tree).__name__.lower()
    if not isinstance(tree, (exp.Select, exp.Union, exp.Intersect, exp.Except)):
        return SqlFacts(statement, False, None, False, ())
    tables = tuple(dict.fromkeys(t.name for t in tree.find_all(exp.Table) if t.name))
    return SqlFacts(statement, True, _unbounded(tree, exp), _star(tree, exp), tables)


def _reads_as_prose(tree, exp) -> bool:
    for node in tree.find_all(exp.Identifier):
        if not node.quoted and node.name.lower() in _PROSE_WORDS:
            return True
    return False


def _branches(tree, exp):
    if isinstance(tree, (exp.Union, exp.Intersect, exp.Except)):
        yield from _branches(tree.left, exp)
        yield from _branches(tree.right, exp)
    elif isinstance(tree, exp.Subquery):
        yield from _branches(tree.this, exp)
    else:
        yield tree


def _star(tree, exp) -> bool:
    for branch in _branches(tree, exp):
        if isinstance(branch, exp.Select):
            for projection in branch.expressions:
                if isinstance(projection, exp.Star) or (
                    isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
                ):
                    return True
    return False


def _unbounded(tree, exp) -> bool | None:
    if tree.args.get("limit") is not None or tree.args.get("fetch") is not None:
        return False
    verdicts = [_select_unbounded(b, exp) if isinstance(b, exp.Select) else None for b in _branches(tree, exp)]
    if True in verdicts:
        return True
    return None if None in verdicts else False


def _select_unbounded(select, exp) -> bool | None:
    args = select.args
    if args.get("limit") is not None or args.get("fetch") is not None:
        return False
    if args.get("where") is not None or args.get("having") is not None:
        return False
    if args.get("group") is not None:
        return None  # one row per group: how many groups is not in the text
    if all(_aggregate_only(p, exp) for p in select.expressions):
        return False  # one row
    source = args.get("from_", args.get("from"))
    if source is None:
        return False  # `SELECT now()`: one row
    sources = [source.this] + [join.this for join in args.get("joins") or ()]
    with_ = args.get("with_") or args.get("with")
    ctes = {cte.alias_or_name for cte in with_.expressions} if with_ is not None else set()
    for item in sources:
        if not isinstance(item, exp.Table) or not isinstance(item.this, exp.Identifier):
            return None  # a subquery, a table function: the row count is not in the text
        if item.name in ctes or PLACEHOLDER in item.name:
            return None
    for identifier in select.find_all(exp.Identifier):
        if PLACEHOLDER in identifier.name and not isinstance(identifier.parent, exp.Column):
            return None  # an interpolation where a clause could stand: `FROM t {where}`
    return True


def _aggregate_only(projection, exp) -> bool:
    if isinstance(projection, exp.Alias):
        projection = projection.this
    if isinstance(projection, exp.Literal):
        return True
    return isinstance(projection, exp.AggFunc) and projection.find(exp.Window) is None
