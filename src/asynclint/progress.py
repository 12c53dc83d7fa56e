"""A progress bar on standard error for long runs: files done of total, and the rate.

A run of thousands of files otherwise shows nothing for minutes, then everything at once. The
bar is drawn only where someone watches it: standard error is a terminal, the run has more
than a handful of files, and neither `--quiet`, `--silent` nor `--watch` asked for a quiet
screen. It is drawn by tqdm, imported only then: start-up time matters for the short runs
editors and pre-commit make. It is erased when the run ends, so the report stands alone.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# Below this many files a run takes about a second: a bar would only flicker.
MIN_FILES = 20


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


@contextmanager
def progress_bar(total: int, wanted: bool) -> Iterator[Callable[[int], None] | None]:
    """A callback `done(n)` to call as `n` more of `total` files are finished, drawing the bar;
    None when no bar is to be drawn (the pipeline then calls nothing)."""
    if not wanted or total < MIN_FILES or not _stderr_is_terminal():
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(total=total, unit=" files", desc="Checking", file=sys.stderr, leave=False, dynamic_ncols=True)
    try:
        yield bar.update
    finally:
        bar.close()
