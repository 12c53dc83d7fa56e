"""The second phase of project-wide checks (`ProjectCheck` in checks/base.py), run once per
`asynclint check` in the main process, after every file has been linted (or taken from the
cache) with its summaries.

A check sees the run through `Project`: the checked files, the summaries phase 1 gathered,
a way to summarize more files on demand (in parallel, like linting, and cached), and the
`# noqa` comments and per-file selection of the files it reports in. The engine knows nothing
of what a summary holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asynclint.diagnostic import Diagnostic
from asynclint.registry import RULES

if TYPE_CHECKING:
    from asynclint.cache import ResultCache
    from asynclint.config import Config


class Project:
    def __init__(
        self,
        config: Config,
        code: str,
        paths: list[str],
        summaries: dict[str, dict],
        jobs: int | None,
        cache: ResultCache | None,
        overlay: dict[str, str] | None = None,
    ) -> None:
        self.config = config
        self.code = code
        self.paths = paths  # every checked file
        self.summaries = summaries  # path -> summary, for the files phase 1 summarized
        self._jobs = jobs
        self._cache = cache
        # path -> text that stands for the file instead of what is on disk (an editor's buffer)
        self._overlay = overlay or {}
        self._digests: dict[str, str] = {}
        self._texts: dict[str, str | None] = {}
        self._suppressions: dict[str, object] = {}
        self.files_summarized_on_demand = 0

    def codes_for(self, path: str) -> frozenset[str]:
        return self.config.codes_for(path)

    def summarize(self, paths: list[str], locate: dict[str, frozenset[int]] | None = None) -> dict[str, dict | None]:
        """Phase 1 for `paths` now (None for a file that cannot be parsed), with positions for
        the sites `locate` names per path. The results are cached like phase 1's."""
        from asynclint.engine import map_paths

        locate = locate or {}
        found: dict[str, dict | None] = {}
        given = [path for path in paths if path in self._overlay]
        if given:
            from asynclint.engine import Linter

            linter = Linter(self.config)
            for path in given:
                where = frozenset(locate.get(path, ()))
                try:
                    found[path] = linter.summarize_text(self._overlay[path], path, self.code, where)
                except Exception:  # noqa: BLE001 - as `_summarize`: the file's own lint says why
                    found[path] = None
        items = [(path, self.code, frozenset(locate.get(path, ()))) for path in paths if path not in self._overlay]
        for path, digest, summary in map_paths(items, self.config, _summarize, self._jobs):
            found[path] = summary
            if digest is not None:
                self._digests[path] = digest
                if path not in locate:
                    self.store_summary(path, summary)
        self.files_summarized_on_demand += len(paths)
        return found

    def store_summary(self, path: str, summary: dict) -> None:
        """Keep a file's (completed) summary in the cache, for the content it was made from."""
        digest = self._digests.get(path)
        if self._cache is not None and digest is not None:
            self._cache.put_summary(path, digest, self.code, summary)

    def text(self, path: str) -> str | None:
        """The file's source as it is now (None when it cannot be read or decoded)."""
        if path in self._overlay:
            return self._overlay[path]
        if path not in self._texts:
            from asynclint.cache import content_hash
            from asynclint.sourcefile import UncheckableSource, decode

            try:
                with open(path, "rb") as handle:
                    data = handle.read()
                self._texts[path] = decode(data).text
                self._digests.setdefault(path, content_hash(data))
            except (OSError, UncheckableSource):
                self._texts[path] = None
        return self._texts[path]

    def silenced(self, path: str, code: str, lines: tuple[int, ...]) -> bool:
        """Whether a finding of `code` on these lines of `path` is silenced by `# noqa` (or
        the file by `# asynclint: noqa`); never under `--ignore-noqa`."""
        if self.config.ignore_noqa:
            return False
        if path not in self._suppressions:
            from asynclint.positions import split_lines
            from asynclint.suppression import Suppressions, file_is_exempt

            text = self.text(path)
            exempt = text is None or file_is_exempt(text)
            self._suppressions[path] = None if exempt else Suppressions(split_lines(text))
        suppressions = self._suppressions[path]
        return suppressions is None or suppressions.silences(code, lines)


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
    overlay: dict[str, str] | None = None,
) -> list[Diagnostic]:
    """Phase 2 of every enabled project-wide check. `summaries`: path -> {code: summary};
    `overlay`: path -> the text that stands for that file (see `pipeline.lint_project`)."""
    found: list[Diagnostic] = []
    for code in project_codes(config):
        of_code = {path: by_code[code] for path, by_code in summaries.items() if code in by_code}
        project = Project(config, code, paths, of_code, jobs, cache, overlay)
        found += RULES[code].check.check_project(project)
    return found
