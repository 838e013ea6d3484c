"""``adjax evaluate``: score a source file with the rewards."""

from __future__ import annotations

import argparse
import shutil

from adjax_code.app.common import LANGUAGES, UserError, language_of, read_source


def add_parser(sub) -> None:
    ev = sub.add_parser("evaluate", help="score a source file with the rewards",
                        description="Score a source file: syntax, quality, relevance to a "
                        "specification, and the share of tests passed in the sandbox.")
    ev.add_argument("file", help="the source file to score")
    ev.add_argument("--language", "-l", default=None,
                    help=f"one of: {', '.join(LANGUAGES)} (default: from the file extension)")
    ev.add_argument("--spec", default=None, help="the specification, for the relevance score")
    ev.add_argument("--tests", default=None,
                    help="test code in the same language, appended to the file and run")
    ev.add_argument("--json", action="store_true", help="print the scores as JSON")
    ev.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json

    from adjax_code.judge import execution, rewards
    from adjax_code.lang import languages, syntax

    lang = languages.get(language_of(args.file, args.language))
    code = read_source(args.file, "file")
    tests = read_source(args.tests, "tests file") if args.tests else None
    if tests is not None:
        missing = [t for t in lang.toolchain if shutil.which(t) is None]
        if missing:
            raise UserError(f"cannot run {lang.name} tests: {', '.join(missing)} not on PATH; "
                            "run `adjax doctor` for how to install it")
    sandbox = execution.Sandbox()
    scores = rewards.score([code], lang.name, spec=args.spec, sandbox=sandbox)[0]
    untested, result = [], None
    if tests is not None:  # one run gives the functional score and, in Python, coverage
        from adjax_code.evaluate import evaluation

        result = _run_tests(args.file, code, tests, lang.name, sandbox)
        scores["functional"] = result.fraction_passed
        scores["overall"] = rewards.overall(scores)
        untested = evaluation.untested(code, result)
    errors = syntax.error_spans(code, lang.name)
    if args.json:
        print(json.dumps({"language": lang.name, "scores": scores,
                          "syntax_errors": [s.describe() for s in errors],
                          "untested_lines": untested,
                          "tests": result.to_json() if result is not None else None,
                          "sandbox": list(sandbox.protections())}, indent=2))
    else:
        for name, value in scores.items():
            print(f"{name:<11}{value:.3f}")
        for err in errors:
            print(f"syntax     {err.describe()}")
        for item in untested:
            print(f"untested   line {item['line']}: {item['code']}")
        if result is not None:
            _print_tests(result)
    return 0


def _run_tests(path: str, code: str, tests: str, language: str, sandbox):
    """The tests run against ``code``; in Python the tests may import the solution by its
    file's name (``from add import add`` for add.py), and tests that cannot run as written
    (fixtures, no case at all) are refused before anything runs."""
    from pathlib import Path

    from adjax_code.judge import python_tests, rewards

    module_name = None
    if language == "python":
        plan = python_tests.plan_python_tests(tests)
        if plan.error:
            raise UserError(f"tests file: {plan.error}")
        if not plan.cases:
            raise UserError(f"tests file: {python_tests.NO_CASES}")
        stem = Path(path).stem
        module_name = stem if stem.isidentifier() else None
    return rewards.functional_results([code], language, tests, sandbox,
                                      coverage=language == "python",
                                      module_name=module_name)[0]


def _print_tests(result) -> None:
    """One line a case (failures with their reason and trace), then what went wrong."""
    for case in result.cases:
        where = f" (line {case.line})" if case.line and case.status == "fail" else ""
        why = f": {case.message}" if case.message else ""
        print(f"case       {case.status.upper() if case.status == 'fail' else case.status} "
              f"{case.name}{where}{why}")
        if case.status == "fail":
            for line in case.trace:
                print(f"             {line}")
    if not result.trusted:
        print(f"trusted    no: free-form {result.language} tests run inside the program's own "
              "process, where a program written against the harness could forge them; "
              "adjax adapt does not learn from them (docs/security.md)")
    if result.status != "pass":
        if result.message:
            print(f"tests      {result.status}: {result.message}")
        if result.stderr_tail:
            print("stderr     " + result.stderr_tail.rstrip().replace("\n", "\n           "))
