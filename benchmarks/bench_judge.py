"""Throughput of the judge: HumanEval's 164 canonical solutions scored in the sandbox.

    uv run python benchmarks/bench_judge.py --label after [--limit 164] [--repeats 1]
    uv run python benchmarks/bench_judge.py --against /tmp/old-tree --repeats 3

Reports programs/s (wall time of ``evaluation.score_humaneval`` over the canonical
solutions), the pass count, the sandbox's workers and the machine's load, as one JSONL
record per run in benchmarks/results/judge.jsonl. The judge runs each HumanEval sample as
two sandboxed processes (the candidate serving its functions, the tests calling them
through stubs: docs/security.md). ``--against DIR`` (a source tree of an older commit, e.g.
``git archive <commit> | tar -x -C DIR``) runs both side by side, alternating, each run in
a fresh process, and reports medians and their ratio: the machine's load changes less
between neighbouring runs than between separate commands.
"""

from __future__ import annotations

import argparse
import inspect
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


def timed(limit: int, workers: int | None) -> tuple[float, int, int]:
    """(seconds, programs passed, workers) of one scoring of the canonical solutions."""
    from adjax_code.evaluate import evaluation
    from adjax_code.judge import execution

    rows = evaluation.humaneval_canonical()[:limit]
    sandbox = execution.Sandbox(workers=workers)
    t0 = time.perf_counter()
    results = evaluation.score_humaneval(rows, sandbox=sandbox)
    return time.perf_counter() - t0, sum(r["passed"] for r in results), sandbox.workers


def compare(args) -> None:
    """Alternating runs of this tree and ``args.against``, each in a fresh process."""
    import json

    trees = {"before": Path(args.against).resolve(), "after": ROOT}
    times: dict[str, list[float]] = {"before": [], "after": []}
    passed: dict[str, int] = {}
    for _ in range(args.repeats):
        for label, tree in trees.items():
            code = (f"import json, sys\nsys.path.insert(0, sys.argv[1])\n"
                    f"{inspect.getsource(timed)}\n"
                    "print(json.dumps(timed(int(sys.argv[2]), None)))\n"
                    "import adjax_code; assert adjax_code.__file__.startswith(sys.argv[1])\n")
            out = subprocess.run([sys.executable, "-c", "import time\n" + code, str(tree),
                                  str(args.limit)],
                                 capture_output=True, text=True, check=True,
                                 env={**os.environ, "PYTHONPATH": str(tree)})
            seconds, ok, _ = json.loads(out.stdout.strip().splitlines()[-1])
            times[label].append(seconds)
            passed[label] = ok
    medians = {k: statistics.median(v) for k, v in times.items()}
    write(Path(args.out), {
        "workload": "humaneval-canonical-side-by-side", "label": args.label,
        "commit": commit(), "against": str(trees["before"]), "programs": args.limit,
        "passed": passed, "times_s": {k: [round(t, 2) for t in v] for k, v in times.items()},
        "programs_per_s": {k: round(args.limit / m, 2) for k, m in medians.items()},
        "after_over_before_time": round(medians["after"] / medians["before"], 3),
        "load_avg_1m_after_runs": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
        "sandbox_workers_default": min(4, os.cpu_count() or 1),
        "python": sys.version.split()[0], "machine": platform.machine()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="", help="a name for this run (before, after, ...)")
    parser.add_argument("--limit", type=int, default=164, help="how many problems")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--against", default=None,
                        help="an older source tree to run side by side with this one")
    parser.add_argument("--out", default=str(ROOT / "benchmarks/results/judge.jsonl"))
    args = parser.parse_args()
    if args.against:
        compare(args)
        return

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
