"""Per-file results keyed by file content, so an unchanged file is never parsed twice.

Everything for one config fingerprint (the config, the tables and asynclint's version) lives
under `<cache dir>/<fingerprint>/`, laid out so that a run reads in proportion to what it needs:

- `files/<xx>.json`: each file's content hash and diagnostics, in 256 shards by a hash of the
  path. A run reads only the shards of the files it checks (a pre-commit run on ten files, ten
  small shards), each once.
- `summaries/<xx>.json`: the summaries project-wide checks made of each file (by code; see
  `ProjectCheck`), sharded the same way. They are most of what is stored (96% on aiohttp), and
  are read only when the project phase runs, which it does not while no file of the run changed:
- `project/<key>.json`: the project phase's findings for one set of files and contents (`key`
  from `pipeline.project_key`). The last few sets are kept, so a pre-commit run on a few files
  and a run over the whole project do not evict each other's.

A changed file, a changed config or a new asynclint version all miss. Each shard is written
atomically; a corrupt, unreadable or foreign shard is treated as empty: the cache can only
make a run faster, never wrong. Two runs at once may each drop the other's new entries from
a shard both wrote, which costs the next run a miss, nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from asynclint.diagnostic import Diagnostic

# 5: sharded under <fingerprint>/ (4 was one <fingerprint>.json, deleted on the first save).
_FORMAT = 5
# How many of the project phase's results (sets of files) are kept.
PROJECT_RESULTS_KEPT = 8


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _shard_name(path: str) -> str:
    return hashlib.blake2b(path.encode("utf-8", "surrogateescape"), digest_size=1).hexdigest()


class _Shards:
    """Entries by path, `[content hash, value]`, in shard files under `directory` (None: in
    memory only), each shard read when one of its paths is first asked for."""

    def __init__(self, directory: Path | None, value_type: type) -> None:
        self.directory = directory
        self._value_type = value_type
        self._loaded: dict[str, dict[str, list]] = {}
        self._dirty: set[str] = set()

    def _shard(self, name: str) -> dict[str, list]:
        shard = self._loaded.get(name)
        if shard is None:
            shard = self._loaded[name] = _read_entries(self.directory / f"{name}.json") if self.directory else {}
        return shard

    def get(self, path: str, digest: str):
        """The value stored for this content of `path`; None if there is none of the shape
        `put` writes (the file may have been damaged or written by something else)."""
        entry = self._shard(_shard_name(path)).get(path)
        well_formed = isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], self._value_type)
        return entry[1] if well_formed and entry[0] == digest else None

    def put(self, path: str, digest: str, value) -> None:
        name = _shard_name(path)
        self._shard(name)[path] = [digest, value]
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
        self._files = _Shards(root / "files" if root else None, list)
        self._summaries = _Shards(root / "summaries" if root else None, dict)
        self._project_directory = root / "project" if root else None
        self._project: dict[str, list] = {}  # key -> diagnostics (as dicts), read or put this run
        self._new_projects: list[str] = []

    def get(self, path: str, digest: str) -> list[Diagnostic] | None:
        found = self._files.get(path, digest)
        if found is None:
            return None
        try:
            return [Diagnostic.from_dict(item) for item in found]
        except (LookupError, TypeError, ValueError, AttributeError):  # damaged: check the file again
            return None

    def summaries(self, path: str, digest: str) -> dict[str, dict]:
        """The project-wide checks' summaries of the file with this content, by code."""
        return self._summaries.get(path, digest) or {}

    def put(
        self, path: str, digest: str, diagnostics: list[Diagnostic], summaries: dict[str, dict] | None = None
    ) -> None:
        self._files.put(path, digest, [d.to_dict() for d in diagnostics])
        if summaries:
            self._summaries.put(path, digest, dict(summaries))

    def put_summary(self, path: str, digest: str, code: str, summary: dict) -> None:
        """Add (or complete) one check's summary of a file already in the cache."""
        if self._files.get(path, digest) is None:
            return
        self._summaries.put(path, digest, {**self.summaries(path, digest), code: summary})

    def project_result(self, key: str) -> list[Diagnostic] | None:
        """The project-wide checks' diagnostics for exactly this set of files and contents."""
        if key not in self._project and self._project_directory is not None:
            document = _read_document(self._project_directory / f"{key}.json")
            if isinstance(document.get("diagnostics"), list):
                self._project[key] = document["diagnostics"]
        found = self._project.get(key)
        if found is None:
            return None
        try:
            return [Diagnostic.from_dict(item) for item in found]
        except (LookupError, TypeError, ValueError, AttributeError):
            return None

    def put_project_result(self, key: str, diagnostics: list[Diagnostic]) -> None:
        self._project[key] = [d.to_dict() for d in diagnostics]
        self._new_projects.append(key)

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
            _write_json(self._project_directory / f"{key}.json", {"format": _FORMAT, "diagnostics": self._project[key]})
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
    handle, temporary = tempfile.mkstemp(dir=file.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(json.dumps(document).encode())
        os.replace(temporary, file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
