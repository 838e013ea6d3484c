"""Tests run where the candidate never ran: two sandboxed processes and a relay.

Free-form Python tests (``adjax evaluate --tests``, ``rewards.functional_results``) and
HumanEval run as two programs at once (``execution.Sandbox.run_pair``):

- the candidate's program (``python_server.py``) loads the solution and serves its names;
- the tests' program (``python_driver.py``) runs the tests against stubs of those names.

The harness holds both ends (``channel.Channel``) and relays each call and its reply as
one line of plain data (``python_wire``), reading the candidate's lines bounded in size and
depth (``verdict.load_value``). The candidate cannot write into the tests' process except
as a reply value, so the tests' ``abs``, ``sorted``, ``math``, ``unittest``, ``assert`` and
records are their own, and every value it returns is data the tests decoded themselves. The
verdict comes from the tests' records (``python_tests.judge_python_tests``); the candidate's
output, exit status and anything it prints count for nothing.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import functools
import json
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from adjax_code.judge import execution, python_tests, verdict
from adjax_code.judge.channel import Channel

WIRE_CHARS = 4 << 20  # one reply of the candidate's, as JSON
WIRE_DEPTH = 3 * 100 + 8  # python_wire.MAX_DEPTH levels, three JSON levels each at most
TESTS_LINE = 64 << 20  # one line from the tests' own process (trusted, but bounded)
PROTECTION = "tests-isolated-from-candidate"


@functools.cache
def _source(name: str) -> str:
    return Path(__file__).with_name(name).read_text(encoding="utf-8")


def _boot(*modules: str) -> str:
    """Program text that makes ``from adjax_code.judge import <module>`` work in the
    sandbox, where only the standard library is installed, for each of ``modules`` (files of
    this package that import nothing but the standard library and each other, in order)."""
    lines = ["import sys as _s, types as _t",
             "for _n in ('adjax_code', 'adjax_code.judge'):",
             "    _s.modules.setdefault(_n, _t.ModuleType(_n))",
             "def _adjax_module(name, source):",
             "    m = _t.ModuleType('adjax_code.judge.' + name)",
             "    _s.modules[m.__name__] = m",
             "    exec(compile(source, '<adjax-' + name + '>', 'exec'), m.__dict__)",
             "    setattr(_s.modules['adjax_code.judge'], name, m)"]
    lines += [f"_adjax_module({m!r}, {_source(m + '.py')!r})" for m in modules]
    return "\n".join(lines) + "\n"


def server_program(code: str, module_name: str | None = None, coverage: bool = False) -> str:
    """The candidate's program: the solution, loaded and serving its names."""
    return (_boot("python_wire") + "_ns = {'__name__': 'adjax_server'}\n"
            f"exec(compile({_source('python_server.py')!r}, '<adjax-server>', 'exec'), _ns)\n"
            f"_ns['serve']({code!r}, {module_name!r}, {coverage!r})\n")


def tests_program(plan: python_tests.PythonTestPlan, module_name: str | None = None, *,
                  prelude: str = "", expose: Sequence[str] | None = None) -> str:
    """The tests' program: ``plan``'s tests, run against stubs of the solution."""
    spec = python_tests.driver_spec(plan, "t", module_name)
    spec["prelude"], spec["expose"] = prelude, None if expose is None else list(expose)
    return (_boot("python_wire", "python_stubs") + "_ns = {'__name__': 'adjax_driver'}\n"
            f"exec(compile({_source('python_driver.py')!r}, '<adjax-driver>', 'exec'), _ns)\n"
            "_link = _s.modules['adjax_code.judge.python_stubs'].Link.from_stdin()\n"
            f"_go = _ns['start']({spec!r}, _link)\n"
            "_go(_link.manifest())\n"
            "_link.report('END')\n")


@dataclasses.dataclass
class Exchange:
    """What the relay saw: the tests' records, the candidate's coverage report, and why the
    candidate's side stopped answering ("" when it did not)."""

    records: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    coverage: list[int] | None = None
    gone: str = ""


def _load_failure(why: str) -> tuple[str, str]:
    return "LOAD", json.dumps({"w": "solution", "e": "", "m": why, "t": []})


def _manifest(candidate: Channel, deadline: float) -> tuple[dict | None, tuple[str, str]]:
    """(the candidate's manifest, or None and the LOAD record that says why not)."""
    if not candidate.wait(deadline):
        return None, _load_failure("the solution's process did not start")
    first = candidate.line(deadline, WIRE_CHARS)
    if first is None:
        return None, _load_failure(f"the solution's process ended before it loaded "
                                   f"({candidate.why})")
    kind, _, rest = first.partition(" ")
    ok, value = verdict.load_value(rest, max_chars=WIRE_CHARS, max_depth=WIRE_DEPTH)
    if kind == "LOAD" and ok and isinstance(value, dict):
        return None, ("LOAD", json.dumps({**value, "w": "solution"}))
    if kind != "READY":
        return None, _load_failure("the solution's process wrote something other than its "
                                   "names before it loaded")
    if not ok or not isinstance(value, dict):
        return None, _load_failure(f"the solution's names could not be read: "
                                   f"{value if not ok else 'not an object'}")
    return value, ("", "")


def _answer(candidate: Channel, request: str, deadline: float) -> tuple[str, str]:
    """(the reply line for the tests, why the candidate is gone or "")."""
    if not candidate.send(request):
        return json.dumps({"d": "ended before the call"}), "it ended"
    line = candidate.line(deadline, WIRE_CHARS)
    if line is None:
        return json.dumps({"d": f"ended during the call ({candidate.why})"}), candidate.why
    ok, value = verdict.load_value(line, max_chars=WIRE_CHARS, max_depth=WIRE_DEPTH)
    if not ok:
        return json.dumps({"p": f"replied with {value}"}), ""
    if not isinstance(value, dict):
        return json.dumps({"p": "replied with something that is not a reply"}), ""
    try:
        return json.dumps(value, allow_nan=True), ""
    except (ValueError, RecursionError):  # pragma: no cover - bounded by load_value
        return json.dumps({"p": "replied with a value that does not encode"}), ""


def relay(candidate: Channel, tests: Channel, deadline: float) -> Exchange:
    """Relays the tests' calls to the candidate and keeps the tests' records, until the
    tests' ``END`` record, their end, or ``deadline``."""
    ex = Exchange()
    manifest, failure = _manifest(candidate, deadline)
    if manifest is None:
        ex.records.append(failure)
        ex.gone = "it did not load"
        return ex
    if not tests.wait(deadline) or not tests.send("START " + json.dumps(manifest)):
        return ex
    while True:
        line = tests.line(deadline, TESTS_LINE)
        if line is None:
            break
        kind, _, rest = line.partition(" ")
        if kind != "CALL":
            ex.records.append((kind, rest))
            if kind == "END":
                break
            continue
        if ex.gone:
            reply = json.dumps({"d": f"had already ended ({ex.gone})"})
        else:
            reply, ex.gone = _answer(candidate, rest, deadline)
        if not tests.send(reply):
            break
    if not ex.gone and candidate.send("DONE"):
        line = candidate.line(min(deadline, time.monotonic() + 2.0), WIRE_CHARS)
        if line is not None and line.startswith("COVERAGE "):
            ok, lines = verdict.load_value(line[9:])
            if ok and isinstance(lines, list) and all(type(n) is int for n in lines):
                ex.coverage = lines
    return ex


@dataclasses.dataclass(frozen=True)
class PythonJob:
    """One solution and the tests to judge it by: ``plan``'s tests, the module name the
    tests import it by, whether to trace its lines, and (HumanEval) a trusted ``prelude``
    the tests' process runs first and the only names it takes from the solution."""

    code: str
    plan: python_tests.PythonTestPlan
    module_name: str | None = None
    coverage: bool = False
    prelude: str = ""
    expose: tuple[str, ...] | None = None


def run_python(codes: Sequence[str], plan: python_tests.PythonTestPlan,
               sandbox: execution.Sandbox, *, module_name: str | None = None,
               coverage: bool = False) -> list[execution.RunResult]:
    """Each solution in ``codes`` judged against ``plan``'s tests (``run_jobs``)."""
    return run_jobs([PythonJob(c, plan, module_name, coverage) for c in codes], sandbox)


def run_jobs(jobs: Sequence[PythonJob], sandbox: execution.Sandbox, progress=None
             ) -> list[execution.RunResult]:
    """Each job as a pair of sandboxed processes (``run_pairs``); results in input order."""
    programs: dict[tuple, str] = {}
    pairs = []
    for job in jobs:
        key = (id(job.plan), job.module_name, job.prelude, job.expose)
        if key not in programs:
            programs[key] = tests_program(job.plan, job.module_name, prelude=job.prelude,
                                          expose=job.expose)
        pairs.append(Pair(server_program(job.code, job.module_name, job.coverage),
                          programs[key], "python",
                          functools.partial(judge, plan=job.plan, code=job.code,
                                            module_name=job.module_name)))
    return run_pairs(pairs, sandbox, progress)


@dataclasses.dataclass(frozen=True)
class Pair:
    """The candidate's program, the tests' program, their language, and how to judge what
    happened: ``finish(candidate's result, tests' result, Exchange) -> RunResult``."""

    server: str
    tests: str
    language: str
    finish: Callable[[execution.RunResult, execution.RunResult, Exchange],
                     execution.RunResult]


def run_pairs(pairs: Sequence[Pair], sandbox: execution.Sandbox, progress=None
              ) -> list[execution.RunResult]:
    """Each pair run at once and relayed (``relay``), ``sandbox.workers`` pairs at a time;
    results in input order."""
    def one(pair: Pair) -> execution.RunResult:
        wall = sandbox.limits.wall_seconds + 3.0

        def talk(candidate: Channel, tests_end: Channel) -> Exchange:
            return relay(candidate, tests_end, time.monotonic() + wall)

        cand, run, ex = sandbox.run_pair((pair.server, pair.language),
                                         (pair.tests, pair.language), talk)
        out = pair.finish(cand, run, ex or Exchange())
        if progress is not None:
            progress.update(1)
        return out

    with concurrent.futures.ThreadPoolExecutor(sandbox.workers) as pool:
        return list(pool.map(one, pairs))


def combined(cand: execution.RunResult, run: execution.RunResult, ex: Exchange
             ) -> execution.RunResult:
    """The tests' result with both programs' output, marked isolated; the candidate's
    timeout when it hung."""
    base = dataclasses.replace(
        run, stdout=cand.stdout + run.stdout,
        stderr="\n".join(s for s in (cand.stderr.rstrip(), run.stderr.rstrip()) if s),
        protections=run.protections + (PROTECTION,))
    if cand.status == execution.TIMEOUT and ex.gone:
        base = dataclasses.replace(base, status=execution.TIMEOUT, message=cand.message)
    return base


def judge(cand: execution.RunResult, run: execution.RunResult, ex: Exchange, *,
          plan: python_tests.PythonTestPlan, code: str, module_name: str | None
          ) -> execution.RunResult:
    """One pair's result: the tests' records judged (``python_tests.judge_python_tests``),
    with the candidate's output and standard error, and its timeout when it hung."""
    if execution.MISSING in (cand.status, run.status):
        return cand if cand.status == execution.MISSING else run
    base = combined(cand, run, ex)
    ended = base.message or f"exit code {run.exit_code}"
    if not plan.cases:
        keep = base.status in (execution.TIMEOUT, execution.MISSING)
        return dataclasses.replace(base, status=base.status if keep else execution.ERROR,
                                   message=python_tests.NO_CASES, tests_passed=0, tests_total=0,
                                   cases=(), coverage=_lines(ex))
    v = python_tests.judge_python_tests(ex.records, plan, code=code, ended=ended,
                                   module_name=module_name)
    out = verdict.judged(base, v)
    if out.status != execution.PASS and (v["load"] or v["message"] == "every test case "
                                                                       "was skipped"):
        out = dataclasses.replace(out, message=v["message"])
    if ex.gone and out.status == execution.FAIL and cand.message and \
            cand.status != execution.PASS:
        out = dataclasses.replace(out, message=f"{out.message} (the solution's process: "
                                               f"{cand.message})")
    return dataclasses.replace(out, coverage=_lines(ex))


def _lines(ex: Exchange) -> tuple[int, ...] | None:
    return None if ex.coverage is None else tuple(ex.coverage)


def judge_end(cand: execution.RunResult, run: execution.RunResult, ex: Exchange, *,
              skipped: Sequence[str] = ()) -> execution.RunResult:
    """Tests that pass all or nothing, on the ``END`` record the tests' own program writes
    after their ``main`` returns (Java, Go). A solution that does not build or load says
    why; tests that do not compile against the solution's stubs say so, with what could
    not be stubbed (``skipped``)."""
    if execution.MISSING in (cand.status, run.status):
        return cand if cand.status == execution.MISSING else run
    if cand.stage == "build" and cand.status != execution.PASS:
        return dataclasses.replace(cand, tests_passed=0, tests_total=1,
                                   message=compile_error(cand)[:500],
                                   protections=cand.protections + (PROTECTION,))
    out = verdict.judged(combined(cand, run, ex), verdict.judge_free(ex.records, 0))
    if run.stage == "build" and run.status != execution.PASS:
        left = f"; not stubbed: {'; '.join(skipped)}" if skipped else ""
        return dataclasses.replace(out, message=(
            f"the tests do not compile against the solution's declarations: "
            f"{compile_error(run)}{left}")[:500])
    loaded = [rest for kind, rest in ex.records if kind == "LOAD"]
    if out.status != execution.PASS and loaded:
        ok, payload = verdict.load_value(loaded[0])
        why = str(payload.get("m", "")) if ok and isinstance(payload, dict) else ""
        return dataclasses.replace(out, status=execution.ERROR, message=(
            f"the solution failed to load: {why}"
            + (f" ({cand.message})" if cand.message else ""))[:500])
    if out.status in (execution.FAIL, execution.ERROR):  # the tests ran and stopped early
        stop = _STOPPED.search(run.stderr)
        why = stop.group(0).strip() if stop else run.message
        out = dataclasses.replace(out, status=execution.FAIL, message=(
            f"the tests did not run to their end: {why}" if why else out.message)[:500])
    return out


_COMPILER = re.compile(r"^\S+\.(?:java|go):\d+(?::\d+)?: .+$", re.M)
_SYMBOL = re.compile(r"^[ \t]*symbol:[ \t]*(.+)$", re.M)


def compile_error(result: execution.RunResult) -> str:
    """A failed build's first compiler message (``Main.java:7: error: cannot find symbol
    (variable MOD)``, ``./main.go:5:15: undefined: tolerance``), or its message."""
    first = _COMPILER.search(result.stderr + "\n" + result.stdout)
    if first is None:
        return result.message
    symbol = _SYMBOL.search(result.stderr, first.end())  # javac names it on a later line
    near = symbol is not None and result.stderr.count("\n", first.end(), symbol.start()) <= 3
    return first.group(0).strip() + (f" ({symbol.group(1).strip()})" if near else "")


# What ended a tests' program early: an uncaught exception (Java), a panic (Go), or the
# link saying that the solution's process is gone.
_STOPPED = re.compile(r"^(?:Exception in thread .*|panic: .*|adjax: .*)$", re.M)


def refused(message: str, language: str, protections: tuple[str, ...]) -> execution.RunResult:
    """A sample that was not run: one line saying why."""
    return execution.RunResult(execution.ERROR, language, None, "", "", 0.0, protections,
                               stage="build", message=message, tests_total=1)

