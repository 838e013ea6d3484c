"""The self-evolving maze planner (AdaptDiffuser on the Gaussian core), over seeds.

Per seed: offline data from the noisy waypoint planner in the training layouts, the planner
trained on it, then three variants of the same self-evolution loop at equal fine-tuning
compute (the same update steps and batch): ``evolve`` (guided plans, discriminator),
``evolve-no-filter`` (every plan kept) and ``offline-data`` (fresh offline windows instead of
synthetic plans). Each cycle measures success and normalized score on held-out tasks in the
training layouts (held-out goal cells) and in unseen layouts. Also: plans per second of the
jitted, batched DDIM sampler, guided and not.

    uv run python benchmarks/bench_maze.py                # 3 seeds, about 5-8 min a seed
    uv run python benchmarks/bench_maze.py --seeds 0 --cycles 1 --train-steps 100  # smoke

Writes benchmarks/results/maze.jsonl (one record per seed, variant and cycle, then the
summary and the throughput) and benchmarks/results/maze.png.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from common import environment, write

from adjax_adapt.planning import data, evolution, execute, figure, maze, planner, training

HERE = Path(__file__).parent
VARIANTS = {"evolve": {}, "evolve-no-filter": {"filter": False},
            "offline-data": {"source": "offline"}}


def plans_per_second(cfg, model, params, batch: int = 256, repeats: int = 3) -> dict:
    tasks = execute.sample_tasks(maze.TRAIN + maze.UNSEEN, batch, np.random.default_rng(0),
                                 heldout_goals=True)
    args = (params, jax.random.key(0), jnp.asarray(tasks.start), jnp.asarray(tasks.goal),
            jnp.asarray(tasks.walls))
    out = {}
    for name, scale in (("guided", cfg.guide_scale), ("unguided", 0.0)):
        t0 = time.perf_counter()
        jax.block_until_ready(planner.plan(*args, model=model, cfg=cfg, guide_scale=scale))
        compile_s = time.perf_counter() - t0
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            jax.block_until_ready(planner.plan(*args, model=model, cfg=cfg, guide_scale=scale))
            times.append(time.perf_counter() - t0)
        out[name] = {"plans_per_s": batch / statistics.median(times),
                     "first_call_s": compile_s, "median_s": statistics.median(times)}
    return out


def one_seed(seed: int, args, cfg, out: Path) -> dict:
    t0 = time.perf_counter()
    windows = data.generate(maze.TRAIN, args.episodes, 256, cfg.horizon, seed=seed)
    model, params, losses = training.fit(cfg, windows, training.FitConfig(
        steps=args.train_steps, seed=seed))
    base_s = time.perf_counter() - t0
    runs = {}
    for name, extra in VARIANTS.items():
        t1 = time.perf_counter()
        ecfg = evolution.EvolveConfig(cycles=args.cycles, items=args.items,
                                      candidates=args.candidates,
                                      update_steps=args.update_steps,
                                      eval_tasks=args.eval_tasks, seed=seed, **extra)
        state, rows = evolution.run(None, ecfg, None, trained=(cfg, model, params),
                                    offline=windows, progress=False)
        for r in rows:
            write(out, {"kind": "cycle", "seed": seed, "variant": name, **r})
        runs[name] = {"rows": rows, "params": state.params,
                      "seconds": time.perf_counter() - t1}
    total = time.perf_counter() - t0
    print(f"seed {seed}: {total:.0f} s (data + training {base_s:.0f} s, final loss "
          f"{losses[-1]:.4f})")
    return {"runs": runs, "model": model, "base": params, "seconds": total,
            "base_seconds": base_s}


def summary(results: list[dict]) -> list[dict]:
    """Mean and spread over seeds, per variant and split: after offline training (cycle 0)
    and after the last cycle."""
    out = []
    for name in VARIANTS:
        for split in ("seen", "unseen"):
            rec = {"kind": "summary", "variant": name, "split": split,
                   "seeds": len(results)}
            for metric in ("success", "score"):
                first = [r["runs"][name]["rows"][0][f"{split}_{metric}"] for r in results]
                last = [r["runs"][name]["rows"][-1][f"{split}_{metric}"] for r in results]
                rec[f"{metric}_offline"] = [float(np.mean(first)), float(np.std(first))]
                rec[f"{metric}_final"] = [float(np.mean(last)), float(np.std(last))]
                gains = [b - a for a, b in zip(first, last, strict=True)]
                rec[f"{metric}_gain"] = [float(np.mean(gains)), float(np.std(gains))]
            out.append(rec)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--items", type=int, default=32)
    parser.add_argument("--candidates", type=int, default=8)
    parser.add_argument("--update-steps", type=int, default=120)
    parser.add_argument("--eval-tasks", type=int, default=40)
    parser.add_argument("--episodes", type=int, default=96)
    parser.add_argument("--train-steps", type=int, default=1500)
    parser.add_argument("--out", default=str(HERE / "results" / "maze.jsonl"))
    parser.add_argument("--png", default=str(HERE / "results" / "maze.png"))
    args = parser.parse_args()
    cfg = planner.PlannerConfig()
    out = Path(args.out)
    out.unlink(missing_ok=True)
    env = environment()
    results = [one_seed(s, args, cfg, out) for s in args.seeds]  # one at a time
    for rec in summary(results):
        write(out, rec)
    first = results[0]
    speed = plans_per_second(cfg, first["model"], first["base"])
    write(out, {"kind": "throughput", "horizon": cfg.horizon, "sample_steps": cfg.sample_steps,
                "batch": 256, **speed, **env,
                "seconds_per_seed": [r["seconds"] for r in results],
                "config": vars(args)})
    seen, unseen = evolution.eval_tasks(4, args.seeds[0])
    tasks = execute.Tasks.concat([execute.Tasks(seen.start[:2], seen.goal[:2],
                                                seen.walls[:2], seen.names[:2]),
                                  execute.Tasks(unseen.start[:2], unseen.goal[:2],
                                                unseen.walls[:2], unseen.names[:2])])
    curves = {name: [r["runs"][name]["rows"] for r in results] for name in VARIANTS}
    figure.draw_evolution(args.png, first["model"], cfg, first["base"],
                          first["runs"]["evolve"]["params"], tasks, curves)
    print(f"wrote {out} and {args.png}")


if __name__ == "__main__":
    main()
