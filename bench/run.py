#!/usr/bin/env python3
"""Time asynclint against ruff, flake8-async and fixit on the pinned corpus of async projects.

Downloads the sdists listed in bench/corpus.toml, unpacks each once into the cache directory,
runs every selected tool on the same unpacked tree, and prints files, lines of Python, wall time
and files/s per project and in total, plus asynclint's speed ratios against the project's targets.
The same results go to bench/results/latest.json. See bench/README.md.

Standard library only, so it runs in whatever environment holds the tools being timed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10, where asynclint itself depends on tomli
    import tomli as tomllib

BENCH_DIR = Path(__file__).resolve().parent
CORPUS_FILE = BENCH_DIR / "corpus.toml"
RESULTS_FILE = BENCH_DIR / "results" / "latest.json"
DEFAULT_CACHE_DIR = BENCH_DIR / ".cache"

# Stands for the unpacked project tree in a tool's command line.
TREE = "<tree>"

# asynclint's per-file cache when it has no --cache-dir: next to the tree's pyproject.toml.
ASYNCLINT_CACHE_NAME = ".asynclint_cache"

TOOL_NAMES = ("asynclint", "ruff", "flake8", "fixit")

# Every tool exits 0 when clean and 1 with findings; any other code means it failed.
COMPLETED_EXIT_CODES = frozenset({0, 1})

# The project's performance targets, checked in the ratio report.
TARGET_COLD_VS_FLAKE8 = 25.0
TARGET_COLD_VS_FIXIT = 15.0
TARGET_WARM_VS_RUFF = 3.0


@dataclass(frozen=True)
class Project:
    name: str
    version: str
    large: bool = False

    @property
    def slug(self) -> str:
        return f"{self.name}-{self.version}"


@dataclass(frozen=True)
class Measurement:
    """One column of the table: a tool run in one way (cold or warm) on each tree."""

    label: str
    tool: str
    argv: tuple[str, ...]
    # Exit codes meaning the run completed but some files could not be parsed.
    partial_exit_codes: frozenset[int] = frozenset()
    # A warm measurement is preceded by an untimed run that fills the cache.
    warm: bool = False
    # Removed before every cold run, and before the priming run of a warm one.
    cache_dirs: tuple[str, ...] = ()

    def command(self, tree: Path) -> list[str]:
        return [arg.replace(TREE, str(tree)) for arg in self.argv]

    def caches(self, tree: Path) -> list[Path]:
        return [Path(directory.replace(TREE, str(tree))) for directory in self.cache_dirs]


@dataclass
class RunResult:
    status: str  # "ok", "partial" (some files unparsed), "error" or "not installed"
    seconds: float | None = None
    exit_code: int | None = None
    error: str | None = None

    @property
    def timed(self) -> bool:
        return self.status in ("ok", "partial")


@dataclass
class ProjectResult:
    project: Project
    files: int
    lines: int
    runs: dict[str, RunResult] = field(default_factory=dict)


# ---------------------------------------------------------------- corpus: download and unpack


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
    destination = cache_dir / "trees" / project.slug
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


def count_python(tree: Path) -> tuple[int, int]:
    """Number of *.py files under tree and their total number of lines."""
    files = lines = 0
    for path in tree.rglob("*.py"):
        if path.is_file():
            files += 1
            lines += len(path.read_bytes().splitlines())
    return files, lines


# ---------------------------------------------------------------- tools


def find_executable(name: str) -> str | None:
    """The tool installed beside this interpreter (an unactivated venv) first, then on PATH."""
    return shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)


def version_of(exe: str) -> str:
    """`exe --version` on one line (flake8 wraps its list of plugins over several)."""
    completed = subprocess.run([exe, "--version"], capture_output=True, text=True)
    return " ".join((completed.stdout or completed.stderr).split())


def asynclint_measurements(exe: str, cache_dir: Path, jobs: int | None) -> list[Measurement]:
    """Cold run, plus a warm one if asynclint has a cache; adapts to the flags --help lists."""
    help_text = subprocess.run([exe, "check", "--help"], capture_output=True, text=True).stdout
    base = (exe, "check", TREE, "--quiet", "--exit-zero")
    if jobs is not None:
        base += ("--jobs", str(jobs))
    if "--cache-dir" in help_text:
        # Like ruff's: outside the tree, and not wherever ASYNCLINT_CACHE_DIR happens to point.
        cache = (str(cache_dir / "asynclint-cache"),)
        base += ("--cache-dir", cache[0])
    else:
        cache = (f"{TREE}/{ASYNCLINT_CACHE_NAME}",)
    no_cache = ("--no-cache",) if "--no-cache" in help_text else ()
    measurements = [Measurement("asynclint cold", "asynclint", base + no_cache, cache_dirs=cache)]
    if "cache" in help_text.lower():
        measurements.append(
            Measurement("asynclint warm", "asynclint", base, warm=True, cache_dirs=cache))
    return measurements


def ruff_measurements(exe: str, cache_dir: Path) -> list[Measurement]:
    # --isolated: the projects' own ruff settings (excludes, per-file ignores) would make the
    # file set differ from what the other tools see.
    base = (exe, "check", "--isolated", "--select", "ASYNC")
    ruff_cache = str(cache_dir / "ruff-cache")
    return [
        Measurement("ruff cold", "ruff", base + ("--no-cache", TREE)),
        Measurement("ruff warm", "ruff", base + ("--cache-dir", ruff_cache, TREE),
                    warm=True, cache_dirs=(ruff_cache,)),
    ]


def flake8_measurements(exe: str) -> list[Measurement]:
    # --isolated for the same reason as ruff, and because a project's flake8 config may name
    # plugins that are not installed here.
    return [Measurement("flake8-async", "flake8", (exe, "--isolated", "--select", "ASYNC", TREE))]


def fixit_measurements(exe: str) -> list[Measurement]:
    # fixit sets exit bit 1 for lint findings and bit 2 when a file fails to parse (test
    # fixtures with deliberate syntax errors); either way the run itself completed.
    return [Measurement("fixit", "fixit", (exe, "lint", TREE),
                        partial_exit_codes=frozenset({2, 3}))]


def tool_measurements(tool: str, exe: str, cache_dir: Path, jobs: int | None
                      ) -> list[Measurement]:
    if tool == "asynclint":
        return asynclint_measurements(exe, cache_dir, jobs)
    if tool == "ruff":
        return ruff_measurements(exe, cache_dir)
    if tool == "flake8":
        return flake8_measurements(exe)
    return fixit_measurements(exe)


def plan_measurements(tools: list[str], cache_dir: Path, jobs: int | None
                      ) -> tuple[list[Measurement], dict[str, dict]]:
    """The measurements of the installed tools, and a description of every selected tool."""
    measurements: list[Measurement] = []
    described: dict[str, dict] = {}
    for tool in tools:
        exe = find_executable(tool)
        if exe is None:
            described[tool] = {"installed": False}
            continue
        version = version_of(exe)
        # Without the plugin, `flake8 --select ASYNC` checks nothing yet looks like a result.
        if tool == "flake8" and "flake8-async" not in version:
            described[tool] = {"installed": False, "missing": "the flake8-async plugin"}
            continue
        planned = tool_measurements(tool, exe, cache_dir, jobs)
        measurements += planned
        described[tool] = {
            "installed": True,
            "version": version,
            "commands": {m.label: m.command(Path(TREE)) for m in planned},
        }
    return measurements, described


# ---------------------------------------------------------------- timing


def clear_caches(measurement: Measurement, tree: Path) -> None:
    for directory in measurement.caches(tree):
        shutil.rmtree(directory, ignore_errors=True)


def error_line(stderr: str) -> str:
    """The line of stderr that says what went wrong."""
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    if not lines:
        return "(no output on stderr)"
    # A traceback's first line says nothing; its last names the exception.
    return lines[-1] if lines[0].startswith("Traceback") else lines[0]


def run_once(measurement: Measurement, tree: Path) -> RunResult:
    # Run from the tree, as a developer linting their project would.
    start = time.perf_counter()
    completed = subprocess.run(measurement.command(tree), cwd=tree, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, errors="replace")
    seconds = time.perf_counter() - start
    code = completed.returncode
    crashed = "Traceback (most recent call last)" in completed.stderr
    if crashed or code not in COMPLETED_EXIT_CODES | measurement.partial_exit_codes:
        return RunResult("error", exit_code=code, error=error_line(completed.stderr))
    status = "partial" if code in measurement.partial_exit_codes else "ok"
    return RunResult(status, seconds=seconds, exit_code=code)


def measure(measurement: Measurement, tree: Path, repeat: int) -> RunResult:
    """Best of `repeat` runs; the first error ends the repetitions."""
    best: RunResult | None = None
    for _ in range(repeat):
        clear_caches(measurement, tree)
        if measurement.warm:
            primed = run_once(measurement, tree)
            if not primed.timed:
                return primed
        result = run_once(measurement, tree)
        if not result.timed:
            return result
        if best is None or result.seconds < best.seconds:
            best = result
    return best


def measure_project(project: Project, tree: Path, measurements: list[Measurement],
                    tools: list[str], repeat: int) -> ProjectResult:
    files, lines = count_python(tree)
    result = ProjectResult(project, files, lines)
    for tool in tools:
        of_tool = [m for m in measurements if m.tool == tool]
        if not of_tool:
            result.runs[tool] = RunResult("not installed")
        for measurement in of_tool:
            run = measure(measurement, tree, repeat)
            result.runs[measurement.label] = run
            progress(f"  {measurement.label}: {describe_run(run, files)}")
    return result


# ---------------------------------------------------------------- totals and ratios


def total_run(results: list[ProjectResult], label: str) -> tuple[RunResult, int, int]:
    """Summed time over the projects where `label` ran, with that count and their files."""
    timed = [r for r in results if r.runs[label].timed]
    statuses = {r.runs[label].status for r in results}
    if not timed:
        status = "not installed" if statuses == {"not installed"} else "error"
        return RunResult(status, error="no project ran"), 0, 0
    seconds = sum(r.runs[label].seconds for r in timed)
    status = "partial" if "partial" in statuses else "ok"
    return RunResult(status, seconds=seconds), len(timed), sum(r.files for r in timed)


def ratio(results: list[ProjectResult], numerator: str, denominator: str) -> float | None:
    """Summed time of `numerator` over summed time of `denominator`, on projects where both ran."""
    both = [r for r in results
            if numerator in r.runs and denominator in r.runs
            and r.runs[numerator].timed and r.runs[denominator].timed]
    if not both:
        return None
    return (sum(r.runs[numerator].seconds for r in both)
            / sum(r.runs[denominator].seconds for r in both))


@dataclass(frozen=True)
class RatioSpec:
    """asynclint's speed relative to a peer: time of `numerator` over time of `denominator`."""

    key: str
    numerator: str
    denominator: str
    reading: str
    target: float
    at_least: bool  # True if the ratio must reach the target, False if it must stay under it

    def value(self, results: list[ProjectResult]) -> float | None:
        return ratio(results, self.numerator, self.denominator)

    def format(self, value: float | None) -> str:
        if value is None:
            return "n/a"
        return f"×{value:.1f} faster" if self.at_least else f"×{value:.1f} of ruff"

    def met(self, value: float) -> bool:
        return value >= self.target if self.at_least else value <= self.target


RATIO_SPECS = (
    RatioSpec("cold_vs_flake8_async", "flake8-async", "asynclint cold",
              "asynclint cold vs flake8-async", TARGET_COLD_VS_FLAKE8, at_least=True),
    RatioSpec("cold_vs_fixit", "fixit", "asynclint cold",
              "asynclint cold vs fixit", TARGET_COLD_VS_FIXIT, at_least=True),
    RatioSpec("warm_vs_ruff_warm", "asynclint warm", "ruff warm",
              "asynclint warm vs ruff warm", TARGET_WARM_VS_RUFF, at_least=False),
)


# ---------------------------------------------------------------- output


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def describe_run(run: RunResult, files: int) -> str:
    if not run.timed:
        return "ERROR: " + run.error if run.status == "error" else run.status
    rate = files / run.seconds if run.seconds > 0 else float("inf")
    # One decimal for the slow tools, whose rates are single digits.
    rate_text = f"{rate:,.0f}" if rate >= 10 else f"{rate:.1f}"
    mark = "*" if run.status == "partial" else ""
    return f"{run.seconds:.2f}s {rate_text}/s{mark}"


def format_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    rule = "  ".join("-" * w for w in widths)

    def line(cells: list[str]) -> str:
        # First column (project) left-aligned, numbers right-aligned.
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(header), rule, *(line(r) for r in rows[:-1]), rule, line(rows[-1])])


def column_labels(results: list[ProjectResult]) -> list[str]:
    return list(results[0].runs)


def timing_table(results: list[ProjectResult]) -> str:
    labels = column_labels(results)
    rows = [[f"{r.project.name} {r.project.version}", f"{r.files:,}", f"{r.lines:,}",
             *(describe_run(r.runs[label], r.files) for label in labels)] for r in results]
    total_cells = []
    for label in labels:
        run, ran, files = total_run(results, label)
        cell = describe_run(run, files)
        if run.timed and ran < len(results):
            cell += f" ({ran}/{len(results)} projects)"
        total_cells.append(cell)
    rows.append(["total", f"{sum(r.files for r in results):,}",
                 f"{sum(r.lines for r in results):,}", *total_cells])
    return format_table(["project", "files", "lines", *labels], rows)


def ratio_table(results: list[ProjectResult]) -> str:
    header = ["project", *(spec.reading for spec in RATIO_SPECS)]
    rows = [[r.project.name, *(spec.format(spec.value([r])) for spec in RATIO_SPECS)]
            for r in results]
    rows.append(["total", *(spec.format(spec.value(results)) for spec in RATIO_SPECS)])
    return format_table(header, rows)


def target_lines(results: list[ProjectResult]) -> list[str]:
    lines = []
    for spec in RATIO_SPECS:
        value = spec.value(results)
        if spec.at_least:
            goal = f"≥{spec.target:g}× faster"
        else:
            goal = f"within {spec.target:g}× of ruff"
        if value is None:
            verdict = "not measured"
        else:
            verdict = "met" if spec.met(value) else "MISSED"
        lines.append(f"  {spec.reading}: {spec.format(value)} (target {goal}): {verdict}")
    return lines


def command_lines(tools: dict[str, dict]) -> list[str]:
    lines = []
    for tool, description in tools.items():
        if not description["installed"]:
            missing = description.get("missing")
            lines.append(f"  {tool}: not installed" + (f" ({missing} is missing)" if missing else ""))
            continue
        lines.append(f"  {tool} ({description['version']}):")
        for label, command in description["commands"].items():
            lines.append(f"    {label}: {' '.join(command)}")
    return lines


def report(results: list[ProjectResult], tools: dict[str, dict], repeat: int) -> str:
    notes = [
        f"Wall time, best of {repeat}; files/s = *.py files in the tree / seconds.",
        "cold: no cache (asynclint's and ruff's caches cleared and bypassed);"
        " warm: the same command run again after a run that filled the cache.",
        "* some files could not be parsed by the tool (it went on with the rest).",
        "fixit runs its default rules (all of fixit.rules) and flake8 runs pycodestyle and"
        " pyflakes too, reporting only ASYNC codes.",
    ]
    sections = [
        "Commands (<tree> = the unpacked sdist, also the working directory):",
        *command_lines(tools),
        "",
        timing_table(results),
        "",
        *notes,
        "",
        "asynclint speed ratios (summed over projects both tools ran on):",
        ratio_table(results),
        "",
        "Targets:",
        *target_lines(results),
    ]
    return "\n".join(sections)


def run_to_json(run: RunResult, files: int) -> dict:
    data = {"status": run.status, "seconds": run.seconds, "exit_code": run.exit_code}
    if run.timed:
        data["files_per_second"] = files / run.seconds if run.seconds > 0 else None
    if run.error:
        data["error"] = run.error
    return data


def ratio_json(spec: RatioSpec, results: list[ProjectResult]) -> dict:
    value = spec.value(results)
    met = None if value is None else spec.met(value)
    return {"value": value, "target": spec.target, "met": met}


def results_json(results: list[ProjectResult], tools: dict[str, dict], args: argparse.Namespace
                 ) -> dict:
    totals = {}
    for label in column_labels(results):
        run, ran, files = total_run(results, label)
        totals[label] = run_to_json(run, files) | {"projects": ran}
    return {
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "settings": {"repeat": args.repeat, "jobs": args.jobs, "large": args.large},
        "tools": tools,
        "projects": [
            {"name": r.project.name, "version": r.project.version, "files": r.files,
             "lines": r.lines,
             "runs": {label: run_to_json(run, r.files) for label, run in r.runs.items()}}
            for r in results
        ],
        "total": {"files": sum(r.files for r in results), "lines": sum(r.lines for r in results),
                  "runs": totals},
        "ratios": {spec.key: ratio_json(spec, results) for spec in RATIO_SPECS},
    }


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
    parser.add_argument("--jobs", type=int, help="passed to asynclint as --jobs")
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs (default: 1)")
    args = parser.parse_args(argv)
    unknown = set(args.tools) - set(TOOL_NAMES)
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
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
    projects = select_projects(load_corpus(CORPUS_FILE), args.projects, args.large)
    if not projects:
        sys.exit("no project selected")
    cache_dir = args.cache.resolve()
    measurements, tools = plan_measurements(args.tools, cache_dir, args.jobs)
    results = []
    for project in projects:
        progress(f"{project.slug}:")
        tree = unpack_once(download_sdist(project, cache_dir), project, cache_dir)
        results.append(measure_project(project, tree, measurements, args.tools, args.repeat))
    print(report(results, tools, args.repeat))
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(results_json(results, tools, args), indent=2) + "\n")
    print(f"\nResults written to {RESULTS_FILE}")


if __name__ == "__main__":
    main()
