"""One `asynclint check` run: discover, use the cache, lint (or fix) what needs it, render,
decide the exit status. The CLI parses options; this module does the job."""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import click

from asynclint import exitcodes
from asynclint.config import Config
from asynclint.diagnostic import Diagnostic
from asynclint.output import RenderContext, render


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
    if paths == ["-"]:
        return _run_on_stdin(config, sys.stdin.buffer.read(), stdin_filename, force_exclude, output, fixes)
    from asynclint.discovery import discover

    found = discover(paths, config, force_exclude)
    for error in found.errors:
        click.echo(f"asynclint: error: {error}", err=True)
    if fixes.add_noqa:
        status = _add_noqa(found.files, config, jobs)
    elif fixes.fixing:
        status = _fix(found.files, config, jobs, output, fixes)
    else:
        cache = _open_cache(config, cache_dir) if use_cache else None
        diagnostics = lint_files(found.files, config, jobs, cache)
        if write_baseline is not None:
            return _write_baseline(write_baseline, diagnostics, found.errors)
        diagnostics = _not_in_baseline(diagnostics, output, _read_lines)
        _print(diagnostics, len(found.files), output, fixes, _read_lines)
        status = exitcodes.FINDINGS if diagnostics else exitcodes.CLEAN
    return exitcodes.ERROR if found.errors else status


def _print(diagnostics, files_checked, output: OutputOptions, fixes: FixOptions, lines_of) -> None:
    context = RenderContext(
        lru_cache(maxsize=None)(lines_of),
        files_checked,
        color=output.color,
        statistics=output.statistics,
        quiet=output.quiet,
        unsafe_fixes=fixes.unsafe,
    )
    sys.stdout.write(render(output.format, diagnostics, context))


def lint_files(files: list[str], config: Config, jobs: int | None, cache) -> list[Diagnostic]:
    from asynclint.cache import content_hash
    from asynclint.engine import lint_paths
    from asynclint.project import project_codes, run_project_checks

    diagnostics: list[Diagnostic] = []
    digests: dict[str, str] = {}  # every readable file's content hash, when caching
    summaries: dict[str, dict[str, dict]] = {}  # for project-wide checks: path -> {code: summary}
    to_lint = files
    if cache is not None:
        to_lint = []
        for path in files:
            try:
                digest = content_hash(Path(path).read_bytes())
            except OSError:
                to_lint.append(path)  # the engine reports why it cannot be read
                continue
            digests[path] = digest
            cached = cache.get(path, digest)
            if cached is None:
                to_lint.append(path)
            else:
                diagnostics.extend(cached)
                summaries[path] = cache.summaries(path, digest)
    project = bool(project_codes(config))
    for result in lint_paths(to_lint, config, jobs, project=project):
        diagnostics.extend(result.diagnostics)
        summaries[result.path] = result.summaries
        if cache is not None and result.path in digests:
            cache.put(result.path, digests[result.path], result.diagnostics, result.summaries)
    if project:
        # Project-wide findings depend on every file: reuse them only when no file changed.
        every_file = project_key(files, digests) if cache is not None and len(digests) == len(files) else None
        cached_project = cache.project_result(every_file) if every_file is not None else None
        if cached_project is None:
            cached_project = run_project_checks(config, files, summaries, jobs, cache)
            if every_file is not None:
                cache.put_project_result(every_file, cached_project)
        diagnostics.extend(cached_project)
    if cache is not None:
        cache.save()
    diagnostics.sort(key=Diagnostic.sort_key)
    return diagnostics


# --- fixing -------------------------------------------------------------------------------


def project_key(files: list[str], digests: dict[str, str]) -> str:
    """One digest of the whole set of files and their contents."""
    import hashlib

    joined = "\n".join(f"{path}\0{digests[path]}" for path in sorted(files))
    return hashlib.blake2b(joined.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _fix(files: list[str], config: Config, jobs: int | None, output: OutputOptions, fixes: FixOptions) -> int:
    from asynclint.engine import map_paths

    task = functools.partial(_fix_file, unsafe=fixes.unsafe, write=fixes.apply or fixes.only)
    outcomes = map_paths(files, config, task, jobs)
    applied = sum(len(o.applied) for o in outcomes)
    remaining = sorted((d for o in outcomes for d in o.remaining), key=Diagnostic.sort_key)
    current = {o.path: o.fixed for o in outcomes}
    remaining = _not_in_baseline(remaining, output, lambda path: _lines_of_text(current.get(path)) or _read_lines(path))
    for outcome in outcomes:
        if outcome.error:
            click.echo(f"asynclint: {outcome.path}: {outcome.error}", err=True)
    if fixes.diff:
        changed = [o for o in outcomes if o.changed]
        sys.stdout.write("".join(_unified_diff(o) for o in changed))
        click.echo(f"Would fix {applied} problem{'s' if applied != 1 else ''}.", err=True)
        return exitcodes.FINDINGS if changed else exitcodes.CLEAN
    if fixes.show and applied:
        _print_applied(outcomes)
    if not fixes.only:
        _print(remaining, len(files), output, fixes, lambda path: _lines_of_text(current.get(path)) or _read_lines(path))
    elif not output.quiet:
        click.echo(f"Fixed {applied} problem{'s' if applied != 1 else ''}.")
    if fixes.exit_non_zero_on_fix and applied:
        return exitcodes.FINDINGS
    if remaining and not fixes.only:
        return exitcodes.FINDINGS
    return exitcodes.CLEAN


def _fix_file(linter, path: str, *, unsafe: bool, write: bool):
    from asynclint.engine import uncheckable
    from asynclint.fixer import FixOutcome, encode, fix_text, write_atomically
    from asynclint.sourcefile import UncheckableSource, decode

    try:
        with open(path, "rb") as handle:
            source = decode(handle.read())
    except OSError as exc:
        return FixOutcome(path, "", "", remaining=[uncheckable(path, f"cannot read file: {exc.strerror}")])
    except UncheckableSource as exc:
        return FixOutcome(path, "", "", remaining=[uncheckable(path, str(exc))])
    outcome = fix_text(linter, source.text, path, unsafe)
    if write and outcome.changed:
        try:
            write_atomically(path, encode(source, outcome.fixed))
        except OSError as exc:
            outcome.error = f"cannot write the fixed file: {exc.strerror}"
            outcome.fixed = outcome.original
            outcome.applied = []
    return outcome


def _unified_diff(outcome) -> str:
    import difflib

    return "".join(
        difflib.unified_diff(
            outcome.original.splitlines(keepends=True),
            outcome.fixed.splitlines(keepends=True),
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


def _add_noqa(files: list[str], config: Config, jobs: int | None) -> int:
    from asynclint.engine import map_paths

    added = sum(map_paths(files, config, _add_noqa_to_file, jobs))
    click.echo(f"Added {added} noqa comment{'s' if added != 1 else ''}.")
    return exitcodes.CLEAN


def _add_noqa_to_file(linter, path: str) -> int:
    from asynclint.fixer import add_noqa_text, encode, write_atomically
    from asynclint.sourcefile import UncheckableSource, decode

    try:
        with open(path, "rb") as handle:
            source = decode(handle.read())
    except (OSError, UncheckableSource):
        return 0
    diagnostics = [d for d in linter.lint_text(source.text, path) if d.code != "ASY001"]
    text, changed = add_noqa_text(source.text, diagnostics)
    if changed:
        write_atomically(path, encode(source, text))
    return changed


# --- standard input -----------------------------------------------------------------------


def _run_on_stdin(config, data: bytes, filename, force_exclude, output: OutputOptions, fixes: FixOptions) -> int:
    from asynclint.engine import Linter

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
        return _fix_stdin(linter, data, path, output, fixes)
    diagnostics = sorted(linter.lint_bytes(data, path).diagnostics, key=Diagnostic.sort_key)
    diagnostics = _not_in_baseline(diagnostics, output, lambda _: _read_lines(data))
    _print(diagnostics, 1, output, fixes, lambda _: _read_lines(data))
    return exitcodes.FINDINGS if diagnostics else exitcodes.CLEAN


def _fix_stdin(linter, data: bytes, path: str, output: OutputOptions, fixes: FixOptions) -> int:
    """Editors pipe a buffer through `--fix -`: the fixed source goes to stdout, what remains
    to stderr."""
    from asynclint.fixer import encode, fix_text
    from asynclint.sourcefile import UncheckableSource, decode

    try:
        source = decode(data)
    except UncheckableSource as exc:
        sys.stdout.buffer.write(data)
        click.echo(f"{path}: ASY001 {exc}", err=True)
        return exitcodes.FINDINGS
    outcome = fix_text(linter, source.text, path, fixes.unsafe)
    if fixes.diff:
        sys.stdout.write(_unified_diff(outcome))
        return exitcodes.FINDINGS if outcome.changed else exitcodes.CLEAN
    sys.stdout.buffer.write(encode(source, outcome.fixed))
    sys.stdout.flush()
    remaining = _not_in_baseline(outcome.remaining, output, lambda _: _lines_of_text(outcome.fixed))
    if remaining and not fixes.only:
        from asynclint.output.text import header

        for diagnostic in sorted(remaining, key=Diagnostic.sort_key):
            click.echo(header(diagnostic, None), err=True)
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


def _open_cache(config: Config, cache_dir: Path | None):
    from asynclint.cache import ResultCache

    return ResultCache(cache_dir or config.root / ".asynclint_cache", config.fingerprint())


def _lines_of_text(text: str | None) -> list[str]:
    from asynclint.positions import split_lines

    return split_lines(text) if text else []


def _read_lines(source: str | bytes) -> list[str]:
    from asynclint.positions import split_lines
    from asynclint.sourcefile import UncheckableSource, decode

    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        return split_lines(decode(data).text)
    except (OSError, UncheckableSource):
        return []
