"""One `asynclint check` run: discover, use the cache, lint what changed, render, decide the
exit status. The CLI parses options; this module does the job."""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import click

from asynclint import exitcodes
from asynclint.config import Config
from asynclint.diagnostic import Diagnostic
from asynclint.output import RenderContext, render



def run_check(
    config: Config,
    paths: list[str],
    *,
    output_format: str = "text",
    statistics: bool = False,
    quiet: bool = False,
    color: bool = False,
    jobs: int | None = None,
    force_exclude: bool = False,
    stdin_filename: str | None = None,
    use_cache: bool = True,
    cache_dir: Path | None = None,
) -> int:
    errors = False
    stdin_source: bytes | None = None
    if paths == ["-"]:
        stdin_source = sys.stdin.buffer.read()
        diagnostics, files_checked = _check_stdin(config, stdin_source, stdin_filename, force_exclude)
    else:
        from asynclint.discovery import discover

        found = discover(paths, config, force_exclude)
        for missing in found.missing:
            click.echo(f"asynclint: error: {missing}: no such file or directory", err=True)
            errors = True
        cache = _open_cache(config, cache_dir) if use_cache else None
        diagnostics = lint_files(found.files, config, jobs, cache)
        files_checked = len(found.files)

    @lru_cache(maxsize=None)
    def source_lines(path: str) -> list[str]:
        return _read_lines(stdin_source if stdin_source is not None else path)

    context = RenderContext(source_lines, files_checked, color=color, statistics=statistics, quiet=quiet)
    sys.stdout.write(render(output_format, diagnostics, context))
    if errors:
        return exitcodes.ERROR
    return exitcodes.FINDINGS if diagnostics else exitcodes.CLEAN


def lint_files(files: list[str], config: Config, jobs: int | None, cache) -> list[Diagnostic]:
    from asynclint.cache import content_hash
    from asynclint.engine import lint_paths

    diagnostics: list[Diagnostic] = []
    digests: dict[str, str] = {}
    to_lint = files
    if cache is not None:
        to_lint = []
        for path in files:
            try:
                digest = content_hash(Path(path).read_bytes())
            except OSError:
                to_lint.append(path)  # the engine reports why it cannot be read
                continue
            cached = cache.get(path, digest)
            if cached is None:
                digests[path] = digest
                to_lint.append(path)
            else:
                diagnostics.extend(cached)
    for result in lint_paths(to_lint, config, jobs):
        diagnostics.extend(result.diagnostics)
        if cache is not None and result.path in digests:
            cache.put(result.path, digests[result.path], result.diagnostics)
    if cache is not None:
        cache.save()
    diagnostics.sort(key=Diagnostic.sort_key)
    return diagnostics


def _check_stdin(config: Config, data: bytes, filename: str | None, force_exclude: bool):
    from asynclint.engine import Linter

    path = filename or "-"
    if filename is not None and (force_exclude or config.force_exclude):
        from asynclint.discovery import discover

        if not discover([filename], config, force_exclude=True).files and Path(filename).exists():
            return [], 0
    return sorted(Linter(config).lint_bytes(data, path).diagnostics, key=Diagnostic.sort_key), 1


def _open_cache(config: Config, cache_dir: Path | None):
    from asynclint.cache import ResultCache

    return ResultCache(cache_dir or config.root / ".asynclint_cache", config.fingerprint())


def _read_lines(source: str | bytes) -> list[str]:
    from asynclint.positions import split_lines
    from asynclint.sourcefile import UncheckableSource, decode

    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        return split_lines(decode(data).text)
    except (OSError, UncheckableSource):
        return []
