"""Seeded fuzzer for asynclint's linter and fixer (see the "Fuzzing" section of bench/README.md).

Inputs come from three sources: hypothesmith programs (raw, or spliced into a small async
module that has something to fix), and mutants of the fixtures (tests/fixtures/) and of real
async files from the benchmark corpus (bench/.cache/trees/, with --corpus). A mutant is the
file with one to four hostile changes: import aliases, a framework name shadowed in some
scope, comments inside calls, non-BMP text, tabs, CRLF or CR-only newlines, the separators
only str.splitlines() splits at, backslash continuations, TYPE_CHECKING and try/except
ImportError imports, and an injected blocking call so the fixes have work to do.

Every input is linted and fixed in-process (Linter.lint_text; fix_text, safe and unsafe), and
these properties are checked:
- no exception escapes;
- every diagnostic position and edit span lies inside its file;
- a fixed file parses (libcst) and compiles (when the input compiled), and keeps the input's
  newline style;
- fixing the fixed file again changes nothing; so does adding noqa comments twice;
- statements away from the fixes have an identical AST (see `ast_changes`);
- each name a safe fix writes (`asyncio` in `await asyncio.sleep(1)`) is bound, where it is
  used, to the module the fix means (see `resolve`).

`python bench/fuzz.py --corpus-fix` instead runs `asynclint check --fix --unsafe-fixes` on
copies of the corpus trees, twice, and checks that every file still parses and that the
second run changes nothing.

Only the standard library, libcst, hypothesis and hypothesmith; no network.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import collections
import difflib
import io
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tokenize
import warnings
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
CORPUS = REPO / "bench" / ".cache" / "trees"
RESULTS = REPO / "bench" / "results" / "fuzz"

# Corpus files larger than this are skipped: fuzzing wants many inputs, not a few huge ones.
MAX_CORPUS_BYTES = 60_000

# --- text helpers -------------------------------------------------------------------------
#
# The oracle keeps its own notion of lines (Python's: only \r\n, \r and \n end a line), so it
# does not share a bug with the code under test.

_BREAK = re.compile(r"\r\n|\r|\n")
_IDENTIFIER = re.compile(r"[^\W\d]\w*")


def line_starts(text: str) -> list[int]:
    """Offset of the first character of each line, as Python numbers lines (line N at N-1)."""
    return [0] + [match.end() for match in _BREAK.finditer(text)]


def physical_lines(text: str) -> list[str]:
    """The lines with their line breaks; joining them gives `text` back."""
    starts = line_starts(text)
    return [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)]) if a < b]


def newline_of(text: str) -> str:
    match = _BREAK.search(text)
    return match.group() if match else "\n"


def newline_kinds(text: str) -> set[str]:
    return {match.group() for match in _BREAK.finditer(text)}


def ast_offset(text: str, starts: list[int], line: int, col: int) -> int:
    """A CPython AST position (1-based line, UTF-8 byte column) as an offset into `text`."""
    start = starts[line - 1]
    end = starts[line] if line < len(starts) else len(text)
    prefix = text[start:end].encode("utf-8", "surrogatepass")[:col]
    return start + len(prefix.decode("utf-8", "ignore"))


def parse_ast(text: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def compile_error(text: str) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<fuzz>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def libcst_error(text: str) -> str | None:
    import libcst

    try:
        libcst.parse_module(text)
    except Exception as exc:  # noqa: BLE001 - any refusal is the finding
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return None


# --- inputs -------------------------------------------------------------------------------


@dataclass
class FuzzInput:
    source: str  # fixture, corpus, hypothesmith-grammar, hypothesmith-node
    origin: str  # the file mutated, or the strategy
    mutations: list[str]
    text: str
    index: int = 0


def fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*.py") if "fixed" not in p.relative_to(FIXTURES).parts)


def corpus_files(projects: list[str] | None = None) -> list[Path]:
    """Async files of the corpus (they contain `async def`), in a fixed order."""
    found = []
    if not CORPUS.is_dir():
        return found
    for tree in sorted(CORPUS.iterdir()):
        if projects and not any(tree.name.startswith(p + "-") for p in projects):
            continue
        for directory, subdirectories, files in os.walk(tree):
            subdirectories.sort()
            for name in sorted(files):
                if not name.endswith(".py"):
                    continue
                path = Path(directory, name)
                try:
                    if path.stat().st_size > MAX_CORPUS_BYTES:
                        continue
                    data = path.read_bytes()
                except OSError:
                    continue
                if b"async def" in data:
                    found.append(path)
    return found


def read_source(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def hypothesmith_programs(seed: int, count: int, kind: str) -> list[str]:
    """`count` programs from hypothesmith's grammar- or node-based strategy, the same ones for
    the same seed: hypothesis runs with that seed, generation only, no example database."""
    if count <= 0:
        return []
    import hypothesmith
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    strategy = hypothesmith.from_grammar() if kind == "grammar" else hypothesmith.from_node()
    programs: list[str] = []

    @hypothesis_seed(seed)
    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(strategy)
    def collect(program: str) -> None:
        programs.append(program)

    collect()
    return programs[:count]


# A module that has something for the fixes to do; a generated program goes at one of the
# marked places (the head, where imports are placed, or the end).
_TEMPLATE_HEAD = "import asyncio\nimport time\n"
_TEMPLATE_TAIL = "\n\nasync def _fuzz_target():\n    time.sleep(1)\n    x = time.sleep(0)\n"


def splice_program(program: str, rng: random.Random) -> tuple[str, str]:
    where = rng.choice(["before-head", "after-head", "end"])
    body = program if program.endswith(("\n", "\r")) or not program else program + "\n"
    if where == "before-head":
        return body + _TEMPLATE_HEAD + _TEMPLATE_TAIL, "template:program-first"
    if where == "after-head":
        return _TEMPLATE_HEAD + body + _TEMPLATE_TAIL, "template:program-after-imports"
    return _TEMPLATE_HEAD + _TEMPLATE_TAIL + "\n" + body, "template:program-last"


# --- mutators -----------------------------------------------------------------------------
#
# Each takes the text and a random generator and returns the mutated text, or None when it
# does not apply. They work on offsets computed from CPython's AST and tokenizer.

_ODD_SEPARATORS = ["\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
_NON_BMP = ["\U0001d518", "\U0001f40d", "\U00010348", "\U0001f600\U0001f600"]
FRAMEWORKS = ("asyncio", "trio", "anyio")


class _Source:
    """A text with its AST and offsets, for mutators."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tree = parse_ast(text)
        self.starts = line_starts(text)
        self.nl = newline_of(text)

    def offset(self, line: int, col: int) -> int:
        return ast_offset(self.text, self.starts, line, col)

    def start(self, node: ast.AST) -> int:
        return self.offset(node.lineno, node.col_offset)

    def end(self, node: ast.AST) -> int:
        return self.offset(node.end_lineno, node.end_col_offset)

    def line_start(self, node: ast.AST) -> int:
        return self.starts[node.lineno - 1]

    def indent_of(self, node: ast.AST) -> str:
        start = self.line_start(node)
        return self.text[start : self.start(node)]

    def nodes(self, kind) -> list:
        if self.tree is None:
            return []
        return [n for n in ast.walk(self.tree) if isinstance(n, kind)]

    def head_end(self) -> int:
        """Offset after the docstring and `from __future__` imports: where a new top-level
        statement may go."""
        after = 0
        if self.tree is None:
            return 0
        for index, statement in enumerate(self.tree.body):
            docstring = (
                index == 0
                and isinstance(statement, ast.Expr)
                and isinstance(statement.value, ast.Constant)
                and isinstance(statement.value.value, str)
            )
            future = isinstance(statement, ast.ImportFrom) and statement.module == "__future__"
            if not (docstring or future):
                break
            line = statement.end_lineno
            after = self.starts[line] if line < len(self.starts) else len(self.text)
        return after

    def insert_head(self, code: str) -> str:
        at = self.head_end()
        prefix = self.text[:at]
        if prefix and not prefix.endswith(("\n", "\r")):
            code = self.nl + code
        return self.text[:at] + code.replace("\n", self.nl) + self.text[at:]


def _splice(text: str, at: int, end: int, new: str) -> str:
    return text[:at] + new + text[end:]


def _body_statement(src: _Source, rng: random.Random, kinds=(ast.AsyncFunctionDef,)):
    """A function of `kinds` whose first body statement starts its own line, and that statement."""
    candidates = []
    for function in src.nodes(kinds):
        first = function.body[0]
        if first.lineno > function.lineno and src.text[src.line_start(first) : src.start(first)].strip(" \t") == "":
            candidates.append((function, first))
    return rng.choice(candidates) if candidates else (None, None)


def _insert_in_body(src: _Source, rng: random.Random, lines: list[str], kinds=(ast.AsyncFunctionDef,), last=False):
    function, first = _body_statement(src, rng, kinds)
    if function is None:
        return None
    indent = src.indent_of(first)
    code = "".join(indent + line + src.nl for line in lines)
    if last:
        statement = function.body[-1]
        at = src.starts[statement.end_lineno] if statement.end_lineno < len(src.starts) else len(src.text)
        if at == len(src.text) and not src.text.endswith(("\n", "\r")):
            code = src.nl + code
        return _splice(src.text, at, at, code)
    at = src.line_start(first)
    return _splice(src.text, at, at, code)


def _plain_imports(src: _Source) -> list[ast.alias]:
    if src.tree is None:
        return []
    return [
        alias
        for statement in src.tree.body
        if isinstance(statement, ast.Import)
        for alias in statement.names
        if alias.asname is None and "." not in alias.name
    ]


def _import_lines(src: _Source, module: str) -> list[ast.Import]:
    if src.tree is None:
        return []
    return [
        s
        for s in src.tree.body
        if isinstance(s, ast.Import) and len(s.names) == 1 and s.names[0].name == module and s.names[0].asname is None
    ]


def mutate_alias_import(src: _Source, rng: random.Random) -> str | None:
    """`import time` -> `import time as t`, every use renamed."""
    aliases = _plain_imports(src)
    if not aliases:
        return None
    alias = rng.choice(aliases)
    new = rng.choice(["aio" if alias.name == "asyncio" else "t", "_" + alias.name, alias.name[:2] + "x"])
    edits = [(src.start(alias), src.end(alias), f"{alias.name} as {new}")]
    for node in src.nodes(ast.Name):
        if node.id == alias.name:
            edits.append((src.start(node), src.end(node), new))
    text = src.text
    for start, end, content in sorted(edits, reverse=True):
        text = _splice(text, start, end, content)
    return text


def mutate_from_import(src: _Source, rng: random.Random) -> str | None:
    """`time.sleep(x)` -> `pause(x)` with `from time import sleep as pause` (or without alias)."""
    modules = {alias.name for alias in _plain_imports(src)}
    calls = [
        c
        for c in src.nodes(ast.Call)
        if isinstance(c.func, ast.Attribute) and isinstance(c.func.value, ast.Name) and c.func.value.id in modules
    ]
    if not calls:
        return None
    call = rng.choice(calls)
    module, function = call.func.value.id, call.func.attr
    local = rng.choice([function, "pause" if function == "sleep" else function + "_", "_" + function])
    statement = f"from {module} import {function}" + (f" as {local}" if local != function else "")
    text = _splice(src.text, src.start(call.func), src.end(call.func), local)
    return _Source(text).insert_head(statement + "\n")


def mutate_shadow(src: _Source, rng: random.Random) -> str | None:
    """Bind a name a fix may write (a framework, functools, a builtin) in some scope around an
    async function's body."""
    name = rng.choice(["asyncio", "asyncio", "asyncio", "trio", "anyio", "functools", "bytearray", "bytes"])
    how = rng.choice(
        ["param", "local", "local-later", "class-attr", "comprehension", "walrus", "except-as", "global",
         "module-rebind", "enclosing-param", "local-import", "local-import-first", "local-import-in-if",
         "nonlocal", "del"]
    )  # fmt: skip
    if how == "param":
        functions = src.nodes(ast.AsyncFunctionDef)
        if not functions:
            return None
        function = rng.choice(functions)
        at = src.text.find("(", src.start(function))
        if at < 0:
            return None
        empty = src.text[at + 1 : at + 2] == ")"
        return _splice(src.text, at + 1, at + 1, name if empty else name + ", ")
    if how == "local":
        return _insert_in_body(src, rng, [f"{name} = None"])
    if how == "local-later":
        return _insert_in_body(src, rng, [f"for {name} in ():", "    pass"], last=True)
    if how == "class-attr":
        return _insert_in_body(src, rng, [f"{name} = None"], kinds=(ast.ClassDef,))
    if how == "comprehension":
        return _insert_in_body(src, rng, [f"_ = [{name} for {name} in ()]"])
    if how == "walrus":
        return _insert_in_body(src, rng, [f"_ = [({name} := x) for x in ()]"])
    if how == "except-as":
        return _insert_in_body(src, rng, ["try:", "    pass", f"except Exception as {name}:", "    pass"])
    if how == "global":
        return _insert_in_body(src, rng, [f"global {name}", f"{name} = None"])
    if how == "module-rebind":
        tail = "" if src.text.endswith(("\n", "\r")) or not src.text else src.nl
        return src.text + tail + f"{name} = None" + src.nl
    if how == "local-import":
        return _insert_in_body(src, rng, [f"import {name}"], last=True)
    if how == "local-import-first":
        return _insert_in_body(src, rng, [f"import {name}"])
    if how == "local-import-in-if":
        return _insert_in_body(src, rng, ["if DEBUG:", f"    import {name}"])
    if how == "nonlocal":
        # A nested function that rebinds the name in the async function's scope.
        return _insert_in_body(
            src, rng, [f"{name} = None", "def _rebind():", f"    nonlocal {name}", f"    {name} = 1"]
        )
    if how == "del":
        tail = "" if src.text.endswith(("\n", "\r")) or not src.text else src.nl
        return src.text + tail + f"del {name}" + src.nl
    # enclosing-param: the async function moves inside `def _outer(asyncio):`
    functions = [f for f in (src.tree.body if src.tree else []) if isinstance(f, ast.AsyncFunctionDef)]
    if not functions:
        return None
    function = rng.choice(functions)
    first = function.decorator_list[0].lineno if function.decorator_list else function.lineno
    start = src.starts[first - 1]
    end = src.starts[function.end_lineno] if function.end_lineno < len(src.starts) else len(src.text)
    lines = physical_lines(src.text[start:end])
    indented = "".join("    " + line if line.strip() else line for line in lines)
    if not indented.endswith(("\n", "\r")):
        indented += src.nl
    wrapper = f"def _outer({name}):{src.nl}{indented}    return {function.name}{src.nl}"
    return _splice(src.text, start, end, wrapper)


def mutate_comment_in_call(src: _Source, rng: random.Random) -> str | None:
    calls = [c for c in src.nodes(ast.Call) if c.args and c.lineno == c.end_lineno]
    if not calls:
        return None
    call = rng.choice(calls)
    at = src.end(call.func)
    while at < len(src.text) and src.text[at] in " \t":
        at += 1
    if src.text[at : at + 1] != "(":
        return None
    comment = rng.choice(["# why", "# \U0001f40d note", "#", "# noqa"])
    return _splice(src.text, at + 1, at + 1, f"  {comment}{src.nl}        ")


def _tokens(text: str) -> list[tokenize.TokenInfo]:
    try:
        return list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []


def _token_offset(src: _Source, position: tuple[int, int]) -> int:
    # tokenize counts columns in characters, and lines as Python does for the texts
    # `_tokenizable` lets through.
    return src.starts[position[0] - 1] + position[1]


def _tokenizable(src: _Source) -> bool:
    """io.StringIO's readline, which feeds tokenize, ends lines only at \n: a lone \r would
    make tokenize's line numbers differ from Python's."""
    return "\r" not in src.text.replace("\r\n", "")


def _string_tokens(src: _Source) -> list[tokenize.TokenInfo]:
    if not _tokenizable(src):
        return []
    return [
        t for t in _tokens(src.text)
        if t.type == tokenize.STRING and "b" not in t.string[: t.string.index(t.string[-1])].lower()
    ]  # fmt: skip


def _insert_in_string(src: _Source, rng: random.Random, payload: str) -> str | None:
    strings = _string_tokens(src)
    if not strings:
        return None
    token = rng.choice(strings)
    quote = token.string[-1]
    opening = token.string.index(quote)
    if token.string[opening : opening + 3] == quote * 3:
        opening += 2
    at = _token_offset(src, token.start) + opening + 1
    return _splice(src.text, at, at, payload)


def _comment_at_line_end(src: _Source, rng: random.Random, comment: str) -> str | None:
    if not _tokenizable(src):
        return None
    ends = [t for t in _tokens(src.text) if t.type == tokenize.NEWLINE and t.string]
    if not ends:
        return None
    token = rng.choice(ends)
    at = _token_offset(src, token.start)
    return _splice(src.text, at, at, "  # " + comment)


def mutate_non_bmp(src: _Source, rng: random.Random) -> str | None:
    payload = rng.choice(_NON_BMP)
    where = rng.choice(["string", "comment", "statement-prefix"])
    if where == "string":
        return _insert_in_string(src, rng, payload)
    if where == "comment":
        return _comment_at_line_end(src, rng, payload)
    # `_ = "<non-BMP>"; ` before a statement of an async function: later columns on the line
    # count code points after characters that take two UTF-16 units and four UTF-8 bytes.
    statements = [
        s
        for f in src.nodes(ast.AsyncFunctionDef)
        for s in ast.walk(f)
        if isinstance(s, (ast.Expr, ast.Assign)) and s.lineno == s.end_lineno
        and src.text[src.line_start(s) : src.start(s)].strip(" \t") == ""
    ]  # fmt: skip
    if not statements:
        return None
    statement = rng.choice(statements)
    at = src.start(statement)
    return _splice(src.text, at, at, f'_ = "{payload}"; ')


def mutate_tabs(src: _Source, rng: random.Random) -> str | None:
    if rng.random() < 0.5:
        lines = physical_lines(src.text)
        out = []
        for line in lines:
            stripped = line.lstrip(" ")
            width = len(line) - len(stripped)
            out.append("\t" * (width // 4) + " " * (width % 4) + stripped)
        return "".join(out)
    calls = [c for c in src.nodes(ast.Call) if c.args]
    if not calls:
        return None
    call = rng.choice(calls)
    at = src.start(call.args[0])
    return _splice(src.text, at, at, "\t")


def mutate_newlines(src: _Source, rng: random.Random) -> str | None:
    style = rng.choice(["crlf", "cr", "mixed"])
    plain = src.text.replace("\r\n", "\n").replace("\r", "\n")
    if style == "crlf":
        return plain.replace("\n", "\r\n")
    if style == "cr":
        return plain.replace("\n", "\r")
    return "".join(line.replace("\n", rng.choice(["\n", "\r\n"])) for line in plain.splitlines(keepends=True))


def mutate_odd_separator(src: _Source, rng: random.Random) -> str | None:
    separator = rng.choice(_ODD_SEPARATORS)
    where = rng.choice(["docstring", "docstring", "string", "comment", "form-feed-indent", "head-string"])
    if where == "docstring":
        tree = src.tree
        if tree and tree.body and isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Constant) \
                and isinstance(tree.body[0].value.value, str):  # fmt: skip
            docstring = tree.body[0]
            at = src.start(docstring)
            quote = src.text[at : at + 3]
            if quote in ('"""', "'''"):
                return _splice(src.text, at + 3, at + 3, f"Doc{separator}string ")
        return f'"""Doc{separator}string"""{src.nl}' + src.text
    if where == "string":
        return _insert_in_string(src, rng, f"a{separator}b")
    if where == "comment":
        return _comment_at_line_end(src, rng, f"a{separator}b")
    if where == "form-feed-indent":
        statements = src.tree.body if src.tree else []
        if not statements:
            return None
        statement = rng.choice(statements)
        at = src.line_start(statement)
        if src.start(statement) != at:
            return None
        return _splice(src.text, at, at, "\f")
    return src.insert_head(f'_HEAD = """{separator}{src.nl}line{separator}{src.nl}"""{src.nl}')


def mutate_continuation(src: _Source, rng: random.Random) -> str | None:
    """A backslash continuation between two tokens of one line (an import line when there is one)."""
    if not _tokenizable(src):
        return None
    tokens = _tokens(src.text)
    pairs = [
        (a, b)
        for a, b in zip(tokens, tokens[1:])
        if a.end[0] == b.start[0] and a.type not in (tokenize.INDENT, tokenize.DEDENT, tokenize.NL, tokenize.NEWLINE,
                                                     tokenize.COMMENT, tokenize.ENCODING)
        and b.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT, tokenize.ENDMARKER)
    ]  # fmt: skip
    if not pairs:
        return None
    imports = [p for p in pairs if p[0].string in ("import", "from")]
    a, _ = rng.choice(imports) if imports and rng.random() < 0.5 else rng.choice(pairs)
    at = _token_offset(src, a.end)
    return _splice(src.text, at, at, " \\" + src.nl + "    ")


def mutate_type_checking(src: _Source, rng: random.Random) -> str | None:
    """A framework import moved under `if TYPE_CHECKING:` (or added there)."""
    for module in rng.sample(FRAMEWORKS, len(FRAMEWORKS)):
        lines = _import_lines(src, module)
        if lines:
            statement = rng.choice(lines)
            start = src.line_start(statement)
            end = src.end(statement)
            block = f"if TYPE_CHECKING:{src.nl}    import {module}"
            text = _splice(src.text, start, end, block)
            return _Source(text).insert_head("from typing import TYPE_CHECKING\n")
    module = rng.choice(FRAMEWORKS)
    return src.insert_head(f"from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import {module}\n")


def mutate_try_import(src: _Source, rng: random.Random) -> str | None:
    """`import x` -> `try: import x except ImportError: x = None` (or `pass`)."""
    candidates = [s for m in FRAMEWORKS + ("time",) for s in _import_lines(src, m)]
    if not candidates:
        module = rng.choice(FRAMEWORKS)
        return src.insert_head(f"try:\n    import {module}\nexcept ImportError:\n    {module} = None\n")
    statement = rng.choice(candidates)
    module = statement.names[0].name
    fallback = rng.choice([f"{module} = None", "pass"])
    block = f"try:{src.nl}    import {module}{src.nl}except ImportError:{src.nl}    {fallback}"
    return _splice(src.text, src.line_start(statement), src.end(statement), block)


def mutate_head_string(src: _Source, rng: random.Random) -> str | None:
    """A multi-line string right after the import block: a misplaced import would land in it."""
    tree = src.tree
    if tree is None:
        return None
    last = None
    for statement in tree.body:
        if isinstance(statement, (ast.Import, ast.ImportFrom)) or (
            statement is tree.body[0] and isinstance(statement, ast.Expr)
        ):
            last = statement
            continue
        break
    code = f'X = """{src.nl}line{src.nl}"""{src.nl}'
    if last is None:
        return code + src.text
    at = src.starts[last.end_lineno] if last.end_lineno < len(src.starts) else len(src.text)
    if at == len(src.text) and not src.text.endswith(("\n", "\r")):
        code = src.nl + code
    return _splice(src.text, at, at, code)


_BLOCKING = [
    ("time", "time.sleep(1)"),
    ("time", "time.sleep(0.5 * 2)"),
    ("time", "x = time.sleep(0)"),
    ("time", "time.sleep(\n        1)"),
    ("requests", 'requests.get("http://example.com", timeout=5)'),
    ("subprocess", 'subprocess.run(["true"])'),
    ("socket", 'socket.gethostbyname("example.com")'),
    ("os", 'os.path.exists("/tmp")'),
    (None, 'data = open("f").read()'),
    # A finding on a line that opens a multi-line string: a noqa comment must not go there.
    ("requests", 'requests.get("""\n        http://example.com\n    """)'),
]


def mutate_inject_blocking(src: _Source, rng: random.Random) -> str | None:
    module, statement = rng.choice(_BLOCKING)
    text = _insert_in_body(src, rng, statement.split("\n"))
    if text is None:
        return None
    if module is not None and not _import_lines(_Source(text), module):
        text = _Source(text).insert_head(f"import {module}\n")
    return text


def mutate_framework_import(src: _Source, rng: random.Random) -> str | None:
    statement = rng.choice(
        ["import asyncio", "import asyncio", "import trio", "import anyio", "import asyncio as aio",
         "from asyncio import sleep", "import asyncio, time", "import time; import asyncio"]
    )  # fmt: skip
    return src.insert_head(statement + "\n")


def mutate_drop_framework_import(src: _Source, rng: random.Random) -> str | None:
    lines = [s for m in FRAMEWORKS for s in _import_lines(src, m)]
    if not lines:
        return None
    statement = rng.choice(lines)
    return _splice(src.text, src.start(statement), src.end(statement), "pass")


def mutate_future_import(src: _Source, rng: random.Random) -> str | None:
    if "__future__" in src.text:
        return None
    return src.insert_head("from __future__ import annotations\n")


# Syntax of Pythons newer than 3.11 (libcst knows some of it; 3.14's t-strings it cannot
# parse): the file must still be checked or reported as ASY001, never crash a run.
_NEWER_SYNTAX = [
    "type Alias = list[int]",
    "def generic[T](x: T) -> T:\n    return x",
    "class Box[T]:\n    pass",
    'x = f"{d["key"]}"',
    'x = "a" t"b"',
    'x = t"{y}"',
    "async def generic_sleep[T]():\n    time.sleep(1)",
]


def mutate_newer_syntax(src: _Source, rng: random.Random) -> str | None:
    code = rng.choice(_NEWER_SYNTAX)
    if rng.random() < 0.5:
        return src.insert_head(code + "\n")
    tail = "" if src.text.endswith(("\n", "\r")) or not src.text else src.nl
    return src.text + tail + code.replace("\n", src.nl) + src.nl


def mutate_deep_nesting(src: _Source, rng: random.Random) -> str | None:
    """Expressions nested or chained about as deep as Python allows (and a little deeper): the
    parser limits, recursion limits and libcst's native parser's crashes are the engine's to
    keep from stopping a run."""
    depth = rng.choice([50, 150, 199, 210])
    code = rng.choice(
        [
            "_deep = " + "(" * depth + "1" + ")" * depth,
            "_deep = " + "[" * depth + "]" * depth,
            "_deep = " + " or ".join(["a"] * rng.choice([500, 999, 1001, 1500])),
            "_deep = " + " + ".join(["1"] * rng.choice([500, 3000])),
            "import " + ".".join(["m"] * rng.choice([500, 1001])),
        ]
    )
    tail = "" if src.text.endswith(("\n", "\r")) or not src.text else src.nl
    return src.text + tail + code + src.nl


MUTATORS = {
    "alias-import": mutate_alias_import,
    "from-import": mutate_from_import,
    "shadow": mutate_shadow,
    "comment-in-call": mutate_comment_in_call,
    "non-bmp": mutate_non_bmp,
    "tabs": mutate_tabs,
    "newlines": mutate_newlines,
    "odd-separator": mutate_odd_separator,
    "continuation": mutate_continuation,
    "type-checking": mutate_type_checking,
    "try-import": mutate_try_import,
    "head-string": mutate_head_string,
    "inject-blocking": mutate_inject_blocking,
    "framework-import": mutate_framework_import,
    "drop-framework-import": mutate_drop_framework_import,
    "future-import": mutate_future_import,
    "newer-syntax": mutate_newer_syntax,
    "deep-nesting": mutate_deep_nesting,
}
# Mutators whose result need not be Python 3.11 (every other mutant that is not is dropped).
_MAY_LEAVE_THE_GRAMMAR = {"newer-syntax", "deep-nesting"}
# Line-ending changes last: the other mutators read the text with its AST and tokens.
_LAST = ("newlines",)


def mutate(text: str, rng: random.Random, required: str) -> tuple[str, list[str]] | None:
    """`required` and zero to three other mutations of `text` (a blocking call injected first,
    most of the time); None when `required` does not apply to `text`."""
    others = [n for n in MUTATORS if n not in ("inject-blocking", required)]
    chosen = [required] + rng.sample(others, rng.randint(0, 3))
    if required != "inject-blocking" and rng.random() < 0.7:
        chosen.insert(0, "inject-blocking")
    chosen.sort(key=lambda n: n in _LAST)
    applied = []
    for name in chosen:
        try:
            mutated = MUTATORS[name](_Source(text), rng)
        except (ValueError, IndexError, RecursionError):
            mutated = None
        if mutated is None or mutated == text:
            if name == required:
                return None
            continue
        text = mutated
        applied.append(name)
    return text, applied


# --- the oracle ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    kind: str  # short and stable: what went wrong, for grouping
    detail: str  # where and how, for a person


def make_linter():
    from asynclint.config import Config
    from asynclint.engine import Linter

    return Linter(Config(root=REPO, select=("ALL",)))


def _position_ok(starts: list[int], text: str, line: int, column: int) -> bool:
    if not 1 <= line <= len(starts) or column < 0:
        return False
    end = starts[line] if line < len(starts) else len(text)
    content = _BREAK.sub("", text[starts[line - 1] : end])
    return column <= len(content)


def position_failures(text: str, diagnostics, where: str) -> list[Failure]:
    starts = line_starts(text)
    found = []

    def check(span, what: str) -> None:
        inside = _position_ok(starts, text, span.line, span.column) and _position_ok(
            starts, text, span.end_line, span.end_column
        )
        if not inside or (span.line, span.column) > (span.end_line, span.end_column):
            found.append(Failure("position-outside-file", f"{where}: {what} {span} in a file of {len(starts)} lines"))

    for diagnostic in diagnostics:
        check(diagnostic.span, f"{diagnostic.code} span")
        for edit in diagnostic.fix.edits if diagnostic.fix else ():
            check(edit.span, f"{diagnostic.code} edit")
        for related in diagnostic.related:
            if related.path == diagnostic.path:
                check(related.span, f"{diagnostic.code} related location")
    return found


def apply_alone(text: str, edits) -> tuple[str, list[tuple[int, int, str, str]]] | None:
    """`text` with `edits` applied (the oracle's own application), and for each edit where its
    content landed: (start, end, content, replaced text). None if the edits overlap."""
    starts = line_starts(text)

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column

    located = sorted(
        (offset(e.span.line, e.span.column), offset(e.span.end_line, e.span.end_column), e.content) for e in edits
    )
    pieces, placed, cursor, length = [], [], 0, 0
    for start, end, content in located:
        if start < cursor:
            return None
        pieces.append(text[cursor:start])
        length += start - cursor
        placed.append((length, length + len(content), content, text[start:end]))
        pieces.append(content)
        length += len(content)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces), placed


def _is_import_code(content: str) -> bool:
    tree = parse_ast(content.strip())
    return bool(tree and tree.body) and all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in tree.body)


# What a fix may name through an import: the framework calls it writes.
FIX_TARGETS = {
    "asyncio.sleep", "trio.sleep", "anyio.sleep", "asyncio.to_thread", "trio.to_thread.run_sync",
    "anyio.to_thread.run_sync", "functools.partial",
}  # fmt: skip
FIX_IMPORTS = {"asyncio", "trio", "anyio", "functools", "trio.to_thread", "anyio.to_thread"}


def fix_alone_failures(text: str, diagnostic) -> list[Failure]:
    """Apply one fix alone to `text` (which parses) and check what it did: the result parses;
    every AST node that differs lies inside one of the fix's edits (see `ast_differences`);
    and, for a safe fix, every name it wrote that the replaced code did not contain is bound
    where it is used to the module the fix means (see `resolve`)."""
    applicability = diagnostic.fix.applicability.value
    where = f"{diagnostic.code} at {diagnostic.span} ({applicability}, {diagnostic.fix.title!r})"
    applied = apply_alone(text, diagnostic.fix.edits)
    if applied is None:
        return [Failure("fix-edits-overlap", f"{where}: {diagnostic.fix.edits}")]
    candidate, placed = applied
    tree = parse_ast(candidate)
    if tree is None:
        error = compile_error(candidate) or "does not parse"
        return [Failure(f"{applicability}-fix-alone-invalid", f"{where} applied alone: {error}")]
    original = parse_ast(text)
    starts, candidate_starts = line_starts(text), line_starts(candidate)
    edit_ranges = []
    text_starts = line_starts(text)
    for edit in diagnostic.fix.edits:
        start = text_starts[edit.span.line - 1] + edit.span.column
        end = text_starts[edit.span.end_line - 1] + edit.span.end_column
        edit_ranges.append((start, end))
    removed, inserted = ast_differences(original, tree)
    found = []
    for node in removed:
        a, b = (
            ast_offset(text, starts, node.lineno, node.col_offset),
            ast_offset(text, starts, node.end_lineno, node.end_col_offset),
        )
        if not any(s <= a and b <= e for s, e in edit_ranges):
            snippet = text[a:b] if b - a <= 80 else text[a : a + 77] + "..."
            found.append(
                Failure(
                    f"{applicability}-fix-changes-code-outside-its-edits",
                    f"{where}: `{snippet}` (line {node.lineno}) changed",
                )
            )
    for node in inserted:
        a = ast_offset(candidate, candidate_starts, node.lineno, node.col_offset)
        b = ast_offset(candidate, candidate_starts, node.end_lineno, node.end_col_offset)
        if not any(s <= a and b <= e for s, e, _, _ in placed):
            found.append(
                Failure(
                    f"{applicability}-fix-changes-code-outside-its-edits",
                    f"{where}: new node at line {node.lineno}: {_dump(node)[:120]}",
                )
            )
    added_imports = [(a, b) for a, b, content, _ in placed if _is_import_code(content)]
    replacements = [
        (a, b, set(_IDENTIFIER.findall(old))) for a, b, content, old in placed if not _is_import_code(content)
    ]
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)):
            continue
        at = ast_offset(candidate, candidate_starts, node.lineno, node.col_offset)
        if not any(a <= at < b and node.id not in old for a, b, old in replacements):
            continue
        verdict = resolve(tree, node, candidate, candidate_starts, added_imports)
        if isinstance(verdict, Failure):
            found.append(Failure(f"{applicability}-fix-{verdict.kind}", f"{where}: `{node.id}`: {verdict.detail}"))
    return found


def _kind(node: ast.AST) -> str:
    return f"{type(node).__name__} {getattr(node, 'name', '')}"


def ast_differences(old: ast.AST, new: ast.AST) -> tuple[list[ast.AST], list[ast.AST]]:
    """The smallest positioned nodes of `old` that differ in `new` (replaced, removed, or with a
    different value), and the nodes `new` has where `old` has none (inserted list items).
    Lists are aligned on the nodes' dumps, so an inserted statement does not shift the rest."""
    removed: list[ast.AST] = []
    inserted: list[ast.AST] = []

    def report(node: ast.AST, anchor: ast.AST) -> None:
        removed.append(node if hasattr(node, "end_lineno") and node.end_lineno is not None else anchor)

    def nodes(a: ast.AST, b: ast.AST, anchor: ast.AST) -> None:
        if type(a) is not type(b):
            report(a, anchor)
            return
        if hasattr(a, "end_lineno") and a.end_lineno is not None:
            anchor = a
        for name in a._fields:
            x, y = getattr(a, name, None), getattr(b, name, None)
            if isinstance(x, list) and isinstance(y, list):
                lists(x, y, anchor)
            elif isinstance(x, ast.AST) and isinstance(y, ast.AST):
                nodes(x, y, anchor)
            elif isinstance(x, ast.AST) or isinstance(y, ast.AST) or x != y:
                report(a, anchor)

    def lists(x: list, y: list, anchor: ast.AST) -> None:
        if len(x) == len(y) and all(type(p) is type(q) for p, q in zip(x, y)):
            for p, q in zip(x, y):
                if isinstance(p, ast.AST):
                    nodes(p, q, anchor)
                elif p != q:  # names (`global a, b`), or None (the key of `**d` in a dict display)
                    report(anchor, anchor)
            return
        if not all(isinstance(item, ast.AST) for item in x + y):
            report(anchor, anchor)
            return
        aligned(x, y, anchor, _dump)

    def aligned(x: list, y: list, anchor: ast.AST, key) -> None:
        # Align on `key`; an unequal run is aligned again on the nodes' kinds (a statement
        # inserted before a changed one must not make the changed one count as removed).
        matcher = difflib.SequenceMatcher(a=[key(n) for n in x], b=[key(n) for n in y], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            if tag == "replace" and i2 - i1 == j2 - j1:
                for p, q in zip(x[i1:i2], y[j1:j2]):
                    nodes(p, q, anchor)
                continue
            if key is _dump and tag == "replace":
                aligned(x[i1:i2], y[j1:j2], anchor, _kind)
                continue
            for p in x[i1:i2]:
                report(p, anchor)
            for q in y[j1:j2]:
                if hasattr(q, "end_lineno") and q.end_lineno is not None:
                    inserted.append(q)
                else:
                    report(anchor, anchor)

    nodes(old, new, old)
    return removed, inserted


# Scope analysis for `resolve`: which parts of a scope-making node run in the enclosing scope
# and which in its own.
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_SCOPES = _FUNCTIONS + (ast.ClassDef,) + _COMPREHENSIONS


def _outer_parts(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        arguments = node.args
        every = arguments.posonlyargs + arguments.args + arguments.kwonlyargs
        every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
        parts = list(node.decorator_list) + list(arguments.defaults) + [d for d in arguments.kw_defaults if d]
        parts += [a.annotation for a in every if a.annotation is not None]
        return parts + ([node.returns] if node.returns is not None else [])
    if isinstance(node, ast.Lambda):
        return list(node.args.defaults) + [d for d in node.args.kw_defaults if d]
    if isinstance(node, ast.ClassDef):
        return list(node.decorator_list) + list(node.bases) + [k.value for k in node.keywords]
    return [node.generators[0].iter]


def _inner_parts(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return list(node.body)
    if isinstance(node, ast.Lambda):
        return [node.body]
    first = node.generators[0]
    parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
    return parts + [first.target, *first.ifs] + list(node.generators[1:])


def _parameters(node: ast.AST) -> list[ast.arg]:
    if not isinstance(node, _FUNCTIONS):
        return []
    arguments = node.args
    every = arguments.posonlyargs + arguments.args + arguments.kwonlyargs
    return every + [a for a in (arguments.vararg, arguments.kwarg) if a is not None]


def _is_type_checking(test: ast.AST) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _guard(parent: ast.AST, field_name: str) -> tuple[str, ...]:
    """The condition under which a child in `field_name` of `parent` runs, as guard words
    (no words: whenever the parent runs)."""
    if isinstance(parent, ast.If) and field_name in ("body", "orelse"):
        negated = isinstance(parent.test, ast.UnaryOp) and isinstance(parent.test.op, ast.Not)
        test = parent.test.operand if negated else parent.test
        if _is_type_checking(test):
            only_for_checkers = (field_name == "body") != negated
            return ("type-checking",) if only_for_checkers else ()
        return ("if",)
    if isinstance(parent, (ast.For, ast.AsyncFor, ast.While)) and field_name in ("body", "orelse", "target"):
        return ("loop",)
    if isinstance(parent, (ast.With, ast.AsyncWith)) and field_name == "body":
        return ("with",)
    if isinstance(parent, (ast.Try, getattr(ast, "TryStar", ast.Try))):
        if field_name == "body":
            reraise = all(h.body and isinstance(h.body[-1], ast.Raise) for h in parent.handlers)
            return () if reraise else ("try",)
        if field_name in ("handlers", "orelse"):
            return ("except",) if field_name == "handlers" else ("try-else",)
    if isinstance(parent, ast.Match) and field_name == "cases":
        return ("match",)
    if isinstance(parent, (ast.BoolOp, ast.IfExp)):
        return ("if",)
    return ()


@dataclass
class Binding:
    kind: str  # import, param, assign, def, except, match, walrus, star, global-elsewhere
    node: ast.AST
    guards: tuple[str, ...]
    module: str | None = None  # for imports: the module (or module.attribute) bound


@dataclass
class ScopeFacts:
    bindings: dict[str, list[Binding]] = field(default_factory=lambda: collections.defaultdict(list))
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)
    stars: list[Binding] = field(default_factory=list)  # `from x import *`


def _walk_scope(node: ast.AST, guards: tuple[str, ...]):
    """(child, guards) for every node that runs in `node`'s scope, nested scopes' own parts
    left out (the nested scope node itself is yielded: its name binds here)."""
    for field_name, value in ast.iter_fields(node):
        for child in value if isinstance(value, list) else [value]:
            if not isinstance(child, ast.AST):
                continue
            inner = guards + _guard(node, field_name)
            yield child, inner
            if isinstance(child, _SCOPES):
                for part in _outer_parts(child):
                    yield part, inner
                    yield from _walk_scope(part, inner)
            else:
                yield from _walk_scope(child, inner)


def _walrus_targets(node: ast.AST):
    """Targets of `:=` inside comprehensions nested in `node`'s scope: they bind in `node`'s
    scope (the nearest enclosing one that is not a comprehension)."""
    for child, guards in _walk_scope(node, ()):
        if isinstance(child, _COMPREHENSIONS):
            for part in _inner_parts(child):
                for inner in [part, *(n for n in ast.walk(part))]:
                    if isinstance(inner, ast.NamedExpr):
                        yield inner.target, guards + ("comprehension",)


def scope_facts(scope: ast.AST) -> ScopeFacts:
    facts = ScopeFacts()
    walrus_in_comprehension = set()
    if not isinstance(scope, _COMPREHENSIONS):
        for target, guards in _walrus_targets(scope):
            facts.bindings[target.id].append(Binding("walrus", target, guards))
            walrus_in_comprehension.add(id(target))
    else:
        walrus_in_comprehension = {id(n.target) for n in ast.walk(scope) if isinstance(n, ast.NamedExpr)}
    for parameter in _parameters(scope):
        facts.bindings[parameter.arg].append(Binding("param", parameter, ()))
    roots = [scope] if isinstance(scope, ast.Module) else _inner_parts(scope)
    for root in roots:
        for node, guards in [(root, ())] + list(_walk_scope(root, ())):
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                if id(node) not in walrus_in_comprehension:
                    kind = "del" if isinstance(node.ctx, ast.Del) else "assign"
                    facts.bindings[node.id].append(Binding(kind, node, guards))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    bound = alias.asname or alias.name.split(".")[0]
                    module = alias.name if alias.asname else alias.name.split(".")[0]
                    facts.bindings[bound].append(Binding("import", alias, guards, module))
            elif isinstance(node, ast.ImportFrom):
                package = "." * node.level + (node.module or "")
                for alias in node.names:
                    if alias.name == "*":  # may bind any name
                        facts.stars.append(Binding("star-import", node, guards))
                        continue
                    facts.bindings[alias.asname or alias.name].append(
                        Binding("import", alias, guards, f"{package}.{alias.name}")
                    )
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node is not scope:
                facts.bindings[node.name].append(Binding("def", node, guards))
            elif isinstance(node, ast.ExceptHandler) and node.name:
                facts.bindings[node.name].append(Binding("except", node, guards))
            elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
                facts.bindings[node.name].append(Binding("match", node, guards))
            elif isinstance(node, ast.MatchMapping) and node.rest:
                facts.bindings[node.rest].append(Binding("match", node, guards))
            elif isinstance(node, ast.Global):
                facts.globals.update(node.names)
            elif isinstance(node, ast.Nonlocal):
                facts.nonlocals.update(node.names)
    return facts


def scope_chain(tree: ast.Module, target: ast.AST) -> list[ast.AST] | None:
    """The scopes whose code contains `target`, outermost (the module) first."""

    def visit(node: ast.AST, chain: list[ast.AST]):
        if node is target:
            return chain
        if isinstance(node, _SCOPES):
            for part in _outer_parts(node):
                found = visit(part, chain)
                if found:
                    return found
            for part in _inner_parts(node):
                found = visit(part, chain + [node])
                if found:
                    return found
            return None
        for child in ast.iter_child_nodes(node):
            found = visit(child, chain)
            if found:
                return found
        return None

    return visit(tree, [tree])


def _position(node: ast.AST) -> tuple[int, int]:
    return (node.lineno, node.col_offset)


def _judge(
    name: str, bindings: list[Binding], use: ast.AST, where: str, added: list[tuple[int, int]], locate
) -> Failure | str:
    """The module `name` is bound to at `use`, given its bindings in the scope that decides;
    a Failure when it may be anything else at run time."""
    runtime = [b for b in bindings if "type-checking" not in b.guards]
    if not runtime:
        return Failure("binding:type-checking-only", f"only imported under `if TYPE_CHECKING:` ({where})")
    others = [b for b in runtime if b.kind != "import"]
    if others:
        first = others[0]
        how = f"{first.kind} at line {getattr(first.node, 'lineno', '?')}"
        return Failure(f"binding:{where}-{first.kind}", f"`{name}` is bound by a {how} ({where} scope)")
    modules = sorted({b.module for b in runtime})
    if len(modules) > 1:
        return Failure("binding:several-modules", f"`{name}` is bound to {modules} ({where} scope)")
    unconditional = [b for b in runtime if not b.guards]
    if not unconditional:
        guards = sorted({g for b in runtime for g in b.guards})
        return Failure("binding:conditional", f"`{name}` is imported only under {guards} ({where} scope)")
    if not any(_position(b.node) < _position(use) for b in unconditional):
        # In a function, the import must have run before the use. A module-level import runs
        # before any function of the module is called, wherever it is; but one a fix adds
        # belongs in the import block at the top, not after the code.
        if where != "module":
            return Failure(f"binding:{where}-import-after-use", f"`{name}` is imported after its use")
        if any(a <= locate(b.node) < e for b in unconditional for a, e in added):
            return Failure("import-after-use", f"the `{name}` import the fix added comes after the code using it")
    return modules[0]


def deciding_scope(tree: ast.Module, chain: list[ast.AST], name: str) -> tuple[ast.AST, ScopeFacts | None, str]:
    """The scope whose bindings of `name` a use inside `chain` (see `scope_chain`) sees, its
    facts, and which it is to the use: local, enclosing, class, or the module (`tree`)."""
    innermost = len(chain) - 1
    for depth in range(innermost, 0, -1):
        scope = chain[depth]
        if isinstance(scope, ast.ClassDef) and depth != innermost:
            continue  # a class body's names are not visible in the functions inside it
        facts = scope_facts(scope)
        if name in facts.globals:
            break
        if name in facts.nonlocals:
            continue
        if facts.bindings.get(name):
            where = "class" if isinstance(scope, ast.ClassDef) else ("local" if depth == innermost else "enclosing")
            return scope, facts, where
    return tree, None, "module"


def resolve(
    tree: ast.Module, use: ast.Name, text: str, starts: list[int], added: list[tuple[int, int]]
) -> Failure | str:
    """What `use` (a Name the fix wrote) refers to at run time: the qualified name its
    attribute chain means (`asyncio.sleep`), checked against FIX_TARGETS; or a Failure."""
    chain = scope_chain(tree, use)
    if chain is None:
        return Failure("oracle-error", "use site not found in the tree")
    name = use.id

    def locate(node: ast.AST) -> int:
        return ast_offset(text, starts, node.lineno, node.col_offset)

    scope, facts, where = deciding_scope(tree, chain, name)
    verdict: Failure | str | None = None
    if scope is not tree:
        verdict = _judge(name, facts.bindings[name], use, where, added, locate)
    if verdict is None:
        module_facts = scope_facts(tree)
        bindings = list(module_facts.bindings.get(name, [])) + module_facts.stars
        for node in ast.walk(tree):
            if isinstance(node, _FUNCTIONS) and node is not chain[-1]:
                facts = scope_facts(node)
                if name in facts.globals:
                    bindings += [
                        Binding(b.kind, b.node, b.guards + ("function",), b.module)
                        for b in facts.bindings.get(name, [])
                    ]
        if not bindings:
            if hasattr(builtins, name):
                return "builtins." + name
            return Failure("binding:unbound", f"`{name}` is not bound anywhere")
        verdict = _judge(name, bindings, use, "module", added, locate)
    if isinstance(verdict, Failure):
        return verdict
    parts = [verdict]
    node = use
    parents = {id(child): parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    parent = parents.get(id(node))
    while isinstance(parent, ast.Attribute) and parent.value is node:
        parts.append(parent.attr)
        node, parent = parent, parents.get(id(parent))
    qualified = ".".join(parts)
    if not any(
        target == qualified or target.startswith(qualified + ".") or qualified.startswith(target + ".")
        for target in FIX_TARGETS
    ):
        return Failure("binding:wrong-module", f"`{name}` here means `{qualified}`")
    return qualified


# --- the AST outside the fixes ------------------------------------------------------------

_BODY_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")


def _dump(node: ast.AST) -> str:
    return ast.dump(node, include_attributes=False)


def _header(node: ast.AST) -> str:
    """`node` without its nested statement lists (for comparing a compound statement's own parts)."""
    copy = type(node)(**{name: getattr(node, name, None) for name in node._fields})
    for name in _BODY_FIELDS:
        if isinstance(getattr(copy, name, None), list):
            setattr(copy, name, [])
    return _dump(copy)


def _import_bindings(tree: ast.Module) -> collections.Counter:
    """(depth 0 or 1, bound name, what it binds) of every import: the module level and the rest."""
    found = collections.Counter()
    top = {id(s) for s in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                found[(0 if id(node) in top else 1, bound, alias.name)] += 1
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                found[
                    (
                        0 if id(node) in top else 1,
                        alias.asname or alias.name,
                        f"{'.' * node.level}{node.module}.{alias.name}",
                    )
                ] += 1
    return found


def ast_changes(original: ast.Module, fixed: ast.Module, fix_lines: list[tuple[int, int]]) -> list[Failure]:
    """Statements of `original` whose lines hold no fix must reappear unchanged (same AST dump)
    in `fixed`, in order; compound statements are compared header by header and then body by
    body, so a fix deep in a function excuses only the statements it is in. Imports are
    compared apart: only imports of what fixes use may be added (at module level), and only
    imports whose name is no longer used may go."""
    failures = []
    before, after = _import_bindings(original), _import_bindings(fixed)
    loads = [n for n in ast.walk(fixed) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]

    def used_at_module_scope(name: str) -> bool:
        for node in loads:
            if node.id == name:
                chain = scope_chain(fixed, node)
                if chain is not None and deciding_scope(fixed, chain, name)[0] is fixed:
                    return True
        return False

    for depth, bound, target in after - before:
        if depth != 0 or target not in FIX_IMPORTS:
            failures.append(
                Failure(
                    "import-added-unexpected", f"`{bound}` -> {target} added ({'nested' if depth else 'module level'})"
                )
            )
    for _depth, bound, target in before - after:
        if used_at_module_scope(bound):
            failures.append(
                Failure("import-removed-still-used", f"import of {target} as `{bound}` removed, `{bound}` still used")
            )

    def touched(node: ast.AST, parent: ast.AST) -> bool:
        lines = node if hasattr(node, "lineno") else parent  # a match case has no position
        first, last = lines.lineno, lines.end_lineno or lines.lineno
        return any(a <= last and first <= b for a, b in fix_lines)

    def is_import(node: ast.AST) -> bool:
        # `pass` too: it takes the place of an import removed from a block of its own.
        return isinstance(node, (ast.Import, ast.ImportFrom, ast.Pass))

    def compare(old: list[ast.AST], new: list[ast.AST], parent: ast.AST) -> None:
        old = [n for n in old if not is_import(n)]
        new = [n for n in new if not is_import(n)]
        matcher = difflib.SequenceMatcher(a=[_dump(n) for n in old], b=[_dump(n) for n in new], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            pairs, gone, added = _pair(old[i1:i2], new[j1:j2])
            for a, b in pairs:
                bodies = [f for f in _BODY_FIELDS if isinstance(getattr(a, f, None), list) and getattr(a, f)]
                if type(a) is type(b) and bodies and _header(a) == _header(b):
                    for name in bodies:
                        compare(getattr(a, name), getattr(b, name), a if hasattr(a, "lineno") else parent)
                elif not touched(a, parent):
                    failures.append(Failure("ast-changed-outside-fixes", _changed(a, b)))
            for a in gone:
                if not touched(a, parent):
                    failures.append(Failure("ast-changed-outside-fixes", _changed(a, None)))
            for b in added:
                failures.append(Failure("statement-added", f"line {getattr(b, 'lineno', '?')}: {_dump(b)[:160]}"))

    compare(original.body, fixed.body, original)
    return failures


def _pair(old: list[ast.AST], new: list[ast.AST]) -> tuple[list[tuple[ast.AST, ast.AST]], list[ast.AST], list[ast.AST]]:
    """Pairs of statements that stand in each other's place (by position when the runs are
    equally long, otherwise aligned on their kinds), and those left over on either side."""
    if len(old) == len(new):
        return list(zip(old, new)), [], []
    pairs, gone, added = [], [], []
    matcher = difflib.SequenceMatcher(a=[_kind(n) for n in old], b=[_kind(n) for n in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            pairs += zip(old[i1:i2], new[j1:j2])
        else:
            gone += old[i1:i2]
            added += new[j1:j2]
    return pairs, gone, added


def _changed(old: ast.AST, new: ast.AST | None) -> str:
    where = f"line {getattr(old, 'lineno', '?')}"
    if new is None:
        return f"{where}: {_dump(old)[:160]} removed"
    return f"{where}: {_dump(old)[:160]} became {_dump(new)[:160]}"


# --- checking one input -------------------------------------------------------------------


@dataclass
class Verdict:
    failures: list[Failure]
    uncheckable: str | None = None  # ASY001's message, when the linter refused the input
    fixed: dict[str, bool] = field(default_factory=dict)  # mode -> the fix changed something


def _traceback(stage: str, exc: BaseException) -> Failure:
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    place = f"{Path(frames[-1].filename).name}:{frames[-1].lineno} in {frames[-1].name}" if frames else "?"
    return Failure(f"exception:{stage}:{type(exc).__name__}", f"{type(exc).__name__}: {exc!s:.300} at {place}")


STAGES = ("safe", "unsafe", "alone", "noqa")


def check_input(linter, text: str, path: str = "fuzz_input.py", stages=STAGES) -> Verdict:
    """Lint `text`, then check the properties of each of `stages`: a safe and an unsafe fix
    run, each offered fix applied alone, adding noqa comments."""
    from asynclint.diagnostic import Applicability
    from asynclint.fixer import add_noqa_text

    failures: list[Failure] = []
    verdict = Verdict(failures)
    try:
        diagnostics = linter.lint_text(text, path)
    except Exception as exc:  # noqa: BLE001 - the finding
        failures.append(_traceback("lint", exc))
        return verdict
    failures += position_failures(text, diagnostics, "lint")
    for diagnostic in diagnostics:
        if diagnostic.code == "ASY001":
            verdict.uncheckable = diagnostic.message
            if "internal error" in diagnostic.message:
                failures.append(Failure("internal-error", diagnostic.message[:300]))
    original_tree = parse_ast(text)
    offered_after = []  # (fixed text, fix still offered there)
    for mode in [m for m in ("safe", "unsafe") if m in stages]:
        if mode == "unsafe" and "safe" in stages and not _offers_unsafe(diagnostics, offered_after):
            verdict.fixed["unsafe"] = verdict.fixed.get("safe", False)  # the same run again
            continue
        offered_after += _check_fix_run(linter, text, path, mode, diagnostics, original_tree, verdict)
    if "alone" in stages:
        applied_somewhere = (Applicability.SAFE, Applicability.UNSAFE)
        if original_tree is not None:
            for diagnostic in diagnostics:
                if diagnostic.fix and diagnostic.fix.applicability in applied_somewhere and diagnostic.fix.edits:
                    failures += fix_alone_failures(text, diagnostic)
        # Fixes still offered after fixing (left for a later round, or refused): as sound.
        for fixed, diagnostic in offered_after:
            if fixed != text and parse_ast(fixed) is not None:
                failures += fix_alone_failures(fixed, diagnostic)
    # As `--add-noqa` does: a file that could not be checked gets no noqa comments.
    if "noqa" in stages and verdict.uncheckable is None:
        try:
            noqa_text, changed = add_noqa_text(text, diagnostics)
            noqa_tree = parse_ast(noqa_text) if changed and original_tree is not None else None
            if noqa_tree is not None and _dump(noqa_tree) != _dump(original_tree):
                removed, _ = ast_differences(original_tree, noqa_tree)
                where = ", ".join(f"line {n.lineno}" for n in removed[:3])
                failures.append(Failure("add-noqa-changes-code", f"adding noqa comments changed the AST at {where}"))
            if changed:
                _, again = add_noqa_text(noqa_text, linter.lint_text(noqa_text, path))
                if again:
                    failures.append(Failure("add-noqa-not-idempotent", f"a second --add-noqa changed {again} lines"))
        except Exception as exc:  # noqa: BLE001
            failures.append(_traceback("add-noqa", exc))
    verdict.failures = list(dict.fromkeys(failures))  # one fix is checked again after each fix run
    return verdict


def _offers_unsafe(diagnostics, offered_after) -> bool:
    """Whether an unsafe fix run could differ from the safe one (an unsafe fix is offered
    before fixing, or after the safe run)."""
    every = list(diagnostics) + [d for _, d in offered_after]
    return any(d.fix and d.fix.edits and d.fix.applicability.value == "unsafe" for d in every)


def _check_fix_run(linter, text: str, path: str, mode: str, diagnostics, original_tree, verdict: Verdict) -> list:
    """One `fix_text` run's properties, added to `verdict`; returns the fixes still offered on
    the result, with it."""
    from asynclint.diagnostic import Applicability
    from asynclint.fixer import fix_text

    failures = verdict.failures
    unsafe = mode == "unsafe"
    try:
        outcome = fix_text(linter, text, path, unsafe)
    except Exception as exc:  # noqa: BLE001
        failures.append(_traceback(f"fix-{mode}", exc))
        return []
    fixed = outcome.fixed
    verdict.fixed[mode] = fixed != text
    failures += position_failures(fixed, outcome.remaining, f"remaining after {mode} fix")
    applied = (Applicability.SAFE, Applicability.UNSAFE)
    offered = [(fixed, d) for d in outcome.remaining if d.fix and d.fix.applicability in applied and d.fix.edits]
    if outcome.error:
        failures.append(Failure("fix-refused", f"{mode}: {outcome.error}"))
    if fixed == text:
        return offered
    error = libcst_error(fixed)
    if error:
        failures.append(Failure("fixed-does-not-parse", f"{mode}: {error}"))
        return offered
    if original_tree is not None and compile_error(text) is None:
        error = compile_error(fixed)
        if error:
            failures.append(Failure("fixed-does-not-compile", f"{mode}: {error}"))
    if text and newline_kinds(fixed) - newline_kinds(text) and newline_kinds(text):
        changed = f"{sorted(newline_kinds(text))} -> {sorted(newline_kinds(fixed))}"
        failures.append(Failure("newline-style-changed", f"{mode}: {changed}"))
    try:
        again = fix_text(linter, fixed, path, unsafe)
    except Exception as exc:  # noqa: BLE001
        failures.append(_traceback(f"refix-{mode}", exc))
    else:
        if again.fixed != fixed:
            diff = "".join(difflib.unified_diff(physical_lines(fixed), physical_lines(again.fixed), n=0))
            failures.append(Failure("fix-not-idempotent", f"{mode}: second fix changed:\n{diff[:600]}"))
    fixed_tree = parse_ast(fixed)
    if original_tree is not None and fixed_tree is not None:
        allowed = {Applicability.SAFE} | ({Applicability.UNSAFE} if unsafe else set())
        fix_lines = []
        for d in diagnostics:
            if d.fix is None or d.fix.applicability not in allowed:
                continue
            fix_lines.append((d.span.line, d.span.end_line))
            fix_lines += [(e.span.line, e.span.end_line) for e in d.fix.edits if not _is_import_code(e.content)]
        failures += [Failure(f.kind, f"{mode}: {f.detail}") for f in ast_changes(original_tree, fixed_tree, fix_lines)]
    return offered


def stages_for(failure: Failure) -> tuple[str, ...]:
    """The stages of `check_input` that can report `failure` again (to minimise it cheaply)."""
    kind = failure.kind
    if kind.startswith(("safe-fix-", "unsafe-fix-", "fix-edits-overlap")):
        return ("alone",)
    if kind.startswith(("add-noqa", "exception:add-noqa")):
        return ("noqa",)
    if kind in ("exception:lint", "internal-error") or kind.startswith("exception:lint:"):
        return ()
    for mode in ("unsafe", "safe"):
        if failure.detail.startswith(f"{mode}:") or f"-{mode}:" in kind:
            return (mode,)
    return STAGES


def kinds_of(verdict: Verdict) -> set[str]:
    return {f.kind for f in verdict.failures}


# --- minimising a failing input ------------------------------------------------------------


def minimise(linter, text: str, failure: Failure, budget_seconds: float = 30.0, max_checks: int = 400) -> str:
    """`text` with as much removed as can be while `failure`'s kind still fails: whole
    statements first (outermost first), then single lines. Bounded in time and checks, and
    each check runs only the stages that can report the failure, so it stays cheap."""
    deadline = time.monotonic() + budget_seconds
    checks = 0
    stages = stages_for(failure)

    def still_fails(candidate: str) -> bool:
        nonlocal checks
        checks += 1
        try:
            return failure.kind in kinds_of(check_input(linter, candidate, stages=stages))
        except Exception:  # noqa: BLE001 - the oracle itself tripping is not the same failure
            return False

    def budget_left() -> bool:
        return time.monotonic() < deadline and checks < max_checks

    # Runs of top-level statements, halving their length: a few checks drop most of a big file.
    chunk = max(1, len(_statement_spans(text, top_level=True)) // 2)
    while chunk > 1 and budget_left():
        index = 0
        while budget_left():
            spans = _statement_spans(text, top_level=True)
            if index >= len(spans):
                break
            last = spans[min(index + chunk, len(spans)) - 1]
            candidate = text[: spans[index][0]] + text[last[1] :]
            if candidate.strip() and still_fails(candidate):
                text = candidate
            else:
                index += chunk
        chunk //= 2
    index = 0
    while budget_left():
        spans = _statement_spans(text)
        if index >= len(spans):
            break
        start, end = spans[index]
        candidate = text[:start] + text[end:]
        if candidate.strip() and still_fails(candidate):
            text = candidate  # the spans shift: the same index is the next statement
        else:
            index += 1
    lines = physical_lines(text)
    index = 0
    while index < len(lines) and budget_left():
        candidate = lines[:index] + lines[index + 1 :]
        if candidate and still_fails("".join(candidate)):
            lines = candidate
        else:
            index += 1
    return "".join(lines)


def _statement_spans(text: str, top_level: bool = False) -> list[tuple[int, int]]:
    """The whole lines of each statement (decorators included), outer statements first."""
    tree = parse_ast(text)
    if tree is None:
        return []
    starts = line_starts(text)
    spans = []
    for node in tree.body if top_level else ast.walk(tree):
        if isinstance(node, ast.stmt):
            decorators = getattr(node, "decorator_list", None)
            first = decorators[0].lineno if decorators else node.lineno
            end = starts[node.end_lineno] if node.end_lineno < len(starts) else len(text)
            spans.append((starts[first - 1], end))
    return spans


# --- the run ------------------------------------------------------------------------------


def source_plan(count: int, sources: list[str]) -> list[str]:
    """Which source each input comes from: a fixed rotation, so a seed always gives the same
    mix (hypothesmith takes a fifth: it is slow and its programs rarely have a fix to make)."""
    weights = {"fixture": 4, "corpus": 4, "hypothesmith-grammar": 1, "hypothesmith-node": 1}
    rotation = [s for s in sources for _ in range(weights[s])]
    return [rotation[i % len(rotation)] for i in range(count)]


def generate(seed: int, count: int, sources: list[str], projects: list[str] | None = None, log=None):
    """The inputs, deterministically for `seed`."""
    plan = source_plan(count, sources)
    files = {"fixture": fixture_files()}
    if "corpus" in sources:
        files["corpus"] = corpus_files(projects)
        if not files["corpus"]:
            raise SystemExit(f"no corpus files under {CORPUS}; run bench/run.py once or drop --corpus")
    programs = {}
    for kind in ("grammar", "node"):
        wanted = plan.count(f"hypothesmith-{kind}")
        if wanted:
            if log:
                log(f"generating {wanted} hypothesmith programs ({kind})...")
            programs[kind] = iter(hypothesmith_programs(seed, wanted, kind))
    texts: dict[Path, str | None] = {}
    for index, source in enumerate(plan):
        rng = random.Random(f"{seed}:{index}")
        if source.startswith("hypothesmith"):
            kind = source.split("-")[1]
            program = next(programs[kind], None)
            if program is None:
                continue
            mutations = []
            if rng.random() < 0.5:
                program, how = splice_program(program, rng)
                mutations.append(how)
            yield FuzzInput(source, f"hypothesmith.from_{kind}", mutations, program, index)
            continue
        # Every mutator in turn, so that even a short run uses each of them.
        required = sorted(MUTATORS)[index % len(MUTATORS)]
        for _attempt in range(8):
            path = rng.choice(files[source])
            if path not in texts:
                texts[path] = read_source(path)
            original = texts[path]
            if original is None or parse_ast(original) is None:
                continue
            mutated = mutate(original, rng, required)
            if mutated is None:
                continue
            if parse_ast(mutated[0]) is None and not _MAY_LEAVE_THE_GRAMMAR.intersection(mutated[1]):
                continue
            origin = str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)
            yield FuzzInput(source, origin, mutated[1], mutated[0], index)
            break
        else:
            yield FuzzInput(source, "(no valid mutant in 8 attempts)", [], "", -1 - index)


def _slug(kind: str) -> str:
    return re.sub(r"[^\w.-]+", "_", kind)


def write_failure(out: Path, seed: int, item: FuzzInput, verdict: Verdict, linter, minimise_it: bool) -> list[Path]:
    written = []
    for kind in sorted(kinds_of(verdict)):
        directory = out / _slug(kind)
        directory.mkdir(parents=True, exist_ok=True)
        stem = f"seed{seed}-{item.index:05d}-{item.source}"
        path = directory / f"{stem}.py"
        path.write_bytes(item.text.encode("utf-8", "surrogatepass"))
        details = [
            f"kind: {kind}",
            f"source: {item.source} {item.origin}",
            f"mutations: {', '.join(item.mutations) or '-'}",
            f"replay: python bench/fuzz.py --replay {path.relative_to(REPO) if path.is_relative_to(REPO) else path}",
            "",
            *[f"{f.kind}: {f.detail}" for f in verdict.failures if f.kind == kind],
        ]
        if minimise_it:
            small = minimise(linter, item.text, next(f for f in verdict.failures if f.kind == kind))
            (directory / f"{stem}.min.py").write_bytes(small.encode("utf-8", "surrogatepass"))
            details += ["", "minimised (repr):", repr(small)]
        (directory / f"{stem}.txt").write_text("\n".join(details) + "\n", encoding="utf-8")
        written.append(path)
    return written


@dataclass
class Summary:
    seed: int
    inputs: collections.Counter = field(default_factory=collections.Counter)
    failing_inputs: collections.Counter = field(default_factory=collections.Counter)
    kinds: dict[str, collections.Counter] = field(default_factory=dict)
    mutations: dict[str, collections.Counter] = field(default_factory=dict)
    fixed: collections.Counter = field(default_factory=collections.Counter)
    uncheckable: collections.Counter = field(default_factory=collections.Counter)
    skipped: int = 0
    examples: dict[str, tuple[FuzzInput, Failure]] = field(default_factory=dict)
    seconds: float = 0.0

    def record(self, item: FuzzInput, verdict: Verdict) -> None:
        self.inputs[item.source] += 1
        for mode, changed in verdict.fixed.items():
            self.fixed[(item.source, mode)] += changed
        if verdict.uncheckable:
            self.uncheckable[item.source] += 1
        kinds = kinds_of(verdict)
        if kinds:
            self.failing_inputs[item.source] += 1
        for kind in kinds:
            self.kinds.setdefault(kind, collections.Counter())[item.source] += 1
            counter = self.mutations.setdefault(kind, collections.Counter())
            for mutation in item.mutations:
                counter[mutation.split(":")[0]] += 1
            if kind not in self.examples:
                self.examples[kind] = (item, next(f for f in verdict.failures if f.kind == kind))

    def report(self) -> str:
        total = sum(self.inputs.values())
        lines = [f"fuzz: seed {self.seed}, {total} inputs in {self.seconds:.0f}s"]
        lines.append("")
        lines.append(f"{'source':<22}{'inputs':>8}{'failing':>9}{'safe fix':>10}{'unsafe fix':>12}{'ASY001':>8}")
        for source in sorted(self.inputs):
            lines.append(
                f"{source:<22}{self.inputs[source]:>8}{self.failing_inputs[source]:>9}"
                f"{self.fixed[(source, 'safe')]:>10}{self.fixed[(source, 'unsafe')]:>12}{self.uncheckable[source]:>8}"
            )
        if self.skipped:
            lines.append(f"(no valid mutant for {self.skipped} inputs)")
        lines.append("")
        if not self.kinds:
            lines.append("no property violated")
            return "\n".join(lines)
        lines.append(f"{'failure kind':<48}{'inputs':>7}  by source; frequent mutations")
        for kind, counter in sorted(self.kinds.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])):
            by_source = ", ".join(f"{s} {n}" for s, n in counter.most_common())
            mutations = ", ".join(f"{m} {n}" for m, n in self.mutations[kind].most_common(3))
            lines.append(f"{kind:<48}{sum(counter.values()):>7}  {by_source}; {mutations or '-'}")
        lines.append("")
        lines.append("first example of each kind:")
        for kind, (item, failure) in sorted(self.examples.items()):
            lines.append(
                f"  {kind}: input {item.index} ({item.source} {item.origin}; {', '.join(item.mutations) or '-'})"
            )
            lines.append(f"    {failure.detail.splitlines()[0][:220] if failure.detail else ''}")
        return "\n".join(lines)


def run(
    seed: int,
    count: int,
    sources: list[str],
    out: Path | None = None,
    minimise_first: int = 0,
    projects: list[str] | None = None,
    log=None,
) -> Summary:
    """Fuzz `count` inputs; failing inputs are written under `out` (when given), the first
    `minimise_first` of each kind with a minimised copy."""
    linter = make_linter()
    summary = Summary(seed)
    started = time.monotonic()
    minimised: collections.Counter = collections.Counter()
    for number, item in enumerate(generate(seed, count, sources, projects, log), 1):
        if item.index < 0:
            summary.skipped += 1
            continue
        if out is not None:
            # A crash that no `except` catches (libcst's native parser) leaves its input here.
            out.mkdir(parents=True, exist_ok=True)
            (out / "current-input.py").write_bytes(item.text.encode("utf-8", "surrogatepass"))
        verdict = check_input(linter, item.text)
        summary.record(item, verdict)
        if verdict.failures and out is not None:
            kinds = kinds_of(verdict)
            wanted = any(minimised[k] < minimise_first for k in kinds)
            write_failure(out, seed, item, verdict, linter, minimise_it=wanted)
            if wanted:
                minimised.update(kinds)
        if log and number % 50 == 0:
            failing = sum(summary.failing_inputs.values())
            log(f"{number}/{count} inputs, {failing} failing, {time.monotonic() - started:.0f}s")
    summary.seconds = time.monotonic() - started
    if out is not None:
        (out / "current-input.py").unlink(missing_ok=True)
    return summary


# --- whole-corpus fix check ----------------------------------------------------------------


def corpus_fix(projects: list[str] | None, log) -> int:
    """Copy the corpus trees, run `asynclint check --fix --unsafe-fixes` on each twice, and
    check that every fixed file parses (and compiles, when it compiled before) and that the
    second run changes nothing. Returns the number of problems found."""
    trees = sorted(p for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.is_dir() else []
    if projects:
        trees = [t for t in trees if any(t.name.startswith(p + "-") for p in projects)]
    if not trees:
        raise SystemExit(f"no corpus trees under {CORPUS} (for {projects or 'any project'})")
    command = [sys.executable, "-m", "asynclint", "check", "--fix", "--unsafe-fixes", "--select", "ALL",
               "--no-cache", "--jobs", "1", "--quiet", "--exit-zero"]  # fmt: skip
    problems: collections.Counter = collections.Counter()
    examples: dict[str, str] = {}
    rows = []
    with tempfile.TemporaryDirectory(prefix="asynclint-fuzz-") as temporary:
        for tree in trees:
            copy = Path(temporary, tree.name)
            shutil.copytree(tree, copy, symlinks=True)
            files = sorted(p for p in copy.rglob("*.py") if p.is_file() and not p.is_symlink())
            before = {p: p.read_bytes() for p in files}
            started = time.monotonic()
            log(f"{tree.name}: {len(files)} files, first --fix run...")
            first = subprocess.run(command + [str(copy)], capture_output=True, cwd=temporary)
            seconds = time.monotonic() - started

            def note(kind: str, detail: str) -> None:
                problems[kind] += 1
                examples.setdefault(kind, detail)

            for run_number, completed in ((1, first),):
                stderr = completed.stderr.decode("utf-8", "replace")
                if "Traceback" in stderr or completed.returncode not in (0, 1):
                    note("run-failed", f"{tree.name} run {run_number}: exit {completed.returncode}: {stderr[-600:]}")
            after = {p: p.read_bytes() if p.exists() else None for p in files}
            changed = [p for p in files if after[p] != before[p]]
            for path in changed:
                name = str(path.relative_to(temporary))
                if after[path] is None:
                    note("file-deleted", name)
                    continue
                old_text, new_text = _decode(before[path]), _decode(after[path])
                if new_text is None:
                    note("fixed-not-decodable", name)
                    continue
                error = libcst_error(new_text)
                if error:
                    note("fixed-does-not-parse", f"{name}: {error}")
                    continue
                if old_text is not None and compile_error(old_text) is None:
                    error = compile_error(new_text)
                    if error:
                        note("fixed-does-not-compile", f"{name}: {error}")
            log(f"{tree.name}: {len(changed)} files fixed in {seconds:.0f}s; second run...")
            second = subprocess.run(command + [str(copy)], capture_output=True, cwd=temporary)
            stderr = second.stderr.decode("utf-8", "replace")
            if "Traceback" in stderr or second.returncode not in (0, 1):
                note("run-failed", f"{tree.name} run 2: exit {second.returncode}: {stderr[-600:]}")
            again = [p for p in files if p.exists() and p.read_bytes() != after[p]]
            for path in again:
                note("second-run-changed", str(path.relative_to(temporary)))
            rows.append((tree.name, len(files), len(changed), len(again), seconds))
            shutil.rmtree(copy, ignore_errors=True)
    print(f"{'project':<32}{'files':>7}{'fixed':>7}{'refixed':>9}{'first run':>11}")
    for name, files, changed, again, seconds in rows:
        print(f"{name:<32}{files:>7}{changed:>7}{again:>9}{seconds:>10.0f}s")
    if problems:
        print("\nproblems:")
        for kind, number in problems.most_common():
            print(f"  {kind}: {number} (first: {examples[kind][:300]})")
    else:
        print("\nevery fixed file parses; the second run changed nothing")
    return sum(problems.values())


def _decode(data: bytes) -> str | None:
    from asynclint.sourcefile import UncheckableSource, decode

    try:
        return decode(data).text
    except UncheckableSource:
        return None


# --- command line -------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=200, help="number of inputs (default 200)")
    parser.add_argument("--corpus", action="store_true", help="also mutate async files of the benchmark corpus")
    parser.add_argument(
        "--projects", help="with --corpus or --corpus-fix: only these corpus projects (comma-separated)"
    )
    parser.add_argument("--no-hypothesmith", action="store_true", help="only mutants of files")
    parser.add_argument(
        "--out", type=Path, default=RESULTS, help=f"where failing inputs go (default {RESULTS.relative_to(REPO)})"
    )
    parser.add_argument(
        "--minimise",
        type=int,
        default=2,
        metavar="N",
        help="minimise the first N failing inputs of each kind (default 2)",
    )
    parser.add_argument("--replay", nargs="+", type=Path, metavar="FILE", help="check these files and print what fails")
    parser.add_argument(
        "--corpus-fix", action="store_true", help="run --fix --unsafe-fixes twice on copies of the corpus"
    )
    args = parser.parse_args(argv)
    projects = args.projects.split(",") if args.projects else None

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    warnings.simplefilter("ignore", SyntaxWarning)  # hypothesmith's programs and compile() checks
    logging.getLogger("sqlglot").setLevel(logging.ERROR)  # its parse warnings about SQL in the inputs
    if args.corpus_fix:
        return 1 if corpus_fix(projects, log) else 0
    if args.replay:
        linter = make_linter()
        failed = 0
        for path in args.replay:
            text = path.read_bytes().decode("utf-8", "surrogatepass")
            verdict = check_input(linter, text, path.name)
            failed += bool(verdict.failures)
            print(f"{path}: {'ok' if not verdict.failures else ''}")
            for failure in verdict.failures:
                print(f"  {failure.kind}: {failure.detail}")
        return 1 if failed else 0
    sources = ["fixture"] + (["corpus"] if args.corpus else [])
    if not args.no_hypothesmith:
        sources += ["hypothesmith-grammar", "hypothesmith-node"]
    if args.out.exists():
        shutil.rmtree(args.out)
    summary = run(args.seed, args.count, sources, args.out, args.minimise, projects, log)
    print(summary.report())
    if summary.kinds:
        print(f"\nfailing inputs written to {args.out}")
    return 1 if summary.kinds else 0


if __name__ == "__main__":
    sys.exit(main())
