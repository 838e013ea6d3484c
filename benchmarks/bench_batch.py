"""A batch job against one ``generate`` call per specification, same model and settings.

N rows from the task suite's train specifications across the five languages (each task's
signature as the prefix, so lengths are mixed), the shipped model, one sample a row, the
model's steps and two repair rounds: (a) ``Generator.generate`` once per row in one process
(today's API); (b) ``adjax_code.generate.batch.generate_batch`` over all rows. Each mode runs
in its own process (peak memory is the process's); compiles are timed apart by running the first row
(a) or the same job under other ids (b) before the clock. Reports rows/s, code tokens/s,
sampler programs, peak RSS and the ratio (b)/(a); appends to benchmarks/results/batch.jsonl.

    uv run python benchmarks/bench_batch.py [--rows 64] [--batch-size 64]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from common import environment, write

RESULTS = Path(__file__).resolve().parent / "results" / "batch.jsonl"


def make_rows(n: int) -> list[dict]:
    from adjax_code import tasks
    from adjax_code.tasks import render

    chosen = tasks.load("train")
    rows = []
    for i in range(n):
        t, lang = chosen[(i // len(tasks.LANGS)) % len(chosen)], tasks.LANGS[i % 5]
        rows.append({"id": f"{t.id}/{lang}", "spec": t.specs[i % len(t.specs)],
                     "language": lang, "prefix": render.header(t, lang)})
    return rows


def code_tokens(gen, code: str, prefix: str) -> int:
    return max(len(gen.tok.encode(code)) - len(gen.tok.encode(prefix.rstrip())), 0)


def measure(mode: str, n: int, batch_size: int) -> dict:
    from adjax_code.generate import batch
    from adjax_code.generate.generator import Generator
    from adjax_code.model import model_store

    gen = Generator.load(model_store.DEFAULT_DIR)
    rows = make_rows(n)
    t0 = time.perf_counter()
    if mode == "calls":
        r = rows[0]
        gen.generate(r["spec"], r["language"], samples=1, prefix=r["prefix"])  # compiles
    else:
        # The same job under other ids: the batches' shapes (and so their programs) are
        # the timed job's.
        list(batch.generate_batch(gen, [dict(r, id=r["id"] + "/warm") for r in rows],
                                batch_size=batch_size))
    warm_s = time.perf_counter() - t0
    t0, tokens = time.perf_counter(), 0
    if mode == "calls":
        for r in rows:
            best = gen.generate(r["spec"], r["language"], samples=1, prefix=r["prefix"]).best
            tokens += code_tokens(gen, best.code, r["prefix"])
    else:
        for res in batch.generate_batch(gen, rows, batch_size=batch_size):
            tokens += code_tokens(gen, res.generation.best.code, res.row.prefix)
    seconds = time.perf_counter() - t0
    return {"mode": mode, "rows": n, "seconds": seconds, "warmup_s": warm_s,
            "rows_per_s": n / seconds, "code_tokens": tokens, "code_tokens_per_s":
            tokens / seconds, "sampler_programs": len(gen.programs),
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rows", type=int, default=64)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--mode", choices=("calls", "batch"), default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.mode:
        print(json.dumps(measure(args.mode, args.rows, args.batch_size)))
        return
    runs = {}
    for mode in ("calls", "batch"):
        out = subprocess.run([sys.executable, __file__, "--mode", mode, "--rows",
                              str(args.rows), "--batch-size", str(args.batch_size)],
                             capture_output=True, text=True, check=True).stdout
        runs[mode] = json.loads(out.strip().splitlines()[-1])
    record = {"bench": "batch", **environment(), "model": "shipped", "rows": args.rows,
              "batch_size": args.batch_size, "settings": "1 sample, model steps, 2 repairs",
              "calls": runs["calls"], "batch": runs["batch"],
              "ratio_rows_per_s": runs["batch"]["rows_per_s"] / runs["calls"]["rows_per_s"]}
    write(RESULTS, record)


if __name__ == "__main__":
    main()
