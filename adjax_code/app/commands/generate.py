"""``adjax generate``: write code from a specification."""

from __future__ import annotations

import argparse
import sys

from adjax_code.app.common import (
    LANGUAGES,
    UserError,
    load_generator,
    mesh_shape,
    non_negative_int,
    positive_int,
    read_text,
    sampling_args,
    unit_float,
)


def add_parser(sub) -> None:
    gen = sub.add_parser("generate", help="write code from a specification",
                         description="Write code from a natural-language specification.")
    gen.add_argument("spec", nargs="?", default=None, help="what the code should do, in words")
    gen.add_argument("--spec-file", default=None, metavar="FILE",
                     help="read the specification from FILE (- for standard input)")
    gen.add_argument("--language", "-l", choices=LANGUAGES, default="python")
    gen.add_argument("--candidates", "--samples", dest="samples", metavar="N", type=positive_int,
                     default=4, help="candidates sampled in parallel; the best by reward is "
                     "printed")
    sampling_args(gen)
    gen.add_argument("--length", type=positive_int, default=None,
                     help="output tokens (default 128)")
    gen.add_argument("--prefix", default=None,
                     help="code the output must start with, kept exactly")
    gen.add_argument("--repair-rounds", type=non_negative_int, default=2,
                     help="rounds of remasking syntax errors and resampling")
    gen.add_argument("--threshold", type=unit_float, default=None, metavar="TAU",
                     help="threshold decoding: each step commits every position whose "
                     "confidence reaches TAU (at least one), the program's end handled "
                     "inside the loop; --steps caps the steps (default: the output length). "
                     "0.5 measured best with a signature in --prefix (docs/decoding.md)")
    gen.add_argument("--block-size", type=positive_int, default=None, metavar="N",
                     help="decode in semi-autoregressive blocks of N tokens, left to right "
                     "(--steps must then be a multiple of the number of blocks)")
    gen.add_argument("--cache", choices=("prompt", "dual"), default=None,
                     help="reuse attention keys and values between steps: 'dual' reruns "
                     "only the current block, 'prompt' every output position; refreshed "
                     "once a block; an approximation (docs/decoding.md)")
    gen.add_argument("--grow", action="store_true",
                     help="draft at the model's shortest length bucket and give only the "
                     "candidates that did not end there more room (about half the work; "
                     "shorter programs: docs/decoding.md)")
    gen.add_argument("--mesh", type=mesh_shape, default=None, metavar="DATAxMODEL",
                     help="sample on DATA x MODEL devices: the weights tensor parallel over "
                     "MODEL, the candidates split over DATA; e.g. 1x8; default: one device")
    gen.add_argument("--json", action="store_true", help="print every candidate as JSON")
    gen.set_defaults(run=run)


def _spec(args: argparse.Namespace) -> str:
    """The specification, from the argument or ``--spec-file``; never empty."""
    spec = args.spec
    if args.spec_file is not None:
        if spec is not None:
            raise UserError("give the specification as an argument or with --spec-file, "
                            "not both")
        spec = read_text(args.spec_file, "specification file")
    if spec is None:
        raise UserError("no specification: pass it as an argument or with --spec-file FILE "
                        "(- for standard input)")
    if not spec.strip():
        raise UserError("the specification is empty; describe the code you want")
    return spec


def run(args: argparse.Namespace) -> int:
    import json
    import time

    from adjax_code.generate.decoding import Decoding

    spec = _spec(args)
    gen = load_generator(args.model, args.mesh)
    total, kept = gen.spec_tokens(spec)
    if total > kept:
        print(f"adjax: note: the specification is {total} tokens; the model reads its first "
              f"{kept}", file=sys.stderr)
    t0 = time.perf_counter()
    try:
        decoding = Decoding(steps=args.steps, threshold=args.threshold,
                            block_size=args.block_size, cache=args.cache, grow=args.grow)
        sampler = decoding.sampler(gen.cfg.sampler, args.length or gen.default_length)
        result = gen.generate(spec, args.language, samples=args.samples, seed=args.seed,
                              steps=None, length=args.length, prefix=args.prefix or "",
                              repair_rounds=args.repair_rounds, sampler=sampler,
                              grow=decoding.grow)
    except ValueError as err:
        raise UserError(str(err)) from None
    result.timings["generate_s"] = time.perf_counter() - t0
    result.timings["spec_tokens"], result.timings["spec_tokens_read"] = total, min(total, kept)
    if args.json:
        print(json.dumps({"candidates": [c.to_json() for c in result.candidates],
                          "timings": result.timings}, indent=2))
    else:
        print(result.best.code, end="" if result.best.code.endswith("\n") else "\n")
    return 0
