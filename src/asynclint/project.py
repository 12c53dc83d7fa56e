"""The second phase of project-wide checks (`ProjectCheck` in checks/base.py), run once per
`asynclint check` in the main process, after every file has been linted (or taken from the
cache) with its summaries.

A check sees the run through `Project`: the checked files, the summaries phase 1 gathered,
and what it needs of the run as data or services computed here: the codes a helper chain may
end in, the files it reports in, more files summarized on demand (in parallel, like linting,
and cached), positions of sites by rank from a file's current text. It reads no file and no
configuration itself, and returns `reporter.SiteReport`s, which the reporter judges by noqa.
The engine knows nothing of what a summary holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asynclint.registry import RULES

if TYPE_CHECKING:
    from asynclint.cache import ResultCache
    from asynclint.config import Config
    from asynclint.reporter import SiteReport


class Sources:
    """The checked files' text as the project phase and the reporter read it: an overlay's
    text (an editor's buffer) where there is one, else the file on disk, read once."""

    def __init__(self, overlay: dict[str, str] | None = None) -> None:
        # path -> text that stands for the file instead of what is on disk (an editor's buffer)
        self.overlay = overlay or {}
        self._texts: dict[str, str | None] = {}

    def text(self, path: str) -> str | None:
        """The file's source as it is now (None when it cannot be read or decoded)."""
        if path in self.overlay:
            return self.overlay[path]
        if path not in self._texts:
            from asynclint.sourcefile import UncheckableSource, decode

            try:
                with open(path, "rb") as handle:
                    self._texts[path] = decode(handle.read()).text
            except (OSError, UncheckableSource):
                self._texts[path] = None
        return self._texts[path]


class Project:
    def __init__(
        self,
        config: Config,
        code: str,
        paths: list[str],
        summaries: dict[str, dict],
        jobs: int | None,
        cache: ResultCache | None,
        sources: Sources,
        digests: dict[str, str],
    ) -> None:
        from asynclint.engine import followed_codes

        self._config = config
        self.code = code
        self.paths = paths  # every checked file
        self.summaries = summaries  # path -> summary, for the files phase 1 summarized
        # The codes whose blocking calls a helper chain may end in (those the config ignores
        # end none).
        self.followed_codes = followed_codes(config)
        self._jobs = jobs
        self._cache = cache
        self._sources = sources
        self._digests = dict(digests)  # path -> content hash of the file a summary was made from
        self._overlay = sources.overlay
        # path -> content hash of each file on disk summarized on demand (None: unreadable):
        # the project phase's result depends on their contents, not only on phase 1's summaries.
        self.read_on_demand: dict[str, str | None] = {}

    def reports_in(self, path: str) -> bool:
        """Whether the check's code is enabled for `path` (per-file ignores)."""
        return self.code in self._config.codes_for(path)

    def summarize(self, paths: list[str], locate: dict[str, frozenset[int]] | None = None) -> dict[str, dict | None]:
        """Phase 1 for `paths` now (None for a file that cannot be parsed), with positions for
        the sites `locate` names per path. The results are cached like phase 1's."""
        from asynclint.engine import map_paths

        locate = locate or {}
        found: dict[str, dict | None] = {}
        given = [path for path in paths if path in self._overlay]
        if given:
            from asynclint.engine import Linter

            linter = Linter(self._config)
            for path in given:
                where = frozenset(locate.get(path, ()))
                try:
                    found[path] = linter.summarize_text(self._overlay[path], path, self.code, where)
                except Exception:  # noqa: BLE001 - as `_summarize`: the file's own lint says why
                    found[path] = None
        items = [(path, self.code, frozenset(locate.get(path, ()))) for path in paths if path not in self._overlay]
        for path, digest, summary in map_paths(items, self._config, _summarize, self._jobs):
            found[path] = summary
            self.read_on_demand[path] = digest
            if digest is not None:
                self._digests[path] = digest
                if path not in locate:
                    self.store_summary(path, summary)
        return found

    def store_summary(self, path: str, summary: dict) -> None:
        """Keep a file's (completed) summary in the cache, for the content it was made from."""
        digest = self._digests.get(path)
        if self._cache is not None and digest is not None:
            self._cache.put_summary(path, digest, self.code, summary)

    def place_by_rank(
        self, path: str, wanted: dict[int, tuple[bool, int, str]], calls: int, attributes: int
    ) -> dict[int, tuple] | None:
        """Positions of the `wanted` sites ({site: (is attribute, rank, last name)}) in the
        file's current text, by Python's parser (analysis/sourceorder.py); None when the file
        cannot be read or the parsers disagree on it."""
        from asynclint.analysis.sourceorder import ast_positions

        text = self._sources.text(path)
        return None if text is None else ast_positions(text, wanted, calls, attributes)


def _summarize(linter, item: tuple[str, str, frozenset[int]]):
    """The worker task: (path, code, sites to place) -> (path, content hash, summary). A file
    that breaks the parser or a check has no summary; it never stops the run (the file's own
    lint reports why it could not be checked)."""
    path = item[0]
    try:
        return (path, *linter.summarize(*item))
    except Exception:  # noqa: BLE001 - one file's crash must not stop the others
        return (path, None, None)


def project_codes(config: Config) -> list[str]:
    return [
        code
        for code in sorted(config.enabled)
        if RULES[code].project_wide
    ]


def run_project_checks(
    config: Config,
    paths: list[str],
    summaries: dict[str, dict[str, dict]],
    jobs: int | None,
    cache: ResultCache | None,
    sources: Sources,
    digests: dict[str, str],
) -> tuple[list[SiteReport], dict[str, str | None]]:
    """Phase 2 of every enabled project-wide check: their reports, and the content hash of
    each file they had summarized on demand. `summaries`: path -> {code: summary}; `digests`:
    path -> content hash, of the files on disk; `sources`: the files' texts, an overlay's
    (see `pipeline.lint_project`) where it stands for the file."""
    found: list[SiteReport] = []
    read: dict[str, str | None] = {}
    for code in project_codes(config):
        of_code = {path: by_code[code] for path, by_code in summaries.items() if code in by_code}
        project = Project(config, code, paths, of_code, jobs, cache, sources, digests)
        found += RULES[code].check.check_project(project)
        read.update(project.read_on_demand)
    return found, read
