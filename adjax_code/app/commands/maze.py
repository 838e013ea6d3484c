"""``adjax maze``: the self-evolving planner (AdaptDiffuser on the Gaussian core) in 2-D
mazes: ``data`` makes offline data, ``train`` fits the planner to it, ``evolve`` runs
self-evolution cycles, ``eval`` measures a planner (or one cycle of a run) on held-out
tasks and draws its plans."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from adjax_code.app.common import UserError, non_negative_int, positive_int, seed


def add_parser(sub) -> None:
    mz = sub.add_parser("maze", help="the self-evolving maze planner (AdaptDiffuser)",
                        description="A Diffuser-style planner in point-mass mazes that improves "
                        "itself from its own guided, filtered plans. Typical use: "
                        "adjax maze train --out runs/maze; adjax maze evolve --planner "
                        "runs/maze --out runs/maze-evolve; adjax maze eval --planner runs/maze "
                        "--run runs/maze-evolve.")
    verbs = mz.add_subparsers(dest="verb", metavar="VERB")
    verbs.required = True

    d = verbs.add_parser("data", help="offline data from the noisy waypoint planner")
    d.add_argument("--out", required=True, help="the .npz file to write")
    _data_args(d)
    d.set_defaults(run=run_data)

    t = verbs.add_parser("train", help="train the planner on offline data",
                         description="Writes planner.json, params/ and data.npz to --out.")
    t.add_argument("--out", required=True, help="planner directory")
    t.add_argument("--data", default=None, help="an .npz from `adjax maze data` (default: "
                   "made now and kept as --out/data.npz)")
    _data_args(t)
    t.add_argument("--train-steps", type=positive_int, default=1500)
    t.add_argument("--batch-size", type=positive_int, default=64)
    t.add_argument("--learning-rate", type=float, default=2e-3)
    t.add_argument("--d-model", type=positive_int, default=32)
    t.add_argument("--layers", type=positive_int, default=2)
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    t.set_defaults(run=run_train)

    e = verbs.add_parser("evolve", help="self-evolution cycles (resumes from --out)",
                         description="Cycles of synthesise tasks -> plan with guidance -> "
                         "discriminator -> buffer -> fine-tune; metrics per cycle on "
                         "held-out tasks. Writes checkpoints/ and metrics.jsonl to --out.")
    e.add_argument("--planner", required=True, help="a directory from `adjax maze train`")
    e.add_argument("--out", required=True, help="run directory")
    e.add_argument("--cycles", type=positive_int, default=3)
    e.add_argument("--items", type=positive_int, default=32, help="tasks per cycle")
    e.add_argument("--candidates", type=positive_int, default=8, help="plans per task")
    e.add_argument("--update-steps", type=positive_int, default=150)
    e.add_argument("--eval-tasks", type=positive_int, default=48, help="per split")
    e.add_argument("--no-filter", action="store_true",
                   help="keep every plan (the ablation without discriminator)")
    e.add_argument("--source", choices=("synthetic", "offline"), default="synthetic",
                   help="offline: fine-tune on fresh offline data instead (an ablation)")
    e.add_argument("--seed", type=seed, default=0)
    e.add_argument("--json", action="store_true", help="print the metrics as JSON")
    e.add_argument("--quiet", action="store_true", help="no progress bar")
    e.set_defaults(run=run_evolve)

    v = verbs.add_parser("eval", help="success and normalized score on held-out tasks")
    v.add_argument("--planner", required=True, help="a directory from `adjax maze train`")
    v.add_argument("--run", dest="run_dir", default=None,
                   help="an `adjax maze evolve` run: its parameters")
    v.add_argument("--cycle", type=non_negative_int, default=None,
                   help="with --run: the cycle (default: the latest)")
    v.add_argument("--tasks", type=positive_int, default=48, help="per split")
    v.add_argument("--seed", type=seed, default=0)
    v.add_argument("--png", default=None, help="draw plans and executions to this file")
    v.add_argument("--json", action="store_true")
    v.set_defaults(run=run_eval)


def _data_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--episodes", type=positive_int, default=96, help="episodes per layout")
    p.add_argument("--episode-steps", type=positive_int, default=256)
    p.add_argument("--horizon", type=positive_int, default=16, help="window length")
    p.add_argument("--seed", type=seed, default=0)


def _windows(args):
    from adjax_adapt.planning import data, maze

    try:
        return data.generate(maze.TRAIN, args.episodes, args.episode_steps, args.horizon,
                             seed=args.seed)
    except ValueError as err:
        raise UserError(str(err)) from None


def run_data(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix != ".npz":
        raise UserError(f"--out {out}: expected a file name ending in .npz")
    windows = _windows(args)
    out.parent.mkdir(parents=True, exist_ok=True)
    windows.save(out)
    print(f"{len(windows.plans)} windows of {args.horizon} steps from "
          f"{', '.join(windows.names)} -> {out}")
    return 0


def _load_windows(path: str, horizon: int):
    from adjax_adapt.planning import data

    try:
        windows = data.Windows.load(path)
    except (OSError, KeyError, ValueError) as err:
        raise UserError(f"--data {path}: not maze data from `adjax maze data` "
                        f"({type(err).__name__})") from None
    if windows.plans.shape[1] != horizon:
        raise UserError(f"--data {path} holds windows of {windows.plans.shape[1]} steps, "
                        f"not --horizon {horizon}")
    return windows


def run_train(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from adjax_adapt.planning import planner, training

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} exists and is not a directory")
    try:
        cfg = planner.PlannerConfig(horizon=args.horizon, d_model=args.d_model,
                                    n_layers=args.layers,
                                    n_heads=4 if args.d_model % 8 == 0 else 2)
        fcfg = training.FitConfig(steps=args.train_steps, batch_size=args.batch_size,
                                  learning_rate=args.learning_rate, seed=args.seed)
    except ValueError as err:
        raise UserError(str(err)) from None
    windows = _load_windows(args.data, args.horizon) if args.data else _windows(args)
    out.mkdir(parents=True, exist_ok=True)
    windows.save(out / "data.npz")
    bar = tqdm(total=fcfg.steps, unit="step", desc="maze train", disable=args.quiet)

    def progress(step, loss):
        bar.update(1)
        if step % 100 == 0:
            bar.set_postfix(loss=f"{loss:.4f}")

    meta = {"data_windows": len(windows.plans), "train_steps": fcfg.steps}
    try:
        _, params, losses = training.fit(cfg, windows, fcfg, progress=progress)
    except training.Interrupted as stop:
        bar.close()
        training.save(out, cfg, stop.params, dict(meta, train_steps=stop.step))
        print(f"adjax: interrupted at step {stop.step}; saved the planner so far in {out}",
              file=sys.stderr)
        return 130
    bar.close()
    training.save(out, cfg, params, dict(meta, final_loss=losses[-1]))
    print(f"planner trained {fcfg.steps} steps (loss {losses[-1]:.4f}) -> {out}")
    return 0


def _trained(path: str):
    from adjax_adapt.planning import training

    try:
        return training.load(path)
    except FileNotFoundError as err:
        raise UserError(str(err)) from None


def run_evolve(args: argparse.Namespace) -> int:
    import json

    from adjax_adapt.evolve import Interrupted
    from adjax_adapt.planning import evolution

    try:
        ecfg = evolution.EvolveConfig(
            cycles=args.cycles, items=args.items, candidates=args.candidates,
            update_steps=args.update_steps, eval_tasks=args.eval_tasks,
            filter=not args.no_filter, source=args.source, seed=args.seed)
    except ValueError as err:
        raise UserError(str(err)) from None
    trained = _trained(args.planner)
    try:
        _, rows = evolution.run(args.planner, ecfg, args.out, trained=trained,
                                progress=not args.quiet,
                                log=lambda m: print(m, file=sys.stderr))
    except Interrupted as stop:
        print(f"adjax: interrupted in cycle {stop.cycle}; saved cycle {stop.cycle} in "
              f"{args.out}, rerun the same command to resume", file=sys.stderr)
        return 130
    except (FileNotFoundError, ValueError) as err:
        raise UserError(str(err)) from None
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'cycle':>5}{'kept':>7}{'seen %':>9}{'score':>8}{'unseen %':>10}{'score':>8}")
    for r in rows:
        print(f"{r['cycle']:>5}{r['buffer_size']:>7}{r['seen_success']:>9.1f}"
              f"{r['seen_score']:>8.1f}{r['unseen_success']:>10.1f}{r['unseen_score']:>8.1f}")
    return 0


def run_eval(args: argparse.Namespace) -> int:
    import json

    from adjax_adapt.planning import evolution, execute, figure

    cfg, model, params = trained = _trained(args.planner)
    if args.cycle is not None and args.run_dir is None:
        raise UserError("--cycle needs --run (an `adjax maze evolve` run directory)")
    if args.run_dir is not None:
        try:
            params = evolution.restore_params(args.run_dir, args.cycle, trained)
        except (FileNotFoundError, ValueError) as err:
            raise UserError(str(err)) from None
    out = {}
    for split, tasks in zip(("seen", "unseen"), evolution.eval_tasks(args.tasks, args.seed),
                            strict=True):
        refs = execute.references(tasks, 48, args.seed)
        out[split] = evolution.evaluate(params, model, cfg, tasks, refs, steps=48, every=15,
                                        seed=args.seed)
        if args.png:
            figure.draw_plans(Path(args.png).with_name(f"{Path(args.png).stem}_{split}.png"),
                              params, model, cfg, tasks, title=split)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    for split, m in out.items():
        print(f"{split:>7}: success {m['success']:.1f}%  normalized score {m['score']:.1f}")
    return 0
