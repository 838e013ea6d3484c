"""The ``adjax`` command."""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
from pathlib import Path

DEFAULT_MODEL_DIR = Path(__file__).parent / "models" / "default"
LANGUAGES = ("python", "javascript", "typescript", "java", "go")


class UserError(Exception):
    """A mistake or missing piece the user can fix; printed as one line, exit code 1."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _find_model(model_dir: str | None) -> Path:
    path = Path(model_dir) if model_dir else DEFAULT_MODEL_DIR
    if not (path / "manifest.json").is_file():
        if model_dir is None:
            raise UserError(
                f"no model installed yet: the default model directory {path} holds no "
                "manifest.json; pass --model DIR with a trained model"
            )
        raise UserError(f"no model at {path}: manifest.json is missing")
    return path


def cmd_generate(args: argparse.Namespace) -> int:
    if not args.spec.strip():
        raise UserError("the specification is empty; describe the code you want")
    _find_model(args.model)
    raise UserError("generation needs the code model, which is not part of this build yet")


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

    gen = sub.add_parser("generate", help="write code from a specification",
                         description="Write code from a natural-language specification.")
    gen.add_argument("spec", help="what the code should do, in words")
    gen.add_argument("--language", "-l", choices=LANGUAGES, default="python")
    gen.add_argument("--samples", type=_positive_int, default=4,
                     help="candidates sampled in parallel; the best by reward is printed")
    gen.add_argument("--steps", type=_positive_int, default=None, help="denoising steps")
    gen.add_argument("--seed", type=int, default=0)
    gen.add_argument("--json", action="store_true", help="print every candidate as JSON")
    gen.add_argument("--model", default=None, help="model directory (default: the shipped one)")
    gen.set_defaults(func=cmd_generate)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UserError as err:
        print(f"adjax: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
