"""The command line: `asynclint check`, `asynclint rules`, `asynclint rule CODE`,
`asynclint server`.

Exit codes follow ruff (see exitcodes.py).
"""

from __future__ import annotations

import functools
import os
import signal
import sys
from pathlib import Path

import click

from asynclint import __version__, exitcodes, interrupts
from asynclint.output import FORMATS, STATISTICS_FORMATS


def _stops_on_signals(command):
    """SIGINT (Ctrl-C) and SIGTERM stop the command where it is (see interrupts.py): pool
    workers are ended, no file is written after the signal, and the exit status is 128 + the
    signal's number (130, 143), as a shell reports a process the signal killed."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            with interrupts.on_signals():
                return command(*args, **kwargs)
        except interrupts.Stopped as stopped:
            click.echo(f"asynclint: stopped by {signal.Signals(stopped.signum).name}", err=True)
            sys.exit(128 + stopped.signum)

    return run


def _fail(message: str) -> None:
    click.echo(f"asynclint: error: {message}", err=True)
    sys.exit(exitcodes.ERROR)


def _split_codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(code for value in values for code in value.split(",") if code.strip())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="asynclint")
def cli() -> None:
    """Find and fix performance anti-patterns in async Python code."""


def main() -> None:
    """Entry point: a bug in asynclint is reported in one line and exit 2, not a traceback
    (set ASYNCLINT_DEBUG=1 to see it)."""
    # A character the terminal's encoding cannot show (a snippet's `café` under LANG=C or a
    # Windows code page) is escaped, instead of a UnicodeEncodeError that loses the report.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        cli(standalone_mode=True)
    except Exception as exc:  # noqa: BLE001 - the last line of defence, by design
        if os.environ.get("ASYNCLINT_DEBUG"):
            raise
        click.echo(
            f"asynclint: internal error: {type(exc).__name__}: {exc}"
            " (re-run with ASYNCLINT_DEBUG=1 for the traceback, and please report it)",
            err=True,
        )
        sys.exit(exitcodes.ERROR)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--select", multiple=True, help="Codes or prefixes to enable (replaces the config's).")
@click.option("--extend-select", multiple=True, help="Codes or prefixes to enable in addition.")
@click.option("--ignore", multiple=True, help="Codes or prefixes to disable.")
@click.option(
    "--output-format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="How to print findings (see docs/output-formats.md).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Print only the number of findings per code (a table, or JSON with --output-format json).")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
@click.option("--color/--no-color", default=None, help="Colour output (default: on a terminal).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
@click.option("--force-exclude", is_flag=True, help="Apply excludes to files named explicitly too.")
@click.option("--stdin-filename", default=None, help="Read the source from standard input (with or without '-') and report it as this path.")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Use this config file instead of the nearest pyproject.toml.")
@click.option("--fix", is_flag=True, help="Apply safe fixes (files are rewritten atomically).")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply (and count as available) unsafe fixes.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff instead of writing them; exit 1 if there is one.")
@click.option("--fix-only", is_flag=True, help="Apply fixes and report nothing that remains.")
@click.option("--show-fixes", is_flag=True, help="List the fixes applied, per file.")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when a fix was applied, even if nothing remains.")
@click.option("--add-noqa", is_flag=True, help="Add `# noqa: CODE` to every reported line, to adopt asynclint on existing code.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the per-file result cache.")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None, envvar="ASYNCLINT_CACHE_DIR", help="Where the cache lives (default: .asynclint_cache next to the config).")
@click.option("--baseline", "baseline", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Report only findings that this baseline file (from --write-baseline) does not record.")
@click.option("--write-baseline", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Record every current finding in this file, report nothing and exit 0.")
@_stops_on_signals
def check(
    paths, select, extend_select, ignore, output_format, exit_zero, statistics, quiet, color,
    jobs, force_exclude, stdin_filename, config_file, fix, unsafe_fixes, diff, fix_only,
    show_fixes, exit_non_zero_on_fix, add_noqa, no_cache, cache_dir, baseline, write_baseline,
) -> None:  # fmt: skip
    """Check PATHS (files or directories; default: the current directory). Use '-' to read
    source from standard input, named by --stdin-filename."""
    from asynclint.config import ConfigError, load_config
    from asynclint.tables import TableError

    try:
        config = load_config(config_file, Path(stdin_filename).parent if stdin_filename else Path.cwd())
        if select:
            config.select = _split_codes(select)
        config.extend_select += _split_codes(extend_select)
        config.ignore += _split_codes(ignore)
        config.enabled  # validates the selectors given on the command line
        config.tables
    except (ConfigError, TableError) as exc:
        _fail(str(exc))
    from asynclint.run import FixOptions, OutputOptions, run_check

    if stdin_filename is not None and list(paths) != ["-"]:
        # As ruff does: naming the buffer means it comes from standard input, with or without
        # the '-'; an editor that leaves the '-' out must not get the whole directory checked.
        if paths:
            click.echo(f"asynclint: warning: checking standard input, not {' '.join(paths)}", err=True)
        paths = ("-",)
    if statistics and output_format not in STATISTICS_FORMATS:
        _fail(f"--statistics works with --output-format {', '.join(STATISTICS_FORMATS)}, not {output_format}")
    if add_noqa and (fix or diff or fix_only):
        _fail("--add-noqa cannot be combined with --fix, --fix-only or --diff")
    if add_noqa and list(paths) == ["-"]:
        _fail("--add-noqa writes files; it cannot read standard input")
    if write_baseline is not None and (fix or diff or fix_only or add_noqa or baseline is not None):
        _fail("--write-baseline cannot be combined with --baseline, --fix, --fix-only, --diff or --add-noqa")
    if write_baseline is not None and list(paths) == ["-"]:
        _fail("--write-baseline records the findings of files; it cannot read standard input")
    from asynclint.baseline import BaselineError
    try:
        status = run_check(
            config,
            list(paths) or ["."],
            output=OutputOptions(output_format, statistics, quiet, _want_color(color), baseline),
            fixes=FixOptions(
                apply=fix,
                diff=diff,
                unsafe=unsafe_fixes,
                only=fix_only,
                show=show_fixes,
                exit_non_zero_on_fix=exit_non_zero_on_fix,
                add_noqa=add_noqa,
            ),
            jobs=jobs,
            force_exclude=force_exclude,
            stdin_filename=stdin_filename,
            use_cache=not no_cache,
            cache_dir=cache_dir,
            write_baseline=write_baseline,
        )
    except (ConfigError, TableError, BaselineError) as exc:
        _fail(str(exc))
    if status == exitcodes.FINDINGS and exit_zero:
        status = exitcodes.CLEAN
    sys.exit(status)


def _want_color(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


@cli.command("rules")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_command(output_format: str) -> None:
    """List every rule: code, name, default on/off, fix availability."""
    import json

    from asynclint.registry import RULES

    rows = [
        {
            "code": rule.code,
            "name": rule.name,
            "default": "on" if rule.default_enabled else "off",
            "fix": rule.fix_availability.value,
            "severity": rule.severity.value,
            "summary": rule.summary(),
        }
        for rule in RULES.values()
    ]
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"{'code':<8}{'name':<32}{'default':<9}{'fix':<14}summary")
    for row in rows:
        click.echo(f"{row['code']:<8}{row['name']:<32}{row['default']:<9}{row['fix']:<14}{row['summary']}")


@cli.command("rule")
@click.argument("code")
def rule_command(code: str) -> None:
    """Print the documentation of the rule CODE (e.g. ASY100)."""
    import difflib

    from asynclint.registry import RULES

    rule = RULES.get(code.strip().upper())
    if rule is None:
        close = difflib.get_close_matches(code.upper(), list(RULES), n=1)
        _fail(f"unknown rule {code!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    click.echo(rule.documentation().rstrip("\n"))


@cli.command("server")
def server_command() -> None:
    """Run the language server on standard input and output (needs `asynclint[lsp]`)."""
    from asynclint.lsp_server import serve

    sys.exit(serve())
