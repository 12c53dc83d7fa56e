"""One schema for every rules/*.toml table (tableschema.py, declared in tables.py and beside the
table's parser): the shipped tables pass it; an unknown key, a value of the wrong type and a
name that is not a qualified name are errors naming the file and the key; and the
`extend-<table>` config keys check a project's rows with the table's own kinds and never move
a shipped name to another code."""

from __future__ import annotations

import copy
import sys
from importlib import resources

import pytest

from asynclint.checks._blocking import BlockingCallCheck
from asynclint.registry import RULES
from asynclint.tables import BLOCKING_CODES, EXTENSIONS, SCHEMAS, TableError, load_tables
from asynclint.tableschema import Where

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SHIPPED = sorted(entry.name for entry in resources.files("asynclint.rules").iterdir() if entry.name.endswith(".toml"))
EXTENSION = {extension.key: extension for extension in EXTENSIONS}


def _shipped(name: str) -> dict:
    return tomllib.loads(resources.files("asynclint.rules").joinpath(name).read_text("utf-8"))


def _check(name: str, data: dict) -> None:
    SCHEMAS[name].check(data, Where(f"rules/{name}"))


def _first_table(data: dict) -> dict:
    """The first table inside `data` that holds a list of strings (an array entry when the
    file has arrays of tables): where a typo'd key most likely lands."""
    for value in data.values():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return value[0]
        if isinstance(value, dict):
            return _first_table(value) if any(isinstance(v, (dict, list)) for v in value.values()) else value
    return data


def test_every_shipped_table_has_a_schema_and_passes_it():
    assert sorted(SCHEMAS) == SHIPPED
    for name in SHIPPED:
        _check(name, _shipped(name))
    load_tables()


@pytest.mark.parametrize("name", SHIPPED)
def test_an_unknown_key_is_an_error_naming_the_file_and_the_key(name):
    data = copy.deepcopy(_shipped(name))
    table = _first_table(data)
    typo = next(iter(table)) + "s" if table else "calls"
    table[typo] = ["x.y"]
    with pytest.raises(TableError, match=rf"rules/{name}.*{typo}"):
        _check(name, data)


@pytest.mark.parametrize("name", SHIPPED)
def test_a_value_of_the_wrong_type_is_an_error_naming_the_file_and_the_key(name):
    data = copy.deepcopy(_shipped(name))
    table = _first_table(data)
    key = next(key for key, value in table.items() if isinstance(value, (list, str, dict)))
    table[key] = 3
    with pytest.raises(TableError, match=rf"rules/{name}.*{key} must be .*, not 3"):
        _check(name, data)


@pytest.mark.parametrize("bad", ["requests.*", "requests..get", "requests.2get", ""])
def test_a_name_must_be_a_qualified_name_as_rules_readme_says(bad):
    data = _shipped("blocking_calls.toml")
    data["ASY101"][0]["calls"].append(bad)
    with pytest.raises(TableError, match=r"rules/blocking_calls.toml \[\[ASY101\]\] #1: calls\[\d+\] must be a qualified name"):
        _check("blocking_calls.toml", data)


def test_a_required_key_left_out_and_a_word_out_of_its_choices_are_errors():
    data = _shipped("bridges.toml")
    del data["bridge"][1]["remedy"]
    with pytest.raises(TableError, match=r"rules/bridges.toml \[\[bridge\]\] #2: remedy is required"):
        _check("bridges.toml", data)
    data = _shipped("queues.toml")
    data["queue"][0]["unbounded"] = "negative"
    with pytest.raises(TableError, match=r"\[\[queue\]\] #1: unbounded must be one of 'nonpositive', 'infinite'"):
        _check("queues.toml", data)


def test_the_blocking_codes_are_the_codes_of_the_blocking_call_checks():
    blocking = {code for code, rule in RULES.items() if rule.check and issubclass(rule.check, BlockingCallCheck)}
    assert set(BLOCKING_CODES) == blocking


# --- extend-<table> ---------------------------------------------------------------------------


def test_each_extension_documents_a_valid_example():
    for extension in EXTENSIONS:
        document = tomllib.loads(extension.example)
        value = document["tool"]["asynclint"][extension.key]
        extension.check(value, "pyproject.toml [tool.asynclint]")
        load_tables(extensions={extension.key: value})


def test_extend_blocking_calls_adds_a_projects_helper_under_its_code():
    tables = load_tables(extensions={"extend-blocking-calls": {"ASY101": ["ourlib.http.fetch_sync"]}})
    assert tables.blocking["ourlib.http.fetch_sync"].code == "ASY101"


def test_extend_blocking_calls_does_not_move_a_shipped_name_to_another_code():
    with pytest.raises(TableError, match=r"cfg: extend-blocking-calls.ASY103: 'time.sleep' is already reported as ASY100"):
        load_tables(extensions={"extend-blocking-calls": {"ASY103": ["time.sleep"]}}, where="cfg")
    with pytest.raises(TableError, match="'asyncio.run' is already reported as ASY110"):
        load_tables(extensions={"extend-blocking-calls": {"ASY100": ["asyncio.run"]}})
    with pytest.raises(TableError, match="'ourlib.wait' is listed under both ASY100 and ASY106"):
        load_tables(extensions={"extend-blocking-calls": {"ASY100": ["ourlib.wait"], "ASY106": ["ourlib.wait"]}})


def test_listing_a_shipped_name_under_its_own_code_keeps_the_shipped_row():
    shipped = load_tables().blocking["time.sleep"]
    assert load_tables(extensions={"extend-blocking-calls": {"ASY100": ["time.sleep"]}}).blocking["time.sleep"] == shipped


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        ({"ASY109": ["ourlib.x"]}, r"\[tool.asynclint.extend-blocking-calls\]: key 'ASY109' must be one of 'ASY100'"),
        ({"ASY101": ["ourlib.*"]}, r"ASY101\[0\] must be a qualified name"),
        ({"ASY101": "ourlib.fetch"}, r"ASY101 must be a list of qualified names"),
        (["ourlib.fetch"], r"\[tool.asynclint\]: extend-blocking-calls must be a table of blocking-call codes"),
    ],
)
def test_extend_blocking_calls_is_checked_with_the_tables_own_kinds(value, complaint):
    with pytest.raises(TableError, match=complaint):
        EXTENSION["extend-blocking-calls"].check(value, "pyproject.toml [tool.asynclint]")


def test_extend_types_types_a_projects_factory_and_does_not_retype_a_shipped_call():
    value = {"returns": {"ourlib.make_session": "requests.Session"}, "aliases": {"ourlib.Session": "requests.Session"}}
    tables = load_tables(extensions={"extend-types": value})
    assert tables.returns["ourlib.make_session"] == "requests.Session"
    assert tables.aliases["ourlib.Session"] == "requests.Session"
    with pytest.raises(TableError, match=r"extend-types.returns: 'requests.Session' is 'requests.Session' in asynclint's own tables, not 'httpx.Client'"):
        load_tables(extensions={"extend-types": {"returns": {"requests.Session": "httpx.Client"}}})
    with pytest.raises(TableError, match=r"\[tool.asynclint.extend-types\]: unknown key 'return' \(did you mean 'returns'\?\)"):
        EXTENSION["extend-types"].check({"return": {}}, "pyproject.toml [tool.asynclint]")


def test_lazy_before_is_a_python_version_and_does_not_contradict_lazy(monkeypatch):
    import asynclint.tables as tables_module

    shipped = tables_module._read

    def with_group(extra: dict):
        def read(name: str) -> dict:
            data = shipped(name)
            if name == "blocking_calls.toml":
                group = {"calls": ["ourlib.scan"], "what": "scans", "remedy": "offload it", **extra}
                data["ASY103"].append(group)
                SCHEMAS[name].check(data, Where(f"rules/{name}"))
            return data

        monkeypatch.setattr(tables_module, "_read", read)

    with_group({"lazy_before": "3.13"})
    assert load_tables().blocking["ourlib.scan"].lazy_before == (3, 13)
    with_group({"lazy_before": "3.13", "lazy": True})
    with pytest.raises(TableError, match="lazy and lazy_before contradict each other"):
        load_tables()
    with_group({"lazy_before": "3.x"})
    with pytest.raises(TableError, match=r"lazy_before must be a Python version such as '3.13', not '3.x'"):
        load_tables()


def test_known_modules_are_the_top_level_modules_the_tables_name_worked_out_once():
    tables = load_tables()
    modules = tables.known_modules()  # every linted file's context asks
    assert {"time", "subprocess", "requests", "socket"} <= modules
    assert "builtins" not in modules
    assert tables.known_modules() is modules
