"""The one lint pipeline every entry point runs (`check`, `--fix` and its variants, `--add-noqa`,
baselines, standard input, the language server): the per-file phase (each file linted, or taken
from the cache, with the summaries project-wide checks make of it, its diagnostics built by the
reporter), then the project phase (`ProjectCheck.check_project` over every summary, giving
`reporter.SiteReport`s; cached by the summaries it read, so an edit that changes none re-uses
it), then the reporter judges the project's reports by the files' `# noqa` comments as they are
now. The result: each file's diagnostics, `# noqa` applied. Callers apply baselines and render.

`overlay` maps paths to text that stands for the file instead of what is on disk: standard
input's buffer, an editor's unsaved document, a fixed file `--diff` does not write (for a
Jupyter notebook, its JSON). The project phase reads an overlay file's summaries as made of
its text, so typing that changes none (a comment, a string, a line that adds no call) re-uses
its result too: a cache in memory (the language server's) keeps results made with an overlay,
one on disk only uses those it has (see `lint_project`).

A notebook (asynclint.notebook) is linted on its own and stays out of the project phase: no
module imports a notebook, and its name would stand for a module's (`helpers.ipynb` beside
`helpers.py`) in a project-wide check's call graph.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from asynclint.diagnostic import Diagnostic

if TYPE_CHECKING:
    from asynclint.cache import ProjectRecord, ResultCache
    from asynclint.config import Config
    from asynclint.engine import FileResult
    from asynclint.project import Sources


def _to_stderr(message: str) -> None:
    print(f"asynclint: error: {message}", file=sys.stderr)


@dataclass
class PipelineStats:
    """What one `lint_project` did, for `--verbose`."""

    cached: int = 0  # files whose results came from the cache
    linted: int = 0  # files linted in this run
    per_file_seconds: float = 0.0  # the per-file phase: cache look-ups and linting
    project_seconds: float = 0.0  # the project phase (0 when there is none)
    project_cached: bool = False  # the project phase's result came from the cache
    # Of the files linted this run: those libcst parsed, and those Python's parser alone read
    # (no enabled check could report in them), with their lines.
    libcst_files: int = 0
    libcst_lines: int = 0
    skipped_files: int = 0
    skipped_lines: int = 0

    def count(self, result: FileResult) -> None:
        if result.libcst_parsed:
            self.libcst_files += 1
            self.libcst_lines += result.lines
        else:
            self.skipped_files += 1
            self.skipped_lines += result.lines


def lint_project(
    files: list[str],
    config: Config,
    *,
    overlay: dict[str, str] | None = None,
    jobs: int | None = None,
    cache: ResultCache | None = None,
    report_error: Callable[[str], None] = _to_stderr,
    on_file_done: Callable[[int], None] | None = None,
    stats: PipelineStats | None = None,
    digests: dict[str, str] | None = None,
) -> list[Diagnostic]:
    """Every diagnostic of `files` (and of the overlay's paths), sorted. A file of `files`
    that is the same file as an overlay path (`pkg/views.py` and `./pkg/views.py`) is read
    from the overlay only. A project phase that fails is reported through `report_error`;
    the per-file findings stand. `on_file_done(n)` is called, in this process, as `n` more
    of `files` are finished (a progress bar); `stats`, when given, is filled in.

    `digests` (path -> content hash, with a cache) belongs to a caller that knows which files
    changed (the language server, told by the editor): a path in it is taken as unchanged and
    not read again; each file read is added. The caller removes a path when its file changes."""
    from asynclint.engine import Linter, map_paths
    from asynclint.notebook import is_notebook, lint_file, lint_notebook_data
    from asynclint.project import Sources, project_codes
    from asynclint.reporter import project_diagnostics

    stats = stats if stats is not None else PipelineStats()
    started = time.perf_counter()
    overlay = overlay or {}
    given = {os.path.abspath(path) for path in overlay}
    on_disk = [path for path in files if os.path.abspath(path) not in given]
    project = bool(project_codes(config))
    diagnostics: list[Diagnostic] = []
    summaries: dict[str, dict[str, dict]] = {}  # path -> {code: summary}, for the project phase
    if overlay:
        linter = Linter(config)
        for path, text in overlay.items():
            if is_notebook(path):
                diagnostics += lint_notebook_data(linter, text, path)
                continue
            by_code: dict[str, dict] | None = {} if project else None
            diagnostics += linter.lint_text(text, path, by_code)
            if by_code is not None:
                summaries[path] = by_code
    digests = {} if digests is None else digests  # every readable file's content hash, when caching
    stamps: dict[str, list[int] | None] = {}  # of the files read from disk: see cache.file_stamp
    to_lint = on_disk if cache is None else _from_cache(on_disk, cache, digests, diagnostics, stamps)
    stats.cached, stats.linted = len(on_disk) - len(to_lint), len(to_lint)
    if on_file_done is not None and stats.cached:
        on_file_done(stats.cached)
    task = functools.partial(lint_file, project=project)
    for result in map_paths(to_lint, config, task, jobs, on_done=on_file_done):
        diagnostics.extend(result.diagnostics)
        summaries[result.path] = result.summaries
        stats.count(result)
        if cache is not None and result.path in digests:
            cache.put(result.path, digests[result.path], result.diagnostics, result.summaries, stamps.get(result.path))
    stats.per_file_seconds = time.perf_counter() - started
    if project:
        started = time.perf_counter()
        paths = [path for path in on_disk + list(overlay) if not is_notebook(path)]
        sources = Sources(overlay)
        # The project phase reads the files' summaries (and the files it summarizes on demand):
        # its result is reused while they are the same, whatever else changed in the files.
        # An overlay file's summaries are those just made of its text.
        given_summaries = {path: summaries[path] for path in overlay if path in summaries}
        key = _project_key(paths, digests, given_summaries, cache) if cache is not None else None
        # Each file's content hash as the project phase reads it: an overlay file's is its text's.
        current = {**digests, **{path: _text_hash(text) for path, text in overlay.items()}}
        record = cache.project_result(key) if key is not None else None
        if record is not None and not _still_holds(record, current, sources):
            record = None
        stats.project_cached = record is not None
        if record is None:
            if cache is not None:  # the summaries of the files taken from the cache, read only now
                for path in paths:
                    if path not in summaries and path in digests:
                        summaries[path] = cache.summaries(path, digests[path])
            record = _project_phase(config, paths, summaries, jobs, cache, sources, digests, current, report_error)
            # A result made with an overlay is kept by a cache in memory (the language server's:
            # the next keystroke asks for it again), not on disk: there, standard input's buffers
            # (a run per keystroke or save in some editors) would evict the whole project's
            # results, of which only the last few are kept (`cache.PROJECT_RESULTS_KEPT`).
            keeps = not overlay or cache is not None and cache.directory is None
            if key is not None and record is not None and keeps:
                cache.put_project_result(key, record)
        if record is not None:
            diagnostics += project_diagnostics(record.reports, sources.text, config.ignore_noqa)
        stats.project_seconds = time.perf_counter() - started
    if cache is not None:
        cache.save()
    diagnostics.sort(key=Diagnostic.sort_key)
    return diagnostics


def _from_cache(files, cache: ResultCache, digests, diagnostics, stamps) -> list[str]:
    """Takes what the cache has for `files` (into `diagnostics`, and the content hash of every
    readable file `digests` does not have into it); returns the files that must be linted.
    A file whose size and modification time are those stored with its entry is not read (its
    stored hash stands); of the others, the stamp taken before reading goes into `stamps`."""
    from asynclint.cache import content_hash, file_stamp

    to_lint = []
    for path in files:
        digest = digests.get(path)
        if digest is None:
            try:
                stamp = file_stamp(os.stat(path))
                digest = cache.digest_if_unchanged(path, stamp)
                if digest is None:
                    digest = content_hash(Path(path).read_bytes())
                stamps[path] = stamp
            except OSError:
                to_lint.append(path)  # the engine reports why it cannot be read
                continue
            digests[path] = digest
        cached = cache.get(path, digest)
        if cached is None:
            to_lint.append(path)
        else:
            diagnostics.extend(cached)
    return to_lint


def _project_phase(
    config, paths, summaries, jobs, cache, sources, digests, current, report_error
) -> ProjectRecord | None:
    """The project phase's reports, with the content hashes (`current`) of the files they
    depend on beyond their summaries; None when it failed (and `report_error` was told)."""
    from asynclint.cache import ProjectRecord
    from asynclint.engine import fewer_collections
    from asynclint.project import run_project_checks

    # The hashes of what is on disk only: a summary the phase completes (a site placed) is
    # stored for the content it was made from, and an overlay file's is not what is on disk
    # (the language server's index has the saved file's hash).
    saved = {path: digest for path, digest in digests.items() if path not in sources.overlay}
    try:
        with fewer_collections():
            reports, read = run_project_checks(config, paths, summaries, jobs, cache, sources, saved)
    except Exception as exc:  # noqa: BLE001 - a failed project phase must not lose every file's findings
        if os.environ.get("ASYNCLINT_DEBUG"):
            raise
        report_error(
            f"the project-wide checks failed ({type(exc).__name__}: {exc}; please report it);"
            " only the per-file findings are reported"
        )
        return None
    placed = {place.path: current.get(place.path) for report in reports for place in report.places}
    last_lines: dict[str, int] = {}
    for report in reports:
        for place in report.places:
            line = max(place.position[2], place.position[5])  # the site's and its statement's last
            last_lines[place.path] = max(line, last_lines.get(place.path, 0))
    heads = {}
    for path, line in last_lines.items():
        text = sources.text(path)
        if text is not None:
            heads[path] = (line, _head_hash(text, line))
    return ProjectRecord(reports, read, placed, heads)


def _project_key(
    paths: list[str], digests: dict[str, str], given: dict[str, dict[str, dict]], cache: ResultCache
) -> str | None:
    """The key of the project phase's result for these files as they are: the summaries of
    the files on disk as the cache has them by content, those `given` (an overlay's, made of
    its text) as they are. None when a file's summaries are not known (it cannot be read)."""
    from asynclint.cache import summaries_digest

    found = {}
    for path in paths:
        if path in given:
            found[path] = summaries_digest(given[path])
            continue
        digest = digests.get(path)
        found[path] = cache.summaries_digest(path, digest) if digest is not None else None
        if found[path] is None:
            return None
    return project_key(found)


def project_key(summary_digests: dict[str, str]) -> str:
    """One digest of the whole set of files and their summaries (path -> `cache.summaries_digest`)."""
    import hashlib

    joined = "\n".join(f"{path}\0{summary_digests[path]}" for path in sorted(summary_digests))
    return hashlib.blake2b(joined.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _text_hash(text: str) -> str:
    """An overlay text's content hash: that of the file were it saved as UTF-8."""
    from asynclint.cache import content_hash

    return content_hash(text.encode("utf-8", "surrogatepass"))


def _head_hash(text: str, line: int) -> str:
    """The hash of `text` through its `line`-th line break (all of it when it has fewer)."""
    end = 0
    for _ in range(line):
        found = text.find("\n", end)
        if found < 0:
            return _text_hash(text)
        end = found + 1
    return _text_hash(text[:end])


def _still_holds(record: ProjectRecord, digests: dict[str, str], sources: Sources) -> bool:
    """Whether a cached result (for the same summaries) holds for the files as they are: the
    files summarized on demand are unchanged, and in each file the reports point into that
    changed since, every position they show is still where the site is (a comment added, a
    `# noqa`, moves none; a line added above moves them, and the messages name lines).

    A file whose text is the same through the last line the reports show in it (edited below
    it: where an editor's user is typing, often) holds them where they were: with the same
    summaries, the calls before and at each site are the same. Otherwise each site is placed
    again, by Python's parser (a cost near the whole project phase's on a small project)."""
    if any(digests.get(path) != digest for path, digest in record.read.items()):
        return False
    for path, digest in record.placed.items():
        if digests.get(path) == digest:
            continue
        places = [place for report in record.reports for place in report.places if place.path == path]
        text = sources.text(path)
        if text is None:
            return False
        head = record.heads.get(path)
        if head is not None and _head_hash(text, head[0]) == head[1]:
            continue
        if any(place.rank is None for place in places):
            return False
        from asynclint.analysis.sourceorder import ast_positions

        found = ast_positions(text, dict(enumerate(place.rank for place in places)), *places[0].counts)
        if found is None or any(found[index] != place.position for index, place in enumerate(places)):
            return False
    return True
