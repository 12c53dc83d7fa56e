"""One `asynclint check` run: discover, use the cache, lint (or fix) what needs it, render,
decide the exit status. The CLI parses options; this module does the job."""

from __future__ import annotations

import functools
import os
import signal
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from asynclint import exitcodes
from asynclint.config import Config
from asynclint.diagnostic import Diagnostic
from asynclint.output import RenderContext, render
from asynclint.registry import UNCHECKABLE_CODE

if TYPE_CHECKING:  # the fixer (and tempfile, for its atomic writes) only where a run fixes
    from asynclint.fixer import FixOutcome
    from asynclint.sourcefile import DecodedSource


@dataclass(frozen=True)
class FixOptions:
    """What to do with fixes. `apply`: write them (`--fix`); `diff`: print them as a diff and
    write nothing; `add_noqa`: write `# noqa` comments instead of fixing."""

    apply: bool = False
    diff: bool = False
    unsafe: bool = False
    only: bool = False  # --fix-only: fix, and report nothing that remains
    show: bool = False  # --show-fixes
    exit_non_zero_on_fix: bool = False
    add_noqa: bool = False

    @property
    def fixing(self) -> bool:
        return self.apply or self.diff or self.only


@dataclass(frozen=True)
class OutputOptions:
    format: str = "text"
    statistics: bool = False
    quiet: bool = False
    color: bool = False
    baseline: Path | None = None  # report only findings this baseline file does not record
    verbose: bool = False  # counts and timings on standard error
    progress: bool = True  # a progress bar on standard error, when it is a terminal (progress.py)


def run_check(
    config: Config,
    paths: list[str],
    *,
    output: OutputOptions = OutputOptions(),
    fixes: FixOptions = FixOptions(),
    jobs: int | None = None,
    force_exclude: bool = False,
    stdin_filename: str | None = None,
    use_cache: bool = True,
    cache_dir: Path | None = None,
    write_baseline: Path | None = None,
) -> int:
    _baseline(output.baseline)  # a missing or broken baseline fails before any work
    if write_baseline is not None:
        from asynclint.baseline import check_writable

        check_writable(write_baseline)  # and so does one that cannot be written
    cache = _open_cache(config, cache_dir) if use_cache else None
    log = _Log(output.verbose)
    log.settings(config)
    if paths == ["-"]:
        return _run_on_stdin(config, sys.stdin.buffer.read(), stdin_filename, force_exclude, output, fixes, cache)
    from asynclint.discovery import discover

    found = discover(paths, config, force_exclude)
    log.timed(f"discovered {_files(len(found.files))}")
    for error in found.errors:
        click.echo(f"asynclint: error: {error}", err=True)
    if fixes.add_noqa:
        status = _add_noqa(found.files, config, jobs, cache)
    elif fixes.fixing:
        status = _fix(found.files, config, jobs, output, fixes, cache)
    else:
        diagnostics = lint_files(found.files, config, jobs, cache, output.progress, log)
        if write_baseline is not None:
            return _write_baseline(write_baseline, diagnostics, found.errors)
        diagnostics = _not_in_baseline(diagnostics, output, _read_lines)
        _print(diagnostics, len(found.files), output, fixes, _read_lines)
        status = exitcodes.FINDINGS if diagnostics else exitcodes.CLEAN
    return exitcodes.ERROR if found.errors else status


def _print(diagnostics, files_checked, output: OutputOptions, fixes: FixOptions, lines_of, fixed: int = 0) -> None:
    context = RenderContext(
        lru_cache(maxsize=None)(lines_of),
        files_checked,
        color=output.color,
        statistics=output.statistics,
        quiet=output.quiet,
        unsafe_fixes=fixes.unsafe,
        fixing=fixes.fixing,
        fixed=fixed,
    )
    sys.stdout.write(render(output.format, diagnostics, context))


def lint_files(files: list[str], config: Config, jobs: int | None, cache, progress: bool = False, log: _Log | None = None) -> list[Diagnostic]:
    from asynclint.pipeline import PipelineStats, lint_project
    from asynclint.progress import progress_bar

    stats = PipelineStats()
    with progress_bar(len(files), progress) as on_file_done:
        diagnostics = lint_project(files, config, jobs=jobs, cache=cache, on_file_done=on_file_done, stats=stats)
    if log is not None:
        log.pipeline(stats)
    return diagnostics


def _files(count: int, noun: str = "file") -> str:
    return f"{count:,} {noun}{'s' if count != 1 else ''}"


class _Log:
    """`--verbose`: what the run found and how long each part took, on standard error."""

    def __init__(self, enabled: bool) -> None:
        import time

        self.enabled = enabled
        self._clock = time.perf_counter
        self._last = self._clock()

    def echo(self, message: str) -> None:
        if self.enabled:
            click.echo(f"asynclint: {message}", err=True)

    def timed(self, message: str) -> None:
        now = self._clock()
        self.echo(f"{message} in {now - self._last:.3f}s")
        self._last = now

    def settings(self, config: Config) -> None:
        where = f"settings from {config.source}" if config.source is not None else "no config file: default settings"
        overrides = "".join(f" --config {override!r}" for override in config.overrides)
        self.echo(where + (f", with{overrides}" if overrides else ""))

    def pipeline(self, stats) -> None:
        """The per-file and project phases, from `pipeline.lint_project`'s statistics."""
        self._last = self._clock()
        self.echo(
            f"per-file phase: {_files(stats.linted)} checked, {_files(stats.cached)} from the cache,"
            f" in {stats.per_file_seconds:.3f}s"
        )
        if stats.linted:  # files no enabled check could concern are never given to libcst
            self.echo(
                f"libcst parsed {_files(stats.libcst_files)} ({_files(stats.libcst_lines, 'line')});"
                f" skipped {_files(stats.skipped_files)} ({_files(stats.skipped_lines, 'line')})"
            )
        if stats.project_seconds or stats.project_cached:
            source = "from the cache" if stats.project_cached else "run"
            self.echo(f"project phase ({source}) in {stats.project_seconds:.3f}s")


# --- --show-settings, --show-files, --watch ---------------------------------------------


def print_settings(config: Config) -> None:
    """The resolved settings as a `[tool.asynclint]` table (every key, defaults written out),
    with the file they came from and the `--config` overrides applied."""
    import json

    from asynclint.config import _KEYS
    from asynclint.discovery import DEFAULT_EXCLUDE
    from asynclint.tables import EXTENSIONS

    def toml(value) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return json.dumps(value, ensure_ascii=False)  # a TOML basic string
        if isinstance(value, dict):
            return "{ " + ", ".join(f"{toml(k)} = {toml(v)}" for k, v in value.items()) + " }" if value else "{}"
        return "[" + ", ".join(toml(item) for item in value) + "]"

    click.echo(f"# Settings path: {config.source if config.source is not None else 'none (no config file: defaults)'}")
    for override in config.overrides:
        click.echo(f"# Overridden by: --config {override!r}")
    click.echo(f"# Patterns are relative to: {config.root}")
    click.echo("[tool.asynclint]")
    for key in _KEYS:
        value = getattr(config, key.replace("-", "_"))
        if key == "select" and value is None:
            click.echo("# select: not set, so every rule that is on by default")
            continue
        if key == "exclude" and value is None:
            value = DEFAULT_EXCLUDE
        click.echo(f"{key} = {toml(value)}")
    for extension in EXTENSIONS:
        click.echo(f"{extension.key} = {toml(config.extensions.get(extension.key, {}))}")
    if config.ignore_noqa:
        click.echo("# --ignore-noqa: findings that `# noqa` silences are reported")
    click.echo(f"# Enabled rules: {', '.join(sorted(config.enabled))}")


def print_files(config: Config, paths: list[str], force_exclude: bool) -> int:
    """The files a check of `paths` would read, one a line, sorted (`--show-files`)."""
    from asynclint.discovery import discover

    found = discover(paths, config, force_exclude)
    for error in found.errors:
        click.echo(f"asynclint: error: {error}", err=True)
    for path in sorted(found.files):
        click.echo(path)
    return exitcodes.ERROR if found.errors else exitcodes.CLEAN


def watch_and_check(paths: list[str], load_config, run_once, expected_errors: tuple[type[Exception], ...]) -> NoReturn:
    """`--watch`: check, then check again whenever a source file under `paths`, a config file
    or a .gitignore changes, with the config read afresh (a broken edit is reported, and the
    watch goes on). On a terminal the screen is cleared before each run, as ruff does. Ends
    only by a stop signal (Ctrl-C: exit status 130)."""
    from watchfiles import DefaultFilter, watch

    from asynclint import interrupts
    from asynclint.discovery import SOURCE_SUFFIXES

    config = None
    try:
        config = load_config()
    except expected_errors as exc:
        click.echo(f"asynclint: error: {exc}", err=True)
    watched = [path for path in paths if os.path.exists(path)]
    config_files = {"pyproject.toml", ".gitignore"}
    if config is not None and config.source is not None:
        watched.append(str(config.source))
        config_files.add(config.source.name)
    ignored = DefaultFilter()

    def relevant(change, path: str) -> bool:
        name = os.path.basename(path)
        return ignored(change, path) and (name.endswith(SOURCE_SUFFIXES) or name in config_files)

    # Empty batches come every tick while nothing changes. The first one says the watcher is
    # up: it starts before the first check, so that an edit made while a check runs counts.
    changes = watch(
        *watched, watch_filter=relevant, debounce=_WATCH_DEBOUNCE_MS, yield_on_timeout=True, rust_timeout=_WATCH_TICK_MS
    )
    try:
        next(changes)
        while True:
            if config is not None:
                if sys.stdout.isatty():
                    sys.stdout.write("\x1b[2J\x1b[3J\x1b[H")  # clear the screen and its scrollback
                try:
                    run_once(config)
                except expected_errors as exc:
                    click.echo(f"asynclint: error: {exc}", err=True)
                sys.stdout.flush()
            click.echo("asynclint: watching for file changes (Ctrl-C to stop)", err=True)
            while not next(changes):
                pass
            try:
                config = load_config()
            except expected_errors as exc:
                config = None
                click.echo(f"asynclint: error: {exc}", err=True)
    except KeyboardInterrupt:
        # watchfiles turns the signal it noticed into KeyboardInterrupt; the run's own handler
        # (interrupts.py) recorded which signal it was.
        interrupts.check()
        raise interrupts.Stopped(signal.SIGINT) from None


# How long watchfiles waits for a change before it hands back an empty batch.
_WATCH_TICK_MS = 250
# Changes this close together are one batch (an editor's save is several events), yet the new
# report follows the save without a noticeable wait.
_WATCH_DEBOUNCE_MS = 300


# --- fixing -------------------------------------------------------------------------------


def _fix(files: list[str], config: Config, jobs: int | None, output: OutputOptions, fixes: FixOptions, cache) -> int:
    from asynclint.engine import map_paths

    task = functools.partial(_fix_file, unsafe=fixes.unsafe, write=fixes.apply or fixes.only)
    from asynclint.progress import progress_bar

    with progress_bar(len(files), output.progress) as on_done:
        changes = map_paths(files, config, task, jobs, on_done=on_done)
    _write_changes(changes)
    outcomes = [change.outcome for change in changes]
    applied = sum(len(o.applied) for o in outcomes)
    current = {o.path: o.fixed for o in outcomes}

    def lines_of(path: str) -> list[str]:
        return _lines_of_text(current.get(path)) or _read_lines(path)

    if fixes.apply and not (fixes.only or fixes.diff):
        # What remains, by the whole pipeline: the project phase (ASY109) sees the fixed files.
        remaining = _relint(files, config, jobs, cache, outcomes)
    else:
        remaining = sorted((d for o in outcomes for d in o.remaining), key=Diagnostic.sort_key)
    remaining = _not_in_baseline(remaining, output, lines_of)
    for outcome in outcomes:
        if outcome.error:
            click.echo(f"asynclint: {outcome.path}: {outcome.error}", err=True)
    uncheckable = [d for d in remaining if d.code == UNCHECKABLE_CODE]
    if fixes.diff:
        changed = [c for c in changes if c.outcome.changed]
        sys.stdout.write("".join(_diff(c) for c in changed))
        click.echo(f"Would fix {applied} problem{'s' if applied != 1 else ''}.", err=True)
        _echo_headers(uncheckable)
        return exitcodes.FINDINGS if changed or uncheckable else exitcodes.CLEAN
    if fixes.show and applied:
        _print_applied(outcomes)
    if not fixes.only:
        _print(remaining, len(files), output, fixes, lines_of, applied)
    else:
        _echo_headers(uncheckable)
        if not output.quiet:
            click.echo(f"Fixed {applied} problem{'s' if applied != 1 else ''}.")
    if fixes.exit_non_zero_on_fix and applied:
        return exitcodes.FINDINGS
    if (remaining and not fixes.only) or uncheckable:
        return exitcodes.FINDINGS
    return exitcodes.CLEAN


def _relint(files: list[str], config: Config, jobs: int | None, cache, outcomes) -> list[Diagnostic]:
    """What remains after the fixes were written, by the whole pipeline, so that the project
    phase (ASY109) sees the fixed files; plus the files a fix crashed on (their ASY001 says so)."""
    from asynclint.pipeline import lint_project

    found = lint_project(files, config, jobs=jobs, cache=cache)
    seen = {(d.path, d.code, d.message) for d in found}
    crashed = [d for o in outcomes for d in o.remaining if d.code == UNCHECKABLE_CODE and (d.path, d.code, d.message) not in seen]
    return sorted(found + crashed, key=Diagnostic.sort_key)


def _echo_headers(diagnostics: list[Diagnostic]) -> None:
    """One line per diagnostic on standard error. Where standard output carries a diff, a
    fixed buffer or nothing, this still names the files that could not be checked: a run
    never passes one over in silence."""
    from asynclint.output.text import header

    for diagnostic in diagnostics:
        click.echo(header(diagnostic, None), err=True)


@dataclass
class FileChange:
    """What a worker made of one file: `outcome`, and the bytes to write in its place (None:
    leave the file as it is). The main process writes them all (`_write_changes`)."""

    outcome: FixOutcome
    data: bytes | None = None
    noqa_added: int = 0  # --add-noqa: how many lines got a comment
    diff: str | None = None  # a notebook's --diff, cell by cell; a file's is made from `outcome`


def _write_changes(changes: list[FileChange]) -> None:
    """Write every changed file, here in the main process, once every file has been worked
    on: a stop signal (see interrupts.py) ends the run between two writes, so no file is
    written after it and each file is whole, old or new. A file that cannot be written keeps
    its old content and says why."""
    from asynclint import interrupts
    from asynclint.fixer import write_atomically

    for change in changes:
        if change.data is None:
            continue
        interrupts.check()
        outcome = change.outcome
        try:
            write_atomically(outcome.path, change.data)
        except OSError as exc:
            outcome.error = f"cannot write the fixed file: {exc.strerror}"
            outcome.fixed = outcome.original
            outcome.applied = []
            change.noqa_added = 0


def _fix_file(linter, path: str, *, unsafe: bool, write: bool) -> FileChange:
    """A worker's task for --fix, --fix-only and --diff."""
    from asynclint.fixer import FixOutcome
    from asynclint.notebook import fix_notebook_file, is_notebook

    if is_notebook(path):
        outcome, data, diff = fix_notebook_file(linter, path, unsafe)
        return FileChange(outcome, data if write else None, diff=diff)
    source = _read_source(path)
    if isinstance(source, FixOutcome):
        return FileChange(source)
    outcome, data = _fixed(linter, source, path, unsafe)
    return FileChange(outcome, data if write else None)


def _read_source(path: str) -> DecodedSource | FixOutcome:
    """The file's source, or a FixOutcome with its ASY001 when it cannot be read."""
    from asynclint.engine import uncheckable
    from asynclint.fixer import FixOutcome
    from asynclint.sourcefile import UncheckableSource, decode

    try:
        with open(path, "rb") as handle:
            return decode(handle.read())
    except OSError as exc:
        return FixOutcome(path, "", "", remaining=[uncheckable(path, f"cannot read file: {exc.strerror}")])
    except UncheckableSource as exc:
        return FixOutcome(path, "", "", remaining=[uncheckable(path, str(exc), exc.line)])


def _fixed(linter, source, path: str, unsafe: bool) -> tuple[FixOutcome, bytes | None]:
    """`source` with its fixes applied: the outcome, and the fixed file's bytes (None when
    nothing changed). Whatever fails is the file's ASY001, and the file stays as it is."""
    from asynclint.engine import failure
    from asynclint.fixer import FixOutcome, encode, fix_text

    try:
        outcome = fix_text(linter, source.text, path, unsafe)
        return outcome, encode(source, outcome.fixed) if outcome.changed else None
    except Exception as exc:  # noqa: BLE001 - one file's crash must not stop the others
        return FixOutcome(path, source.text, source.text, remaining=[failure(path, exc, "fixing")]), None


def _diff(change: FileChange) -> str:
    return change.diff if change.diff is not None else _unified_diff(change.outcome)


def _unified_diff(outcome) -> str:
    import difflib

    from asynclint.positions import split_lines

    # Lines as Python numbers them: str.splitlines() would also break at a form feed or U+2028.
    return "".join(
        difflib.unified_diff(
            split_lines(outcome.original, keepends=True),
            split_lines(outcome.fixed, keepends=True),
            fromfile=f"a/{outcome.path}",
            tofile=f"b/{outcome.path}",
        )
    )


def _print_applied(outcomes) -> None:
    from collections import Counter

    click.echo("Fixed:")
    for outcome in outcomes:
        for (code, name), count in sorted(Counter((d.code, d.name) for d in outcome.applied).items()):
            click.echo(f"  {outcome.path}: {count} × {code} ({name})")


def _add_noqa(files: list[str], config: Config, jobs: int | None, cache) -> int:
    from asynclint.pipeline import lint_project

    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in lint_project(files, config, jobs=jobs, cache=cache):
        by_path.setdefault(diagnostic.path, []).append(diagnostic)
    changes = [_add_noqa_to_file(path, by_path[path]) for path in files if path in by_path]
    _write_changes(changes)
    for change in changes:
        if change.outcome.error:
            click.echo(f"asynclint: {change.outcome.path}: {change.outcome.error}", err=True)
    uncheckable = sorted((d for c in changes for d in c.outcome.remaining), key=Diagnostic.sort_key)
    _echo_headers(uncheckable)
    added = sum(change.noqa_added for change in changes)
    click.echo(f"Added {added} noqa comment{'s' if added != 1 else ''}.")
    return exitcodes.FINDINGS if uncheckable else exitcodes.CLEAN


def _add_noqa_to_file(path: str, diagnostics: list[Diagnostic]) -> FileChange:
    """--add-noqa for one file and the pipeline's diagnostics of it: `outcome.remaining` holds
    the file's ASY001 (a file that cannot be checked cannot be silenced either)."""
    from asynclint.engine import failure
    from asynclint.fixer import FixOutcome, add_noqa_text, encode
    from asynclint.notebook import add_noqa_to_notebook_file, is_notebook

    if is_notebook(path):
        return FileChange(*add_noqa_to_notebook_file(path, diagnostics))
    uncheckable = [d for d in diagnostics if d.code == UNCHECKABLE_CODE]
    source = _read_source(path)
    if isinstance(source, FixOutcome):
        source.remaining = uncheckable or source.remaining
        return FileChange(source)
    outcome = FixOutcome(path, source.text, source.text, remaining=uncheckable)
    if uncheckable:
        return FileChange(outcome)
    try:
        outcome.fixed, added = add_noqa_text(source.text, diagnostics)
        return FileChange(outcome, encode(source, outcome.fixed) if added else None, added)
    except Exception as exc:  # noqa: BLE001 - one file's crash must not stop the others
        return FileChange(FixOutcome(path, source.text, source.text, remaining=[failure(path, exc, "adding noqa comments to")]))


# --- standard input -----------------------------------------------------------------------


def _run_on_stdin(config, data: bytes, filename, force_exclude, output: OutputOptions, fixes: FixOptions, cache) -> int:
    from asynclint.engine import Linter
    from asynclint.sourcefile import UncheckableSource, decode

    path = filename or "-"
    if filename is not None and (force_exclude or config.force_exclude):
        from asynclint.discovery import is_excluded

        # By the name alone: an editor's buffer may not be saved to that path yet.
        if is_excluded(filename, config):
            if fixes.fixing:
                sys.stdout.buffer.write(data)  # an excluded file passes through unchanged
            return exitcodes.CLEAN
    linter = Linter(config)
    if fixes.fixing:
        return _fix_stdin(config, linter, data, filename, output, fixes, cache)
    try:
        diagnostics = _stdin_diagnostics(config, decode(data).text, filename, cache)
    except UncheckableSource:
        diagnostics = linter.lint_bytes(data, path).diagnostics  # its ASY001
    diagnostics = _not_in_baseline(diagnostics, output, lambda _: _read_lines(data, path))
    _print(diagnostics, 1, output, fixes, lambda _: _read_lines(data, path))
    return exitcodes.FINDINGS if diagnostics else exitcodes.CLEAN


def _stdin_diagnostics(config: Config, text: str, filename: str | None, cache) -> list[Diagnostic]:
    """The diagnostics of a buffer read from standard input. Named by `--stdin-filename`, it
    is that file of the project: the other files discovered under the config's root are read
    as saved (or taken from the cache), so helpers elsewhere count (ASY109)."""
    from asynclint.notebook import is_notebook
    from asynclint.pipeline import lint_project

    files = []
    if filename is not None and not is_notebook(filename):  # a notebook is linted on its own
        from asynclint.discovery import discover

        files = discover([os.path.relpath(config.root)], config).files
    path = filename or "-"
    return [d for d in lint_project(files, config, overlay={path: text}, cache=cache) if d.path == path]


def _fix_stdin(config: Config, linter, data: bytes, filename: str | None, output: OutputOptions, fixes: FixOptions, cache) -> int:
    """Editors pipe a buffer through `--fix -`: the fixed source goes to stdout (the input as
    it came, when nothing could be fixed), what remains to stderr."""
    from asynclint.notebook import fix_notebook_data, is_notebook
    from asynclint.sourcefile import UncheckableSource, decode

    path = filename or "-"
    notebook = is_notebook(path)
    if notebook:
        # Invalid JSON: `fixed` is None and `remaining` holds its ASY001, so the input goes back.
        outcome, fixed, diff = fix_notebook_data(linter, data, path, fixes.unsafe)
    else:
        try:
            source = decode(data)
        except UncheckableSource as exc:
            sys.stdout.buffer.write(data)
            click.echo(f"{path}: ASY001 {exc}", err=True)
            return exitcodes.FINDINGS
        outcome, fixed = _fixed(linter, source, path, fixes.unsafe)
        diff = None
    remaining = outcome.remaining
    if not (fixes.diff or fixes.only or notebook):  # a notebook's fix run saw all there is
        crashed = [d for d in remaining if d.code == UNCHECKABLE_CODE]  # the fix's own failure
        remaining = crashed or _stdin_diagnostics(config, outcome.fixed, filename, cache)
    remaining = _not_in_baseline(remaining, output, lambda _: _lines_of_text(outcome.fixed))
    uncheckable = [d for d in remaining if d.code == UNCHECKABLE_CODE]
    if fixes.diff:
        sys.stdout.write(diff if diff is not None else _unified_diff(outcome))
        _echo_headers(uncheckable)
        return exitcodes.FINDINGS if outcome.changed or uncheckable else exitcodes.CLEAN
    sys.stdout.buffer.write(data if fixed is None else fixed)
    sys.stdout.flush()
    _echo_headers(sorted(uncheckable if fixes.only else remaining, key=Diagnostic.sort_key))
    if (remaining and not fixes.only) or uncheckable:
        return exitcodes.FINDINGS
    return exitcodes.FINDINGS if fixes.exit_non_zero_on_fix and outcome.applied else exitcodes.CLEAN


# --- baseline -----------------------------------------------------------------------------


def _baseline(file: Path | None) -> frozenset[str] | None:
    from asynclint.baseline import load_baseline

    return None if file is None else load_baseline(file)


def _not_in_baseline(diagnostics: list[Diagnostic], output: OutputOptions, lines_of) -> list[Diagnostic]:
    known = _baseline(output.baseline)
    if known is None:
        return diagnostics
    from asynclint.baseline import new_findings

    new = new_findings(output.baseline, known, diagnostics, lru_cache(maxsize=None)(lines_of))
    hidden = len(diagnostics) - len(new)
    if hidden and not output.quiet and output.format in ("text", "concise"):
        click.echo(f"asynclint: {hidden} known finding{'s' if hidden != 1 else ''} hidden by the baseline {output.baseline}", err=True)
    return new


def _write_baseline(file: Path, diagnostics: list[Diagnostic], path_errors: list[str]) -> int:
    from asynclint.baseline import write_baseline

    count = write_baseline(file, diagnostics, lru_cache(maxsize=None)(_read_lines))
    click.echo(f"asynclint: recorded {count} finding{'s' if count != 1 else ''} in the baseline {file}", err=True)
    return exitcodes.ERROR if path_errors else exitcodes.CLEAN


def check_tables(config: Config, cache_dir: Path | None, use_cache: bool) -> None:
    """Raises TableError, before any work, when the tables the run would lint with (the shipped
    ones and the config's `extend-<table>` rows) are broken. Loading them takes a fifth of a
    warm run, which lints nothing and never uses them; so a cache that holds results for this
    config's fingerprint is taken as proof instead: the fingerprint covers the shipped tables
    and the extensions, and only a run that passed this check writes results."""
    if not (use_cache and _cache_written(config, cache_dir)):
        config.tables


def _cache_written(config: Config, cache_dir: Path | None) -> bool:
    from asynclint.cache import holds_results

    try:
        fingerprint = config.fingerprint()
    except (OSError, ImportError):  # rules/ is missing: loading the tables says so
        return False
    return holds_results(_cache_directory(config, cache_dir), fingerprint)


def _open_cache(config: Config, cache_dir: Path | None):
    from asynclint.cache import ResultCache

    return ResultCache(_cache_directory(config, cache_dir), config.fingerprint())


def _cache_directory(config: Config, cache_dir: Path | None) -> Path:
    return cache_dir or config.root / ".asynclint_cache"


def _lines_of_text(text: str | None) -> list[str]:
    from asynclint.positions import split_lines

    return split_lines(text) if text else []


def _read_lines(source: str | bytes, name: str | None = None) -> list[str]:
    """The lines a file's findings count: `source` is its path, or its bytes (standard input)
    named `name`. A notebook's are those of its joined code cells, not of its JSON."""
    from asynclint.notebook import is_notebook, source_lines
    from asynclint.positions import split_lines
    from asynclint.sourcefile import UncheckableSource, decode

    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        if is_notebook(source if isinstance(source, str) else name or ""):
            return source_lines(data)
        return split_lines(decode(data).text)
    except (OSError, UncheckableSource):
        return []
