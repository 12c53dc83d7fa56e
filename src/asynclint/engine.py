"""Lint files: decode, prefilter, parse once, one traversal for every enabled check, then
positions and suppressions for what was reported. A file that cannot be checked becomes an
ASY001 diagnostic for that file (`failure` is where any exception does); it never stops the
other files, in any mode.

Positions are computed only for files with reports (libcst's PositionProvider costs about as
much as the parse), and libcst is imported only when some file actually needs parsing.

libcst parses only a file some enabled check may report in: the checks' prefilters
(`Check.required_words`) read the file's words, and for the keywords among them (`async`,
`await`, `for`, `with`) the tree Python's parser built for the syntax pre-check says whether the
code has them, where the text also counts docstrings and comments ("wait for the reply"). A
file that Python accepted is then parsed without libcst's per-node validation (cstparse.py).
"""

from __future__ import annotations

import ast
import contextlib
import functools
import gc
import os
import re
import sys
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable, Iterable

from asynclint import interrupts
from asynclint.diagnostic import Diagnostic, Severity, Span
from asynclint.positions import line_count, split_lines
from asynclint.registry import RULES, UNCHECKABLE_CODE, UNCHECKABLE_NAME, UNUSED_NOQA_CODE
from asynclint.reporter import file_diagnostics, unused_noqa
from asynclint.sourcefile import UncheckableSource, decode
from asynclint.suppression import Suppressions, file_is_exempt

from asynclint.checks.base import words_of

if TYPE_CHECKING:
    from asynclint.analysis.walker import Hooks
    from asynclint.checks.base import Check, Report
    from asynclint.config import Config


@dataclass
class FileResult:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Linted as part of a project: what project-wide checks (ProjectCheck) gathered, by code.
    summaries: dict[str, dict] = field(default_factory=dict)
    # The file's lines (as Python counts them; 0 when it could not be decoded), and whether
    # libcst parsed it: a file no enabled check can report in is left to Python's parser alone.
    lines: int = 0
    libcst_parsed: bool = False


def uncheckable(
    path: str, message: str, line: int = 1, column: int = 0, end: tuple[int, int] | None = None
) -> Diagnostic:
    end_line, end_column = end or (line, column)
    return Diagnostic(
        path=path,
        code=UNCHECKABLE_CODE,
        name=UNCHECKABLE_NAME,
        severity=Severity.ERROR,
        message=message,
        span=Span(line, column, end_line, end_column),
    )


# --- can libcst parse the file? -----------------------------------------------------------
#
# Python's own parser judges every file before libcst sees it, for three reasons:
# - its locations and messages are exact (`'(' was never closed` at the bracket), where libcst's
#   native parser often names a later line, or column 0;
# - a file that no check's prefilter wants is parsed all the same, so a file with a syntax
#   error is never reported clean;
# - libcst's native parser crashes the process (a segmentation fault: no `except` catches it,
#   and a worker that dies hangs the pool) on input nested deeply enough: ~1,500 nested
#   brackets, ~8,000 chained `or`s, an import of a dotted name of ~20,000 parts. Python refuses
#   the first (and deep expressions generally) itself; the chains it keeps flat but libcst
#   nests one level per operand are measured by `_chain_too_long`.
# It costs about a sixth of libcst's parse. A file Python rejects for plain syntax may be valid
# for a newer Python than the one running asynclint (`type X = int` under 3.11); libcst, which
# knows the newer grammars, decides then. (Such a file could in theory also hold a chain deep
# enough to crash libcst; nothing but a deliberately hostile file does both.)
#
# libcst has limits of its own besides syntax errors: it raises CSTLogicError on a t-string
# concatenated with a plain string (`"a" t"b"`, valid Python 3.14). Whatever its parser raises
# is reported with libcst's own words, as a limit of the parser rather than a bug to report.

_NESTING_LIMITS = ("too many nested parentheses", "too many levels of indentation")
# libcst nests a chain of N operands N deep; past ~1,000 its own Python code (code generation,
# our walk) exceeds the recursion limit anyway, so such a file could not be checked either way.
MAX_CHAIN = 1000
_CHAIN_WORD = re.compile(r"\b(?:and|or)\b")
# MAX_CHAIN dotted parts in a row, allowing what Python allows between them.
_DOTTED_RUN = re.compile(r"(?:\.(?:[ \t\f]|\\\r?\n)*\w+(?:[ \t\f]|\\\r?\n)*){%d}" % MAX_CHAIN)


def parse_problem(text: str, path: str) -> Diagnostic | None:
    """Why libcst must not (or cannot) parse `text`, as an ASY001 diagnostic; None if it can."""
    return syntax_check(text, path)[0]


def syntax_check(text: str, path: str) -> tuple[Diagnostic | None, ast.Module | None]:
    """`parse_problem`, and Python's tree of `text` when Python accepted it (None when it did
    not: then the file is for a newer Python, and libcst alone judges it)."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like: not ours
            tree = ast.parse(text)
    except (RecursionError, MemoryError):  # CPython's parser raises MemoryError when too deep
        return uncheckable(path, "file is nested too deeply to parse"), None
    except SyntaxError as error:
        if error.msg in _NESTING_LIMITS:
            return _syntax_error(path, error), None
        parsed = _libcst_parse(text)
        if not isinstance(parsed, BaseException):
            return None, None  # newer syntax than this Python's
        import libcst

        if isinstance(parsed, (libcst.ParserSyntaxError, RecursionError)):
            return _syntax_error(path, error), None  # both refuse it; Python's words are clearer
        # libcst gave up without a syntax error: its reason, at Python's location.
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        located = _syntax_error(path, error)
        message = f"{_libcst_refusal(path, parsed).message} (Python {version} reports: {error.msg})"
        return replace(located, message=message), None
    except ValueError as error:  # NUL characters, from a caller that did not decode bytes
        return uncheckable(path, f"cannot parse the file: {error}"), None
    problem = _chain_too_long(tree, text, path)
    return problem, tree if problem is None else None


def _libcst_parse(text: str, python_accepted: bool = False):
    """libcst's Module for `text`, or the exception its parser raised. `python_accepted`: Python's
    parser accepted `text`, so libcst's per-node validation can be skipped (see cstparse.py)."""
    import libcst

    from asynclint.cstparse import parse_module_unvalidated

    try:
        return parse_module_unvalidated(text) if python_accepted else libcst.parse_module(text)
    except Exception as exc:  # noqa: BLE001 - CSTLogicError and the like: see above
        return exc


def _libcst_refusal(path: str, exc: Exception) -> Diagnostic:
    """Why libcst's parser refused the file: a limit of libcst's (the file is Python, see
    `parse_problem`), in libcst's own words, not a bug of asynclint's to report."""
    import libcst

    if isinstance(exc, libcst.ParserSyntaxError):
        message = f"libcst cannot parse this file, although Python can: {exc.message}"
        return uncheckable(path, message, exc.raw_line, max(exc.raw_column, 0))
    if isinstance(exc, RecursionError):
        return uncheckable(path, "file is nested too deeply for the parser")
    return uncheckable(path, f"libcst cannot parse this file: {_describe(exc)}")


def _syntax_error(path: str, error: SyntaxError) -> Diagnostic:
    # CPython's offsets are 1-based and count characters; its end is exclusive when present.
    line, column = max(error.lineno or 1, 1), max((error.offset or 1) - 1, 0)
    end = None
    if error.end_lineno and error.end_offset and (error.end_lineno, error.end_offset - 1) > (line, column):
        end = (error.end_lineno, error.end_offset - 1)
    return uncheckable(path, f"syntax error: {error.msg}", line, column, end)


def _chain_too_long(tree, text: str, path: str) -> Diagnostic | None:
    """`a or b or ...` and dotted import names: flat for Python, one level per part for libcst."""
    if len(_CHAIN_WORD.findall(text)) < MAX_CHAIN and _DOTTED_RUN.search(text) is None:
        return None  # no chain that long can be in the file: skip the walk

    for node in ast.walk(tree):
        if isinstance(node, ast.BoolOp):
            length, what = len(node.values), "operands"
        elif isinstance(node, ast.alias):
            length, what = node.name.count(".") + 1, "dotted parts"
        elif isinstance(node, ast.ImportFrom):
            length, what = (node.module or "").count(".") + 1, "dotted parts"
        else:
            continue
        if length > MAX_CHAIN:
            line = split_lines(text)[node.lineno - 1]
            column = len(line.encode("utf-8")[: node.col_offset].decode("utf-8", "ignore"))
            message = f"file is nested too deeply to check: {length} {what} in a row (at most {MAX_CHAIN})"
            return uncheckable(path, message, node.lineno, column)
    return None


class Linter:
    """Lints one file at a time with the checks the config enables; built once per process."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._checks: dict[str, Check] = {}
        self._hooks: dict[frozenset[str], Hooks] = {}  # by the set of enabled codes
        self.libcst_parsed = False  # whether libcst parsed the file linted last

    @functools.cached_property
    def followed_codes(self) -> frozenset[str]:
        """The codes whose calls a helper chain may end in, for a file linted alone."""
        return followed_codes(self.config)

    def _check(self, code: str) -> Check:
        check = self._checks.get(code)
        if check is None:
            check = self._checks[code] = RULES[code].check(self.config.tables)
        return check

    def lint_path(self, path: str, project: bool = False) -> FileResult:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            return FileResult(path, [uncheckable(path, f"cannot read file: {exc.strerror}")])
        return self.lint_bytes(data, path, project)

    def lint_bytes(self, data: bytes, path: str, project: bool = False) -> FileResult:
        """`project`: the file is one of many checked together, so project-wide checks only
        gather their summaries here (see `ProjectCheck`); otherwise it is linted alone."""
        try:
            source = decode(data)
        except UncheckableSource as exc:
            return FileResult(path, [uncheckable(path, str(exc), exc.line)])
        result = FileResult(path)
        result.diagnostics = self.lint_text(source.text, path, result.summaries if project else None)
        result.lines = line_count(source.text)
        result.libcst_parsed = self.libcst_parsed
        return result

    def lint_text(self, text: str, path: str, summaries: dict | None = None) -> list[Diagnostic]:
        """The file's diagnostics. With `summaries` (a dict to fill) the file is part of a
        project: project-wide checks put their summaries there and report later, over all
        files; without, they report what this file alone shows.

        Never raises (but for interrupts): every mode lints through here, and whatever goes
        wrong is this file's ASY001."""
        self.libcst_parsed = False
        try:
            return self._lint_text(text, path, summaries)
        except Exception as exc:  # noqa: BLE001 - one file's crash must not stop the others
            if summaries is not None:
                summaries.clear()  # half-gathered: the file has no summary
            return [failure(path, exc)]

    def _lint_text(self, text: str, path: str, summaries: dict | None) -> list[Diagnostic]:
        problem, tree = syntax_check(text, path)
        if problem is not None:
            return [problem]  # even under `# asynclint: noqa`: never silently clean
        ignore_noqa = self.config.ignore_noqa  # `--ignore-noqa`: report what comments silence
        if file_is_exempt(text) and not ignore_noqa:
            return []
        codes = self.config.codes_for(path)
        suppressions = Suppressions(split_lines(text))
        diagnostics = self._check_text(text, path, codes, suppressions, summaries, tree)
        if ignore_noqa:
            return diagnostics  # no comment silenced anything, so none is judged unused
        if UNUSED_NOQA_CODE in codes and not any(d.code == UNCHECKABLE_CODE for d in diagnostics):
            # A project-wide code's noqa may silence a finding that needs other files to see.
            judged = frozenset(c for c in codes if not _project_wide(c))
            diagnostics += unused_noqa(path, suppressions, judged)
        return diagnostics

    def summarize(self, path: str, code: str, locate: frozenset[int] = frozenset()) -> tuple[str | None, dict | None]:
        """Phase 1 of the project-wide check `code` for one file on its own, whatever the
        prefilter says (another file's calls lead here): (content hash, summary), with the
        positions of the sites in `locate`. (None, None) when the file cannot be read or parsed."""
        from asynclint.cache import content_hash

        try:
            with open(path, "rb") as handle:
                data = handle.read()
            summary = self.summarize_text(decode(data).text, path, code, locate)
        except (OSError, UncheckableSource):
            return None, None
        return (content_hash(data), summary) if summary is not None else (None, None)

    def summarize_text(self, text: str, path: str, code: str, locate: frozenset[int] = frozenset()) -> dict | None:
        """`summarize` for a file's text as given (an editor's unsaved buffer): the summary, or
        None when the text cannot be parsed."""
        try:
            problem, tree = syntax_check(text, path)
            if problem is not None:
                return None
            module = _libcst_parse(text, python_accepted=tree is not None)
            if isinstance(module, BaseException):
                return None
            check = self._check(code)
            check.prepare(alone=False, locate=locate)
            self._walk(module, [check])
            check.finish(module, path, Suppressions(split_lines(text)))
            return check.summary()
        except RecursionError:
            return None

    def _check_text(
        self,
        text: str,
        path: str,
        codes,
        suppressions: Suppressions,
        summaries: dict | None = None,
        tree: ast.Module | None = None,
    ) -> list[Diagnostic]:
        """`tree`: Python's tree of `text`, when Python accepted it."""
        wanted = set(codes)
        if summaries is not None:
            # A file's helpers matter to other files even where the code is not reported.
            wanted |= {code for code in self.config.enabled if _project_wide(code)}
        words = words_of(text)
        checks = [
            self._check(code)
            for code in sorted(wanted)
            if RULES[code].check is not None and self._check(code).may_report(words)
        ]
        if checks and tree is not None:
            checks = _needing_code_keywords(checks, words, tree)
        if not checks:
            return []
        module = _libcst_parse(text, python_accepted=tree is not None)
        if isinstance(module, BaseException):
            return [_libcst_refusal(path, module)]
        self.libcst_parsed = True
        project_checks = [check for check in checks if _project_wide(check.code)]
        for check in project_checks:
            check.prepare(alone=summaries is None, followed=self.followed_codes)
        self._walk(module, checks)
        for check in project_checks:
            check.finish(module, path, suppressions)
            if summaries is not None:
                summaries[check.code] = check.summary()
        reports = [report for check in checks if check.code in codes for report in check.reports]
        if not reports:
            return []
        return file_diagnostics(path, text, module, reports, None if self.config.ignore_noqa else suppressions)

    def _walk(self, module, checks: list[Check]) -> None:
        from asynclint.analysis.context import Context
        from asynclint.analysis.walker import Walker, hooks_for

        key = frozenset(check.code for check in checks)
        hooks = self._hooks.get(key)
        if hooks is None:
            hooks = self._hooks[key] = hooks_for(checks)
        context = Context(self.config.tables)
        for check in checks:
            check.start_file()
            check.context = context
        try:
            # Shared facts (lock holds) are kept only when an enabled check declares it reads them.
            Walker(context, hooks.visitors, hooks.leavers, hooks.facts).walk_module(module)
        finally:
            for check in checks:
                check.context = None


# Keywords that checks name among their required words, with the nodes of Python's tree that
# hold each. A keyword is never an identifier, so in the text it is either code or part of a
# string or comment; a check that needs it (`async`: it reports in async code only) needs it
# as code.
_CODE_KEYWORDS = frozenset({"async", "await", "for", "with"})


# Node type -> the keywords it holds (an `async for` comprehension holds `async` too).
_KEYWORD_NODES = {
    ast.For: ("for",),
    ast.comprehension: ("for",),
    ast.With: ("with",),
    ast.Await: ("await",),
    ast.AsyncFunctionDef: ("async",),
    ast.AsyncFor: ("async", "for"),
    ast.AsyncWith: ("async", "with"),
}


def _needing_code_keywords(checks: list[Check], words: frozenset[str], tree: ast.Module) -> list[Check]:
    """`checks` (those the text's `words` let through), or none when every one of them needs a
    keyword that the code of `tree` lacks. Python's tree is walked only when each check needs
    a keyword, breadth first, and only until the keywords found let some check through: most
    files with `async def` have one near the top of the tree."""
    keywords = words & _CODE_KEYWORDS
    if not keywords:
        return checks
    others = words - keywords
    if any(check.may_report(others) for check in checks):
        return checks  # parsed whatever the keywords: no need to look
    found: set[str] = set()
    for node in ast.walk(tree):
        held = _KEYWORD_NODES.get(type(node))
        if held is None:
            continue
        if type(node) is ast.comprehension and node.is_async:
            held = ("async", "for")
        if found.issuperset(held):
            continue
        found.update(held)
        if any(check.may_report(others | found) for check in checks):
            return checks
    return []


def failure(path: str, exc: Exception, doing: str = "checking") -> Diagnostic:
    """The ASY001 for a file whose check (or fix, `doing`) raised `exc`: the one place, for
    every mode, where a file's failure becomes its diagnostic. ASYNCLINT_DEBUG=1 re-raises it,
    for the traceback."""
    if _nested_too_deeply(exc):
        # The walk, or placing the reported nodes (libcst generates code up to them), went
        # deeper than the recursion limit: a limit, not a bug.
        return uncheckable(path, "file is nested too deeply to analyse")
    if os.environ.get("ASYNCLINT_DEBUG"):
        raise exc
    return uncheckable(path, f"internal error while {doing} this file: {_describe(exc)} (please report it)")


def _nested_too_deeply(exc: BaseException | None) -> bool:
    """A RecursionError, or an error raised while one unwound: libcst's code generation (which
    places reported nodes) fails in its `finally` blocks then, with a KeyError."""
    while exc is not None:
        if isinstance(exc, RecursionError):
            return True
        exc = exc.__context__
    return False


def _describe(exc: Exception) -> str:
    try:
        return f"{type(exc).__name__}: {exc}"
    except Exception:  # noqa: BLE001 - str() of an error about a deep tree can recurse too deeply
        return type(exc).__name__


def followed_codes(config: Config) -> frozenset[str]:
    """The codes whose blocking calls a helper chain (ASY109) may end in: every code of the
    tables but those the configuration ignores (`ignore = ["ASY103"]` stops chains that end in
    file I/O; `select = ["ASY109"]` alone still follows them all)."""
    from asynclint.config import expand_selectors

    codes = {group.code for group in config.tables.blocking.values()}
    if config.tables.bridges.calls:
        codes.add("ASY110")  # a sync bridge (`asyncio.run`, `async_to_sync(f)(...)`) waits for a loop
    return frozenset(codes) - expand_selectors(config.ignore)


def _project_wide(code: str) -> bool:
    return RULES[code].project_wide


# --- many files ---------------------------------------------------------------------------

_worker_linter: Linter | None = None
_worker_task = None


# Python's cyclic garbage collector runs a young-generation pass every 700 net allocations by
# default. A libcst parse allocates millions of objects, nearly none of them in cycles, so those
# passes were a sixth of a cold run (aiohttp's package, in one process: 1.1 of 6.5 s); every
# 100,000 allocations they cost about a fifth as much, and what garbage in cycles waits that
# much longer is a few MiB at most.
LINTING_GC_THRESHOLD = 100_000


@contextlib.contextmanager
def fewer_collections():
    """Raise the collector's first threshold while files are linted in this process, or while
    the project phase joins their summaries (tens of thousands of small decoded records on a
    large live heap: with the default threshold, collections were half of that phase)."""
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], LINTING_GC_THRESHOLD), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _init_worker(config: Config, task, parent: int) -> None:
    global _worker_linter, _worker_task
    interrupts.in_worker()
    thresholds = gc.get_threshold()  # a worker only lints: see LINTING_GC_THRESHOLD
    gc.set_threshold(max(thresholds[0], LINTING_GC_THRESHOLD), *thresholds[1:])
    _exit_with_parent(parent)
    _worker_linter = Linter(config)
    _worker_task = task


# How often a worker without Linux's parent-death signal checks that its parent still runs.
PARENT_POLL_SECONDS = 0.5


def _exit_with_parent(parent: int) -> None:
    """A worker never outlives the run, even when the main process is killed outright
    (SIGKILL, the OOM killer: nothing of it runs to end the workers). Workers never write
    files (the main process does), so ending one at any moment loses nothing."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1  # <linux/prctl.h>
        try:
            asked = ctypes.CDLL(None).prctl(pr_set_pdeathsig, int(signal.SIGKILL)) == 0
        except (OSError, AttributeError):  # no C library to ask: poll, as elsewhere
            asked = False
        if asked:
            if os.getppid() != parent:
                os._exit(1)  # the parent died before the kernel was asked to tell us
            return
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="asynclint-parent-watch", daemon=True).start()


def _run_in_worker(paths: list[str]) -> list:
    assert _worker_linter is not None and _worker_task is not None
    return [_worker_task(_worker_linter, path) for path in paths]


def lint_one(linter: Linter, path: str) -> FileResult:
    return linter.lint_path(path)


def map_paths(
    paths: Iterable[str],
    config: Config,
    task=lint_one,
    jobs: int | None = None,
    on_done: Callable[[int], None] | None = None,
) -> list:
    """`task(linter, path)` for every path, in order, in parallel across processes when there
    are enough files to be worth it. `task` must be a module-level function, or a
    functools.partial of one: it is pickled. It must not write files: when a stop signal
    arrives (interrupts.py), the workers are killed wherever they are. `on_done(n)` is called
    in this process each time `n` more paths are finished (progress)."""
    paths = list(paths)
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(paths) < 2 * jobs:
        linter = Linter(config)
        results = []
        with fewer_collections():
            for path in paths:
                interrupts.check()
                results.append(task(linter, path))
                if on_done is not None:
                    on_done(1)
        return results
    import multiprocessing
    from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait

    config.tables  # loaded once here, so that forked workers inherit them rather than each load them

    # fork: workers inherit the loaded modules and config instead of re-importing them.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    # Largest files first, in small chunks: a big file picked up last would leave the other
    # workers idle while it finishes.
    order = sorted(range(len(paths)), key=lambda i: _size(paths[i]), reverse=True)
    size = max(1, min(8, len(paths) // (jobs * 32)))
    chunks = [order[start : start + size] for start in range(0, len(order), size)]
    # Not multiprocessing.Pool: when a worker dies (killed, out of memory, a crash in native
    # code) Pool waits forever for the task it held, and the run hangs; the executor raises
    # BrokenProcessPool, and the run ends with an error instead.
    others = set(multiprocessing.active_children())
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker, initargs=(config, task, os.getpid()))
    try:
        with interrupts.deferred():  # while the workers are forked
            futures = [pool.submit(_run_in_worker, [paths[i] for i in chunk]) for chunk in chunks]
        sizes = {future: len(chunk) for future, chunk in zip(futures, chunks)}
        pending = set(futures)
        while pending:
            # In short waits, to notice a stop request whose exception Python dropped.
            done, pending = wait(pending, timeout=0.25, return_when=FIRST_EXCEPTION)
            interrupts.check()
            for future in done:
                future.result()  # a broken pool ends the run here, not after every other file
                if on_done is not None:
                    on_done(sizes[future])
        by_position = {i: result for chunk, future in zip(chunks, futures) for i, result in zip(chunk, future.result())}
    except BaseException:
        # A stop signal or a broken pool: end now. Leaving the executor normally would wait
        # for every queued file first; its workers hold nothing that must be finished (they
        # write no files), so they are killed.
        pool.shutdown(wait=False, cancel_futures=True)
        workers = [child for child in multiprocessing.active_children() if child not in others]
        for worker in workers:
            worker.kill()
        for worker in workers:
            worker.join(timeout=5)
        raise
    pool.shutdown()
    return [by_position[i] for i in range(len(paths))]


def _size(item) -> int:
    try:
        return os.path.getsize(item[0] if isinstance(item, tuple) else item)
    except OSError:
        return 0
