"""`--write-baseline FILE` and `--baseline FILE`: adopt asynclint on a large codebase by
recording today's findings and reporting only new ones from then on.

The file holds one fingerprint per finding (asynclint.fingerprint: path, code, the
whitespace-normalised code the finding covers, and an occurrence index), so a finding keeps
its identity when lines are inserted or removed above it. Paths are taken relative to the
baseline file's directory, so the baseline works whatever directory asynclint runs from.
Path, code and code text are stored beside each fingerprint for people reading the file;
only the fingerprints are compared.
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePath
from typing import Callable

from asynclint.diagnostic import Diagnostic
from asynclint.fingerprint import fingerprints, source_text

FORMAT = 1


class BaselineError(Exception):
    """A baseline file that is missing or is not one."""


def _path_key(base: Path) -> Callable[[str], str]:
    def key(path: str) -> str:
        absolute = os.path.abspath(path)
        try:
            relative = os.path.relpath(absolute, base)
        except ValueError:
            return PurePath(absolute).as_posix()
        if relative == os.pardir or relative.startswith(os.pardir + os.sep):
            return PurePath(absolute).as_posix()
        return PurePath(relative).as_posix()

    return key


def _base(file: Path) -> Path:
    return Path(os.path.abspath(file)).parent


def check_writable(file: Path) -> None:
    """Fail before any work when the baseline cannot be written where it is asked for."""
    directory = _base(file)
    if not directory.is_dir():
        problem = "is not a directory" if directory.exists() else "does not exist"
        raise BaselineError(f"{file}: cannot write the baseline: {directory} {problem}")


def write_baseline(file: Path, diagnostics: list[Diagnostic], source_lines) -> int:
    """Record `diagnostics` in `file`; returns how many."""
    from asynclint.fixer import write_atomically

    key = _path_key(_base(file))
    prints = fingerprints(diagnostics, source_lines, key)
    findings = sorted(
        (
            {
                "fingerprint": fingerprint,
                "path": key(d.path),
                "code": d.code,
                "source": source_text(d.span, source_lines(d.path))[:200],
            }
            for d, fingerprint in zip(diagnostics, prints)
        ),
        key=lambda f: (f["path"], f["code"], f["source"], f["fingerprint"]),
    )
    document = {"asynclint-baseline": FORMAT, "findings": findings}
    data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    try:
        if file.exists():
            write_atomically(str(file), data)
        else:
            file.write_bytes(data)
    except OSError as exc:
        raise BaselineError(f"{file}: cannot write the baseline: {exc.strerror}") from None
    return len(findings)


def load_baseline(file: Path) -> frozenset[str]:
    try:
        document = json.loads(file.read_bytes())
    except FileNotFoundError:
        raise BaselineError(f"{file}: baseline file not found (create it with --write-baseline {file})") from None
    except OSError as exc:
        raise BaselineError(f"{file}: cannot read the baseline: {exc.strerror}") from None
    except ValueError as exc:
        raise BaselineError(f"{file}: not a baseline file (invalid JSON: {exc})") from None
    if not isinstance(document, dict) or document.get("asynclint-baseline") != FORMAT:
        raise BaselineError(f"{file}: not an asynclint baseline file (format {FORMAT})")
    try:
        return frozenset(finding["fingerprint"] for finding in document["findings"])
    except (KeyError, TypeError):
        raise BaselineError(f"{file}: malformed baseline file: each finding needs a fingerprint") from None


def new_findings(file: Path, known: frozenset[str], diagnostics: list[Diagnostic], source_lines) -> list[Diagnostic]:
    """The diagnostics whose fingerprints `known` (loaded from `file`) does not hold."""
    prints = fingerprints(diagnostics, source_lines, _path_key(_base(file)))
    return [d for d, fingerprint in zip(diagnostics, prints) if fingerprint not in known]
