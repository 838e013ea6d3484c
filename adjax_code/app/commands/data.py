"""``adjax data export``: the training rows as a compact token set for training elsewhere."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from adjax_code.app.common import UserError, positive_int


def add_parser(sub) -> None:
    dat = sub.add_parser("data", help="export the training rows as a compact token set",
                         description="export: the training rows (task-suite train split, "
                         "edit pairs, doc-comment -> function pairs from this machine's "
                         "source trees, your JSONL), held-out tasks excluded, tokenized with a "
                         "new BPE and packed into uint16 arrays (tokens.npz, meta.json, "
                         "tokenizer.json) for training elsewhere "
                         "(benchmarks/device/run.py).")
    dat.add_argument("action", choices=("export",))
    dat.add_argument("--out", required=True, help="the directory to write")
    dat.add_argument("--max-mb", type=float, default=40.0,
                     help="size cap of the arrays; corpus rows beyond it are left out")
    dat.add_argument("--vocab-size", type=positive_int, default=8192)
    dat.add_argument("--max-files", type=positive_int, default=20_000,
                     help="source files read per tree")
    dat.add_argument("--max-len", type=positive_int, default=512,
                     help="longest code row in tokens (end token included)")
    dat.add_argument("--cond-len", type=positive_int, default=96,
                     help="condition tokens kept (language tag + specification)")
    dat.add_argument("--jsonl", nargs="+", default=None,
                     help="JSONL files of {spec, language, code} to add")
    dat.add_argument("--force", action="store_true",
                     help="write into a directory that holds other files")
    dat.add_argument("--json", action="store_true", help="print the meta as JSON")
    dat.add_argument("--quiet", action="store_true", help="no progress lines")
    dat.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json

    from adjax_code.corpus import export

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} exists and is not a directory")
    ours = {"tokens.npz", "meta.json", "tokenizer.json"}
    foreign = sorted(p.name for p in out.iterdir() if p.name not in ours) if out.is_dir() else []
    if foreign and not args.force:
        raise UserError(f"{out} holds files that are not a token set ({', '.join(foreign[:3])}"
                        "); choose an empty directory")
    if args.max_mb <= 0:
        raise UserError(f"--max-mb must be positive, got {args.max_mb}")
    log = None if args.quiet else (lambda m: print(m, file=sys.stderr))
    try:
        meta = export.export(out, max_mb=args.max_mb, vocab_size=args.vocab_size,
                             max_files=args.max_files, max_len=args.max_len,
                             cond_len=args.cond_len, jsonl=tuple(args.jsonl or ()), log=log)
    except (ValueError, FileNotFoundError) as err:
        raise UserError(str(err)) from None
    print(json.dumps(meta, indent=2) if args.json else export.summary(meta))
    return 0
