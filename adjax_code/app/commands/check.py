"""``adjax doctor``: check that this machine can run adjax (the checks: ``app/doctor.py``)."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub) -> None:
    doc = sub.add_parser("doctor", help="check that this machine can run adjax",
                         description="Check Python, packages, the JAX backend and devices, "
                         "bfloat16, the grammars, toolchains for running code, the model's "
                         "integrity, the compilation cache and the sandbox. Exit 1 when a "
                         "FAIL line stops adjax from working.")
    doc.add_argument("--model", default=None, help="model directory to check")
    doc.add_argument("--json", action="store_true", help="print the checks as JSON")
    doc.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from adjax_code.app import doctor

    checks = doctor.run_checks(args.model)
    if args.json:
        print(json.dumps([dataclasses.asdict(c) for c in checks], indent=2))
    else:
        for c in checks:
            print(c.line())
    failed = [c for c in checks if c.status == doctor.FAIL]
    if failed and not args.json:
        print(f"{len(failed)} problem(s) stop adjax from working; see FAIL lines above",
              file=sys.stderr)
    return 1 if failed else 0
