"""``adjax adapt``: self-evolve on tasks from the model's own rewards."""

from __future__ import annotations

import argparse
import sys

from adjax_code.app.common import (
    LANGUAGES,
    UserError,
    find_model,
    load_generator,
    mesh_shape,
    positive_int,
    sampling_args,
)


def add_parser(sub) -> None:
    ad = sub.add_parser("adapt", help="self-evolve on tasks from the model's own rewards",
                        description="Cycles of generate -> score -> keep the best -> learn. "
                        "Task-suite items are rewarded by their example tests and measured on "
                        "their hidden tests. Writes checkpoints/, metrics.jsonl and adapt.png "
                        "to --out and resumes from them; the run is a model (--model RUN, "
                        "--cycle N) and a finished run continues only with more --cycles.")
    ad.add_argument("--tasks", required=True,
                    help="a task-suite split (train, heldout, all) or a JSONL file of "
                    "{spec, language, tests?, prefix?}")
    ad.add_argument("--cycles", type=positive_int, default=3)
    ad.add_argument("--candidates", type=positive_int, default=4,
                    help="candidates per item and cycle")
    ad.add_argument("--mechanism", default="hybrid",
                    help="gradient, memory, hybrid, grpo, or a registered name")
    ad.add_argument("--gradient-weight", type=float, default=0.5, help="hybrid only")
    ad.add_argument("--memory-weight", type=float, default=0.5, help="hybrid only")
    ad.add_argument("--learning-rate", type=float, default=3e-4)
    ad.add_argument("--update-steps", type=positive_int, default=30,
                    help="optimizer steps per cycle")
    ad.add_argument("--languages", nargs="+", choices=LANGUAGES, default=None,
                    help="task-suite languages (default: all)")
    lora = ad.add_argument_group("adapters", "LoRA: train low-rank adapters only, the base "
                                 "frozen in its stored dtype (checkpoints hold the adapters, "
                                 "their optimizer state and the buffer; `adjax model merge` "
                                 "folds them in)")
    lora.add_argument("--lora-rank", type=positive_int, default=None, metavar="R",
                      help="adapter rank (turns LoRA on)")
    lora.add_argument("--lora-alpha", type=float, default=None, metavar="A",
                      help="adapter scale alpha / rank (default: 2 x rank)")
    lora.add_argument("--lora-dropout", type=float, default=0.0, metavar="P",
                      help="dropout on the adapters' input while learning")
    lora.add_argument("--lora-targets", nargs="+", default=None, metavar="NAME",
                      help="projections to adapt, of q k v o gate up down (default: all)")
    ad.add_argument("--master", action="store_true",
                    help="full fine-tuning of a float32 master copy of low-precision (bf16) "
                    "weights: bf16 compute, float32 updates")
    ad.add_argument("--mesh", type=mesh_shape, default=None, metavar="DATAxMODEL",
                    help="run on a device mesh: base split as loaded, adapters beside it")
    sampling_args(ad)
    ad.add_argument("--out", default=None, help="run directory (checkpoints, metrics, plot)")
    ad.add_argument("--json", action="store_true", help="print the metrics as JSON")
    ad.add_argument("--quiet", action="store_true", help="no progress bar")
    ad.set_defaults(run=run)


def lora_config(rank: int | None, alpha: float | None, dropout: float = 0.0,
                targets: list[str] | None = None):
    """The ``LoraConfig`` of the --lora-* options (None without a rank); a bad value is
    one line."""
    from adjax_adapt import adapters

    if rank is None:
        given = [n for n, v in (("--lora-alpha", alpha), ("--lora-targets", targets))
                 if v is not None] + (["--lora-dropout"] if dropout else [])
        if given:
            raise UserError(f"{' and '.join(given)} need --lora-rank R")
        return None
    try:
        return adapters.LoraConfig(rank=rank, alpha=2.0 * rank if alpha is None else alpha,
                                   dropout=dropout,
                                   targets=tuple(targets or adapters.TARGETS))
    except ValueError as err:
        raise UserError(str(err)) from None


def run(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from adjax_adapt import mechanisms
    from adjax_code.adapt import evolve

    lora = lora_config(args.lora_rank, args.lora_alpha, args.lora_dropout, args.lora_targets)
    try:
        acfg = mechanisms.AdaptConfig(
            mechanism=args.mechanism, gradient_weight=args.gradient_weight,
            memory_weight=args.memory_weight, learning_rate=args.learning_rate,
            steps_per_update=args.update_steps, lora=lora, master=args.master)
        mechanisms.get(args.mechanism)
        ecfg = evolve.EvolveConfig(cycles=args.cycles, candidates=args.candidates,
                                   steps=args.steps, seed=args.seed)
        if args.tasks in ("train", "heldout", "all"):
            items = evolve.task_items(args.tasks, args.languages or LANGUAGES)
        else:
            items = evolve.jsonl_items(args.tasks)
    except FileNotFoundError:
        raise UserError(f"--tasks {args.tasks}: no such split (train, heldout, all) or "
                        "JSONL file") from None
    except ValueError as err:
        raise UserError(str(err)) from None
    from adjax_adapt.evolve import Interrupted
    from adjax_code.adapt import runs

    if args.out:
        try:
            runs.prepare(args.out, find_model(args.model), args.cycle)
            runs.check_resume(args.out, dataclasses.asdict(lora) if lora else None,
                              args.master)
        except ValueError as err:
            raise UserError(str(err)) from None
    gen = load_generator(args.model, args.mesh, cycle=args.cycle)
    from adjax_adapt.adapters import LoraFns

    if isinstance(gen.model, LoraFns):
        raise UserError(f"{args.model} is a run with LoRA adapters; adapt its merged model "
                        "(`adjax model merge BASE RUN --out DIR`) or its base")
    mesh = jax_mesh(gen) if args.mesh is not None else None
    try:
        _, rows = evolve.evolve(gen, items, acfg, ecfg, args.out, progress=not args.quiet,
                                log=lambda m: print(m, file=sys.stderr), mesh=mesh)
    except Interrupted as stop:
        where = (f"; saved cycle {stop.cycle} in {args.out}, rerun the same command to "
                 "resume" if stop.saved else " (nothing saved: no --out)")
        print(f"adjax: interrupted in cycle {stop.cycle}{where}", file=sys.stderr)
        return 130
    except ValueError as err:
        raise UserError(str(err)) from None
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(f"{'cycle':>5}{'pass@1':>9}{'reward':>8}{'buffer':>8}{'bits/tok':>10}")
        for r in rows:
            print(f"{r['cycle']:>5}{r['pass_at_1']:>9.1f}{r['mean_reward']:>8.3f}"
                  f"{r['buffer_size']:>8}{r['heldout_bits_per_token']:>10.3f}")
    return 0


def jax_mesh(gen):
    """The mesh ``gen``'s weights were placed on."""
    import jax

    return jax.tree.leaves(gen.params)[0].sharding.mesh
