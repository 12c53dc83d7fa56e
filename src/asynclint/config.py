"""`[tool.asynclint]` configuration: finding it, validating it, and answering which codes apply
to a given file. An unknown key or a bad value is an error that names the key, the file, and
the closest valid key; it is never a warning that lets a typo silently disable a setting."""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from asynclint.registry import RULES, UNCHECKABLE_CODE
from asynclint.tableschema import did_you_mean

# key -> (expected shape, description used in error messages). The `extend-<table>` keys that
# add a project's rows to a shipped table come from tables.EXTENSIONS.
_KEYS: dict[str, str] = {
    "select": "a list of codes or code prefixes",
    "extend-select": "a list of codes or code prefixes",
    "ignore": "a list of codes or code prefixes",
    "per-file-ignores": "a table of glob patterns to lists of codes",
    "extend-per-file-ignores": "a table of glob patterns to lists of codes",
    "exclude": "a list of glob patterns",
    "extend-exclude": "a list of glob patterns",
    "force-exclude": "true or false",
    "respect-gitignore": "true or false",
    "non-serving-paths": "a list of glob patterns",
    "extend-non-serving-paths": "a list of glob patterns",
}

# Code that never serves traffic: tests, docs, examples and benchmarks (gitignore-style
# patterns, relative to the config's directory). The rules that only matter under load are off
# there (LOAD_ONLY_SELECTORS); the blocking and correctness rules still apply. `load_config`
# applies this default; a Config built in code checks every path as serving code unless given
# `non_serving_paths`.
DEFAULT_NON_SERVING_PATHS: tuple[str, ...] = (
    "tests/", "test/", "_tests/", "testing/", "test_*.py", "*_test.py", "conftest.py",
    "docs/", "doc/", "docs_src/", "examples/", "benchmarks/", "benchmark/",
)  # fmt: skip
# Copies, database queries, pool limits, fan-out and queue bounds: costs that grow with
# traffic, so a test or an example pays them once and nobody waits. Selectors, so a new rule
# of these families is load-only too.
LOAD_ONLY_SELECTORS: tuple[str, ...] = ("ASY3", "ASY4", "ASY5", "ASY600", "ASY601", "ASY603", "ASY604")


class ConfigError(Exception):
    """A message for a person: what is wrong, where, and what was probably meant."""


@dataclass
class Config:
    root: Path  # patterns in the config are relative to this directory
    source: Path | None = None
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    extend_per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    force_exclude: bool = False
    respect_gitignore: bool = True
    # `--ignore-noqa`: report what `# noqa` comments would silence (no config key, as in ruff:
    # it is a way to look, not a setting to keep).
    ignore_noqa: bool = False
    overrides: tuple[str, ...] = ()  # the `--config KEY=VALUE` settings applied on top of `source`
    extensions: dict[str, object] = field(default_factory=dict)  # extend-<table> key -> value (tables.EXTENSIONS)
    non_serving_paths: tuple[str, ...] = ()
    extend_non_serving_paths: tuple[str, ...] = ()

    @cached_property
    def enabled(self) -> frozenset[str]:
        if self.select is None:
            base = {code for code, rule in RULES.items() if rule.default_enabled}
        else:
            base = set(expand_selectors(self.select))
        base |= expand_selectors(self.extend_select)
        base -= expand_selectors(self.ignore)
        base.add(UNCHECKABLE_CODE)  # a file we cannot read is never silently clean
        return frozenset(base)

    @cached_property
    def _per_file_ignores(self) -> list[tuple[object, frozenset[str]]]:
        import pathspec

        return [
            (pathspec.GitIgnoreSpec.from_lines([pattern]), expand_selectors(codes) - {UNCHECKABLE_CODE})
            for pattern, codes in self.all_per_file_ignores()
        ]

    @cached_property
    def _non_serving(self):
        patterns = self.non_serving_paths + self.extend_non_serving_paths
        if not patterns:
            return None
        import pathspec

        return pathspec.GitIgnoreSpec.from_lines(patterns)

    def all_per_file_ignores(self) -> list[tuple[str, tuple[str, ...]]]:
        """`per-file-ignores`, then `extend-per-file-ignores` (a pattern in both: both apply)."""
        return [*self.per_file_ignores.items(), *self.extend_per_file_ignores.items()]

    def codes_for(self, path: str) -> frozenset[str]:
        if not (self.per_file_ignores or self.extend_per_file_ignores) and self._non_serving is None:
            return self.enabled
        relative = self.relative(path)
        codes = self.enabled
        if self._non_serving is not None and self._non_serving.match_file(relative):
            codes = codes - load_only_codes()
        for spec, ignored in self._per_file_ignores:
            if spec.match_file(relative):
                codes = codes - ignored
        return codes

    def relative(self, path: str) -> str:
        try:
            return Path(os.path.abspath(path)).relative_to(self.root).as_posix()
        except ValueError:
            return Path(path).as_posix()

    @cached_property
    def tables(self):
        from asynclint.tables import load_tables

        return load_tables(extensions=self.extensions, where=str(self.source) if self.source else "--config")

    def fingerprint(self) -> str:
        """Changes whenever anything that could change a file's findings changes."""
        from asynclint import __version__

        parts = [
            __version__,
            _shipped_tables_digest(),
            ",".join(sorted(self.enabled)),
            repr(self.all_per_file_ignores()),
            str(self.ignore_noqa),
            repr(sorted(self.extensions.items())),
            repr(self.non_serving_paths + self.extend_non_serving_paths),
            str(self.root),
        ]
        return hashlib.blake2b("\n".join(parts).encode(), digest_size=12).hexdigest()


def _shipped_tables_digest() -> str:
    """A digest of the rules/ tables as installed: editing a table changes every finding it
    names, so cached results from before the edit must not be reused. Every run computes it:
    the package's directory is read directly, as importlib.resources (which is several
    milliseconds to import) would read it for a package installed as files."""
    import asynclint.rules

    digest = hashlib.blake2b(digest_size=12)
    tables = Path(asynclint.rules.__file__).parent
    for name in sorted(os.listdir(tables)):
        if name.endswith(".toml"):
            digest.update(name.encode() + b"\0" + (tables / name).read_bytes())
    return digest.hexdigest()


def load_only_codes() -> frozenset[str]:
    """The registered codes of LOAD_ONLY_SELECTORS (a family with no rule yet matches none)."""
    return frozenset(code for code in RULES if code.startswith(LOAD_ONLY_SELECTORS))


def expand_selectors(selectors) -> frozenset[str]:
    """Codes matched by selectors: a full code, a prefix (`ASY1`, `ASY10`), or `ALL`."""
    codes: set[str] = set()
    for selector in selectors:
        selector = selector.strip().upper()
        if selector == "ALL":
            codes.update(RULES)
            continue
        matched = {code for code in RULES if code.startswith(selector)}
        if not matched:
            raise ConfigError(f"unknown rule selector {selector!r}{did_you_mean(selector, RULES)}")
        codes |= matched
    return frozenset(codes)


def find_config_file(start: Path) -> Path | None:
    """The nearest pyproject.toml, from `start` upwards, that has a [tool.asynclint] table."""
    directory = start.resolve()
    if directory.is_file():
        directory = directory.parent
    for candidate_dir in (directory, *directory.parents):
        candidate = candidate_dir / "pyproject.toml"
        if candidate.is_file() and b"[tool.asynclint" in candidate.read_bytes():
            return candidate
    return None


def load_config(
    explicit: Path | None, start: Path, overrides: tuple[str, ...] = (), isolated: bool = False
) -> Config:
    """The configuration for a run from `start`: the nearest `[tool.asynclint]` table, or the
    file `explicit` names, or none at all when `isolated`; then each of `overrides` (`--config
    'KEY = VALUE'`) replaces its key."""
    if isolated and explicit is not None:
        raise ConfigError(f"--isolated ignores every config file; it cannot be combined with --config {explicit}")
    path = None if isolated else explicit if explicit is not None else find_config_file(start)
    # Each key comes from one place, and `parse_override` has checked the overrides: an error
    # left is the file's.
    table, where = ({}, "--config") if path is None else _read_table(path)
    override_table = {}
    for text in overrides:
        override_table.update(parse_override(text))
    if path is None and not override_table:
        return Config(root=Path.cwd().resolve(), non_serving_paths=DEFAULT_NON_SERVING_PATHS)
    root = Path.cwd().resolve() if path is None else path.resolve().parent
    config = config_from_table({**table, **override_table}, where, root=root, source=path)
    config.overrides = tuple(overrides)
    return config


def _read_table(path: Path) -> tuple[dict, str]:
    """The settings table of the config file `path`, and how to name it in messages."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: config file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    if path.name == "pyproject.toml":
        return document.get("tool", {}).get("asynclint", {}), f"{path} [tool.asynclint]"
    return document, str(path)


def parse_override(text: str) -> dict:
    """`--config 'select = ["ASY1"]'`: one or more TOML `key = value` settings of the
    `[tool.asynclint]` table, checked as the table's own are."""
    where = f"--config {text!r}"
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: neither an existing config file nor a TOML `KEY = VALUE` setting ({exc})") from None
    config_from_table(table, where, root=Path.cwd())  # unknown keys and bad values name the option
    return table


def parse_per_file_ignores(values: tuple[str, ...], option: str) -> dict[str, tuple[str, ...]]:
    """The command-line form `PATTERN:CODE[,CODE...]` (repeatable) as a per-file-ignores table;
    a pattern given twice ignores the codes of both."""
    table: dict[str, tuple[str, ...]] = {}
    for value in values:
        pattern, separator, codes = value.rpartition(":")
        selectors = tuple(code.strip() for code in codes.split(",") if code.strip())
        if not separator or not pattern or not selectors:
            raise ConfigError(f"{option} {value!r}: expected PATTERN:CODE[,CODE...], e.g. 'tests/*:ASY1'")
        try:
            expand_selectors(selectors)
        except ConfigError as exc:
            raise ConfigError(f"{option} {value!r}: {exc}") from None
        table[pattern] = table.get(pattern, ()) + selectors
    return table


def config_from_table(table: dict, where: str, root: Path, source: Path | None = None) -> Config:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table")
    extensions: tuple = ()
    if any(key not in _KEYS for key in table):
        # An `extend-<table>` key, or a typo: only then is the tables module (which a run that
        # lints nothing never needs) imported, to tell which.
        from asynclint.tables import EXTENSIONS as extensions
    known = {**_KEYS, **{extension.key: extension.description for extension in extensions}}
    for key in table:
        if key not in known:
            raise ConfigError(f"{where}: unknown key {key!r}{did_you_mean(key, known)}")
    config = Config(root=root, source=source)
    if "select" in table:
        config.select = _string_list(table, "select", where)
    config.extend_select = _string_list(table, "extend-select", where)
    config.ignore = _string_list(table, "ignore", where)
    if "exclude" in table:
        config.exclude = _string_list(table, "exclude", where)
    config.extend_exclude = _string_list(table, "extend-exclude", where)
    config.force_exclude = _flag(table, "force-exclude", where, False)
    config.respect_gitignore = _flag(table, "respect-gitignore", where, True)
    config.per_file_ignores = _table_of_lists(table, "per-file-ignores", where)
    config.extend_per_file_ignores = _table_of_lists(table, "extend-per-file-ignores", where)
    for extension in extensions:
        if extension.key in table:
            config.extensions[extension.key] = _checked_extension(extension, table[extension.key], where)
    config.non_serving_paths = DEFAULT_NON_SERVING_PATHS
    if "non-serving-paths" in table:
        config.non_serving_paths = _string_list(table, "non-serving-paths", where)
    config.extend_non_serving_paths = _string_list(table, "extend-non-serving-paths", where)
    _validate_codes(config, where)
    return config


def _checked_extension(extension, value: object, where: str) -> object:
    from asynclint.tables import TableError

    try:
        extension.check(value, where)
    except TableError as exc:
        raise ConfigError(str(exc)) from None
    return value


def _validate_codes(config: Config, where: str) -> None:
    for key, selectors in (
        ("select", config.select or ()),
        ("extend-select", config.extend_select),
        ("ignore", config.ignore),
        *((f"per-file-ignores.{pattern!r}", codes) for pattern, codes in config.per_file_ignores.items()),
        *((f"extend-per-file-ignores.{pattern!r}", codes) for pattern, codes in config.extend_per_file_ignores.items()),
    ):
        try:
            expand_selectors(selectors)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {key}: {exc}") from None


def _bad_value(where: str, key: str, value: object) -> ConfigError:
    return ConfigError(f"{where}: {key} must be {_KEYS[key]}, not {value!r}")


def _flag(table: dict, key: str, where: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise _bad_value(where, key, value)
    return value


def _string_list(table: dict, key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _bad_value(where, key, value)
    return tuple(value)


def _table_of_lists(table: dict, key: str, where: str) -> dict[str, tuple[str, ...]]:
    value = table.get(key, {})
    if not isinstance(value, dict) or not all(
        isinstance(v, list) and all(isinstance(i, str) for i in v) for v in value.values()
    ):
        raise _bad_value(where, key, value)
    return {k: tuple(v) for k, v in value.items()}
