#!/usr/bin/env python3
"""Time asynclint against ruff, flake8-async and fixit on the pinned corpus of async projects.

Downloads the sdists listed in bench/corpus.toml, unpacks each once into the cache directory, and
measures every tool run's CPU time (user + system of the whole process tree, worker processes
included), wall time and peak memory. asynclint and ruff are measured in pairs, interleaved, cold,
warm and after one file is edited; flake8-async and fixit cold. Prints the medians, asynclint's
ratios and the goals of issue 13, and writes every sample to bench/results/. See bench/README.md.

Standard library only, so it runs in whatever environment holds the tools being timed.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10, where asynclint itself depends on tomli
    import tomli as tomllib

BENCH_DIR = Path(__file__).resolve().parent
CORPUS_FILE = BENCH_DIR / "corpus.toml"
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_CACHE_DIR = BENCH_DIR / ".cache"

# Stands for the paths being checked in a command line; expands to one argument per path.
PATHS = "<paths>"

TOOL_NAMES = ("asynclint", "ruff", "flake8", "fixit")
# The tools measured in pairs (cold, warm, edited); the others are slow and run cold only.
PAIRED = ("asynclint", "ruff")

# Every tool exits 0 when clean and 1 with findings; any other code means it failed.
COMPLETED_EXIT_CODES = frozenset({0, 1})

# The pre-commit case: how many files a commit hands the hook.
PRECOMMIT_FILES = 10

# Appended to one file for the one-file-edited case: code, as a user's edit is, so that it
# changes what a project-wide check reads of the file (a function more in its summary) and no
# finding. A comment alone would change only the bytes, size and mtime; asynclint then re-uses
# its project phase, which a real edit does not let it do.
EDIT_TEXT = b"def _edited_by_bench():  # appended by bench/run.py for the one-file-edited case\n    return None\n"

# asynclint prints "... (170 files checked)." after the findings.
FILES_CHECKED = re.compile(r"\((\d[\d,]*) files? checked\)")

MEMORY_SAMPLE_SECONDS = 0.05
# A run shorter than this gets too few samples for a peak: its tree PSS is left out.
MEMORY_SAMPLED_RUN_SECONDS = 10 * MEMORY_SAMPLE_SECONDS

MIB = 1024  # KiB per MiB


# ---------------------------------------------------------------- corpus: download and unpack


@dataclass(frozen=True)
class Project:
    name: str
    version: str
    large: bool = False

    @property
    def slug(self) -> str:
        return f"{self.name}-{self.version}"


def load_corpus(path: Path) -> list[Project]:
    with path.open("rb") as f:
        data = tomllib.load(f)
    return [Project(p["name"], p["version"], p.get("large", False)) for p in data["project"]]


def download_sdist(project: Project, cache_dir: Path) -> Path:
    """Return the project's sdist, downloading it with pip the first time."""
    target = cache_dir / "sdists" / project.slug
    existing = sorted(target.glob("*")) if target.is_dir() else []
    if existing:
        return existing[0]
    target.mkdir(parents=True, exist_ok=True)
    # --no-binary for this project only: the sdist is what we want, while the build backend pip
    # installs to read the sdist's metadata may come as wheels (building SQLAlchemy's Cython
    # from source takes minutes). --ignore-requires-python: the source is read, never installed.
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
        "--no-binary", project.name, "--ignore-requires-python",
        "--dest", str(target), f"{project.name}=={project.version}",
    ]
    completed = subprocess.run(command, capture_output=True, text=True)
    downloaded = sorted(target.glob("*"))
    if completed.returncode != 0 or not downloaded:
        sys.exit(f"could not download {project.slug}:\n{completed.stderr}")
    return downloaded[0]


def unpack_once(sdist: Path, project: Project, cache_dir: Path) -> Path:
    """Return the unpacked project tree, unpacking the sdist the first time."""
    destination = trees_dir(cache_dir) / project.slug
    if not destination.is_dir():
        # Unpack beside it and rename, so an interrupted unpack is never taken for a finished one.
        partial = destination.with_name(destination.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        with tarfile.open(sdist) as archive:
            # The "data" filter refuses links and paths that leave the destination. Pythons before
            # 3.10.12 and 3.11.4 lack it and ignore the attribute.
            archive.extraction_filter = getattr(tarfile, "data_filter", None)
            archive.extractall(partial)
        partial.rename(destination)
    entries = list(destination.iterdir())
    # An sdist normally holds a single NAME-VERSION/ directory: lint that.
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else destination


def trees_dir(cache_dir: Path) -> Path:
    return cache_dir / "trees"


def python_files(tree: Path) -> list[Path]:
    """The files under `tree` that the linters check: *.py and stubs."""
    found = [*tree.rglob("*.py"), *tree.rglob("*.pyi")]
    return sorted(path for path in found if path.is_file())


def count_python(tree: Path) -> tuple[int, int]:
    """Number of Python files under tree and their total number of lines."""
    files = python_files(tree)
    return len(files), sum(len(path.read_bytes().splitlines()) for path in files)


def package_files(tree: Path, name: str) -> list[Path]:
    """The project's importable code (what its developers edit most), sorted by size then path;
    every Python file if the package directory is not at the top, under src/ or under lib/."""
    for package in (tree / name, tree / "src" / name, tree / "lib" / name):
        if package.is_dir():
            files = python_files(package)
            if files:
                break
    else:
        files = python_files(tree)
    return sorted(files, key=lambda path: (path.stat().st_size, str(path)))


def mid_size_file(tree: Path, name: str) -> Path:
    """The file edited in the one-file-edited case: the package's median file by size."""
    files = package_files(tree, name)
    return files[len(files) // 2]


def spread_files(tree: Path, name: str, count: int) -> list[Path]:
    """`count` package files spread evenly over the range of sizes, smallest to largest."""
    files = package_files(tree, name)
    if len(files) <= count:
        return files
    return [files[round(i * (len(files) - 1) / (count - 1))] for i in range(count)]


# ---------------------------------------------------------------- tools


@dataclass(frozen=True)
class Tool:
    """How to run one linter cold, and warm if it has a cache."""

    name: str  # as given to --tools
    label: str  # as shown in the report
    version: str
    cold: tuple[str, ...]
    warm: tuple[str, ...] | None = None  # None: the tool has no cache
    # Deleted before every cold run and before the run that fills the cache for a warm one;
    # relative to the working directory unless absolute.
    cache_dir: str | None = None
    # Exit codes meaning the run completed but some files could not be parsed.
    partial_exit_codes: frozenset[int] = frozenset()
    # A flag that makes asynclint print how many files and lines libcst parsed and skipped.
    statistics_flag: str | None = None

    def command(self, way: str, paths: list[str]) -> list[str]:
        argv = self.cold if way == "cold" else self.warm
        command = []
        for arg in argv:
            command += paths if arg == PATHS else [arg]
        return command


def snapshot_asynclint(revision: str, cache_dir: Path) -> str:
    """An `asynclint` command that runs the repository's code as of `revision`, installed once
    (not editable) under the cache directory: a working tree that changes during a run, or a
    revision to compare with, is then timed as it was committed."""
    repository = BENCH_DIR.parent
    commit = subprocess.run(["git", "rev-parse", "--verify", f"{revision}^{{commit}}"],
                            cwd=repository, capture_output=True, text=True)
    if commit.returncode != 0:
        sys.exit(f"--asynclint-rev: {commit.stderr.strip()}")
    target = cache_dir / "asynclint-snapshots" / commit.stdout.strip()[:12]
    command = target / "asynclint"
    if command.is_file():
        return str(command)
    shutil.rmtree(target, ignore_errors=True)
    source, library = target / "source", target / "lib"
    source.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "--format=tar", commit.stdout.strip()],
                             cwd=repository, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extraction_filter = getattr(tarfile, "data_filter", None)
        tar.extractall(source)
    # Into a directory of its own, put first on PYTHONPATH: the editable install of the working
    # tree in this environment is found only after it. The build needs no network: setuptools
    # comes from this environment.
    # --compile (pip's default, made explicit against a configuration that turns it off): the
    # modules' bytecode is written at install, as a user's install has it. Without it every
    # timed run would compile asynclint's modules afresh wherever Python writes no bytecode
    # (PYTHONDONTWRITEBYTECODE), some 40 ms no user pays.
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--compile", "--target", str(library), str(source)], capture_output=True, text=True)
    if installed.returncode != 0:
        sys.exit(f"--asynclint-rev: could not install {revision}:\n{installed.stderr}")
    command.write_text(f'#!/bin/sh\nPYTHONPATH="{library}" exec "{sys.executable}" -m asynclint "$@"\n')
    command.chmod(0o755)
    return str(command)


def find_executable(name: str) -> str | None:
    """The tool installed beside this interpreter (an unactivated venv) first, then on PATH."""
    return shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)


def version_of(exe: str) -> str:
    """`exe --version` on one line (flake8 wraps its list of plugins over several)."""
    completed = subprocess.run([exe, "--version"], capture_output=True, text=True)
    return " ".join((completed.stdout or completed.stderr).split())


def asynclint_tool(exe: str, version: str, cache_dir: Path, jobs: int | None) -> Tool:
    """Adapts to the flags `asynclint check --help` lists, so older versions can be timed too."""
    help_text = subprocess.run([exe, "check", "--help"], capture_output=True, text=True).stdout
    # No --quiet: the run prints its findings and "(N files checked)", as a user sees them.
    base = (exe, "check", PATHS)
    if jobs is not None:
        base += ("--jobs", str(jobs))
    if "--cache-dir" in help_text:
        # Like ruff's: outside the trees, and not wherever ASYNCLINT_CACHE_DIR happens to point.
        cache = str(cache_dir / "asynclint-cache")
        base += ("--cache-dir", cache)
    else:
        cache = ".asynclint_cache"  # next to the config, which is the working directory here
    cold = base + (("--no-cache",) if "--no-cache" in help_text else ())
    warm = base if "cache" in help_text.lower() else None
    # -v/--verbose is where asynclint reports how many files and lines libcst parsed and skipped.
    statistics_flag = "--verbose" if "--verbose" in help_text else None
    return Tool("asynclint", "asynclint", version, cold, warm, cache,
                statistics_flag=statistics_flag)


def plan_tools(names: list[str], cache_dir: Path, jobs: int | None, asynclint: str | None
               ) -> tuple[dict[str, Tool], dict[str, str]]:
    """The installed tools among `names`, and why each of the others is missing. `asynclint`:
    the asynclint command to time instead of the one installed."""
    tools: dict[str, Tool] = {}
    missing: dict[str, str] = {}
    for name in names:
        exe = asynclint if name == "asynclint" and asynclint else find_executable(name)
        if exe is None:
            missing[name] = "not installed"
            continue
        version = version_of(exe)
        if name == "asynclint":
            if asynclint:
                version += f" ({asynclint})"
            tools[name] = asynclint_tool(exe, version, cache_dir, jobs)
        elif name == "ruff":
            # --isolated: the projects' own ruff settings (excludes, per-file ignores) would
            # make the file set differ from what the other tools see.
            base = (exe, "check", "--isolated", "--select", "ASYNC")
            cache = str(cache_dir / "ruff-cache")
            tools[name] = Tool(name, "ruff", version, base + ("--no-cache", PATHS),
                               base + ("--cache-dir", cache, PATHS), cache)
        elif name == "flake8":
            # Without the plugin, `flake8 --select ASYNC` checks nothing yet looks like a result.
            if "flake8-async" not in version:
                missing[name] = "the flake8-async plugin is not installed"
                continue
            # --isolated as for ruff, and because a project's flake8 config may name plugins
            # that are not installed here.
            tools[name] = Tool(name, "flake8-async", version,
                               (exe, "--isolated", "--select", "ASYNC", PATHS))
        else:
            # fixit sets exit bit 1 for lint findings and bit 2 when a file fails to parse
            # (test fixtures with deliberate syntax errors); either way the run completed.
            tools[name] = Tool(name, "fixit", version, (exe, "lint", PATHS),
                               partial_exit_codes=frozenset({2, 3}))
    return tools, missing


def ruff_file_count(ruff: Tool, paths: list[str], cwd: Path) -> int | None:
    """How many files ruff checks (`--show-files` lists them without linting)."""
    command = [arg for arg in ruff.command("cold", paths) if arg != "--no-cache"]
    command.insert(command.index(paths[0]), "--show-files")
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if completed.returncode != 0:
        return None
    return sum(1 for line in completed.stdout.splitlines() if line.strip())


# ---------------------------------------------------------------- one run: CPU, wall, memory


@dataclass
class Sample:
    """One run of one tool."""

    status: str  # "ok", "partial" (some files unparsed) or "error"
    exit_code: int
    wall: float
    user: float
    system: float
    # ru_maxrss of the run: the largest resident set of any single process in the tree (the
    # tool, or one of its workers), exact.
    max_rss_kib: int
    # The sum over the tree's live processes of their proportional set size (shared pages split
    # between the processes sharing them), sampled every MEMORY_SAMPLE_SECONDS: the memory the
    # run takes from the machine, a lower bound since a peak between samples is missed. None
    # where /proc/<pid>/smaps_rollup does not exist, and for runs too short to sample.
    tree_peak_kib: int | None
    files_checked: int | None = None
    error: str | None = None

    @property
    def cpu(self) -> float:
        return self.user + self.system

    @property
    def timed(self) -> bool:
        return self.status != "error"


class TreeMemory:
    """Samples the summed PSS of a process and all its descendants in a thread."""

    available = Path("/proc/self/smaps_rollup").exists()

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._peak = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-memory", daemon=True)

    def start(self) -> None:
        if self.available:
            self._thread.start()

    def stop(self) -> int | None:
        """The peak in KiB, or None if /proc cannot tell."""
        if not self.available:
            return None
        self._done.set()
        self._thread.join()
        return self._peak

    def _run(self) -> None:
        while not self._done.is_set():
            self._peak = max(self._peak, sum(map(_pss_kib, _process_tree(self._pid))))
            self._done.wait(MEMORY_SAMPLE_SECONDS)


def _process_tree(root: int) -> list[int]:
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        try:
            # A child is listed under the thread that created it.
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    pending += map(int, children.read().split())
        except OSError:  # ended since it was listed
            pass
    return tree


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):  # ended, or a zombie whose memory is already gone
        pass
    return 0


# A fixed piece of pure-Python work, timed at the start and the end of a run. Its CPU time
# varies with how contended the machine is (shared cores and caches slow the same work down);
# compare it between runs before comparing their absolute CPU times. Ratios of paired runs
# depend on it much less.
CALIBRATION = [sys.executable, "-c", "sum(range(10_000_000))"]


def calibrate() -> float:
    """The median CPU time of three runs of CALIBRATION."""
    samples = []
    for _ in range(3):
        process = subprocess.Popen(CALIBRATION)
        _, _, rusage = os.wait4(process.pid, 0)
        process.returncode = 0
        samples.append(rusage.ru_utime + rusage.ru_stime)
    return statistics.median(samples)


def max_rss_kib(rusage) -> int:
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    return rusage.ru_maxrss // 1024 if sys.platform == "darwin" else rusage.ru_maxrss


def error_line(stderr: str) -> str:
    """The line of stderr that says what went wrong."""
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    if not lines:
        return "(no output on stderr)"
    # A traceback's first line says nothing; its last names the exception.
    return lines[-1] if lines[0].startswith("Traceback") else lines[0]


def run_once(tool: Tool, command: list[str], cwd: Path) -> Sample:
    """Run `command` and measure it. The tool's output goes to temporary files, not pipes, so
    that nothing needs reading while it runs; os.wait4 then returns the resource usage of the
    process together with that of every descendant it waited for (a worker pool's processes are
    joined by the tool before it exits)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                   stderr=err)
        memory = TreeMemory(process.pid)
        memory.start()
        try:
            _, status, rusage = os.wait4(process.pid, 0)
        except BaseException:  # interrupted: leave no tool running behind us
            process.kill()
            process.wait()
            raise
        wall = time.perf_counter() - start
        tree_peak = memory.stop()
        if wall < MEMORY_SAMPLED_RUN_SECONDS:
            tree_peak = None
        # Reaped by wait4: tell the Popen object, which would otherwise try to reap it again.
        process.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    sample = Sample("ok", code, wall, rusage.ru_utime, rusage.ru_stime, max_rss_kib(rusage),
                    tree_peak)
    crashed = "Traceback (most recent call last)" in stderr
    if crashed or code not in COMPLETED_EXIT_CODES | tool.partial_exit_codes:
        sample.status = "error"
        sample.error = error_line(stderr)
    elif code in tool.partial_exit_codes:
        sample.status = "partial"
    checked = FILES_CHECKED.search(stdout) or FILES_CHECKED.search(stderr)
    if tool.name == "asynclint" and checked:
        sample.files_checked = int(checked.group(1).replace(",", ""))
    return sample


# ---------------------------------------------------------------- cases


@dataclass
class Case:
    """The repetitions of one tool run one way on one target."""

    samples: list[Sample] = field(default_factory=list)

    @property
    def error(self) -> str | None:
        failed = [s for s in self.samples if not s.timed]
        return failed[0].error if failed else None

    @property
    def measured(self) -> bool:
        return bool(self.samples) and self.error is None

    @property
    def partial(self) -> bool:
        return any(s.status == "partial" for s in self.samples)

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(s, attribute) for s in self.samples)

    @property
    def cpu(self) -> float:
        return self.median("cpu")

    @property
    def wall(self) -> float:
        return self.median("wall")

    @property
    def max_rss_kib(self) -> int:
        return max(s.max_rss_kib for s in self.samples)

    @property
    def tree_peak_kib(self) -> int | None:
        peaks = [s.tree_peak_kib for s in self.samples if s.tree_peak_kib is not None]
        return max(peaks) if peaks else None

    @property
    def files_checked(self) -> int | None:
        return self.samples[-1].files_checked


@dataclass
class Target:
    """What one invocation checks: a project's tree, or every selected tree at once."""

    name: str
    cwd: Path
    paths: list[str]  # relative to cwd
    files: int
    lines: int
    edit_file: Path | None
    projects: int = 1
    cases: dict[str, dict[str, Case]] = field(default_factory=dict)  # way -> tool -> case
    ruff_files: int | None = None
    statistics_lines: list[str] = field(default_factory=list)

    def case(self, way: str, tool: str) -> Case:
        return self.cases.setdefault(way, {}).setdefault(tool, Case())

    def measured(self, way: str, tool: str) -> Case | None:
        case = self.cases.get(way, {}).get(tool)
        return case if case is not None and case.measured else None


def clear_cache(tool: Tool, cwd: Path) -> None:
    if tool.cache_dir is not None:
        shutil.rmtree(cwd / tool.cache_dir, ignore_errors=True)


@contextmanager
def edited(path: Path, cache_dir: Path):
    """The file with EDIT_TEXT appended, then exactly as it was, mtime included. A copy is kept
    in the cache directory until then, so that a run killed outright is undone by the next."""
    original = path.read_bytes()
    status = path.stat()
    backup = edit_backup(cache_dir)
    backup.write_text(json.dumps({
        "path": str(path), "times_ns": [status.st_atime_ns, status.st_mtime_ns],
        "content": base64.b64encode(original).decode(),
    }))
    separator = b"" if original.endswith(b"\n") or not original else b"\n"
    try:
        path.write_bytes(original + separator + EDIT_TEXT)
        yield
    finally:
        path.write_bytes(original)
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
        backup.unlink()


def edit_backup(cache_dir: Path) -> Path:
    return cache_dir / "edited-file-backup.json"


def undo_interrupted_edit(cache_dir: Path) -> None:
    backup = edit_backup(cache_dir)
    if backup.is_file():
        saved = json.loads(backup.read_text())
        path = Path(saved["path"])
        path.write_bytes(base64.b64decode(saved["content"]))
        os.utime(path, ns=tuple(saved["times_ns"]))
        backup.unlink()
        progress(f"restored {path}, left edited by an interrupted run")


def measure_paired(target: Target, tools: list[Tool], repeat: int, cache_dir: Path) -> None:
    """asynclint and ruff, interleaved: in each repetition both run cold, then both run warm and
    edited, the order of the two alternating between repetitions so that a change in the
    machine's load falls on both."""
    for repetition in range(repeat):
        order = tools if repetition % 2 == 0 else tools[::-1]
        for tool in order:
            clear_cache(tool, target.cwd)
            record(target, "cold", tool, run_once(tool, tool.command("cold", target.paths),
                                                  target.cwd))
        for tool in order:
            if tool.warm is None:
                continue
            clear_cache(tool, target.cwd)
            command = tool.command("warm", target.paths)
            filled = run_once(tool, command, target.cwd)
            if not filled.timed:
                record(target, "warm", tool, filled)
                continue
            record(target, "warm", tool, run_once(tool, command, target.cwd))
            if target.edit_file is not None:
                with edited(target.edit_file, cache_dir):
                    record(target, "edited", tool, run_once(tool, command, target.cwd))


def measure_cold(target: Target, tools: list[Tool], repeat: int) -> None:
    for _ in range(repeat):
        for tool in tools:
            record(target, "cold", tool, run_once(tool, tool.command("cold", target.paths),
                                                  target.cwd))


def record(target: Target, way: str, tool: Tool, sample: Sample) -> None:
    target.case(way, tool.name).samples.append(sample)
    progress(f"  {tool.label} {way}: {describe_sample(sample)}")


def collect_statistics(target: Target, asynclint: Tool) -> None:
    """The lines in which asynclint says how many files and lines libcst parsed and skipped, from
    one more (untimed) cold run with its statistics flag."""
    if asynclint.statistics_flag is None:
        return
    command = asynclint.command("cold", target.paths) + [asynclint.statistics_flag]
    completed = subprocess.run(command, cwd=target.cwd, capture_output=True, text=True,
                               errors="replace")
    output = completed.stderr.splitlines() + completed.stdout.splitlines()
    target.statistics_lines = [line.strip() for line in output if "libcst" in line.lower()]


# ---------------------------------------------------------------- report


@dataclass
class Results:
    """Everything a report is made from; saved as JSON, so a report can be printed again."""

    tools: dict[str, Tool]
    missing: dict[str, str]  # tool name -> why it was not run
    projects: list[Target]  # measured one by one
    corpus: Target | None  # --whole-corpus
    precommit: Target | None
    settings: dict
    load: tuple[float, float]  # load average at the start and the end
    calibration: tuple[float, float] | None  # CPU s of CALIBRATION at the start and the end
    corpus_size: int  # projects in corpus.toml

    @property
    def measured(self) -> list[Target]:
        return [*self.projects, *([self.corpus] if self.corpus else [])]


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def describe_sample(sample: Sample) -> str:
    if not sample.timed:
        return f"ERROR: {sample.error}"
    memory = f", max RSS {sample.max_rss_kib / MIB:.0f} MiB"
    if sample.tree_peak_kib is not None:
        memory += f", tree PSS {sample.tree_peak_kib / MIB:.0f} MiB"
    return f"CPU {seconds(sample.cpu)}s, wall {seconds(sample.wall)}s{memory}"


def seconds_cell(case: Case | None) -> str:
    if case is None or not case.samples:
        return "-"
    if case.error is not None:
        return f"ERROR: {case.error}"
    return f"{seconds(case.cpu)} / {seconds(case.wall)}" + ("*" if case.partial else "")


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def seconds(value: float) -> str:
    # ruff's runs take hundredths of a second: a third digit keeps its ratios meaningful.
    return f"{value:.3f}" if value < 1 else f"{value:.2f}"


def times(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}x" if value >= 10 else f"{value:.1f}x"


def ratio(numerator: Case | None, denominator: Case | None) -> float | None:
    """CPU time of one case over another's, both medians."""
    if numerator is None or denominator is None or denominator.cpu == 0:
        return None
    return numerator.cpu / denominator.cpu


def summed(targets: list[Target], way: str, tool: str) -> Case | None:
    """One case whose samples are the per-target medians added up, over every target (None if
    any of them lacks the case: a sum over fewer projects would read as the same total)."""
    cases = [target.measured(way, tool) for target in targets]
    if not cases or any(case is None for case in cases):
        return None
    total = Sample("ok", 0, sum(c.wall for c in cases), sum(c.median("user") for c in cases),
                   sum(c.median("system") for c in cases), max(c.max_rss_kib for c in cases),
                   None)
    return Case([total])


def summed_pair(targets: list[Target], way: str, numerator: str, denominator: str
                ) -> tuple[Case | None, Case | None, int]:
    """Both tools' summed cases over the targets where both were measured, and how many."""
    both = [t for t in targets if t.measured(way, numerator) and t.measured(way, denominator)]
    return summed(both, way, numerator), summed(both, way, denominator), len(both)


def format_table(header: list[str], rows: list[list[str]], totals: int = 0) -> str:
    """Rows, with the last `totals` of them below a rule; first column left-aligned."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    rule = "  ".join("-" * w for w in widths)

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    body = [line(r) for r in rows]
    if totals:
        body.insert(len(rows) - totals, rule)
    return "\n".join([line(header), rule, *body])


def rows_with_totals(projects: list[Target], corpus: Target | None, row) -> tuple[list, int]:
    """Table rows for each project, a summed total row if there are several, and the
    one-invocation corpus row; and how many rows are totals."""
    rows = [row(t.name, [t]) for t in projects]
    totals = 0
    if len(projects) > 1:
        rows.append(row(f"total ({len(projects)} runs)", projects))
        totals += 1
    if corpus is not None:
        rows.append(row(f"corpus (1 run, {plural(corpus.projects, 'project')})", [corpus]))
        totals += 1
    return rows, totals


def corpus_table(projects: list[Target], corpus: Target | None) -> str:
    def row(name: str, targets: list[Target]) -> list[str]:
        files = sum(t.files for t in targets)
        lines = sum(t.lines for t in targets)
        checked = [t.measured("cold", "asynclint") for t in targets]
        asynclint_files = (f"{sum(c.files_checked for c in checked):,}"
                           if all(c is not None and c.files_checked is not None for c in checked)
                           else "-")
        ruff_files = ([t.ruff_files for t in targets])
        ruff_cell = (f"{sum(ruff_files):,}" if all(n is not None for n in ruff_files) else "-")
        return [name, f"{files:,}", f"{lines:,}", asynclint_files, ruff_cell]

    rows, totals = rows_with_totals(projects, corpus, row)
    return format_table(["target", "Python files", "lines", "asynclint checked", "ruff checked"],
                        rows, totals)


def cold_table(projects: list[Target], corpus: Target | None) -> str:
    def row(name: str, targets: list[Target]) -> list[str]:
        cells = [name]
        a, r, _ = summed_pair(targets, "cold", "asynclint", "ruff")
        cells += [seconds_cell(summed(targets, "cold", "asynclint")),
                  seconds_cell(summed(targets, "cold", "ruff")), times(ratio(a, r))]
        for peer in ("flake8", "fixit"):
            p, a, _ = summed_pair(targets, "cold", peer, "asynclint")
            cells += [seconds_cell(summed(targets, "cold", peer) or first_case(targets, peer)),
                      times(ratio(p, a))]
        return cells

    rows, totals = rows_with_totals(projects, corpus, row)
    return format_table(["target", "asynclint", "ruff", "asynclint/ruff", "flake8-async",
                         "faster", "fixit", "faster"], rows, totals)


def first_case(targets: list[Target], tool: str) -> Case | None:
    """A single target's case even when it failed, so that its error is shown."""
    return targets[0].cases.get("cold", {}).get(tool) if len(targets) == 1 else None


def warm_table(projects: list[Target], corpus: Target | None) -> str:
    def row(name: str, targets: list[Target]) -> list[str]:
        cells = [name]
        for way in ("warm", "edited"):
            a, r, _ = summed_pair(targets, way, "asynclint", "ruff")
            cells += [seconds_cell(summed(targets, way, "asynclint")),
                      seconds_cell(summed(targets, way, "ruff")), times(ratio(a, r))]
        edited, warm = summed(targets, "edited", "asynclint"), summed(targets, "warm", "asynclint")
        cells.append(f"+{edited.cpu - warm.cpu:.2f}" if edited and warm else "-")
        return cells

    rows, totals = rows_with_totals(projects, corpus, row)
    return format_table(["target", "asynclint warm", "ruff warm", "ratio", "asynclint edited",
                         "ruff edited", "ratio", "edited-warm CPU"], rows, totals)


def memory_table(projects: list[Target], corpus: Target | None) -> str:
    def mib(kib: int | None) -> str:
        return "-" if kib is None else f"{kib / MIB:.0f}"

    def row(name: str, target: Target) -> list[str]:
        cells = [name]
        for tool in ("asynclint", "ruff"):
            case = target.measured("cold", tool)
            cells += [mib(case and case.max_rss_kib), mib(case and case.tree_peak_kib)]
        return cells

    rows = [row(t.name, t) for t in projects]
    if corpus is not None:
        rows.append(row(f"corpus (1 run, {plural(corpus.projects, 'project')})", corpus))
    return format_table(["target", "asynclint max RSS", "asynclint tree PSS", "ruff max RSS",
                         "ruff tree PSS"], rows, 1 if corpus is not None else 0)


@dataclass(frozen=True)
class Goal:
    case: str
    measured: str
    goal: str
    at_filing: str
    met: bool | None  # None: not measured


def goals(results: Results) -> list[Goal]:
    """Issue 13's table. Ratios are of CPU time; "at filing" is what the issue measured."""
    projects, corpus, precommit = results.projects, results.corpus, results.precommit
    corpus_size = results.corpus_size
    by_name = {t.name.split()[0]: t for t in projects}
    aiohttp = by_name.get("aiohttp")
    result = []

    def within(label: str, target: Target | None, way: str, limit: float, at_filing: str,
               scope: str = "") -> None:
        value = target and ratio(target.measured(way, "asynclint"), target.measured(way, "ruff"))
        if value is None:
            result.append(Goal(label, "not measured", f"<= {limit:g}x", at_filing, None))
            return
        measured = times(value)
        if way == "edited" and target.measured("warm", "asynclint"):
            edited = target.measured("edited", "asynclint")
            warm = target.measured("warm", "asynclint")
            measured += f", +{edited.cpu - warm.cpu:.2f} s CPU over warm"
        met = None if scope else value <= limit
        result.append(Goal(label, measured + scope, f"<= {limit:g}x", at_filing, met))

    # A corpus goal is judged only on the whole corpus; on fewer projects the figure is shown
    # without a verdict.
    scope = ""
    if corpus is not None and corpus.projects < corpus_size:
        scope = f" ({corpus.projects} of {corpus_size} projects)"
    within("aiohttp, cold", aiohttp, "cold", 40, "140-170x")
    within("corpus, cold", corpus, "cold", 40, "95x", scope)
    peak = corpus and corpus.measured("cold", "asynclint")
    if peak:
        kib = peak.tree_peak_kib if peak.tree_peak_kib is not None else peak.max_rss_kib
        which = "tree PSS" if peak.tree_peak_kib is not None else "max RSS"
        result.append(Goal("corpus, cold, peak memory", f"{kib / MIB:.0f} MiB {which}{scope}",
                           "<= 250 MiB", "381 MiB", None if scope else kib <= 250 * MIB))
    else:
        result.append(Goal("corpus, cold, peak memory", "not measured", "<= 250 MiB", "381 MiB",
                           None))
    within("aiohttp, warm", aiohttp, "warm", 3, "5x")
    within("corpus, warm", corpus, "warm", 3, "10x", scope)
    within("aiohttp, one file edited", aiohttp, "edited", 5, "14x")
    within("corpus, one file edited", corpus, "edited", 5, "+3.7 s CPU", scope)
    for peer, label, least, at_filing in (("flake8", "flake8-async", 25, "14x"),
                                          ("fixit", "fixit", 15, "8x")):
        p, a, count = summed_pair(projects, "cold", peer, "asynclint")
        value = ratio(p, a)
        measured = ("not measured" if value is None
                    else f"{times(value)} faster ({plural(count, 'project')})")
        result.append(Goal(f"vs {label}, cold", measured, f">= {least}x faster", at_filing,
                           None if value is None else value >= least))
    hook = precommit and precommit.measured("warm", "asynclint")
    result.append(Goal(f"pre-commit, {PRECOMMIT_FILES} files, warm",
                       f"{seconds(hook.cpu)} s CPU" if hook else "not measured", "<= 0.15 s",
                       "0.21 s", hook.cpu <= 0.15 if hook else None))
    return result


def goals_table(rows: list[Goal]) -> str:
    verdicts = {True: "met", False: "NOT MET", None: "-"}  # None: not measured, or a subset
    return format_table(["case", "measured", "goal", "at filing", "verdict"],
                        [[g.case, g.measured, g.goal, g.at_filing, verdicts[g.met]]
                         for g in rows])


def report(results: Results) -> str:
    tools, projects, corpus, precommit = (results.tools, results.projects, results.corpus,
                                          results.precommit)
    load, calibration = results.load, results.calibration
    lines = [f"Machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} at the start and"
             f" {load[1]:.1f} at the end; `{' '.join(CALIBRATION[1:])}` took"
             f" {seconds(calibration[0])} s and {seconds(calibration[1])} s CPU (compare these"
             f" before comparing absolute CPU times of two runs)." if calibration else
             f"Machine: {os.cpu_count()} CPUs, load average {load[0]:.1f} at the start and"
             f" {load[1]:.1f} at the end; no calibration recorded.",
             "Tools and commands (<paths>: the project's tree, run from it; for the corpus,"
             " every selected tree at once, run from their parent):"]
    for tool in tools.values():
        lines.append(f"  {tool.label}: {tool.version}")
        lines.append(f"    cold: {' '.join(tool.command('cold', [PATHS]))}")
        if tool.warm is not None and tool.name in PAIRED:
            lines.append(f"    warm: {' '.join(tool.command('warm', [PATHS]))}")
    lines += [f"  {name}: {why}" for name, why in results.missing.items()]
    repeat, slow = results.settings["repeat"], results.settings["repeat_slow"]
    measured = results.measured
    lines += [
        "",
        corpus_table(projects, corpus),
        "",
        f"Seconds, CPU / wall: CPU is user + system of the whole process tree (workers included),"
        f" from os.wait4. Median of {repeat} run(s) per project and pre-commit case, of {slow} for"
        f" the corpus run, flake8-async and fixit; ratios are of CPU medians. Totals add up the"
        f" per-project medians.",
        "Cold: no cache (cleared and bypassed). faster = the peer's CPU over asynclint's."
        " * = some files could not be parsed by the tool.",
        cold_table(projects, corpus),
        "",
        "Warm: the same command again after a run that filled the cache. Edited: after the warm"
        " run, one mid-size file of the package gets a small function appended, and the command runs"
        " again (the file is restored afterwards). Files edited: "
        + ", ".join(f"{t.name}: {t.edit_file.relative_to(t.cwd)}" for t in measured
                    if t.edit_file is not None) + ".",
        warm_table(projects, corpus),
        "",
        "Peak memory of the cold run, MiB, the largest over the repetitions. max RSS: the largest"
        " single process of the tree (ru_maxrss, exact); tree PSS: the sum over the tree's live"
        f" processes of their proportional set size, sampled every {MEMORY_SAMPLE_SECONDS} s"
        f" (not for runs under {MEMORY_SAMPLED_RUN_SECONDS:g} s).",
        memory_table(projects, corpus),
    ]
    if precommit is not None:
        names = ", ".join(precommit.paths)
        lines += ["", f"Pre-commit: {len(precommit.paths)} files of {precommit.name} named on the"
                  f" command line, warm (after a run on the same files), run from the tree:"
                  f" {names}.",
                  format_table(["tool", "CPU / wall"],
                               [[tools[name].label, seconds_cell(precommit.measured("warm", name))]
                                for name in PAIRED if name in tools])]
    stats = [(t.name, line) for t in measured for line in t.statistics_lines]
    lines += ["", "Files and lines libcst parsed and skipped (asynclint's own count):"]
    if stats:
        lines += [f"  {name}: {line}" for name, line in stats]
    elif "asynclint" in tools and tools["asynclint"].statistics_flag is None:
        lines.append("  not reported: `asynclint check --help` offers no --verbose; the table"
                     " above gives the Python files and lines in each tree.")
    else:
        lines.append("  asynclint printed no line about libcst.")
    lines += ["", "Issue 13's goals (CPU time, asynclint against ruff check --select ASYNC):",
              goals_table(goals(results))]
    return "\n".join(lines)


def results_json(results: Results) -> dict:
    def target_json(target: Target, role: str) -> dict:
        return {
            "role": role, "name": target.name, "cwd": str(target.cwd), "paths": target.paths,
            "files": target.files, "lines": target.lines, "projects": target.projects,
            "edit_file": str(target.edit_file) if target.edit_file else None,
            "ruff_files": target.ruff_files, "libcst_statistics": target.statistics_lines,
            "cases": {way: {tool: {"samples": [asdict(s) for s in case.samples],
                                   "median_cpu": case.cpu if case.measured else None,
                                   "median_wall": case.wall if case.measured else None}
                            for tool, case in by_tool.items()}
                      for way, by_tool in target.cases.items()},
        }

    roles = [(t, "project") for t in results.projects]
    roles += [(t, role) for t, role in ((results.corpus, "corpus"),
                                        (results.precommit, "precommit")) if t is not None]
    return {
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "load_average": list(results.load),
        "calibration": {"command": CALIBRATION[1:],
                        "cpu": list(results.calibration) if results.calibration else None},
        "settings": results.settings | {"corpus_size": results.corpus_size},
        "tools": {name: {"label": t.label, "version": t.version,
                         "cold": t.command("cold", [PATHS]),
                         "warm": t.command("warm", [PATHS]) if t.warm else None,
                         "statistics_flag": t.statistics_flag}
                  for name, t in results.tools.items()},
        "missing": results.missing,
        "targets": [target_json(t, role) for t, role in roles],
    }


def results_from_json(data: dict) -> Results:
    """The Results a results file was written from, to print its report again."""
    tools = {name: Tool(name, t["label"], t["version"], tuple(t["cold"]),
                        tuple(t["warm"]) if t["warm"] else None,
                        statistics_flag=t["statistics_flag"])
             for name, t in data["tools"].items()}
    by_role: dict[str, list[Target]] = {"project": [], "corpus": [], "precommit": []}
    for t in data["targets"]:
        target = Target(t["name"], Path(t["cwd"]), t["paths"], t["files"], t["lines"],
                        Path(t["edit_file"]) if t["edit_file"] else None, t["projects"],
                        ruff_files=t["ruff_files"], statistics_lines=t["libcst_statistics"])
        for way, by_tool in t["cases"].items():
            for tool, case in by_tool.items():
                target.case(way, tool).samples = [Sample(**s) for s in case["samples"]]
        by_role[t["role"]].append(target)
    settings = dict(data["settings"])
    return Results(tools, data["missing"], by_role["project"],
                   (by_role["corpus"] or [None])[0], (by_role["precommit"] or [None])[0],
                   settings, tuple(data["load_average"]),
                   tuple(data["calibration"]["cpu"]) if data["calibration"]["cpu"] else None,
                   settings.pop("corpus_size"))


# ---------------------------------------------------------------- command line


def comma_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE_DIR,
                        help="where sdists, unpacked trees and the linters' caches go"
                             " (default: bench/.cache)")
    parser.add_argument("--tools", type=comma_list, default=list(TOOL_NAMES),
                        help=f"comma-separated subset of {','.join(TOOL_NAMES)}")
    parser.add_argument("--projects", type=comma_list,
                        help="comma-separated project names from corpus.toml"
                             " (default: all but the large ones)")
    parser.add_argument("--large", action="store_true",
                        help="include the projects marked large (Home Assistant)")
    parser.add_argument("--per-project", type=comma_list,
                        help="measure only these of the selected projects one by one"
                             " (default: all; 'none' for none, with --whole-corpus)")
    parser.add_argument("--whole-corpus", action="store_true",
                        help="also check all selected projects in one invocation of each tool")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--asynclint", metavar="COMMAND",
                       help="the asynclint command to time (default: the one installed beside"
                            " this Python, else on PATH)")
    which.add_argument("--asynclint-rev", metavar="REV",
                       help="time the repository's asynclint as of this git revision (installed"
                            " once under the cache directory)")
    parser.add_argument("--jobs", type=int, help="passed to asynclint as --jobs")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per case of asynclint and ruff on a project, and of the"
                             " pre-commit case; the median is reported (default: 3)")
    parser.add_argument("--repeat-slow", type=int, default=1,
                        help="runs of flake8-async, fixit and the whole-corpus cases (default: 1)")
    parser.add_argument("--no-precommit", action="store_true", help="skip the pre-commit case")
    parser.add_argument("--report", type=Path, metavar="RESULTS_JSON",
                        help="print the report of a results file again, without running anything")
    parser.add_argument("--snapshot", metavar="REV",
                        help="install the repository's asynclint as of REV (as --asynclint-rev"
                             " does) and print its command, without running anything")
    args = parser.parse_args(argv)
    unknown = set(args.tools) - set(TOOL_NAMES)
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    if args.repeat < 1 or args.repeat_slow < 1:
        parser.error("--repeat and --repeat-slow must be at least 1")
    return args


def select_projects(corpus: list[Project], names: list[str] | None, large: bool) -> list[Project]:
    if names is None:
        return [p for p in corpus if large or not p.large]
    known = {p.name for p in corpus}
    unknown = set(names) - known
    if unknown:
        sys.exit(f"not in corpus.toml: {', '.join(sorted(unknown))}")
    # Naming a project selects it even if it is large.
    return [p for p in corpus if p.name in names]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.report is not None:
        print(report(results_from_json(json.loads(args.report.read_text()))))
        return
    if args.snapshot is not None:
        print(snapshot_asynclint(args.snapshot, args.cache.resolve()))
        return
    corpus_projects = load_corpus(CORPUS_FILE)
    projects = select_projects(corpus_projects, args.projects, args.large)
    if not projects:
        sys.exit("no project selected")
    per_project = {p.name for p in projects}
    if args.per_project is not None:
        per_project = set() if args.per_project == ["none"] else set(args.per_project)
        if per_project - {p.name for p in projects}:
            sys.exit("--per-project names projects that are not selected")
    # A SIGTERM ends the run through the same clean-up as Ctrl-C: the edited file is restored.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    cache_dir = args.cache.resolve()
    undo_interrupted_edit(cache_dir)
    asynclint = None
    if args.asynclint is not None:
        found = shutil.which(args.asynclint)
        if found is None:
            sys.exit(f"--asynclint: {args.asynclint} is not an executable command")
        asynclint = os.path.abspath(found)  # the tools run from the trees' directories
    elif args.asynclint_rev is not None:
        asynclint = snapshot_asynclint(args.asynclint_rev, cache_dir)
    tools, missing = plan_tools(args.tools, cache_dir, args.jobs, asynclint)
    paired = [tools[name] for name in PAIRED if name in tools]
    slow = [tools[name] for name in ("flake8", "fixit") if name in tools]
    load_start = os.getloadavg()[0]
    calibration_start = calibrate()

    trees = {p.name: unpack_once(download_sdist(p, cache_dir), p, cache_dir) for p in projects}
    targets: list[Target] = []
    for project in projects:
        if project.name not in per_project:
            continue
        tree = trees[project.name]
        files, lines = count_python(tree)
        target = Target(f"{project.name} {project.version}", tree, ["."], files, lines,
                        mid_size_file(tree, project.name))
        progress(f"{project.slug}:")
        measure_paired(target, paired, args.repeat, cache_dir)
        measure_cold(target, slow, args.repeat_slow)
        finish_target(target, tools)
        targets.append(target)

    corpus = None
    if args.whole_corpus:
        root = trees_dir(cache_dir)
        counts = [count_python(tree) for tree in trees.values()]
        first = projects[0]
        corpus = Target("corpus", root, [str(tree.relative_to(root)) for tree in trees.values()],
                        sum(c[0] for c in counts), sum(c[1] for c in counts),
                        mid_size_file(trees[first.name], first.name), projects=len(projects))
        progress(f"corpus ({len(projects)} projects in one invocation):")
        measure_paired(corpus, paired, args.repeat_slow, cache_dir)
        finish_target(corpus, tools)

    precommit = None
    if not args.no_precommit and paired:
        first = projects[0]
        tree = trees[first.name]
        chosen = spread_files(tree, first.name, PRECOMMIT_FILES)
        precommit = Target(f"{first.name} {first.version}", tree,
                           [str(path.relative_to(tree)) for path in chosen], len(chosen),
                           sum(len(path.read_bytes().splitlines()) for path in chosen), None)
        progress(f"pre-commit ({len(chosen)} files of {first.slug}):")
        for repetition in range(args.repeat):
            # Cold runs are not part of this case; only the warm sequence is measured.
            order = paired if repetition % 2 == 0 else paired[::-1]
            for tool in order:
                if tool.warm is None:
                    continue
                clear_cache(tool, tree)
                command = tool.command("warm", precommit.paths)
                filled = run_once(tool, command, tree)
                record(precommit, "warm", tool, filled if not filled.timed
                       else run_once(tool, command, tree))

    load = (load_start, os.getloadavg()[0])
    calibration = (calibration_start, calibrate())
    settings = {"repeat": args.repeat, "repeat_slow": args.repeat_slow, "jobs": args.jobs,
                "asynclint": asynclint, "large": args.large, "whole_corpus": args.whole_corpus,
                "projects": [p.name for p in projects], "per_project": sorted(per_project)}
    results = Results(tools, missing, targets, corpus, precommit, settings, load, calibration,
                      len(corpus_projects))
    # Written before the report is made, so that no sample is lost if making it fails; the
    # goals are left to the report (--report prints it again from this file).
    document = json.dumps(results_json(results), indent=2) + "\n"
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    for name in (f"run-{stamp}.json", "latest.json"):
        (RESULTS_DIR / name).write_text(document)
    print(report(results))
    print(f"\nResults written to {RESULTS_DIR / f'run-{stamp}.json'} and latest.json")


def finish_target(target: Target, tools: dict[str, Tool]) -> None:
    """The untimed extras: how many files ruff checks, and asynclint's libcst counts."""
    if "ruff" in tools:
        target.ruff_files = ruff_file_count(tools["ruff"], target.paths, target.cwd)
    if "asynclint" in tools:
        collect_statistics(target, tools["asynclint"])


if __name__ == "__main__":
    main()
