"""The command line: `asynclint check`, `asynclint rules`, `asynclint rule CODE`,
`asynclint server`.

Exit codes follow ruff (see exitcodes.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
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
            # Exit without the interpreter's exit handlers: nothing of ours is left to finish
            # (files are written whole or not at all, the pool's workers are already killed),
            # and the handler that joins a killed pool's manager thread could print a traceback
            # when that thread met the pool's closed pipe ("Bad file descriptor").
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(128 + stopped.signum)

    return run


def _fail(message: str) -> None:
    click.echo(f"asynclint: error: {message}", err=True)
    sys.exit(exitcodes.ERROR)


def _split_codes(values: tuple[str, ...]) -> tuple[str, ...]:
    """Comma-separated or repeated values (codes, patterns) as one tuple."""
    return tuple(item.strip() for value in values for item in value.split(",") if item.strip())


COLOR_CHOICES = ("auto", "always", "never")


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
@click.option("--per-file-ignores", multiple=True, metavar="PATTERN:CODES", help="Codes to disable in matching files, e.g. 'tests/*:ASY1' (replaces the config's table; repeatable).")
@click.option("--extend-per-file-ignores", multiple=True, metavar="PATTERN:CODES", help="Like --per-file-ignores, in addition to the config's table.")
@click.option(
    "--output-format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="How to print findings (see docs/output-formats.md).",
)
@click.option("-o", "--output-file", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Write the report to this file (created with its directory) instead of standard output.")
@click.option("-e", "--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Print only the number of findings per code (a table, or JSON with --output-format json).")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
@click.option("-s", "--silent", is_flag=True, help="Print nothing on standard output; the exit status tells.")
@click.option("-v", "--verbose", is_flag=True, help="On standard error: the config used, file counts and timings.")
@click.option(
    "--color",
    type=click.Choice(COLOR_CHOICES),
    is_flag=False,
    flag_value="always",
    default=None,
    help="Colour: auto (on a terminal; FORCE_COLOR, CLICOLOR_FORCE and NO_COLOR apply), always, never. A bare --color means always.",
)
@click.option("--no-color", is_flag=True, help="Same as --color never.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
@click.option("--exclude", multiple=True, help="Patterns of files to skip, replacing the config's exclude (comma-separated or repeated).")
@click.option("--extend-exclude", multiple=True, help="Patterns of files to skip, in addition to the excludes.")
@click.option("--respect-gitignore/--no-respect-gitignore", default=None, help="Skip what .gitignore files ignore (default: the config's respect-gitignore, true).")
@click.option("--force-exclude", is_flag=True, help="Apply excludes to files named explicitly too.")
@click.option("--show-files", is_flag=True, help="Print the files that would be checked, sorted, and exit.")
@click.option("--show-settings", is_flag=True, help="Print the resolved settings and the file they came from, and exit.")
@click.option("--stdin-filename", default=None, help="Read the source from standard input (with or without '-') and report it as this path.")
@click.option("--config", "config_options", multiple=True, metavar="FILE | KEY=VALUE", help="A config file to use instead of the nearest pyproject.toml, or a TOML 'KEY = VALUE' that overrides one setting of [tool.asynclint] (repeatable).")
@click.option("--isolated", is_flag=True, help="Ignore every config file: defaults, command-line options and --config KEY=VALUE only.")
@click.option("--ignore-noqa", is_flag=True, help="Report findings even where `# noqa` silences them.")
@click.option("--fix", is_flag=True, help="Apply safe fixes (files are rewritten atomically).")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply (and count as available) unsafe fixes.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff instead of writing them; exit 1 if there is one.")
@click.option("--fix-only", is_flag=True, help="Apply fixes and report nothing that remains.")
@click.option("--show-fixes", is_flag=True, help="List the fixes applied, per file.")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when a fix was applied, even if nothing remains.")
@click.option("--add-noqa", is_flag=True, help="Add `# noqa: CODE` to every reported line, to adopt asynclint on existing code.")
@click.option("--watch", is_flag=True, help="Check again whenever a checked file or the config changes (Ctrl-C to stop).")
@click.option("-n", "--no-cache", is_flag=True, help="Do not read or write the per-file result cache.")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None, envvar="ASYNCLINT_CACHE_DIR", help="Where the cache lives (default: .asynclint_cache next to the config).")
@click.option("--baseline", "baseline", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Report only findings that this baseline file (from --write-baseline) does not record.")
@click.option("--write-baseline", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Record every current finding in this file, report nothing and exit 0.")
@_stops_on_signals
def check(
    paths, select, extend_select, ignore, per_file_ignores, extend_per_file_ignores, output_format,
    output_file, exit_zero, statistics, quiet, silent, verbose, color, no_color, jobs, exclude,
    extend_exclude, respect_gitignore, force_exclude, show_files, show_settings, stdin_filename,
    config_options, isolated, ignore_noqa, fix, unsafe_fixes, diff, fix_only, show_fixes,
    exit_non_zero_on_fix, add_noqa, watch, no_cache, cache_dir, baseline, write_baseline,
) -> None:  # fmt: skip
    """Check PATHS (files or directories; default: the current directory). Use '-' to read
    source from standard input, named by --stdin-filename."""
    from asynclint.config import ConfigError, parse_per_file_ignores
    from asynclint.tableschema import TableError

    config_file, overrides = _split_config_options(config_options)
    if color is not None and no_color:
        _fail(f"--no-color cannot be combined with --color {color}")
    command_line = _CommandLineSettings(
        select=_split_codes(select) or None,
        extend_select=_split_codes(extend_select),
        ignore=_split_codes(ignore),
        exclude=_split_codes(exclude) or None,
        extend_exclude=_split_codes(extend_exclude),
        respect_gitignore=respect_gitignore,
        ignore_noqa=ignore_noqa,
    )
    try:
        if per_file_ignores:
            command_line.per_file_ignores = parse_per_file_ignores(per_file_ignores, "--per-file-ignores")
        command_line.extend_per_file_ignores = parse_per_file_ignores(extend_per_file_ignores, "--extend-per-file-ignores")
    except ConfigError as exc:
        _fail(str(exc))
    start = Path(stdin_filename).parent if stdin_filename else Path.cwd()
    from asynclint.baseline import BaselineError
    from asynclint.run import FixOptions, OutputOptions, check_tables, run_check

    errors = (ConfigError, TableError, BaselineError)  # a message for the user, exit 2

    def load():
        """The run's config, from the files as they are now (--watch reloads it each time)."""
        from asynclint.config import load_config

        config = command_line.apply(load_config(config_file, start, overrides, isolated))
        config.enabled  # validates the selectors given on the command line
        check_tables(config, cache_dir, use_cache=not no_cache)
        return config

    try:
        config = load()
    except errors as exc:
        _fail(str(exc))
    if stdin_filename is not None and list(paths) != ["-"]:
        # As ruff does: naming the buffer means it comes from standard input, with or without
        # the '-'; an editor that leaves the '-' out must not get the whole directory checked.
        if paths:
            click.echo(f"asynclint: warning: checking standard input, not {' '.join(paths)}", err=True)
        paths = ("-",)
    paths = list(paths) or ["."]
    if statistics and output_format not in STATISTICS_FORMATS:
        _fail(f"--statistics works with --output-format {', '.join(STATISTICS_FORMATS)}, not {output_format}")
    if add_noqa and (fix or diff or fix_only):
        _fail("--add-noqa cannot be combined with --fix, --fix-only or --diff")
    if add_noqa and paths == ["-"]:
        _fail("--add-noqa writes files; it cannot read standard input")
    if write_baseline is not None and (fix or diff or fix_only or add_noqa or baseline is not None):
        _fail("--write-baseline cannot be combined with --baseline, --fix, --fix-only, --diff or --add-noqa")
    if write_baseline is not None and paths == ["-"]:
        _fail("--write-baseline records the findings of files; it cannot read standard input")
    if watch and (paths == ["-"] or add_noqa or write_baseline is not None or fix or fix_only):
        _fail("--watch re-runs a check; it cannot be combined with standard input, --fix, --fix-only, --add-noqa or --write-baseline")
    if show_settings or show_files:
        from asynclint.run import print_files, print_settings

        status = exitcodes.CLEAN
        with _report_stream(output_file, silent):
            if show_settings:
                print_settings(config)
            if show_files:
                status = print_files(config, paths, force_exclude)
        sys.exit(status)

    def run_once(config) -> int:
        status = run_check(
            config,
            paths,
            output=OutputOptions(
                output_format, statistics, quiet or silent, _want_color(color, no_color), baseline,
                verbose=verbose, progress=not (quiet or silent or watch),
            ),
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
        return exitcodes.CLEAN if status == exitcodes.FINDINGS and exit_zero else status

    with _report_stream(output_file, silent):
        if watch:
            from asynclint.run import watch_and_check

            watch_and_check(paths, load, run_once, errors)  # ends by a stop signal only
        try:
            status = run_once(config)
        except errors as exc:
            _fail(str(exc))
    sys.exit(status)


@dataclasses.dataclass
class _CommandLineSettings:
    """What check's options set over the config file's settings (None: leave the file's)."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] | None = None
    extend_per_file_ignores: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool | None = None
    ignore_noqa: bool = False

    def apply(self, config):
        if self.select is not None:
            config.select = self.select
        config.extend_select += self.extend_select
        config.ignore += self.ignore
        if self.per_file_ignores is not None:
            config.per_file_ignores = self.per_file_ignores
        extended = dict(config.extend_per_file_ignores)
        for pattern, codes in self.extend_per_file_ignores.items():  # a pattern in both: both lists
            extended[pattern] = extended.get(pattern, ()) + codes
        config.extend_per_file_ignores = extended
        if self.exclude is not None:
            config.exclude = self.exclude
        config.extend_exclude += self.extend_exclude
        if self.respect_gitignore is not None:
            config.respect_gitignore = self.respect_gitignore
        config.ignore_noqa = self.ignore_noqa
        return config


def _split_config_options(values: tuple[str, ...]) -> tuple[Path | None, tuple[str, ...]]:
    """`--config` values: at most one config file, and `KEY = VALUE` overrides. As ruff tells
    them apart: an existing file is a file; otherwise a value with '=' is a setting."""
    files = [value for value in values if os.path.isfile(value) or "=" not in value]
    if len(files) > 1:
        _fail(f"--config names more than one config file: {', '.join(files)}")
    return (Path(files[0]) if files else None), tuple(value for value in values if value not in files)


@contextlib.contextmanager
def _report_stream(output_file: Path | None, silent: bool):
    """Standard output, for everything `check` prints there, goes to `output_file` (`-o`), or
    nowhere (`--silent`)."""
    if not silent and output_file is None:
        yield
        return
    try:
        if silent:
            stream = open(os.devnull, "w", encoding="utf-8")
        else:
            output_file.parent.mkdir(parents=True, exist_ok=True)
            stream = open(output_file, "w", encoding="utf-8", errors="backslashreplace")
    except OSError as exc:
        _fail(f"{output_file}: cannot write the report: {exc.strerror}")
    with stream, contextlib.redirect_stdout(stream):
        yield


def _want_color(choice: str | None, no_color: bool = False) -> bool:
    """As ruff decides: an explicit choice wins; then FORCE_COLOR or CLICOLOR_FORCE (set and not
    empty) turn colour on, NO_COLOR (set and not empty) turns it off; else colour on a terminal."""
    if no_color or choice == "never":
        return False
    if choice == "always":
        return True
    if os.environ.get("FORCE_COLOR") or os.environ.get("CLICOLOR_FORCE"):
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


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
