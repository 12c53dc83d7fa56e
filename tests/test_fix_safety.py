"""Fixes never change what a program does (issue 10): where an added import lands, which names
a fix may write, the imports a fix leaves unused, and candidates libcst cannot parse."""

from __future__ import annotations

import ast
import symtable
from pathlib import Path

import pytest

from asynclint.config import Config
from asynclint.diagnostic import Applicability, Diagnostic, Edit, Fix, Severity, Span
from asynclint.engine import Linter
from asynclint.fixer import fix_text, parses
from asynclint.positions import line_offsets, split_lines
from conftest import FIXTURES, lint


def _fixed(source: str, unsafe: bool = False) -> str:
    linter = Linter(Config(root=Path.cwd(), select=("ALL",)))
    outcome = fix_text(linter, source, "example.py", unsafe=unsafe)
    assert outcome.error is None, outcome.error
    return outcome.fixed


def _sleep_fix(source: str):
    (diagnostic,) = [d for d in lint(source) if d.code == "ASY100"]
    return diagnostic.fix


# --- one definition of a line -----------------------------------------------------------------

# Characters str.splitlines() ends a line at, and Python does not.
NOT_LINE_BREAKS = ["\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("char", NOT_LINE_BREAKS, ids=repr)
def test_lines_are_split_where_python_splits_them(char):
    text = f'"""a{char}b"""\r\nx = 1\ry = 2\nz = 3'
    assert split_lines(text) == [f'"""a{char}b"""', "x = 1", "y = 2", "z = 3"]
    assert split_lines(text, keepends=True) == [f'"""a{char}b"""\r\n', "x = 1\r", "y = 2\n", "z = 3"]
    assert "".join(split_lines(text, keepends=True)) == text
    assert len(split_lines(text)) == len(line_offsets(text)) == ast.parse(text).body[-1].lineno


@pytest.mark.parametrize("char", NOT_LINE_BREAKS, ids=repr)
def test_an_added_import_lands_after_the_head_whatever_the_docstring_holds(char):
    # The repro: with the form feed, the import landed inside the string X.
    source = (
        f'"""Doc{char}string"""\nfrom asyncio import Queue\nimport time\nX = """\nline\n"""\n'
        "async def f():\n    time.sleep(1)\n"
    )
    fixed = _fixed(source)
    assert fixed == (
        f'"""Doc{char}string"""\nfrom asyncio import Queue\nimport asyncio\nX = """\nline\n"""\n'
        "async def f():\n    await asyncio.sleep(1)\n"
    )


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=repr)
def test_an_import_is_added_with_the_files_own_newline(newline):
    source = newline.join(["from asyncio import Queue", "import time", "async def f():", "    time.sleep(1)", ""])
    fixed = _fixed(source)
    assert fixed == newline.join(
        ["from asyncio import Queue", "import asyncio", "async def f():", "    await asyncio.sleep(1)", ""]
    )


def test_an_import_is_added_above_a_file_that_starts_with_code():
    source = "DELAY = 1\nfrom asyncio import Queue\nimport time\nasync def f():\n    time.sleep(DELAY)\n"
    assert _fixed(source) == "import asyncio\nDELAY = 1\nfrom asyncio import Queue\nasync def f():\n    await asyncio.sleep(DELAY)\n"


def test_an_import_is_added_to_a_carriage_return_file_with_a_blank_line_and_no_final_newline():
    source = "import os, time\r\rasync def f():\r    time.sleep(os.cpu_count())"
    assert _fixed(source, unsafe=True) == "import os\rimport asyncio\r\rasync def f():\r    await asyncio.sleep(os.cpu_count())"


# --- a fix writes a name only where it means the module -----------------------------------------

SAFE = [
    # (source, the replacement a safe fix writes, the import it adds or None)
    ("import asyncio, time\nasync def f():\n    time.sleep(1)\n", "await asyncio.sleep(1)", None),
    ("import asyncio as aio\nimport time\nasync def f():\n    time.sleep(1)\n", "await aio.sleep(1)", None),
    ("from asyncio import Queue\nimport time\nasync def f():\n    time.sleep(1)\n", "await asyncio.sleep(1)", "import asyncio\n"),
    # A method does not see its class's names: `asyncio` there is the module's.
    ("import asyncio, time\nclass A:\n    asyncio = None\n    async def m(self):\n        time.sleep(1)\n", "await asyncio.sleep(1)", None),
    # A local import that runs before the call.
    ("from asyncio import Queue\nimport time\nasync def f():\n    import asyncio\n    time.sleep(1)\n", "await asyncio.sleep(1)", None),
    # `global` names the module's binding, which is the import.
    ("import asyncio, time\nasync def f():\n    global asyncio\n    time.sleep(1)\n", "await asyncio.sleep(1)", None),
    # A comprehension's own target is gone after it.
    ("import asyncio, time\nasync def f():\n    [asyncio for asyncio in ()]\n    time.sleep(1)\n", "await asyncio.sleep(1)", None),
    # A module-level import after the def: one more at the top makes the name certain.
    ("import time\nasync def f():\n    time.sleep(1)\nimport asyncio\n", "await asyncio.sleep(1)", "import asyncio\n"),
]


@pytest.mark.parametrize("source, replacement, added", SAFE)
def test_a_safe_fix_where_the_name_means_the_module(source, replacement, added):
    fix = _sleep_fix(source)
    assert fix.applicability is Applicability.SAFE
    assert fix.edits[0].content == replacement
    assert [e.content for e in fix.edits[1:]] == ([added] if added else [])


SHADOWED = {
    "parameter": "import asyncio, time\nasync def f(asyncio):\n    time.sleep(1)\n",
    "local assigned before": "import asyncio, time\nasync def f():\n    asyncio = None\n    time.sleep(1)\n",
    "local bound after": "import asyncio, time\nasync def f(xs):\n    time.sleep(1)\n    for asyncio in xs:\n        pass\n",
    "local import after": "import asyncio, time\nasync def f():\n    time.sleep(1)\n    import asyncio\n",
    "local conditional import": "from asyncio import Queue\nimport time\nasync def f(x):\n    if x:\n        import asyncio\n    time.sleep(1)\n",
    "comprehension target": "import asyncio, time\nasync def f(xs):\n    return [time.sleep(1) for asyncio in xs]\n",
    "walrus": "import asyncio, time\nasync def f():\n    if (asyncio := 1):\n        pass\n    time.sleep(1)\n",
    "except name": "import asyncio, time\nasync def f():\n    try:\n        pass\n    except OSError as asyncio:\n        pass\n    time.sleep(1)\n",
    "with target": "import asyncio, time\nasync def f(cm):\n    time.sleep(1)\n    with cm as asyncio:\n        pass\n",
    "deleted locally": "import asyncio, time\nasync def f():\n    time.sleep(1)\n    del asyncio\n",
    "enclosing function": "import asyncio, time\ndef outer(asyncio):\n    async def f():\n        time.sleep(1)\n    return f\n",
    "nonlocal rebinding": (
        "import asyncio, time\ndef outer():\n    asyncio = None\n    async def f():\n        nonlocal asyncio\n"
        "        time.sleep(1)\n    return f\n"
    ),
    "module rebinding": "import asyncio, time\nasyncio = None\nasync def f():\n    time.sleep(1)\n",
    "module def": "import asyncio, time\nasync def f():\n    time.sleep(1)\ndef asyncio():\n    pass\n",
    "module del": "import asyncio, time\nasync def f():\n    time.sleep(1)\ndel asyncio\n",
    "module loop": "import asyncio, time\nasync def f():\n    time.sleep(1)\nfor asyncio in ():\n    pass\n",
    "global rebinding": (
        "import asyncio, time\nasync def f():\n    time.sleep(1)\ndef g():\n    global asyncio\n    asyncio = None\n"
    ),
    "star import": "import asyncio, time\nfrom os.path import *\nasync def f():\n    time.sleep(1)\n",
    "type checking only": (
        "import time\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import asyncio\n"
        "async def f():\n    time.sleep(1)\n"
    ),
    "optional import": (
        "try:\n    import trio\nexcept ImportError:\n    trio = None\nimport time\nasync def f():\n    time.sleep(1)\n"
    ),
    "import of something else": "import asyncio, time\nfrom compat import asyncio\nasync def f():\n    time.sleep(1)\n",
}


@pytest.mark.parametrize("source", SHADOWED.values(), ids=SHADOWED.keys())
def test_no_safe_fix_where_the_name_may_mean_something_else(source):
    fix = _sleep_fix(source)
    assert fix.applicability is not Applicability.SAFE
    if fix.applicability is Applicability.UNSAFE:
        # The unsafe fix writes a name that nothing else in the file uses, imported for it.
        fixed = _fixed(source, unsafe=True)
        _assert_sleep_names_its_module(fixed)


def test_the_unsafe_fix_imports_the_module_under_a_free_alias():
    source = "import asyncio, time\nasyncio_ = 1\nasync def f(asyncio):\n    time.sleep(1)\n"
    fix = _sleep_fix(source)
    assert fix.applicability is Applicability.UNSAFE
    assert [e.content for e in fix.edits] == ["await asyncio_2.sleep(1)", "import asyncio as asyncio_2\n"]
    assert _fixed(source, unsafe=True) == (
        "import asyncio\nimport asyncio as asyncio_2\nasyncio_ = 1\nasync def f(asyncio):\n"
        "    await asyncio_2.sleep(1)\n"
    )


def test_a_type_parameter_is_a_binding_too():
    # Python 3.12 syntax, which libcst reads whatever Python runs asynclint.
    fix = _sleep_fix("import asyncio, time\nasync def f[asyncio]():\n    time.sleep(1)\n")
    assert fix.applicability is Applicability.UNSAFE
    assert fix.edits[0].content == "await asyncio_.sleep(1)"


def test_a_type_checking_import_is_made_a_runtime_one_by_the_unsafe_fix():
    source = SHADOWED["type checking only"]
    assert _fixed(source, unsafe=True) == (
        "from typing import TYPE_CHECKING\nimport asyncio\nif TYPE_CHECKING:\n    import asyncio\n"
        "async def f():\n    await asyncio.sleep(1)\n"
    )


OFFLOAD_SHADOWED = {
    "asyncio parameter": (
        "import asyncio, requests\nasync def f(asyncio, u):\n    requests.get(u)\n",
        "await asyncio_.to_thread(requests.get, u)",
        "import asyncio as asyncio_\n",
    ),
    "anyio parameter": (
        "import anyio, requests\nasync def f(anyio, u):\n    requests.get(u)\n",
        "await anyio_to_thread_.run_sync(requests.get, u)",
        "import anyio.to_thread as anyio_to_thread_\n",
    ),
    "trio and functools shadowed": (
        "import trio, requests\nasync def f(functools, u):\n    requests.get(u, timeout=1)\n",
        "await trio.to_thread.run_sync(functools_.partial(requests.get, u, timeout=1))",
        None,
    ),
}


@pytest.mark.parametrize("source, replacement, added", OFFLOAD_SHADOWED.values(), ids=OFFLOAD_SHADOWED.keys())
def test_the_offload_fix_names_the_modules_it_uses_where_they_are_shadowed(source, replacement, added):
    (diagnostic,) = [d for d in lint(source) if d.code == "ASY101"]
    assert diagnostic.fix.applicability is Applicability.UNSAFE
    assert diagnostic.fix.edits[0].content == replacement
    if added is not None:
        assert added in [e.content for e in diagnostic.fix.edits[1:]]


def test_the_bytearray_rewrite_is_withheld_where_bytes_is_rebound_later():
    source = (
        "async def f(parts):\n    buf = b''\n    for p in parts:\n        buf += p\n    out = buf\n"
        "    bytes = None\n    return out\n"
    )
    (diagnostic,) = [d for d in lint(source) if d.code == "ASY301"]
    assert diagnostic.fix.applicability is Applicability.DISPLAY_ONLY


def _assert_sleep_names_its_module(fixed: str) -> None:
    """The name in `await NAME.sleep(...)` is bound only by imports of asyncio or trio, one of
    them a statement of the module's own body, and by nothing else anywhere in the file: so
    wherever the call runs, the name is that module."""
    tree = ast.parse(fixed)
    (name,) = {
        node.value.func.value.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Await) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Attribute)
    }
    bindings = [node for node in ast.walk(tree) if name in _names_bound_by(node)]
    assert bindings and all(isinstance(node, ast.Import) for node in bindings)
    assert all(alias.name in ("asyncio", "trio") for node in bindings for alias in node.names if (alias.asname or alias.name) == name)
    assert any(node in tree.body for node in bindings)


def _names_bound_by(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
        return {node.id}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {alias.asname or alias.name.split(".")[0] for alias in node.names}
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, ast.arg):
        return {node.arg}
    if isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
        return {node.name}
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return set(node.names)
    return set()


# --- the scope model agrees with Python's ---------------------------------------------------


def _python_scopes(source: str) -> dict[tuple[str, int], dict[str, str]]:
    """For every function, by (name, line of its `def`): each name it uses or binds, as
    "local", "global" or "free", the way CPython's compiler decides it."""
    found = {}

    def visit(table):
        if table.get_type() == "function":
            kinds = {}
            for symbol in table.get_symbols():
                if symbol.is_local():
                    kinds[symbol.get_name()] = "local"
                elif symbol.is_global():
                    kinds[symbol.get_name()] = "global"
                elif symbol.is_free():
                    kinds[symbol.get_name()] = "free"
            found[(table.get_name(), table.get_lineno())] = kinds
        for child in table.get_children():
            visit(child)

    visit(symtable.symtable(source, "example.py", "exec"))
    return found


def _compiles(source: str) -> bool:
    try:
        compile(source, "example.py", "exec", dont_inherit=True)
    except SyntaxError:
        return False
    return True


SCOPE_PROGRAMS = {
    **{f"shadowed: {key}": source for key, source in SHADOWED.items()},
    **{f"safe {index}": source for index, (source, _, _) in enumerate(SAFE)},
    "nested scopes": (
        "x = 1\ndef outer(a, *args, b=x, **kw):\n    y = [z for z in a if (w := z)]\n    class C:\n"
        "        y = 2\n        def m(self):\n            return y, w\n    def inner():\n        nonlocal y\n"
        "        y = 3\n        def deepest():\n            global x\n            x = y\n            del a\n"
        "        return deepest\n    try:\n        pass\n    except OSError as e:\n        pass\n"
        "    with open(a) as (f, g):\n        pass\n    match a:\n        case {'k': v, **rest}:\n            pass\n"
        "        case [h, *t]:\n            pass\n    lam = lambda q, r=y: q + r + x\n    for i, (j, k) in a:\n"
        "        pass\n    u: int\n    import os.path\n    from os import sep as s\n    return inner\n"
    ),
    **{path.name: path.read_text(encoding="utf-8") for path in sorted(FIXTURES.glob("ASY*.py"))},
}


@pytest.mark.parametrize("source", SCOPE_PROGRAMS.values(), ids=SCOPE_PROGRAMS.keys())
def test_the_binding_table_agrees_with_pythons_compiler(source):
    """The table a fix decides names from says, for every name of every function, what
    CPython's symbol table says: bound there, in an enclosing function, or global."""
    import libcst
    from libcst.metadata import MetadataWrapper, PositionProvider

    from asynclint.analysis.scope import file_bindings

    if not _compiles(source):
        pytest.skip("syntax this Python cannot compile")
    module = libcst.parse_module(source)
    table = file_bindings(module)
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    theirs = _python_scopes(source)
    compared = 0
    for node, scope in table.scopes.items():
        if not isinstance(node, libcst.FunctionDef):
            continue
        for name, kind in theirs[(node.name.value, positions[node.name].start.line)].items():
            if name == "__class__":
                continue  # the compiler's own cell for `super()`
            binder = scope.binder(name)
            ours = "local" if binder is scope else "global" if binder is None or binder.kind == "module" else "free"
            assert ours == kind, (node.name.value, name)
            compared += 1
    assert compared


# --- a fix leaves no dead import behind -------------------------------------------------------

DEAD_IMPORTS = [
    (
        "import asyncio, time\nasync def f():\n    time.sleep(1)\n",
        "import asyncio\nasync def f():\n    await asyncio.sleep(1)\n",
    ),
    (
        "import asyncio\nimport time\nasync def f():\n    time.sleep(1)\n    time.sleep(2)\n",
        "import asyncio\nasync def f():\n    await asyncio.sleep(1)\n    await asyncio.sleep(2)\n",
    ),
    (
        "import asyncio\nfrom time import sleep\nasync def f():\n    sleep(1)\n",
        "import asyncio\nasync def f():\n    await asyncio.sleep(1)\n",
    ),
    (
        "import asyncio\nfrom time import monotonic, sleep\nasync def f():\n    sleep(1)\n    return monotonic()\n",
        "import asyncio\nfrom time import monotonic\nasync def f():\n    await asyncio.sleep(1)\n    return monotonic()\n",
    ),
    # Still used, exported or unused before the fix: kept.
    (
        "import asyncio, time\nasync def f():\n    time.sleep(1)\n    return time.time()\n",
        "import asyncio, time\nasync def f():\n    await asyncio.sleep(1)\n    return time.time()\n",
    ),
    (
        "import asyncio\nfrom time import sleep\n__all__ = ['sleep']\nasync def f():\n    sleep(1)\n",
        "import asyncio\nfrom time import sleep\n__all__ = ['sleep']\nasync def f():\n    await asyncio.sleep(1)\n",
    ),
    (
        "import asyncio, os, time\nasync def f():\n    time.sleep(1)\n",
        "import asyncio, os\nasync def f():\n    await asyncio.sleep(1)\n",
    ),
]


@pytest.mark.parametrize("source, expected", DEAD_IMPORTS)
def test_a_fix_removes_the_import_it_made_unused_and_nothing_else(source, expected):
    assert _fixed(source) == expected


# --- a candidate libcst cannot parse is refused -----------------------------------------------


@pytest.mark.parametrize("text", ['x = "a" t"b"\n', "def (:\n"], ids=["CSTLogicError", "ParserSyntaxError"])
def test_whatever_libcst_raises_the_text_does_not_parse(text):
    assert parses(text) is False


def test_an_error_of_libcst_itself_means_the_text_does_not_parse(monkeypatch):
    import libcst

    def too_deep(text, *args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(libcst, "parse_module", too_deep)
    assert parses("x = 1\n") is False


def test_a_fix_whose_result_libcst_cannot_handle_is_refused_not_a_crash():
    class TemplateStringLinter(Linter):
        def lint_text(self, text, path):
            if "t'b'" in text:
                return []
            fix = Fix("t", Applicability.SAFE, (Edit(Span(1, 4, 1, 7), "'a' t'b'"),))
            return [Diagnostic(path, "ASY100", "blocking-sleep", Severity.WARNING, "m", Span(1, 0, 1, 1), fix)]

    outcome = fix_text(TemplateStringLinter(Config(root=FIXTURES)), "x = 'a'\n", "x.py", unsafe=False)
    assert outcome.fixed == "x = 'a'\n"
    assert "invalid code" in outcome.error
