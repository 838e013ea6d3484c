"""``adjax evaluate``: score a source file with the rewards."""

from __future__ import annotations

import argparse
import shutil

from adjax_code.app.common import LANGUAGES, UserError, read_source


def add_parser(sub) -> None:
    ev = sub.add_parser("evaluate", help="score a source file with the rewards",
                        description="Score a source file: syntax, quality, relevance to a "
                        "specification, and the share of tests passed in the sandbox.")
    ev.add_argument("file", help="the source file to score")
    ev.add_argument("--language", "-l", required=True,
                    help=f"one of: {', '.join(LANGUAGES)}")
    ev.add_argument("--spec", default=None, help="the specification, for the relevance score")
    ev.add_argument("--tests", default=None,
                    help="test code in the same language, appended to the file and run")
    ev.add_argument("--json", action="store_true", help="print the scores as JSON")
    ev.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json

    from adjax_code.judge import execution, rewards
    from adjax_code.lang import languages, syntax

    code = read_source(args.file, "file")
    tests = read_source(args.tests, "tests file") if args.tests else None
    try:
        lang = languages.get(args.language)
    except ValueError as err:
        raise UserError(str(err)) from None
    if tests is not None:
        missing = [t for t in lang.toolchain if shutil.which(t) is None]
        if missing:
            raise UserError(f"cannot run {lang.name} tests: {', '.join(missing)} not on PATH; "
                            "run `adjax doctor` for how to install it")
    sandbox = execution.Sandbox()
    scores = rewards.score([code], lang.name, spec=args.spec, sandbox=sandbox)[0]
    untested = []
    if tests is not None:  # one run gives the functional score and, in Python, coverage
        from adjax_code.evaluate import evaluation

        result = rewards.functional_results([code], lang.name, tests, sandbox,
                                            coverage=lang.name == "python")[0]
        scores["functional"] = result.fraction_passed
        scores["overall"] = rewards.overall(scores)
        untested = evaluation.untested(code, result)
    errors = syntax.error_spans(code, lang.name)
    if args.json:
        print(json.dumps({"language": lang.name, "scores": scores,
                          "syntax_errors": [s.describe() for s in errors],
                          "untested_lines": untested,
                          "sandbox": list(sandbox.protections())}, indent=2))
    else:
        for name, value in scores.items():
            print(f"{name:<11}{value:.3f}")
        for err in errors:
            print(f"syntax     {err.describe()}")
        for item in untested:
            print(f"untested   line {item['line']}: {item['code']}")
    return 0
