"""Throughput of the task-suite judge in the compiled languages: one build per sample against
one compiler run per batch, side by side.

    uv run python benchmarks/bench_suite_judge.py [--copies 1] [--repeats 1] [--batch-size 16]

Scores ``--copies`` copies of every held-out task's reference in Java, Go and TypeScript,
language by language, with ``render.run`` (each sample built and run alone: the judge
before batch builds) and ``render.run_batched`` (``compile_batch``: one javac, ``go build``
or ``tsc -b`` per batch, each sample still run alone), alternating in this one process so
the machine's load is shared alike. Reports programs/s per language and in all, the pass
counts (every reference must pass both ways), the sandbox's workers and the load average,
as one JSONL record in benchmarks/results/suite_judge.jsonl.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from common import write  # noqa: I001

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("java", "go", "typescript")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1, help="samples per held-out task")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--label", default="")
    parser.add_argument("--out", default=str(ROOT / "benchmarks/results/suite_judge.jsonl"))
    args = parser.parse_args()

    from adjax_code import tasks
    from adjax_code.judge import compile_batch, execution
    from adjax_code.tasks import render

    sandbox = execution.Sandbox(workers=args.workers)
    heldout = tasks.load("heldout")
    modes = {"before": lambda items: render.run(items, sandbox=sandbox),
             "after": lambda items: render.run_batched(items, sandbox=sandbox,
                                                       batch_size=args.batch_size)}
    times = {lang: {m: [] for m in modes} for lang in LANGS}
    passed = {lang: {} for lang in LANGS}
    load_before = os.getloadavg()[0]
    for _ in range(args.repeats):
        for lang in LANGS:
            items = [(t, lang, t.solutions[lang]) for t in heldout for _ in range(args.copies)]
            for mode, judge in modes.items():
                t0 = time.perf_counter()
                results = judge(items)
                times[lang][mode].append(time.perf_counter() - t0)
                passed[lang][mode] = sum(r.status == execution.PASS
                                         and r.tests_passed == len(t.tests)
                                         for r, (t, _, _) in zip(results, items, strict=True))
    n = len(heldout) * args.copies
    median = {lang: {m: statistics.median(v) for m, v in by.items()} for lang, by in times.items()}
    total = {m: sum(median[lang][m] for lang in LANGS) for m in modes}
    write(Path(args.out), {
        "workload": "task-suite-heldout-compiled-side-by-side", "label": args.label,
        "commit": _commit(), "tasks": len(heldout), "copies": args.copies,
        "programs_per_language": n, "passed": passed,
        "times_s": {lang: {m: [round(t, 2) for t in v] for m, v in by.items()}
                    for lang, by in times.items()},
        "programs_per_s": {lang: {m: round(n / s, 2) for m, s in by.items()}
                           for lang, by in median.items()},
        "all_programs_per_s": {m: round(n * len(LANGS) / s, 2) for m, s in total.items()},
        "before_over_after_time": round(total["before"] / total["after"], 2),
        "batch_size": args.batch_size or compile_batch.BATCH_SIZE,
        "workers": sandbox.workers, "sandbox": execution.mode(),
        "load_avg_1m_before": round(load_before, 2),
        "load_avg_1m_after": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
        "python": sys.version.split()[0], "machine": platform.machine()})


def _commit() -> str:
    import subprocess

    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


if __name__ == "__main__":
    main()
