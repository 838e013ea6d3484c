"""GRPO against the other adaptation mechanisms, at equal sampler calls, over seeds.

Each run adapts the shipped model on train-split tasks (reward: the fraction of a task's
example tests passed) and is then measured on the held-out tasks, never trained on (pass@1
on all their tests, with the same sampling settings before and after):

    uv run python benchmarks/bench_grpo.py --languages python --train-tasks 40 --seeds 0,1,2

Appends one JSONL record per (language, mechanism, seed) to benchmarks/results/grpo.jsonl
and writes benchmarks/results/grpo.png (held-out pass@1 before/after, mean and spread).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from common import environment, write

from adjax_adapt import mechanisms
from adjax_code.adapt import domain, evolve
from adjax_code.generate.generator import Generator
from adjax_code.model import model_store

HERE = Path(__file__).parent


def heldout_pass(gen: Generator, params, language: str, candidates: int, steps: int,
                 seed: int) -> tuple[float, float]:
    """(pass@1 %, mean example-test reward) of ``params`` on the held-out tasks."""
    current = Generator(gen.model, params, gen.tok, gen.cfg)
    items = evolve.task_items("heldout", [language])
    codes = []
    for lo in range(0, len(items), 16):
        group = items[lo:lo + 16]
        from adjax_code.generate.generator import Request

        results = current.generate_many([Request(it.spec, it.language, it.prefix)
                                         for it in group], samples=candidates, steps=steps,
                                        seed=seed + lo, repair_rounds=1)
        codes += [[c.code for c in sorted(r.candidates, key=lambda c: c.index)]
                  for r in results]
    reward, passed = domain.score(items, codes)
    return float(passed.mean()) * 100, float(reward.mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mechanisms", default="grpo,gradient,hybrid")
    parser.add_argument("--languages", default="python,javascript")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--train-tasks", type=int, default=40)
    parser.add_argument("--cycles", type=int, default=2)
    parser.add_argument("--candidates", type=int, default=8)
    parser.add_argument("--steps", type=int, default=16)
    parser.add_argument("--learning-rate", type=float, default=3e-4,
                        help="gradient and hybrid")
    parser.add_argument("--grpo-learning-rate", type=float, default=3e-5,
                        help="grpo (policy steps move further per step than ELBO steps)")
    parser.add_argument("--eval-candidates", type=int, default=4)
    parser.add_argument("--update-steps", type=int, default=20)
    parser.add_argument("--model", default=str(model_store.DEFAULT_DIR))
    parser.add_argument("--out", type=Path, default=HERE / "results" / "grpo.jsonl")
    args = parser.parse_args()
    gen = Generator.load(args.model)
    table: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for language in args.languages.split(","):
        items = evolve.task_items("train", [language])[:args.train_tasks]
        base = {s: heldout_pass(gen, gen.params, language, args.eval_candidates, args.steps,
                                1000 + int(s)) for s in args.seeds.split(",")}
        for name in args.mechanisms.split(","):
            for s in args.seeds.split(","):
                seed = int(s)
                lr = args.grpo_learning_rate if name == "grpo" else args.learning_rate
                acfg = mechanisms.AdaptConfig(mechanism=name, learning_rate=lr,
                                              steps_per_update=args.update_steps,
                                              batch_size=32)
                ecfg = evolve.EvolveConfig(cycles=args.cycles, candidates=args.candidates,
                                           steps=args.steps, keep_threshold=1 / 3, seed=seed)
                t0 = time.perf_counter()
                state, rows = evolve.evolve(gen, items, acfg, ecfg, progress=False)
                after = heldout_pass(gen, state.params, language, args.eval_candidates,
                                     args.steps, 1000 + seed)
                table.setdefault((language, name), []).append((base[s][0], after[0]))
                write(args.out, {
                    "bench": "grpo", "language": language, "mechanism": name, "seed": seed,
                    "train_tasks": len(items), "cycles": args.cycles,
                    "candidates": args.candidates, "steps": args.steps,
                    "learning_rate": lr, "update_steps": args.update_steps,
                    "eval_candidates": args.eval_candidates,
                    "heldout_pass_at_1_before": base[s][0], "heldout_pass_at_1_after": after[0],
                    "heldout_reward_before": base[s][1], "heldout_reward_after": after[1],
                    "train_rows": rows, "wall_s": time.perf_counter() - t0,
                    "model_params": gen.manifest.get("files", {}), **environment()})
    plot(table, args.out.with_suffix(".png"))


def plot(table: dict, png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = sorted(table)
    fig, ax = plt.subplots(figsize=(max(5, 1.3 * len(keys)), 3.5))
    for i, key in enumerate(keys):
        before = np.array([b for b, _ in table[key]])
        after = np.array([a for _, a in table[key]])
        ax.errorbar([i - 0.12], [before.mean()], yerr=[before.std()], fmt="o", color="gray")
        ax.errorbar([i + 0.12], [after.mean()], yerr=[after.std()], fmt="o", color="C0")
    ax.set_xticks(range(len(keys)), [f"{lang}\n{mech}" for lang, mech in keys])
    ax.set_ylabel("held-out pass@1 (%)\ngray: before, blue: after")
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
