"""The ``adjax`` command: the parser assembled from the command modules
(``adjax_code/app/commands/``, one per command) and ``main``, which runs one and turns the
errors a user can fix into one line."""

from __future__ import annotations

import argparse
import importlib.metadata
import sys

from adjax_code.app.commands import (
    adapt,
    bench,
    check,
    data,
    edit,
    evaluate,
    generate,
    init,
    maze,
    model,
    plan,
    score,
    train,
)
from adjax_code.app.common import UserError, select_device

# In the order `adjax --help` lists them.
COMMANDS = (generate, evaluate, score, edit, check, init, bench, train, plan, adapt, data, model,
            maze)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="adjax", description="Diffusion-based code generation that improves from rewards.")
    try:
        version = importlib.metadata.version("adjax")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - source checkout
        version = "unknown"
    parser.add_argument("--version", action="version", version=f"adjax {version}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if getattr(args, "device", None):
            select_device(args.device)
        return args.run(args)
    except UserError as err:
        print(f"adjax: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("adjax: interrupted (runs resume from their last checkpoint)", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`adjax ... | head`): stop quietly, as Unix tools do.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception as err:
        from adjax_code.judge.execution import SandboxUnavailable
        from adjax_code.model.model_store import ModelError

        # A lazily loaded model finds damaged weights on first use, inside any command.
        if not isinstance(err, SandboxUnavailable | ModelError):
            raise
        print(f"adjax: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
