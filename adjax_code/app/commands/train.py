"""``adjax train``: train the code model from a config, on one host or several."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from adjax_code.app.common import UserError, positive_int


def add_parser(sub) -> None:
    tr = sub.add_parser("train", help="train the code model",
                        description="Train the code model from a config; resumes from the "
                        "latest checkpoint in --out. Writes tokenizer.json, checkpoints/, "
                        "metrics.jsonl and loss.png.")
    tr.add_argument("--config", required=True, help="a config name (tiny) or a .py path")
    tr.add_argument("--out", required=True, help="run directory")
    tr.add_argument("--set", nargs="+", metavar="SECTION.KEY=VALUE",
                    help="override config values, e.g. train.steps=100")
    tr.add_argument("--data-only", action="store_true",
                    help="train on the JSONL files of data.jsonl alone (the same as --set "
                    "data.max_files=0 data.include_tasks=false), e.g. --data-only --set "
                    "data.jsonl=mine.jsonl")
    tr.add_argument("--force", action="store_true",
                    help="write into a non-empty --out that is not a training run")
    tr.add_argument("--quiet", action="store_true", help="no progress bar")
    multi = tr.add_argument_group(
        "several hosts", "one process per host, the same command on each (the mesh comes "
        "from the config's mesh section, e.g. --set mesh.data=-1 mesh.strategy=fsdp)")
    multi.add_argument("--coordinator", metavar="HOST:PORT",
                       help="process 0's address, or 'auto' on a cluster JAX detects "
                       "(Cloud TPU, SLURM, Open MPI)")
    multi.add_argument("--num-processes", type=positive_int, metavar="N")
    multi.add_argument("--process-id", type=int, metavar="I", help="this process, 0 to N-1")
    tr.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json

    from adjax import sharding
    from adjax_code.model import configs
    from adjax_code.train import trainer

    sets = [*(args.set or []), *(["data.max_files=0", "data.include_tasks=false"]
                                 if args.data_only else [])]
    try:
        cfg = configs.load(args.config).override(sets)
    except ValueError as err:
        raise UserError(str(err)) from None
    if cfg.data is None:
        raise UserError(f"config {args.config} has no data section; it is not a code-model "
                        "config")
    if args.data_only and not cfg.data.jsonl.strip():
        raise UserError("--data-only needs your data: --set data.jsonl=FILE.jsonl (rows of "
                        "{\"spec\", \"language\", \"code\"})")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} exists and is not a directory")
    ours = {"checkpoints", "tokenizer.json", "metrics.jsonl", "loss.png"}
    if out.is_dir() and not args.force and any(p.name not in ours for p in out.iterdir()) \
            and not (out / "checkpoints").is_dir():
        raise UserError(f"--out {out} holds files that are not a training run; choose an "
                        "empty directory, or pass --force to write into it")
    try:
        sharding.initialize_distributed(args.coordinator, args.num_processes, args.process_id)
    except ValueError as err:
        raise UserError(str(err)) from None
    try:
        summary = trainer.run(cfg, args.out, progress=not args.quiet,
                              log=lambda m: print(m, file=sys.stderr))
    except trainer.Interrupted as stop:
        print(f"adjax: interrupted at step {stop.step}; saved a checkpoint in {args.out}, "
              "rerun the same command to resume", file=sys.stderr)
        return 130
    except (ValueError, FloatingPointError) as err:
        raise UserError(str(err)) from None
    print(json.dumps(summary, indent=2))
    return 0
