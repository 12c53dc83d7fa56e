"""`[tool.asynclint]` configuration: finding it, validating it, and answering which codes apply
to a given file. An unknown key or a bad value is an error that names the key, the file, and
the closest valid key; it is never a warning that lets a typo silently disable a setting."""

from __future__ import annotations

import difflib
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

# key -> (expected shape, description used in error messages)
_KEYS: dict[str, str] = {
    "select": "a list of codes or code prefixes",
    "extend-select": "a list of codes or code prefixes",
    "ignore": "a list of codes or code prefixes",
    "per-file-ignores": "a table of glob patterns to lists of codes",
    "exclude": "a list of glob patterns",
    "extend-exclude": "a list of glob patterns",
    "force-exclude": "true or false",
    "extend-blocking-calls": "a table of codes to lists of qualified names",
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
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    force_exclude: bool = False
    extend_blocking_calls: dict[str, tuple[str, ...]] = field(default_factory=dict)
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
            for pattern, codes in self.per_file_ignores.items()
        ]

    @cached_property
    def _non_serving(self):
        patterns = self.non_serving_paths + self.extend_non_serving_paths
        if not patterns:
            return None
        import pathspec

        return pathspec.GitIgnoreSpec.from_lines(patterns)

    def codes_for(self, path: str) -> frozenset[str]:
        if not self.per_file_ignores and self._non_serving is None:
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

        return load_tables({code: list(names) for code, names in self.extend_blocking_calls.items()})

    def fingerprint(self) -> str:
        """Changes whenever anything that could change a file's findings changes."""
        from asynclint import __version__

        parts = [
            __version__,
            _shipped_tables_digest(),
            ",".join(sorted(self.enabled)),
            repr(sorted(self.per_file_ignores.items())),
            repr(sorted(self.extend_blocking_calls.items())),
            repr(self.non_serving_paths + self.extend_non_serving_paths),
            str(self.root),
        ]
        return hashlib.blake2b("\n".join(parts).encode(), digest_size=12).hexdigest()


def _shipped_tables_digest() -> str:
    """A digest of the rules/ tables as installed: editing a table changes every finding it
    names, so cached results from before the edit must not be reused."""
    from importlib import resources

    digest = hashlib.blake2b(digest_size=12)
    tables = resources.files("asynclint.rules")
    for entry in sorted(tables.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
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
            raise ConfigError(f"unknown rule selector {selector!r}{_did_you_mean(selector, RULES)}")
        codes |= matched
    return frozenset(codes)


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


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


def load_config(explicit: Path | None, start: Path) -> Config:
    path = explicit if explicit is not None else find_config_file(start)
    if path is None:
        return Config(root=Path.cwd().resolve(), non_serving_paths=DEFAULT_NON_SERVING_PATHS)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: config file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    if path.name == "pyproject.toml":
        table = document.get("tool", {}).get("asynclint", {})
        where = f"{path} [tool.asynclint]"
    else:
        table = document
        where = str(path)
    return config_from_table(table, where, root=path.resolve().parent, source=path)


def config_from_table(table: dict, where: str, root: Path, source: Path | None = None) -> Config:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table")
    for key in table:
        if key not in _KEYS:
            raise ConfigError(f"{where}: unknown key {key!r}{_did_you_mean(key, _KEYS)}")
    config = Config(root=root, source=source)
    if "select" in table:
        config.select = _string_list(table, "select", where)
    config.extend_select = _string_list(table, "extend-select", where)
    config.ignore = _string_list(table, "ignore", where)
    if "exclude" in table:
        config.exclude = _string_list(table, "exclude", where)
    config.extend_exclude = _string_list(table, "extend-exclude", where)
    force = table.get("force-exclude", False)
    if not isinstance(force, bool):
        raise _bad_value(where, "force-exclude", force)
    config.force_exclude = force
    config.per_file_ignores = _table_of_lists(table, "per-file-ignores", where)
    config.extend_blocking_calls = _table_of_lists(table, "extend-blocking-calls", where)
    config.non_serving_paths = DEFAULT_NON_SERVING_PATHS
    if "non-serving-paths" in table:
        config.non_serving_paths = _string_list(table, "non-serving-paths", where)
    config.extend_non_serving_paths = _string_list(table, "extend-non-serving-paths", where)
    _validate_codes(config, where)
    return config


def _validate_codes(config: Config, where: str) -> None:
    for key, selectors in (
        ("select", config.select or ()),
        ("extend-select", config.extend_select),
        ("ignore", config.ignore),
        *((f"per-file-ignores.{pattern!r}", codes) for pattern, codes in config.per_file_ignores.items()),
    ):
        try:
            expand_selectors(selectors)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {key}: {exc}") from None
    blocking_codes = [code for code, rule in RULES.items() if code.startswith("ASY1") and rule.check]
    for code, names in config.extend_blocking_calls.items():
        if code not in blocking_codes:
            raise ConfigError(
                f"{where}: extend-blocking-calls: {code!r} is not a blocking-call code"
                f" (one of {', '.join(blocking_codes)}){_did_you_mean(code, blocking_codes)}"
            )
        for name in names:
            # Every dotted part a Python name: `a..b` or `lib.2fetch` can never match a call.
            if not all(part.isidentifier() for part in name.split(".")):
                raise ConfigError(
                    f"{where}: extend-blocking-calls.{code}: {name!r} is not a qualified name"
                    " such as 'ourlib.http.fetch_sync'"
                )


def _bad_value(where: str, key: str, value: object) -> ConfigError:
    return ConfigError(f"{where}: {key} must be {_KEYS[key]}, not {value!r}")


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
