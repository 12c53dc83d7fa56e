"""The wheel carries everything asynclint reads at run time: every module, the rules/ tables and
the rule docs. Built from a copy of the sources, installed into a bare directory, and run from
outside the source tree, where nothing of the checkout can stand in for what is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

SLEEPY = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"
# What setuptools reads to build the wheel (pyproject.toml's package-dir and readme).
PACKAGING_INPUTS = ("pyproject.toml", "README.md", "src", "rules", "docs/rules")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a clean copy of the packaging inputs: a build/ or *.egg-info left in
    the checkout by an earlier build could otherwise smuggle in files the sources lack."""
    source = tmp_path_factory.mktemp("source")
    for name in PACKAGING_INPUTS:
        if (REPO / name).is_dir():
            shutil.copytree(
                REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
            )
        else:
            shutil.copy2(REPO / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    [built] = out.glob("asynclint-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("target")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return target


def run_installed(target: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """Python without site (-S): the development checkout's editable install is not on the
    path, only the installed wheel and the directories holding its dependencies."""
    paths = sysconfig.get_paths()
    dependencies = dict.fromkeys([paths["purelib"], paths["platlib"]])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), *dependencies])}
    env.pop("ASYNCLINT_CACHE_DIR", None)
    return subprocess.run(
        [sys.executable, "-S", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def test_wheel_contains_the_tables_the_docs_and_every_module(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"asynclint/rules/blocking_calls.toml", "asynclint/rules/types.toml", "asynclint/ruledocs/ASY100.md"} <= names
    expected = {f"asynclint/rules/{p.name}" for p in (REPO / "rules").glob("*.toml")}
    expected |= {f"asynclint/ruledocs/{p.name}" for p in (REPO / "docs" / "rules").glob("*.md")}
    expected |= {
        "asynclint/" + p.relative_to(REPO / "src" / "asynclint").as_posix()
        for p in (REPO / "src" / "asynclint").rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert expected - names == set()


def test_installed_wheel_loads_its_tables_and_docs_outside_the_source_tree(installed, tmp_path):
    probe = (
        "import asynclint, asynclint.rules\n"
        "from asynclint.tables import load_tables\n"
        "from asynclint.registry import RULES\n"
        "load_tables()\n"
        "print(asynclint.__file__)\n"
        "print(asynclint.rules.__file__)\n"
        "print(RULES['ASY100'].documentation().splitlines()[0])\n"
    )
    result = run_installed(installed, tmp_path, "-c", probe)
    assert result.returncode == 0, result.stderr
    package, tables, doc_title = result.stdout.splitlines()
    assert Path(package).is_relative_to(installed)
    assert Path(tables).is_relative_to(installed)
    assert doc_title == "# ASY100 blocking-sleep"


def test_installed_wheel_checks_a_file(installed, tmp_path):
    (tmp_path / "app.py").write_text(SLEEPY, encoding="utf-8")
    result = run_installed(installed, tmp_path, "-m", "asynclint", "check", "--no-cache", "app.py")
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("ASY100 ") and " --> app.py:5:5\n" in result.stdout
    assert "Traceback" not in result.stderr


def test_installed_wheel_prints_a_rule_page(installed, tmp_path):
    result = run_installed(installed, tmp_path, "-m", "asynclint", "rule", "ASY100")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (REPO / "docs" / "rules" / "ASY100.md").read_text(encoding="utf-8").rstrip("\n") + "\n"
