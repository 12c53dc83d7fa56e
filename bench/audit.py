"""Judge asynclint's findings on the benchmark corpus: collect them, draw a seeded sample to read,
and compare two collections.

    python bench/audit.py collect [--projects a,b] [--large] [--select CODES] [--jobs N] [--asynclint EXE] [--out FILE]
    python bench/audit.py sample [--findings FILE] [--seed 12] [--per-code 12] [--codes ASY300,...]
    python bench/audit.py diff REFERENCE [CURRENT]

`collect` runs `asynclint check --output-format json` on each unpacked corpus tree (see run.py:
the sdists are downloaded and unpacked on first use) and stores every finding, its path made
relative to the corpus (`aiohttp-3.14.5/aiohttp/web.py`), in one JSON file.

`sample` draws, per code, `--per-code` findings with `random.Random(seed)`: library code first
(paths that are not tests, docs, examples or benchmarks), then the rest only if there are too
few. It prints each with the code around it, ready to be judged by reading: right and worth
acting on, right but negligible, or wrong (and why). docs/precision.md keeps the verdicts.

`diff` compares two collections as sets of (path, line, column, code, message): a change meant
to make asynclint faster must leave this set as it was. CURRENT defaults to a fresh `collect`.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import run as bench  # noqa: E402 - the corpus helpers live beside this script

DEFAULT_FINDINGS = bench.DEFAULT_CACHE_DIR.parent / "results" / "findings.json"

# Code that never serves traffic: tests, docs, examples and benchmarks. A finding there is
# judged too, but after library code, since a user acts on library findings first.
_NOT_LIBRARY = re.compile(
    r"(^|/)(tests?|testing|docs?|docs_src|examples?|benchmarks?|bench)(/|$)"
    r"|(^|/)(test_[^/]*|[^/]*_test|conftest)\.py$"
)


def is_library(path: str) -> bool:
    return _NOT_LIBRARY.search(path) is None


def collect(args: argparse.Namespace) -> list[dict]:
    exe = args.asynclint or bench.find_executable("asynclint")
    if exe is None:
        sys.exit("asynclint is not installed beside this Python or on PATH")
    corpus = bench.select_projects(bench.load_corpus(bench.CORPUS_FILE), args.projects, args.large)
    findings: list[dict] = []
    for project in corpus:
        tree = bench.unpack_once(bench.download_sdist(project, args.cache), project, args.cache)
        command = [exe, "check", str(tree), "--output-format", "json", "--exit-zero", "--no-cache"]
        if args.select:
            command += ["--select", args.select]
        if args.jobs:
            command += ["--jobs", str(args.jobs)]
        bench.progress(f"collecting {project.slug}")
        completed = subprocess.run(command, capture_output=True, text=True, cwd=tree)
        if completed.returncode != 0:
            sys.exit(f"asynclint failed on {project.slug}:\n{completed.stderr}")
        for finding in json.loads(completed.stdout or "[]"):
            relative = Path(finding["path"]).resolve().relative_to(tree.resolve())
            findings.append(
                {
                    "project": project.slug,
                    "path": f"{project.slug}/{relative.as_posix()}",
                    "line": finding["line"],
                    "column": finding["column"],
                    "code": finding["code"],
                    "message": finding["message"],
                }
            )
    findings.sort(key=lambda f: (f["path"], f["line"], f["column"], f["code"]))
    return findings


def draw(findings: list[dict], seed: int, per_code: int, codes: list[str] | None) -> dict[str, list[dict]]:
    by_code: dict[str, list[dict]] = defaultdict(list)
    for finding in findings:
        if codes is None or finding["code"] in codes:
            by_code[finding["code"]].append(finding)
    sample: dict[str, list[dict]] = {}
    for code in sorted(by_code):
        rng = random.Random(f"{seed}:{code}")
        library = [f for f in by_code[code] if is_library(f["path"])]
        rest = [f for f in by_code[code] if not is_library(f["path"])]
        chosen = rng.sample(library, min(per_code, len(library)))
        chosen += rng.sample(rest, min(per_code - len(chosen), len(rest)))
        sample[code] = sorted(chosen, key=lambda f: (f["path"], f["line"]))
    return sample


def excerpt(trees: Path, finding: dict, around: int = 4) -> str:
    project, _, relative = finding["path"].partition("/")
    candidates = list((trees / project).glob(f"*/{relative}")) + [trees / project / relative]
    source = next((p for p in candidates if p.is_file()), None)
    if source is None:
        return "    (source not found)"
    lines = source.read_text("utf-8", errors="replace").split("\n")
    start, end = max(finding["line"] - 1 - around, 0), min(finding["line"] + around, len(lines))
    return "\n".join(
        f"{'>' if number == finding['line'] else ' '} {number:5} | {lines[number - 1]}"
        for number in range(start + 1, end + 1)
    )


def print_sample(args: argparse.Namespace) -> None:
    findings = json.loads(args.findings.read_text("utf-8"))
    counts = Counter(f["code"] for f in findings)
    library_counts = Counter(f["code"] for f in findings if is_library(f["path"]))
    sample = draw(findings, args.seed, args.per_code, args.codes)
    trees = args.cache / "trees"
    print(f"# sample: seed {args.seed}, {args.per_code} per code, from {args.findings}\n")
    print("| code | findings | in library code | sampled |")
    print("|---|---|---|---|")
    for code in sorted(counts):
        print(f"| {code} | {counts[code]} | {library_counts[code]} | {len(sample.get(code, []))} |")
    for code, chosen in sample.items():
        print(f"\n## {code}\n")
        for number, finding in enumerate(chosen, 1):
            where = "library" if is_library(finding["path"]) else "test/docs"
            print(f"### {code}-{number} {finding['path']}:{finding['line']}:{finding['column']} ({where})")
            print(finding["message"])
            print(excerpt(trees, finding))
            print()


def finding_key(finding: dict) -> tuple:
    return (finding["path"], finding["line"], finding["column"], finding["code"], finding["message"])


def diff(args: argparse.Namespace) -> int:
    reference = {finding_key(f) for f in json.loads(args.reference.read_text("utf-8"))}
    if args.current is not None:
        current_findings = json.loads(args.current.read_text("utf-8"))
    else:
        current_findings = collect(args)
    current = {finding_key(f) for f in current_findings}
    lost, gained = sorted(reference - current), sorted(current - reference)
    for sign, keys in (("-", lost), ("+", gained)):
        for path, line, column, code, message in keys:
            print(f"{sign} {path}:{line}:{column}: {code} {message}")
    print(f"{len(reference)} in the reference, {len(current)} now: {len(lost)} lost, {len(gained)} new")
    return 1 if lost or gained else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=bench.DEFAULT_CACHE_DIR, help="corpus cache (as run.py)")
    commands = parser.add_subparsers(dest="command", required=True)

    def corpus_options(command: argparse.ArgumentParser) -> None:
        command.add_argument("--projects", type=bench.comma_list, help="only these projects")
        command.add_argument("--large", action="store_true", help="include the large projects")
        command.add_argument("--select", help="passed to asynclint as --select")
        command.add_argument("--jobs", type=int, help="passed to asynclint as --jobs (the corpus is CPU-heavy)")
        command.add_argument(
            "--asynclint", help="the asynclint executable to run (default: the one beside this Python), e.g. a build of another tree"
        )

    collect_command = commands.add_parser("collect", help="run asynclint on the corpus, store its findings")
    corpus_options(collect_command)
    collect_command.add_argument("--out", type=Path, default=DEFAULT_FINDINGS)
    sample_command = commands.add_parser("sample", help="print a seeded sample of findings to judge")
    sample_command.add_argument("--findings", type=Path, default=DEFAULT_FINDINGS)
    sample_command.add_argument("--seed", type=int, default=12)
    sample_command.add_argument("--per-code", type=int, default=12)
    sample_command.add_argument("--codes", type=bench.comma_list)
    diff_command = commands.add_parser("diff", help="compare findings with a stored reference")
    diff_command.add_argument("reference", type=Path)
    diff_command.add_argument("current", type=Path, nargs="?")
    corpus_options(diff_command)
    args = parser.parse_args(argv)

    if args.command == "collect":
        findings = collect(args)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(findings, indent=1) + "\n", "utf-8")
        counts = Counter(f["code"] for f in findings)
        print(f"{len(findings)} findings in {args.out}: " + ", ".join(f"{c} {n}" for c, n in sorted(counts.items())))
        return 0
    if args.command == "sample":
        print_sample(args)
        return 0
    return diff(args)


if __name__ == "__main__":
    sys.exit(main())
