"""``adjax score``: the likelihood of given code under a model (the ELBO of each file given
the specification), to rank candidates or compare models."""

from __future__ import annotations

import argparse

from adjax_code.app.common import (
    LANGUAGES,
    UserError,
    device_arg,
    int_in,
    language_of,
    load_generator,
    read_source,
    seed,
    spec_of,
)


def add_parser(sub) -> None:
    sc = sub.add_parser(
        "score", help="the likelihood of code under a model (ELBO, bits per token)",
        description="Estimate, for each FILE, the evidence lower bound (ELBO) of its code "
        "given the specification: a lower bound on log p(code | spec) in nats, with its "
        "Monte Carlo error, and bits per program token (lower is likelier). Files are "
        "listed likeliest first.")
    sc.add_argument("files", nargs="+", metavar="FILE", help="source files to score")
    sc.add_argument("--spec", default=None, help="the specification the code answers")
    sc.add_argument("--spec-file", default=None, metavar="FILE",
                    help="read the specification from FILE (- for standard input)")
    sc.add_argument("--language", "-l", choices=LANGUAGES, default=None,
                    help="the files' language (default: from each file's extension)")
    sc.add_argument("--draws", type=int_in(2, 1 << 16, "a number of draws in [2, 65536)"),
                    default=256, help="Monte Carlo draws of (noise time, mask) per file; "
                    "the error shrinks as 1/sqrt(draws) (default 256)")
    sc.add_argument("--seed", type=seed, default=0, help="the draws' seed")
    sc.add_argument("--model", default=None, metavar="DIR",
                    help="model directory (default: the shipped one)")
    sc.add_argument("--cycle", type=int_in(0, None, "an integer >= 0"), default=None,
                    metavar="N", help="with an adaptation run as --model: its cycle")
    device_arg(sc)
    sc.add_argument("--json", action="store_true", help="print the scores as JSON")
    sc.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json

    spec = spec_of(args)
    sources = [(path, language_of(path, args.language), read_source(path, "file"))
               for path in args.files]
    gen = load_generator(args.model, cycle=args.cycle)
    rows = []
    for path, language, code in sources:
        try:
            ll = gen.log_likelihood(spec, code, language, draws=args.draws, seed=args.seed)
        except ValueError as err:
            raise UserError(f"{path}: {err}") from None
        rows.append({"file": path, "language": language, **ll.to_json()})
    rows.sort(key=lambda r: -r["elbo_nats"])
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    width = max(len(r["file"]) for r in rows)
    print(f"{'file':<{width}}  {'ELBO (nats)':>16}  {'bits/token':>10}  tokens")
    for r in rows:
        elbo = f"{r['elbo_nats']:.2f} ± {r['stderr_nats']:.2f}"
        print(f"{r['file']:<{width}}  {elbo:>16}  {r['bits_per_token']:>10.3f}  {r['tokens']}")
    return 0
