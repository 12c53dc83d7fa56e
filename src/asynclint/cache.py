"""Per-file results keyed by file content, so an unchanged file is never parsed twice.

Everything for one config fingerprint (the config, the tables and asynclint's version) lives
under `<cache dir>/<fingerprint>/`, laid out so that a run reads in proportion to what it needs:

- `files/<xx>.json`: each file's content hash, diagnostics, a digest of its summaries and its
  stamp (size and modification time: a file whose stamp is unchanged is not read again, as
  ruff decides; see `file_stamp`), in 256 shards by a hash of the path. A run reads only the shards of the files it checks (a
  pre-commit run on ten files, ten small shards), each once.
- `summaries/<xx>.json`: the summaries project-wide checks made of each file (by code; see
  `ProjectCheck`), sharded the same way. They are most of what is stored (96% on aiohttp), and
  are read only when the project phase runs, which it does not while no file of the run changed:
- `project/<key>.json`: the project phase's reports, before `# noqa` is applied, for one set
  of files and their summaries (`key` from `pipeline.project_key`), with what else they were
  made from: the content hashes of the files summarized on demand and of the files the
  reports point into, and a hash of each of those through the last line the reports show
  (see `pipeline._still_holds`). An edit that changes no summary (a
  comment, a `# noqa`) keeps them. The last few sets are kept, so a pre-commit run on a few
  files and a run over the whole project do not evict each other's. A cache in memory (the
  language server's) keeps as many, the least recently used going first, and also keeps the
  results made with an editor's unsaved buffer (`pipeline.lint_project`).

A changed file, a changed config or a new asynclint version all miss. Each shard is written
atomically; a corrupt, unreadable or foreign shard is treated as empty: the cache can only
make a run faster, never wrong. Two runs at once may each drop the other's new entries from
a shard both wrote, which costs the next run a miss, nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from asynclint.diagnostic import Diagnostic
from asynclint.reporter import SiteReport

# 7: a file's entry holds its stamp (size and modification time). 6: a file's entry holds the
# digest of its summaries; the project phase's result is keyed by
# them and holds its reports before noqa. 5: sharded under <fingerprint>/ (4 was one
# <fingerprint>.json, deleted on the first save).
_FORMAT = 7
# How many of the project phase's results (sets of files) are kept.
PROJECT_RESULTS_KEPT = 8


# A file modified this recently may be modified again within the same clock tick, leaving its
# size and modification time as they were: its stamp is not kept (it is read and hashed again
# next time), as git treats its "racily clean" index entries.
_SETTLED_NS = 2_000_000_000


def file_stamp(status: os.stat_result) -> list[int] | None:
    """What says a file is unchanged without reading it, as ruff's cache decides: its size and
    modification time; None while the modification is too recent to vouch for the content."""
    if abs(time.time_ns() - status.st_mtime_ns) < _SETTLED_NS:
        return None
    return [status.st_size, status.st_mtime_ns]


def holds_results(directory: Path, fingerprint: str) -> bool:
    """Whether a run has written results under `directory` for this config fingerprint."""
    return (directory / fingerprint).is_dir()


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def summaries_digest(summaries: dict[str, dict]) -> str:
    """One digest of a file's summaries (by code): what the project phase reads of the file."""
    return content_hash(json.dumps(summaries, sort_keys=True).encode("utf-8", "surrogatepass"))


@dataclass
class ProjectRecord:
    """The project phase's result for one set of files and summaries: its reports, and the
    content hashes of the files it also depends on (see `pipeline._still_holds`)."""

    reports: list[SiteReport]
    read: dict[str, str | None]  # the files summarized on demand
    placed: dict[str, str]  # the files the reports' positions are in
    # Of those, each one's text through the last line a report shows in it: (that line, hash).
    heads: dict[str, tuple[int, str]]


def _shard_name(path: str) -> str:
    return hashlib.blake2b(path.encode("utf-8", "surrogateescape"), digest_size=1).hexdigest()


class _Shards:
    """Entries by path, `[content hash, *values]` (of `value_types`), in shard files under
    `directory` (None: in memory only), each shard read when one of its paths is first asked for."""

    def __init__(self, directory: Path | None, value_types: tuple[type, ...]) -> None:
        self.directory = directory
        self._value_types = value_types
        self._loaded: dict[str, dict[str, list]] = {}
        self._dirty: set[str] = set()

    def _shard(self, name: str) -> dict[str, list]:
        shard = self._loaded.get(name)
        if shard is None:
            shard = self._loaded[name] = _read_entries(self.directory / f"{name}.json") if self.directory else {}
        return shard

    def stored(self, path: str) -> list | None:
        """`[content hash, *values]` stored for `path`; None if there is no entry of the shape
        `put` writes (the file may have been damaged or written by something else)."""
        entry = self._shard(_shard_name(path)).get(path)
        well_formed = (
            isinstance(entry, list)
            and len(entry) == 1 + len(self._value_types)
            and isinstance(entry[0], str)
            and all(isinstance(value, kind) for value, kind in zip(entry[1:], self._value_types))
        )
        return entry if well_formed else None

    def get(self, path: str, digest: str) -> list | None:
        """The values stored for this content of `path` (see `stored`)."""
        entry = self.stored(path)
        return entry[1:] if entry is not None and entry[0] == digest else None

    def put(self, path: str, digest: str, *values) -> None:
        name = _shard_name(path)
        self._shard(name)[path] = [digest, *values]
        self._dirty.add(name)

    def save(self) -> None:
        if self.directory is None or not self._dirty:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        for name in sorted(self._dirty):
            _write_json(self.directory / f"{name}.json", {"format": _FORMAT, "entries": self._loaded[name]})
        self._dirty.clear()


class ResultCache:
    """`directory` None: a cache that lives in memory only (the language server's)."""

    def __init__(self, directory: Path | None, fingerprint: str) -> None:
        self.directory = directory
        self._fingerprint = fingerprint
        root = directory / fingerprint if directory is not None else None
        # [content hash, diagnostics, `summaries_digest` of the file's summaries, `file_stamp`]
        self._files = _Shards(root / "files" if root else None, (list, str, (list, type(None))))
        self._summaries = _Shards(root / "summaries" if root else None, (dict,))
        self._project_directory = root / "project" if root else None
        self._project: dict[str, dict] = {}  # key -> ProjectRecord's document, read or put this run
        self._new_projects: list[str] = []

    def get(self, path: str, digest: str) -> list[Diagnostic] | None:
        found = self._files.get(path, digest)
        if found is None:
            return None
        try:
            return [Diagnostic.from_dict(item) for item in found[0]]
        except (LookupError, TypeError, ValueError, AttributeError):  # damaged: check the file again
            return None

    def digest_if_unchanged(self, path: str, stamp: list[int] | None) -> str | None:
        """The content hash stored for `path` when the file's stamp (`file_stamp`) is the one
        stored with it: the file need not be read."""
        entry = self._files.stored(path)
        return entry[0] if stamp is not None and entry is not None and entry[3] == stamp else None

    def summaries_digest(self, path: str, digest: str) -> str | None:
        """`summaries_digest` of the summaries stored with this content of `path`."""
        found = self._files.get(path, digest)
        return found[1] if found is not None else None

    def summaries(self, path: str, digest: str) -> dict[str, dict]:
        """The project-wide checks' summaries of the file with this content, by code."""
        found = self._summaries.get(path, digest)
        return found[0] if found is not None else {}

    def put(
        self,
        path: str,
        digest: str,
        diagnostics: list[Diagnostic],
        summaries: dict[str, dict] | None = None,
        stamp: list[int] | None = None,
    ) -> None:
        """`stamp`: the file's `file_stamp`, taken before its content was read (None: none)."""
        self._files.put(path, digest, [d.to_dict() for d in diagnostics], summaries_digest(summaries or {}), stamp)
        if summaries:
            self._summaries.put(path, digest, dict(summaries))

    def put_summary(self, path: str, digest: str, code: str, summary: dict) -> None:
        """Add (or complete) one check's summary of a file already in the cache."""
        if self._files.get(path, digest) is None:
            return
        self._summaries.put(path, digest, {**self.summaries(path, digest), code: summary})

    def project_result(self, key: str) -> ProjectRecord | None:
        """The project phase's record for exactly this set of files and summaries."""
        if key not in self._project and self._project_directory is not None:
            document = _read_document(self._project_directory / f"{key}.json")
            if document:
                self._project[key] = document
        found = self._project.get(key)
        if found is None:
            return None
        if self._project_directory is None:  # the most recently used last (see put_project_result)
            self._project[key] = self._project.pop(key)
        try:
            reports = [SiteReport.from_dict(item) for item in found["reports"]]
            read, placed = dict(found["read"]), dict(found["placed"])
            heads = {path: (int(line), str(digest)) for path, (line, digest) in found["heads"].items()}
        except (LookupError, TypeError, ValueError, AttributeError):
            return None
        return ProjectRecord(reports, read, placed, heads)

    def put_project_result(self, key: str, record: ProjectRecord) -> None:
        self._project[key] = {
            "reports": [report.to_dict() for report in record.reports],
            "read": record.read,
            "placed": record.placed,
            "heads": record.heads,
        }
        if self._project_directory is not None:
            self._new_projects.append(key)
        else:
            # In memory for as long as the language server runs, with results made with each
            # editor buffer's summaries: the least recently used go, as on disk the oldest.
            for stale in list(self._project)[:-PROJECT_RESULTS_KEPT]:
                del self._project[stale]

    def save(self) -> None:
        if self.directory is None:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            marker = self.directory / ".gitignore"
            if not marker.exists():
                marker.write_text("# created by asynclint\n*\n", encoding="utf-8")
            self._files.save()
            self._summaries.save()
            self._save_project_results()
            (self.directory / f"{self._fingerprint}.json").unlink(missing_ok=True)  # format 4's file
        except OSError:
            pass  # a read-only checkout still gets correct results, just not faster ones

    def _save_project_results(self) -> None:
        if not self._new_projects or self._project_directory is None:
            return
        self._project_directory.mkdir(parents=True, exist_ok=True)
        for key in self._new_projects:
            _write_json(self._project_directory / f"{key}.json", {"format": _FORMAT, **self._project[key]})
        self._new_projects.clear()
        results = sorted(self._project_directory.glob("*.json"), key=_modified, reverse=True)
        for stale in results[PROJECT_RESULTS_KEPT:]:
            stale.unlink(missing_ok=True)


def _modified(file: Path) -> float:
    try:
        return file.stat().st_mtime
    except OSError:
        return 0.0


def _read_document(file: Path) -> dict:
    """A shard's JSON document of this format; {} when it is missing, damaged or another
    format's."""
    try:
        document = json.loads(file.read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    return document if isinstance(document, dict) and document.get("format") == _FORMAT else {}


def _read_entries(file: Path) -> dict[str, list]:
    entries = _read_document(file).get("entries")
    return entries if isinstance(entries, dict) else {}


def _write_json(file: Path, document: dict) -> None:
    """Replace `file` atomically: a reader sees the old document or the new one."""
    import tempfile  # here: 3 ms to import, and a warm run with nothing new writes nothing

    handle, temporary = tempfile.mkstemp(dir=file.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(json.dumps(document).encode())
        os.replace(temporary, file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
