""".pre-commit-hooks.yaml with the real pre-commit: a bad file fails the check hook, a clean
(or excluded) one passes, and the fix hook rewrites the file.

pre-commit installs the hooks' repository as it does for any user: it clones it at a commit and
runs `pip install .` in a fresh virtualenv (so this test needs a package index, as every
pre-commit user does). So that the test checks exactly this working tree, committed or not, it
snapshots the files the package is built from into a fresh git repository, and a config names
that repository at its commit. The test runs `pre-commit run -c CONFIG --files ...`, with one
PRE_COMMIT_HOME for all its runs, and not `pre-commit try-repo`, which installs the environment
again into a new store on every call (half a minute each). On a clean checkout (CI) the
snapshot equals HEAD.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

from conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "asynclint tests",
    "GIT_AUTHOR_EMAIL": "tests@asynclint.invalid",
    "GIT_COMMITTER_NAME": "asynclint tests",
    "GIT_COMMITTER_EMAIL": "tests@asynclint.invalid",
}
BAD = "import asyncio\nimport time\n\n\nasync def main():\n    time.sleep(1)\n"
CLEAN = "import asyncio\n\n\nasync def main():\n    await asyncio.sleep(1)\n"


def _git(cwd, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=cwd, check=True, capture_output=True, text=True, env={**os.environ, **GIT_IDENTITY},
    ).stdout  # fmt: skip


def _config_of_a_snapshot(destination) -> str:
    """A config naming both hooks of a new repository at its commit, as `try-repo` would write
    it; the repository holds the files `pip install .` builds the package from."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    destination.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(REPO / name, destination / name)
    for directory in ("src", "rules", "docs"):
        shutil.copytree(REPO / directory, destination / directory, ignore=ignore)
    _git(destination, "init", "-q")
    _git(destination, "add", ".")
    _git(destination, "commit", "-q", "-m", "snapshot")
    commit = _git(destination, "rev-parse", "HEAD").strip()
    return textwrap.dedent(
        f"""\
        repos:
        -   repo: {destination}
            rev: {commit}
            hooks:
            -   id: asynclint
            -   id: asynclint-fix
        """
    )


def _run_hooks(config, project, *files: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "-c", str(config), "--color", "never", "--files", *files],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **GIT_IDENTITY, "PRE_COMMIT_HOME": str(project.parent / "pre-commit-home")},
    )


def _outcome(output: str, hook_name: str) -> str:
    match = re.search(rf"^{re.escape(hook_name)}\.{{3,}}(Passed|Failed|\(no files to check\)Skipped)$", output, re.M)
    assert match, f"no result line for {hook_name!r} in:\n{output}"
    return match.group(1)


def test_hooks_with_the_real_pre_commit(tmp_path):
    config = tmp_path / "pre-commit-config.yaml"
    config.write_text(_config_of_a_snapshot(tmp_path / "asynclint"), encoding="utf-8")
    project = tmp_path / "project"
    (project / "generated").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [tool.asynclint]
            extend-exclude = ["generated/"]
            """
        ),
        encoding="utf-8",
    )
    (project / "bad.py").write_text(BAD, encoding="utf-8")
    (project / "clean.py").write_text(CLEAN, encoding="utf-8")
    (project / "generated" / "bad.py").write_text(BAD, encoding="utf-8")
    shutil.copy(REPO / "tests" / "fixtures" / "notebooks" / "imports.ipynb", project / "bad.ipynb")
    _git(project, "init", "-q")
    _git(project, "add", ".")
    _git(project, "commit", "-q", "-m", "project")

    # Both hooks pass on a clean file and on an excluded one (--force-exclude is in `entry`).
    clean = _run_hooks(config, project, "clean.py", "generated/bad.py")
    output = clean.stdout + clean.stderr
    assert clean.returncode == 0, output
    assert _outcome(output, "asynclint") == "Passed"
    assert _outcome(output, "asynclint (fix)") == "Passed"
    assert (project / "generated" / "bad.py").read_text(encoding="utf-8") == BAD

    # On a bad file the check hook fails and names the finding; the fix hook rewrites it.
    bad = _run_hooks(config, project, "bad.py")
    output = bad.stdout + bad.stderr
    assert bad.returncode == 1, output
    assert _outcome(output, "asynclint") == "Failed"
    assert "ASY100" in output and "--> bad.py:6:5" in output
    assert _outcome(output, "asynclint (fix)") == "Failed"
    assert "files were modified by this hook" in output
    # The fix also drops `import time`, whose last use it replaced.
    assert (project / "bad.py").read_text(encoding="utf-8") == CLEAN

    # Notebooks go through both hooks (types_or lists jupyter): the finding names its cell, and
    # the fix rewrites the cells it changes.
    notebook = _run_hooks(config, project, "bad.ipynb")
    output = notebook.stdout + notebook.stderr
    assert notebook.returncode == 1, output
    assert _outcome(output, "asynclint") == "Failed"
    assert "--> bad.ipynb:cell 3:2:5" in output
    assert _outcome(output, "asynclint (fix)") == "Failed"
    fixed = (project / "bad.ipynb").read_text(encoding="utf-8")
    assert '"    await asyncio.sleep(1)\\n"' in fixed and '"import time"' not in fixed
