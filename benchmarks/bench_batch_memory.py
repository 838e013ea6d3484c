"""A batch job's memory does not grow with its length: peak resident memory of
``adjax generate --input`` over 1,000 and 10,000 rows (the shipped model, one sample a row,
2 steps, 32 tokens, no repair: the job's bookkeeping dominates, not the network).

Each job runs in its own process; the peak is that process's (``ru_maxrss`` of the child).
Flat means the 10,000-row peak is within a few percent of the 1,000-row one: rows stream
through batches and results stream out, nothing accumulates. Appends to
benchmarks/results/batch.jsonl.

    uv run python benchmarks/bench_batch_memory.py [--rows 1000 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import environment, write

RESULTS = Path(__file__).resolve().parent / "results" / "batch.jsonl"
SPECS = ["return the sum of a list", "reverse a string", "count the vowels in a string",
         "check whether a number is prime", "return the largest element"]
LANGS = ["python", "javascript", "typescript", "java", "go"]
SETTINGS = ["--samples", "1", "--steps", "2", "--length", "32", "--repair-rounds", "0",
            "--batch-size", "256"]


def job(n: int, work: Path) -> dict:
    src, out = work / f"in-{n}.jsonl", work / f"out-{n}.jsonl"
    src.write_text("".join(json.dumps({"id": f"r{i}", "spec": SPECS[i % 5],
                                       "language": LANGS[(i // 5) % 5]}) + "\n"
                           for i in range(n)))
    # A small wrapper reports the child's own peak (this process's stays out of it).
    code = ("import resource, sys; from adjax_code.app import cli; rc = cli.main(sys.argv[1:]);"
            " print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
            "file=sys.stderr); sys.exit(rc)")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, "generate", "--input", str(src),
                           "--output", str(out), *SETTINGS], capture_output=True, text=True,
                          env={**os.environ, "ADJAX_PROGRAM_STORE": "off"})
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    peak = [int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("PEAK")]
    lines = out.read_text().count("\n")
    return {"rows": n, "lines": lines, "seconds": time.perf_counter() - t0,
            "peak_rss_mib": peak[-1] / 1024}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, nargs="+", default=[1000, 10000])
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs = [job(n, Path(tmp)) for n in args.rows]
    for r in runs:
        print(f"{r['rows']:>6} rows: {r['lines']} lines, peak {r['peak_rss_mib']:.0f} MiB, "
              f"{r['seconds']:.0f} s")
    write(RESULTS, {"bench": "batch_memory", **environment(), "model": "shipped",
                    "settings": " ".join(SETTINGS), "runs": runs,
                    "ratio_peak": runs[-1]["peak_rss_mib"] / runs[0]["peak_rss_mib"]})


if __name__ == "__main__":
    main()
