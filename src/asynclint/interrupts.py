"""Stopping a run when asked: SIGINT (Ctrl-C) and SIGTERM.

While `on_signals()` is in force, the first such signal raises `Stopped` in the main thread,
so the run stops wherever it is. Python drops an exception raised where it cannot propagate
(a fork hook, a finaliser), so the request is also kept: `check()` raises it again, and the
places that wait on workers (engine.map_paths) or write files (run._write_changes) call it.
Files are written only by the main process, so none is written after the signal.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stopped(BaseException):
    """A stop signal arrived. Not an Exception, so no per-file guard swallows it, and not
    KeyboardInterrupt, which click turns into exit 1."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_requested: int | None = None


def _handle(signum: int, frame) -> None:
    global _requested
    if _requested is None:
        _requested = signum
        raise Stopped(signum)
    # A second signal while the first one's clean-up runs: let it finish.


def check() -> None:
    """Raise `Stopped` if a stop signal has arrived."""
    if _requested is not None:
        raise Stopped(_requested)


@contextmanager
def on_signals() -> Iterator[None]:
    """Stop on SIGINT and SIGTERM within the block (main thread only); `Stopped` comes out of
    it whenever one arrived, however the block ended. The previous handlers are restored:
    the block may run inside another program (click's test runner)."""
    global _requested
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; Python's defaults stay
        return
    _requested = None
    previous = {number: signal.signal(number, _handle) for number in SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        requested, _requested = _requested, None
        if requested is not None:
            raise Stopped(requested)  # also when the raise inside was dropped


@contextmanager
def deferred() -> Iterator[None]:
    """Hold stop signals back within the block; they take effect when it ends. For forking
    pool workers: a stop raised inside a fork hook would be dropped (and printed), and a child
    starts with the signals held until `in_worker` sets its own handling."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no fork either
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)


def in_worker() -> None:
    """A pool worker's handling. Ctrl-C reaches the whole process group, and only the main
    process decides what happens (it ends the workers); SIGTERM ends the worker, not the
    main process's handler it inherited."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
