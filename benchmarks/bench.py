"""The scale benchmark (`make bench`): synthetic trees of 1k, 5k and 10k drugs, validated and built.

For each size it measures, one after the other (never in parallel):
  * libyaml's parse time of the tree's files (yaml.load with CSafeLoader), and the validate time
    (load_and_check: strict read, schemas, rules), each in a fresh process, best of two;
  * `mkdocs build` with the hook, and plain MkDocs building the same pages written by
    `pipeline-tracker render --out` (the baseline), each in a fresh process that reports its
    child's wall time and peak RSS (resource.getrusage(RUSAGE_CHILDREN));
  * pages, site size, median page size and the search index size of the hooked build.
It prints a table, checks the targets, and writes both into benchmarks/README.md.
BENCH_SIZES=1000 runs a smaller set; BENCH_KEEP=1 keeps the work folder (printed).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
README = ROOT / "benchmarks" / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
SEED = 0
AS_OF = "2025-02-15"  # a month after the synthetic trees' last_reviewed

PARSE = """
import sys, time, yaml
from pathlib import Path
files = sorted(Path(sys.argv[1]).glob("*/*.yaml"))
start = time.perf_counter()
for file in files:
    yaml.load(file.read_bytes(), Loader=yaml.CSafeLoader)
print(time.perf_counter() - start)
"""
VALIDATE = """
import sys, time
from pathlib import Path
from pipeline_tracker.records.validate import load_and_check
start = time.perf_counter()
records, problems = load_and_check(Path(sys.argv[1]))
elapsed = time.perf_counter() - start
assert not problems, problems[:3]
print(elapsed)
"""


def _env(records: Path | None = None) -> dict:
    # Synthetic records were last reviewed on synth.REVIEWED: build "as of" a month later, so the
    # data-quality page shows what it would for a well-kept tree, not every record as overdue.
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PIPELINE_TRACKER_TODAY=AS_OF)
    env.pop("PIPELINE_TRACKER_RECORDS", None)
    if records is not None:
        env["PIPELINE_TRACKER_RECORDS"] = str(records)
    return env


def _seconds(script: str, folder: Path) -> float:
    """Best of two fresh-process runs of a timing script."""
    runs = []
    for _ in range(2):
        out = subprocess.run(
            [sys.executable, "-c", script, str(folder)],
            env=_env(),
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        runs.append(float(out.stdout.strip().splitlines()[-1]))
    return min(runs)


def measure(command: list[str], env: dict, cwd: Path) -> dict:
    """Wall time and peak RSS of one command, run from a fresh process of its own."""
    out = subprocess.run(
        [sys.executable, __file__, "--measure", json.dumps(command)],
        env=env,
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _measure_here(command: list[str]) -> None:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(done.returncode)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # Linux: kilobytes
    print(json.dumps({"seconds": elapsed, "peak_mb": peak_kb / 1024}))


def _site_stats(site: Path) -> dict:
    pages = [p for p in site.rglob("*.html")]
    sizes = [p.stat().st_size for p in pages]
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    index = site / "search" / "search_index.json"
    return {
        "pages": len(pages),
        "site_mb": total / 1e6,
        "median_kb": statistics.median(sizes) / 1024,
        "search_mb": index.stat().st_size / 1e6,
    }


def run_size(drugs: int, work: Path) -> dict:
    records = work / f"records-{drugs}"
    print(f"== {drugs} drugs: synth", file=sys.stderr, flush=True)
    subprocess.run(
        [
            str(BIN / "pipeline-tracker"),
            "synth",
            "--drugs",
            str(drugs),
            "--out",
            str(records),
            "--seed",
            str(SEED),
        ],
        check=True,
        env=_env(),
        cwd=ROOT,
    )
    count = sum(1 for _ in records.glob("*/*.yaml"))
    print(f"== {drugs} drugs: parse and validate", file=sys.stderr, flush=True)
    parse = _seconds(PARSE, records)
    validate = _seconds(VALIDATE, records)
    print(f"== {drugs} drugs: hooked build", file=sys.stderr, flush=True)
    site = work / f"site-{drugs}"
    mkdocs = str(BIN / "mkdocs")
    hooked = measure(
        [mkdocs, "build", "--strict", "-f", str(ROOT / "mkdocs.yml"), "-d", str(site)],
        _env(records),
        ROOT,
    )
    stats = _site_stats(site)
    print(f"== {drugs} drugs: render --out and plain build", file=sys.stderr, flush=True)
    plain_dir = work / f"plain-{drugs}"
    subprocess.run(
        [str(BIN / "pipeline-tracker"), "render", "--out", str(plain_dir)],
        check=True,
        env=_env(records),
        cwd=ROOT,
    )
    plain_site = work / f"plain-site-{drugs}"
    plain = measure(
        [
            mkdocs,
            "build",
            "--strict",
            "-f",
            str(plain_dir / "mkdocs.yml"),
            "-d",
            str(plain_site),
        ],
        _env(),
        plain_dir,
    )
    shutil.rmtree(plain_site, ignore_errors=True)
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(plain_dir, ignore_errors=True)
    return {
        "drugs": drugs,
        "records": count,
        "parse": parse,
        "validate": validate,
        "build": hooked["seconds"],
        "plain": plain["seconds"],
        "peak_mb": hooked["peak_mb"],
        "plain_peak_mb": plain["peak_mb"],
        **stats,
    }


def table(rows: list[dict]) -> str:
    head = (
        "| drugs | records | pages | libyaml parse s | validate s (× parse) | build s (× plain) "
        "| plain MkDocs s | ms/page | peak RSS MB (plain) | site MB | median page KB "
        "| search index MB (KB/page) |"
    )
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        lines.append(
            f"| {r['drugs']:,} | {r['records']:,} | {r['pages']:,} | {r['parse']:.2f} "
            f"| {r['validate']:.2f} ({r['validate'] / r['parse']:.2f}×) "
            f"| {r['build']:.1f} ({r['build'] / r['plain']:.2f}×) "
            f"| {r['plain']:.1f} | {1000 * r['build'] / r['pages']:.2f} "
            f"| {r['peak_mb']:.0f} ({r['plain_peak_mb']:.0f}) "
            f"| {r['site_mb']:.0f} | {r['median_kb']:.1f} "
            f"| {r['search_mb']:.2f} ({1000 * r['search_mb'] / r['pages']:.2f}) |"
        )
    return "\n".join(lines)


def targets(rows: list[dict]) -> list[str]:
    """One line per target: PASS or FAIL with the number it was judged on."""
    result = []
    first = rows[0]
    for r in rows:
        big = r["drugs"] >= 5000
        checks = [
            (
                big,
                f"validate ≤ 1.5× parse at {r['drugs']}",
                r["validate"] / r["parse"] <= 1.5,
                f"{r['validate'] / r['parse']:.2f}×",
            ),
            (
                big,
                f"build ≤ 1.10× plain MkDocs at {r['drugs']}",
                r["build"] / r["plain"] <= 1.10,
                f"{r['build'] / r['plain']:.2f}×",
            ),
            (
                True,
                f"median page ≤ 40 KB at {r['drugs']}",
                r["median_kb"] <= 40,
                f"{r['median_kb']:.1f} KB",
            ),
            (
                True,
                f"search index ≤ 2 KB/page at {r['drugs']}",
                1000 * r["search_mb"] / r["pages"] <= 2,
                f"{1000 * r['search_mb'] / r['pages']:.2f} KB",
            ),
            (
                r["drugs"] >= 10000,
                "peak RSS ≤ 1.5 GB at 10k",
                r["peak_mb"] <= 1536,
                f"{r['peak_mb']:.0f} MB",
            ),
        ]
        if r["drugs"] >= 10000 and first["drugs"] <= 1000:
            ratio = (r["build"] / r["pages"]) / (first["build"] / first["pages"])
            checks.append((True, "ms/page at 10k ≤ 1.2× of 1k", ratio <= 1.2, f"{ratio:.2f}×"))
        for applies, name, ok, value in checks:
            if applies:
                result.append(f"- {'PASS' if ok else 'FAIL'}: {name} ({value})")
    return result


def write_readme(rows: list[dict], checks: list[str]) -> None:
    machine = (
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{os.cpu_count()} cores, {platform.machine()}"
    )
    block = "\n".join(
        [
            START,
            f"Last run: {dt.date.today().isoformat()} on {machine}; synthetic trees, seed {SEED}.",
            "",
            table(rows),
            "",
            "Targets:",
            "",
            *checks,
            END,
        ]
    )
    text = (
        README.read_text(encoding="utf-8")
        if README.exists()
        else f"# Benchmarks\n\n{START}\n{END}\n"
    )
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END) :]
    else:
        text += "\n" + block + "\n"
    README.write_text(text, encoding="utf-8")


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        _measure_here(json.loads(sys.argv[2]))
        return 0
    sizes = [
        int(s) for s in os.environ.get("BENCH_SIZES", "1000,5000,10000").split(",") if s.strip()
    ]
    work = Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    rows = []
    try:
        for drugs in sizes:
            rows.append(run_size(drugs, work))
            print(table(rows), file=sys.stderr, flush=True)
    finally:
        if os.environ.get("BENCH_KEEP"):
            print(f"work folder kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    checks = targets(rows)
    print(table(rows))
    print("\n".join(checks))
    write_readme(rows, checks)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
