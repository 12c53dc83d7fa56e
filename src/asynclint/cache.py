"""Per-file results keyed by file content, so an unchanged file is never parsed twice.

One JSON document per config fingerprint (`<cache dir>/<fingerprint>.json`), mapping each
path to the hash of the content it was checked with, the diagnostics found, and the summaries
project-wide checks made of it (by code; see `ProjectCheck`), so a warm run parses nothing;
and the project-wide checks' findings of the last run, reused only while no file of the run
changed. A changed file, a changed config or a new asynclint version all miss. Writes are atomic, and a corrupt
or unreadable cache is treated as empty: the cache can only make a run faster, never wrong.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from asynclint.diagnostic import Diagnostic

# 4: notebooks are read as notebooks; an entry made when a `.ipynb` named on the command line
# was read as Python source is stale.
_FORMAT = 4


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class ResultCache:
    """`directory` None: a cache that lives in memory only (the language server's)."""

    def __init__(self, directory: Path | None, fingerprint: str) -> None:
        self.directory = directory
        self._file = directory / f"{fingerprint}.json" if directory is not None else None
        self._entries: dict[str, list] = {}
        # [digest of every file checked, diagnostics] of the last run's project-wide checks
        self._project: list | None = None
        self._dirty = False
        if self._file is None:
            return
        try:
            document = json.loads(self._file.read_bytes())
            if document.get("format") == _FORMAT and isinstance(document["files"], dict):
                self._entries = document["files"]
                self._project = document.get("project")
        except (OSError, ValueError, KeyError, AttributeError):
            self._entries = {}

    def _entry(self, path: str, digest: str) -> list | None:
        """The entry for this content of `path`, if there is one of the shape `put` writes:
        the cache file may have been damaged or written by something else."""
        entry = self._entries.get(path)
        well_formed = (
            isinstance(entry, list)
            and len(entry) in (2, 3)
            and isinstance(entry[1], list)
            and (len(entry) == 2 or isinstance(entry[2], dict))
        )
        return entry if well_formed and entry[0] == digest else None

    def get(self, path: str, digest: str) -> list[Diagnostic] | None:
        entry = self._entry(path, digest)
        if entry is None:
            return None
        try:
            return [Diagnostic.from_dict(item) for item in entry[1]]
        except (LookupError, TypeError, ValueError):  # a damaged entry: check the file again
            return None

    def summaries(self, path: str, digest: str) -> dict[str, dict]:
        """The project-wide checks' summaries of the file with this content, by code."""
        entry = self._entry(path, digest)
        return entry[2] if entry is not None and len(entry) == 3 else {}

    def put(
        self, path: str, digest: str, diagnostics: list[Diagnostic], summaries: dict[str, dict] | None = None
    ) -> None:
        self._entries[path] = [digest, [d.to_dict() for d in diagnostics], dict(summaries or {})]
        self._dirty = True

    def put_summary(self, path: str, digest: str, code: str, summary: dict) -> None:
        """Add (or complete) one check's summary of a file already in the cache."""
        entry = self._entry(path, digest)
        if entry is None:
            return
        if len(entry) < 3:
            entry.append({})
        entry[2][code] = summary
        self._dirty = True

    def project_result(self, key: str) -> list[Diagnostic] | None:
        """The project-wide checks' diagnostics for exactly this set of files and contents."""
        if not (isinstance(self._project, list) and len(self._project) == 2 and self._project[0] == key):
            return None
        try:
            return [Diagnostic.from_dict(item) for item in self._project[1]]
        except (LookupError, TypeError, ValueError):
            return None

    def put_project_result(self, key: str, diagnostics: list[Diagnostic]) -> None:
        self._project = [key, [d.to_dict() for d in diagnostics]]
        self._dirty = True

    def save(self) -> None:
        if not self._dirty or self.directory is None:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            marker = self.directory / ".gitignore"
            if not marker.exists():
                marker.write_text("# created by asynclint\n*\n", encoding="utf-8")
            document = {"format": _FORMAT, "files": self._entries, "project": self._project}
            payload = json.dumps(document).encode()
            handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                stream.write(payload)
            os.replace(temporary, self._file)
        except OSError:
            pass  # a read-only checkout still gets correct results, just not faster ones
