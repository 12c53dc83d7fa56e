"""Ctrl-C and SIGTERM stop a `--fix` run at once, in a real process with a pool of workers:
exit status 128 + the signal's number, nothing written after the signal (each file is its old
or its fully fixed version), and no worker left running, even when the main process is killed
outright. The bounds on time are generous: they catch a run that ignores the signal (it used
to go on for a minute and rewrite the whole tree), not a slow one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from asynclint.config import load_config
from asynclint.engine import Linter
from asynclint.fixer import fix_text

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the workers")

SOURCE = "import asyncio\nimport time\n\n\nasync def handler():\n    time.sleep(1)\n"  # a safe fix
FILES = 300  # enough that the run is still at work when the signal comes
LIVENESS_SECONDS = 10


@pytest.fixture
def tree(tmp_path):
    for number in range(FILES):
        (tmp_path / f"module{number:03}.py").write_text(SOURCE, encoding="utf-8")
    return tmp_path


def _start(tree: Path) -> subprocess.Popen:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ASYNCLINT_")}
    return subprocess.Popen(
        [sys.executable, "-m", "asynclint", "check", "--fix", "--no-cache", "--jobs", "2", "."],
        cwd=tree,
        env=clean,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a shell gives a job
    )


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as handle:
            found |= {int(child) for child in handle.read().split()}
    return found


def _workers(process: subprocess.Popen) -> set[int]:
    """The pool's workers, once both have started."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read()
        workers = _children(process.pid)
        if len(workers) >= 2:
            return workers
        time.sleep(0.01)
    raise AssertionError("the pool never started")


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended; whoever adopted it may not have reaped it yet


def _wait_until_ended(pids: set[int]) -> set[int]:
    """The pids still running after LIVENESS_SECONDS."""
    deadline = time.monotonic() + LIVENESS_SECONDS
    while (alive := {pid for pid in pids if _running(pid)}) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


@pytest.mark.parametrize(
    ("signum", "to_group"),
    [
        (signal.SIGINT, True),  # Ctrl-C: the terminal signals the whole process group
        (signal.SIGTERM, False),  # `kill`: the main process alone
    ],
)
def test_a_signal_stops_a_fix_run_at_once_and_leaves_every_file_whole(tree, signum, to_group):
    fixed = fix_text(Linter(load_config(None, tree)), SOURCE, "module.py", unsafe=False).fixed
    assert fixed != SOURCE
    compile(fixed, "module.py", "exec")
    process = _start(tree)
    workers = _workers(process)
    (os.killpg if to_group else os.kill)(process.pid, signum)
    sent = time.monotonic()
    _, stderr = process.communicate(timeout=60)
    assert time.monotonic() - sent < LIVENESS_SECONDS
    assert process.returncode == 128 + signum
    assert f"asynclint: stopped by {signum.name}" in stderr
    assert "Traceback" not in stderr
    assert _wait_until_ended(workers) == set()
    contents = Counter(path.read_text(encoding="utf-8") for path in tree.glob("*.py"))
    assert set(contents) <= {SOURCE, fixed}
    assert contents[SOURCE] > 0  # it stopped: the tree was not all rewritten first
    assert not list(tree.glob(".asynclint-*"))  # no temporary file left behind


def test_workers_end_when_the_main_process_is_killed(tree):
    """SIGKILL runs no handler of the main process: the workers notice their parent is gone."""
    process = _start(tree)
    workers = _workers(process)
    process.kill()
    process.communicate(timeout=60)
    assert _wait_until_ended(workers) == set()


def test_a_stop_whose_exception_python_dropped_still_stops_the_run():
    """Raised inside a fork hook or a finaliser, the handler's exception is lost; the request
    is kept, so the run still ends as stopped, and the previous handlers come back."""
    from asynclint import interrupts

    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(interrupts.Stopped) as stopped:
        with interrupts.on_signals():
            try:
                signal.raise_signal(signal.SIGINT)
            except interrupts.Stopped:
                pass  # dropped, as Python drops it where it cannot propagate
            with pytest.raises(interrupts.Stopped):
                interrupts.check()  # where the run waits on workers or writes a file
    assert stopped.value.signum == signal.SIGINT
    assert signal.getsignal(signal.SIGINT) is before
