"""Throughput of the judge: HumanEval's 164 canonical solutions scored in the sandbox.

    uv run python benchmarks/bench_judge.py --label after [--limit 164] [--repeats 1]

Reports programs/s (wall time of ``evaluation.score_humaneval`` over the canonical
solutions), the pass count, the sandbox's workers and the machine's load, as one JSONL
record per run in benchmarks/results/judge.jsonl. The judge runs each HumanEval sample as
two sandboxed processes (the candidate serving its functions, the tests calling them
through stubs: docs/security.md), so a comparison with an older commit is the same command
run there with another ``--label``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import write  # noqa: I001

ROOT = Path(__file__).resolve().parents[1]


def commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="", help="a name for this run (before, after, ...)")
    parser.add_argument("--limit", type=int, default=164, help="how many problems")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--out", default=str(ROOT / "benchmarks/results/judge.jsonl"))
    args = parser.parse_args()

    from adjax_code.evaluate import evaluation
    from adjax_code.judge import execution

    rows = evaluation.humaneval_canonical()[:args.limit]
    sandbox = execution.Sandbox(workers=args.workers)
    times, passed = [], 0
    for _ in range(args.repeats):
        load_before = os.getloadavg()[0]
        t0 = time.perf_counter()
        results = evaluation.score_humaneval(rows, sandbox=sandbox)
        times.append(time.perf_counter() - t0)
        passed = sum(r["passed"] for r in results)
    median = statistics.median(times)
    write(Path(args.out), {
        "workload": "humaneval-canonical", "label": args.label, "commit": commit(),
        "programs": len(rows), "passed": passed, "median_s": round(median, 3),
        "programs_per_s": round(len(rows) / median, 2), "times_s": [round(t, 3) for t in times],
        "workers": sandbox.workers, "sandbox": execution.mode(),
        "load_avg_1m_before": round(load_before, 2), "load_avg_1m_after":
            round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
        "python": sys.version.split()[0], "machine": platform.machine()})


if __name__ == "__main__":
    main()
