#!/usr/bin/env python3
"""Recall of asynclint on flake8-async's reference suite (its tests/eval_files).

flake8-async writes what it must report on the offending line (`# ASYNC210: 4, 'requests.get'`:
code, 0-based column, message arguments). Where one of its codes means the same thing as one of
ours (CODE_MAP below), that expectation is one asynclint should meet too. The script downloads
the pinned flake8-async sdist once into bench/.cache/flake8-async/ (with bench/run.py's helpers;
nothing of it is kept in this repository), runs `asynclint check` on every eval file with only
the mapped codes selected, and prints found/expected per flake8-async code and overall, each
expectation asynclint misses, and each finding of a mapped code on a line flake8-async expects
nothing of (to be judged by reading: flake8-async leaves some real blocking calls unreported).

An expectation is found when asynclint reports the mapped code on its line, at its column or,
failing that, anywhere on the line (a column that differs is listed). Standard library only.

    python bench/flake8_async_recall.py [--cache DIR] [--quiet]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from run import DEFAULT_CACHE_DIR, Project, download_sdist, unpack_once

FLAKE8_ASYNC = Project("flake8-async", "26.8.1")

# flake8-async code -> asynclint code that reports the same lines. Unlisted codes have no
# counterpart: ASYNC1xx and ASYNC9xx are trio/anyio structure and cancellation rules
# (checkpoints, nurseries, cancel scopes); ASYNC200 matches user-configured wildcard patterns
# given on its command line, which asynclint's extend-blocking-calls does not take.
CODE_MAP: dict[str, str] = {
    "ASYNC210": "ASY101",  # requests/httpx/httpx2 module calls, urllib3.request, urlopen
    "ASYNC211": "ASY101",  # urllib3 pool `.request("GET", ...)`; here on a typed PoolManager
    "ASYNC212": "ASY101",  # methods of httpx(2).Client and urllib3 pools/managers
    "ASYNC220": "ASY102",  # process creation: subprocess.Popen, os.popen, os.spawn*(P_NOWAIT)
    "ASYNC221": "ASY102",  # waits for a process: subprocess.run/..., os.system, os.spawn*(P_WAIT)
    "ASYNC222": "ASY102",  # os.wait*
    "ASYNC230": "ASY103",  # open, io.open
    "ASYNC231": "ASY103",  # os.fdopen
    "ASYNC232": "ASY103",  # methods of a file object
    "ASYNC240": "ASY103",  # os.path functions that touch the disk (see PURE_PATH_FUNCTIONS)
    "ASYNC250": "ASY108",  # input()
    "ASYNC251": "ASY100",  # time.sleep
    "ASYNC300": "ASY602",  # create_task whose result is discarded
}

# ASYNC240 also names os.path functions that are path arithmetic on strings and never touch the
# disk; asynclint deliberately leaves them alone (docs/rules/ASY103.md), so those expectations
# are not counted. relpath is string work too, plus one os.getcwd() for a relative path (as
# abspath, which flake8-async does not report either).
PURE_PATH_FUNCTIONS = frozenset({"normpath", "_path_normpath", "relpath"})

# Expectations asynclint does not meet on purpose, each with the reason, judged by reading the
# eval file (flake8-async 26.8.1 line numbers). They are counted apart: recall is printed over
# every expectation and over the rest.
DISPUTED_REASONS = {
    "unbound": "`request`/`urlopen` are bound nowhere in the file and name no module: asynclint "
    "resolves an unbound name only when it is a module its tables know (`subprocess.run`)",
    "close": "`Client.close()` closes pooled sockets without a round trip; like a file's "
    "`close()` it is deliberately not listed as blocking",
    "rebound": "the module rebinds the name later (`glob_client: int = 4`); when the function "
    "runs, the module is fully executed and the name holds an int",
    "no such method": "`anything()` is no method of the type; asynclint lists the methods that do "
    "I/O (a urllib3 pool's request/urlopen/request_encode_*, a file's read/write/seek/...), not "
    "every attribute (`is_same_host`, `tell`, `fileno` do none)",
    "folded": "reported once, at the `open()` that made the file (`... opens a file ...; its reads "
    "and writes then block the loop too`): one finding per file object",
    "flake8-async false alarm": "flake8-async's own \"known unhandled\" case: `f` was rebound to "
    "`arbitrary_function()` or `7` before the call, so it is no longer known to be a file",
    "awaited": "an awaited or `async with` call is an async library's (catalogue: `await "
    "open(...)` of an async library is not a blocking call); the builtin would raise TypeError",
    "private": "`os.path._joinrealpath` is a private helper of posixpath; the public "
    "`os.path.realpath`, which runs it, is reported",
}
DISPUTED: dict[tuple[str, int], str] = {
    ("async210.py", 50): "unbound",
    ("async210.py", 51): "unbound",
    ("async212.py", 7): "close",
    ("async212.py", 66): "close",
    ("async212.py", 49): "rebound",
    **{("async212.py", line): "no such method" for line in range(104, 123, 2)},
    ("async232.py", 16): "no such method",
    ("async232.py", 17): "no such method",
    ("async232_asyncio.py", 17): "no such method",
    ("async232_asyncio.py", 18): "no such method",
    ("async232.py", 117): "folded",
    ("async232.py", 126): "folded",
    ("async232.py", 133): "folded",
    ("async232_asyncio.py", 118): "folded",
    ("async232_asyncio.py", 127): "folded",
    ("async232_asyncio.py", 134): "folded",
    ("async232.py", 204): "flake8-async false alarm",
    ("async232.py", 206): "flake8-async false alarm",
    ("async232_asyncio.py", 205): "flake8-async false alarm",
    ("async232_asyncio.py", 207): "flake8-async false alarm",
    ("async23x.py", 31): "awaited",
    ("async23x_asyncio.py", 35): "awaited",
    ("async240.py", 30): "awaited",
    ("async240.py", 14): "private",
}

# `# ASYNC210: 4, 'requests.get'` (several may share a line); an `_asyncio` suffix marks the
# message variant flake8-async prints for asyncio, the same expectation.
EXPECTATION = re.compile(r"#\s*(ASYNC\d{3})(?:_\w+)?:\s*(\d+)\s*(?:,([^#]*))?")
# flake8-async runs each eval file under trio, anyio and asyncio; `# NOTRIO` or
# `# TRIO_NO_ERROR` (and so on) take a library out. A file's expectations hold for the libraries
# left, and none of the mapped codes depends on which one that is.
LIBRARIES = ("trio", "anyio", "asyncio")
# flake8-async enables only the file's own code (from its name, async210.py), or the codes of
# an `# ARG --enable=...` line: a real blocking call in another code's file carries no
# expectation there.
ENABLE_ARGUMENT = re.compile(r"#\s*ARG\s+--enable=(\S+)")


@dataclass(frozen=True)
class Expectation:
    file: str
    line: int
    column: int  # 1-based, as asynclint prints it
    code: str  # flake8-async's
    arguments: str


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    column: int
    code: str  # asynclint's
    message: str


def expectations_in(path: Path) -> list[Expectation]:
    text = path.read_text(encoding="utf-8")
    if all(re.search(rf"#\s*(NO{lib.upper()}|{lib.upper()}_NO_ERROR)\b", text) for lib in LIBRARIES):
        return []  # flake8-async itself checks these expectations under no library
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue  # commented-out code, as flake8-async's own harness skips it
        for match in EXPECTATION.finditer(line):
            code, column, arguments = match.groups()
            if code not in CODE_MAP:
                continue
            arguments = (arguments or "").strip()
            if code == "ASYNC240" and _first_argument(arguments) in PURE_PATH_FUNCTIONS:
                continue
            found.append(Expectation(path.name, number, int(column) + 1, code, arguments))
    return found


def checked_codes(path: Path) -> frozenset[str]:
    """The asynclint codes whose lines flake8-async checks in this file."""
    text = path.read_text(encoding="utf-8")
    enabled = ENABLE_ARGUMENT.search(text)
    codes = enabled.group(1).split(",") if enabled else [path.stem.split("_")[0].upper()]
    return frozenset(CODE_MAP[code] for code in codes if code in CODE_MAP)


def _first_argument(arguments: str) -> str:
    return arguments.split(",")[0].strip().strip("'\"")


def run_asynclint(files: list[Path], workdir: Path) -> list[Finding]:
    # An explicit config selecting only the mapped codes, so that no pyproject.toml above the
    # cache (this repository's own) decides what runs.
    config = workdir / "asynclint-recall.toml"
    config.write_text(f"select = {sorted(set(CODE_MAP.values()))!r}\n", encoding="utf-8")
    command = [
        sys.executable, "-m", "asynclint", "check", "--config", str(config), "--no-cache",
        "--jobs", "1", "--output-format", "json", "--exit-zero", *map(str, files),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, cwd=workdir)
    if completed.returncode != 0:
        sys.exit(f"asynclint failed ({completed.returncode}):\n{completed.stderr}")
    return [
        Finding(Path(item["path"]).name, item["line"], item["column"], item["code"], item["message"])
        for item in json.loads(completed.stdout)
    ]


def match(expected: list[Expectation], findings: list[Finding]
          ) -> tuple[list[Expectation], list[tuple[Expectation, Finding]], list[Finding]]:
    """(missed expectations, expectations found at another column, findings nothing expects)."""
    unused: dict[tuple[str, int, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        unused[finding.file, finding.line, finding.code].append(finding)
    missed, elsewhere, pending = [], [], []
    for expectation in expected:
        candidates = unused[expectation.file, expectation.line, CODE_MAP[expectation.code]]
        exact = next((f for f in candidates if f.column == expectation.column), None)
        if exact is None:
            pending.append(expectation)
        else:
            candidates.remove(exact)
    for expectation in pending:
        candidates = unused[expectation.file, expectation.line, CODE_MAP[expectation.code]]
        if candidates:
            elsewhere.append((expectation, candidates.pop(0)))
        else:
            missed.append(expectation)
    extra = sorted((f for group in unused.values() for f in group), key=lambda f: (f.file, f.line))
    return missed, elsewhere, extra


def _ratio(found: int, total: int) -> str:
    return f"{found:>5} / {total:<8} {found / total:.1%}" if total else "    - / 0"


def source_line(eval_dir: Path, file: str, line: int) -> str:
    return (eval_dir / file).read_text(encoding="utf-8").splitlines()[line - 1].strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE_DIR / "flake8-async",
                        help="where the sdist and its unpacked tree go")
    parser.add_argument("--quiet", action="store_true", help="only the per-code table")
    args = parser.parse_args(argv)

    tree = unpack_once(download_sdist(FLAKE8_ASYNC, args.cache), FLAKE8_ASYNC, args.cache)
    eval_dir = tree / "tests" / "eval_files"
    files = sorted(eval_dir.glob("*.py"))
    expected = [e for path in files for e in expectations_in(path)]
    findings = run_asynclint(files, args.cache)
    missed, elsewhere, extra = match(expected, findings)
    checked = {path.name: checked_codes(path) for path in files}
    unexpected = [f for f in extra if f.code in checked[f.file]]
    elsewhere_files = Counter(f.code for f in extra if f.code not in checked[f.file])

    disputed = [e for e in expected if (e.file, e.line) in DISPUTED]
    missed_disputed = [e for e in missed if (e.file, e.line) in DISPUTED]
    missed_agreed = [e for e in missed if (e.file, e.line) not in DISPUTED]

    totals, misses = Counter(e.code for e in expected), Counter(e.code for e in missed)
    disputes = Counter(e.code for e in disputed)
    print(f"flake8-async {FLAKE8_ASYNC.version} eval files: {len(files)}; asynclint codes "
          f"{', '.join(sorted(set(CODE_MAP.values())))}\n")
    print(f"{'flake8-async':<13} {'asynclint':<10} {'found':>5} / {'expected':<8} {'recall':<7}"
          f" disputed")
    for code in sorted(totals):
        found = totals[code] - misses[code]
        print(f"{code:<13} {CODE_MAP[code]:<10} {found:>5} / {totals[code]:<8} "
              f"{found / totals[code]:<7.0%} {disputes[code] or ''}")
    print(f"{'all expectations':<24} {_ratio(len(expected) - len(missed), len(expected))}")
    lines = {(e.file, e.line) for e in expected}
    missed_lines = {(e.file, e.line) for e in missed}
    print(f"{'all lines':<24} {_ratio(len(lines - missed_lines), len(lines))}")
    agreed = len(expected) - len(disputed)
    print(f"{'without the disputed':<24} {_ratio(agreed - len(missed_agreed), agreed)}"
          f"   ({len(disputed)} disputed, {len(disputed) - len(missed_disputed)} of them found)")
    print(f"\nfindings on lines flake8-async expects nothing of, in files where it checks that"
          f" code: {len(unexpected)}; in files where it checks other codes only: "
          + (", ".join(f"{code} {n}" for code, n in sorted(elsewhere_files.items())) or "none"))
    if args.quiet:
        return 0
    if missed_agreed:
        print("\nmissed:")
        for e in missed_agreed:
            print(f"  {e.file}:{e.line}:{e.column} {e.code} ({CODE_MAP[e.code]})  "
                  f"{source_line(eval_dir, e.file, e.line)}")
    if missed_disputed:
        print("\nmissed on purpose (disputed), by reason:")
        for reason, text in DISPUTED_REASONS.items():
            group = [e for e in missed_disputed if DISPUTED[e.file, e.line] == reason]
            if group:
                print(f"  {reason}: {text}")
            for e in group:
                print(f"    {e.file}:{e.line} {e.code}  {source_line(eval_dir, e.file, e.line)}")
    if elsewhere:
        print("\nfound at another column:")
        for e, f in elsewhere:
            print(f"  {e.file}:{e.line} {e.code}: expected column {e.column}, reported {f.column}")
    if unexpected:
        print("\nnot expected by flake8-async in a file where it checks that code (judge each):")
        for f in unexpected:
            print(f"  {f.file}:{f.line}:{f.column} {f.code}  {source_line(eval_dir, f.file, f.line)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
