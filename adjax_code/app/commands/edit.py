"""``adjax improve`` and ``adjax refine``: edit a source file through the Python API."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from adjax_code.app.common import (
    UserError,
    language_of,
    load_api,
    positive_int,
    read_source,
    sampling_args,
)


def add_parser(sub) -> None:
    imp = _edit_parser(sub, "improve", "change code as feedback asks",
                       "Change a source file as the feedback asks (\"Add a docstring\", "
                       "\"Add type hints\", \"Handle the empty list\"). The feedback "
                       "conditions the model; a candidate wins only if it scores higher and "
                       "has the asked-for property. Prints the result (the input when "
                       "nothing won).")
    imp.add_argument("--feedback", "-f", required=True, help="what to change, in words")
    imp.set_defaults(run=run_improve)
    ref = _edit_parser(sub, "refine", "remask and resample the weakest spans of code",
                       "Remask the weakest spans of a source file (syntax errors, the tokens "
                       "the model finds least likely) and resample; the result never scores "
                       "lower than the input.")
    ref.set_defaults(run=run_refine)


def _edit_parser(sub, name: str, help_text: str, description: str) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=help_text, description=description)
    p.add_argument("file", help="the source file")
    p.add_argument("--language", "-l", default=None,
                   help="default: from the file extension")
    p.add_argument("--spec", default=None, help="what the code should do (relevance)")
    p.add_argument("--tests", default=None,
                   help="test code in the same language; candidates must pass more")
    p.add_argument("--iterations", type=positive_int, default=2 if name == "improve" else 1,
                   help="rounds of remasking and resampling")
    p.add_argument("--candidates", "--samples", dest="samples", metavar="N", type=positive_int,
                   default=None, help="candidates per round (default 4)")
    sampling_args(p)
    p.add_argument("--config", default=None, help="a TOML config (see `adjax init`)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true",
                     help="print the result, scores, history and profile as JSON")
    out.add_argument("--write", action="store_true",
                     help="write the result back to the file (only when it changed)")
    return p


def run_improve(args: argparse.Namespace) -> int:
    code = read_source(args.file, "file")
    lang = language_of(args.file, args.language)
    tests = read_source(args.tests, "tests file") if args.tests else None
    if not args.feedback.strip():
        raise UserError("the feedback is empty; say what to change, e.g. \"Add a docstring\"")
    api = load_api(args)
    try:
        out = api.improve_code(code, args.feedback, lang, specification=args.spec or "",
                               tests=tests, iterations=args.iterations)
    except ValueError as err:
        raise UserError(str(err)) from None
    result = api.last_result
    if not result["changed"]:
        print("adjax: no candidate scored higher; the code is unchanged", file=sys.stderr)
    return _output(args, code, out, {**result, "profile": api.last_profile})


def run_refine(args: argparse.Namespace) -> int:
    code = read_source(args.file, "file")
    lang = language_of(args.file, args.language)
    tests = read_source(args.tests, "tests file") if args.tests else None
    api = load_api(args)
    try:
        out = api.refine_code(code, lang, iterations=args.iterations,
                              specification=args.spec or "", tests=tests)
    except ValueError as err:
        raise UserError(str(err)) from None
    return _output(args, code, out, {**api.last_result, "profile": api.last_profile})


def _output(args: argparse.Namespace, original: str, code: str, result: dict) -> int:
    """The edited code as JSON, written back with ``--write``, or printed."""
    import json

    if args.json:
        print(json.dumps({"code": code, "changed": code != original,
                          **{k: v for k, v in result.items() if k != "method"}}, indent=2,
                         default=str))
    elif args.write:
        if code != original:
            Path(args.file).write_text(code)
        print(f"{'updated' if code != original else 'unchanged'}: {args.file}",
              file=sys.stderr)
    else:
        print(code, end="" if code.endswith("\n") else "\n")
    return 0
