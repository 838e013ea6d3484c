"""The self-evolution experiment: each mechanism adapts the shipped model on the task
suite's held-out tasks, rewarded by their example tests only, and is measured on their
hidden tests (never a reward) and on held-out original data (forgetting).

    uv run python benchmarks/bench_adapt.py --languages python --cycles 2 --candidates 4 \
        --steps 16 --keep-threshold 0.3

Writes one JSONL record per mechanism to benchmarks/results/adapt.jsonl and the curves to
benchmarks/results/adapt.png; runs resume from <--runs>/adapt-<mechanism>/ (default
benchmarks/runs/).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from common import environment, write

from adjax_adapt import mechanisms
from adjax_code import tasks
from adjax_code.adapt import evolve
from adjax_code.generate.generator import Generator
from adjax_code.model import model_store

HERE = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mechanisms", default="gradient,memory,hybrid")
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--candidates", type=int, default=4)
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--languages", default=",".join(tasks.LANGS))
    parser.add_argument("--model", default=str(model_store.DEFAULT_DIR))
    parser.add_argument("--learning-rate", type=float, default=3e-4)
    parser.add_argument("--update-steps", type=int, default=30)
    parser.add_argument("--keep-threshold", type=float, default=1.0,
                        help="the reward (fraction of example tests passed) a sample needs "
                        "to enter the buffer")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "adapt.jsonl")
    parser.add_argument("--runs", type=Path, default=HERE / "runs",
                        help="run directories (a rerun with the same one resumes)")
    args = parser.parse_args()
    gen = Generator.load(args.model)
    items = evolve.task_items("heldout", args.languages.split(","))
    runs = {}
    for name in args.mechanisms.split(","):
        acfg = mechanisms.AdaptConfig(mechanism=name, learning_rate=args.learning_rate,
                                      steps_per_update=args.update_steps)
        ecfg = evolve.EvolveConfig(cycles=args.cycles, candidates=args.candidates,
                                   steps=args.steps, keep_threshold=args.keep_threshold)
        t0 = time.perf_counter()
        _, rows = evolve.evolve(gen, items, acfg, ecfg, args.runs / f"adapt-{name}")
        runs[name] = rows
        write(args.out, {"bench": "adapt", "mechanism": name, "items": len(items),
                         "languages": args.languages, "cycles": args.cycles,
                         "candidates": args.candidates, "steps": args.steps,
                         "learning_rate": args.learning_rate,
                         "update_steps": args.update_steps,
                         "keep_threshold": args.keep_threshold, "wall_s": time.perf_counter() - t0,
                         "model_params_sha256": gen.manifest.get("files", {}).get(
                             "model.safetensors"),
                         "rows": rows, **environment()})
    evolve.plot(runs, args.out.with_suffix(".png"))


if __name__ == "__main__":
    main()
