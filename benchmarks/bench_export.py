"""The export for the accelerator and the device script's CPU dry run, timed.

    uv run python benchmarks/bench_export.py --out runs/export

Writes the token set to --out (kept: it is what a lent GPU is given), then runs
benchmarks/device/run.py --dry-run on it; appends one record of each to
benchmarks/results/export.jsonl.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import environment, write

from adjax_code.corpus import export

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "export")
    parser.add_argument("--max-mb", type=float, default=40.0)
    parser.add_argument("--vocab-size", type=int, default=8192)
    parser.add_argument("--results", type=Path,
                        default=Path(__file__).parent / "results" / "export.jsonl")
    args = parser.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    t0 = time.perf_counter()
    meta = export.export(args.out, max_mb=args.max_mb, vocab_size=args.vocab_size,
                         log=lambda m: print(m, file=sys.stderr))
    export_s = time.perf_counter() - t0
    print(export.summary(meta), file=sys.stderr)
    write(args.results, {"bench": "export", "export_s": export_s, "max_mb": args.max_mb,
                         **{k: v for k, v in meta.items() if k != "language_ids"},
                         **environment()})
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "benchmarks/device/run.py", "--dry-run",
                               "--data", str(args.out), "--out", f"{tmp}/out"], cwd=ROOT,
                              capture_output=True, text=True)
        dry_s = time.perf_counter() - t0
        if proc.returncode:
            sys.exit(proc.stderr[-2000:])
        records = [json.loads(line) for line in
                   Path(f"{tmp}/out/results.jsonl").read_text().splitlines()]
    run = next(r for r in records if r["bench"] == "device_train_run")
    write(args.results, {"bench": "device_dry_run", "wall_s": dry_s,
                         "steps": run["steps"], "tokens_per_s": run["tokens_per_s"],
                         "initial_heldout_bits": run["initial_heldout_bits"],
                         "heldout_bits_per_token": run["heldout_bits_per_token"],
                         **environment()})


if __name__ == "__main__":
    main()
