"""Renders a task's test cases into a test program for each language, runs it, and judges
the values it returned.

The driver reports, per case, the value the solution returned (``CASE <i> V <json>``) or
that it raised (``CASE <i> X <message>``) on records that carry the run's secret
(``adjax_code.judge.verdict``); the expected values stay in the harness, which compares them. A
case that raises or panics fails alone; the others still run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from adjax_code.judge import compile_batch, execution, sources, verdict
from adjax_code.judge.verdict import Harness
from adjax_code.tasks import TS_TYPES, Task

JAVA_TYPES = {"int": "int", "bool": "boolean", "str": "String", "list[int]": "int[]",
              "list[str]": "String[]"}
GO_TYPES = {"int": "int", "bool": "bool", "str": "string", "list[int]": "[]int",
            "list[str]": "[]string"}


def _cases(task: Task, which: str):
    if which == "examples":
        return list(enumerate(task.examples))
    if which == "hidden":
        return [(i + len(task.examples), c) for i, c in enumerate(task.hidden)]
    if which == "all":
        return list(enumerate(task.tests))
    raise ValueError(f"unknown test set {which!r}; valid: examples, hidden, all")


def expected(task: Task, language: str, which: str = "all") -> dict[int, Any]:
    """What each case's record must hold for the case to pass."""
    return {i: verdict.expected_value(want, language) for i, (_, want) in _cases(task, which)}


def _inputs(cases) -> str:
    """The cases' arguments only, as JSON: expected values never enter the program."""
    return json.dumps([[i, list(args)] for i, (args, _) in cases])


def _python(task: Task, cases, h: Harness) -> str:
    t, fn = h.tag, task.fn_name("python")
    return (f"for _i, _args in _adjax_l_{t}({_inputs(cases)!r}):\n"
            f"    _adjax_case_{t}(_i, lambda *a: {fn}(*a), _args)\n")


def _javascript(task: Task, cases, h: Harness, typed: bool) -> str:
    fn = task.fn_name("javascript")
    call = f"({fn} as any)" if typed else fn
    cases_js = f"JSON.parse({json.dumps(_inputs(cases))})"
    if typed:
        cases_js = f"({cases_js} as any[])"
    return (f"for (const [i, args] of {cases_js}) "
            f"__adjaxCase_{h.tag}(i, () => {call}(...args));\n")


def _literal(value: Any, type_: str, list_prefix: dict[str, str]) -> str:
    """A Java or Go literal; the two differ only in how a list literal opens."""
    if type_ == "bool":
        return "true" if value else "false"
    if type_ == "int":
        return str(int(value))
    if type_ == "str":
        return json.dumps(value)
    items = ", ".join(_literal(v, type_[5:-1], list_prefix) for v in value)
    return f"{list_prefix[type_]}{{{items}}}"


def java_literal(value: Any, type_: str) -> str:
    return _literal(value, type_, {t: f"new {JAVA_TYPES[t]}" for t in ("list[int]", "list[str]")})


def go_literal(value: Any, type_: str) -> str:
    return _literal(value, type_, GO_TYPES)


def _java_lines(task: Task, cases, cls: str = "Solution") -> list[str]:
    fn = task.fn_name("java")
    body = []
    for i, (args, _) in cases:
        call_args = ", ".join(java_literal(a, t) for a, (_, t) in zip(args, task.params,
                                                                        strict=True))
        body.append(f"    c({i}, () -> j({cls}.{fn}({call_args})));")
    return body


def _java_main(h: Harness, calls: list[str], methods: list[str] = ()) -> str:
    return ("public class Main {\n" + verdict.java_helpers(h)
            + "  public static void main(String[] args) {\n    readSecret();\n"
            + "\n".join(calls) + '\n    r("END");\n  }\n' + "\n".join(methods) + "\n}\n")


def _java(task: Task, cases, h: Harness) -> str:
    return _java_main(h, _java_lines(task, cases))


def _go_lines(task: Task, cases, h: Harness, fn: str | None = None) -> list[str]:
    fn = fn or task.fn_name("go")
    lines = []
    for i, (args, _) in cases:
        call_args = ", ".join(go_literal(a, t) for a, (_, t) in zip(args, task.params,
                                                                      strict=True))
        lines.append(f"\tadjaxCase_{h.tag}({i}, func() interface{{}} {{ "
                     f"return {fn}({call_args}) }})")
    return lines


def _go(task: Task, cases, h: Harness) -> str:
    body = (verdict.go_helpers(h) + f"\nfunc main() {{\n\tadjaxSecret_{h.tag}()\n"
            + "\n".join(_go_lines(task, cases, h)) + f'\n\tadjaxR_{h.tag}("END")\n}}\n')
    return sources.join_go(verdict.GO_IMPORTS, body)


def test_code(task: Task, language: str, which: str = "all", h: Harness | None = None) -> str:
    """The test driver for ``language``, to follow a solution (``program`` adds the
    prologue that reads the secret)."""
    h = h or Harness.new()
    cases = _cases(task, which)
    if language == "python":
        return _python(task, cases, h) + f"_adjax_r_{h.tag}('END')\n"
    if language in ("javascript", "typescript"):
        return _javascript(task, cases, h, typed=language == "typescript") + \
            f'__adjaxR_{h.tag}("END");\n'
    if language == "java":
        return _java(task, cases, h)
    if language == "go":
        return _go(task, cases, h)
    raise ValueError(f"the task suite has no renderer for {language!r}")


def prologue(language: str, h: Harness) -> str:
    """What goes before the solution: the secret read and the reporter captured."""
    if language == "python":
        return verdict.python_prologue(h)
    if language in ("javascript", "typescript"):
        return verdict.js_prologue(h, typed=language == "typescript")
    return ""


def program(task: Task, language: str, code: str, which: str = "all",
            h: Harness | None = None) -> str:
    """A whole runnable program: prologue, the solution, then the test driver."""
    h = h or Harness.new()
    tests = test_code(task, language, which, h)
    if language == "java":
        imports, body = split_java_imports(code)
        code = "\n".join(["import java.util.*;"] + imports) + "\n" + body
    return prologue(language, h) + sources.combine(code, tests, language)


def judge(result: execution.RunResult, h: Harness, want: dict[int, Any]
          ) -> execution.RunResult:
    """The run's result with the verdict of its case records: pass only when every case
    returned its expected value, whatever the exit status said."""
    return verdict.judged(result, verdict.judge_cases(h.records(result.stdout), want))


def run_examples_and_hidden(items: Sequence[tuple[Task, str, str]],
                            sandbox: execution.Sandbox | None = None, progress=None
                            ) -> list[tuple[execution.RunResult, execution.RunResult]]:
    """(examples' verdict, hidden tests' verdict) per item from one batched run of all its
    cases (``run_batched``): one build and one run per sample, judged twice on the host."""
    harnesses, results = _batched(items, "all", sandbox, progress=progress)
    return list(zip(_judged(items, "examples", harnesses, results),
                    _judged(items, "hidden", harnesses, results), strict=True))


def _batched(items: Sequence[tuple[Task, str, str]], which: str,
             sandbox: execution.Sandbox | None, batch_size: int | None = None, progress=None
             ) -> tuple[list[Harness], list[execution.RunResult]]:
    """Each item's harness and its raw run, compiled languages built in batches
    (``compile_batch``) and every sample run alone."""
    harnesses, programs = _programs(items, which)
    return harnesses, compile_batch.run_many(
        sandbox or execution.Sandbox(), programs,
        batch_size=batch_size or compile_batch.BATCH_SIZE, progress=progress)


def _programs(items: Sequence[tuple[Task, str, str]], which: str
              ) -> tuple[list[Harness], list[tuple[str, str, str]]]:
    """A harness of its own and a whole (program, language, stdin) per item."""
    harnesses = [Harness.new() for _ in items]
    return harnesses, [(program(t, lang, code, which, h), lang, h.stdin)
                       for (t, lang, code), h in zip(items, harnesses, strict=True)]


def _judged(items, which: str, harnesses, results) -> list[execution.RunResult]:
    return [judge(r, h, expected(t, lang, which))
            for r, h, (t, lang, _) in zip(results, harnesses, items, strict=True)]


def run(items: Sequence[tuple[Task, str, str]], which: str = "all",
        sandbox: execution.Sandbox | None = None, progress=None) -> list[execution.RunResult]:
    """Runs (task, language, code) triples against their tests, in parallel, each program
    built and run alone."""
    sandbox = sandbox or execution.Sandbox()
    harnesses, programs = _programs(items, which)
    return _judged(items, which, harnesses, sandbox.run_many(programs, progress=progress))


def outputs(items: Sequence[tuple[Task, str, str]], which: str = "all",
            sandbox: execution.Sandbox | None = None) -> list[tuple[str, ...] | None]:
    """What each program returned per case (its case records in case order), or None when
    it timed out: the behaviour that agreement reranking compares. Compiled languages are
    built in batches and run apart, as in ``run_batched``."""
    harnesses, results = _batched(items, which, sandbox)
    out = []
    for r, h in zip(results, harnesses, strict=True):
        if r.status == execution.TIMEOUT:
            out.append(None)
            continue
        out.append(tuple(sorted(rest for kind, rest in h.records(r.stdout) if kind == "CASE")))
    return out


# -- Java imports ------------------------------------------------------------------------


_JAVA_IMPORT = re.compile(r"^[ \t]*import[ \t]+[\w.*]+[ \t]*;[ \t]*$", re.M)


def split_java_imports(code: str) -> tuple[list[str], str]:
    """A Java file's import lines and the rest."""
    return [i.strip() for i in _JAVA_IMPORT.findall(code)], _JAVA_IMPORT.sub("", code)


def run_batched(items: Sequence[tuple[Task, str, str]], which: str = "all",
                sandbox: execution.Sandbox | None = None, batch_size: int | None = None,
                progress=None) -> list[execution.RunResult]:
    """``run``, with the samples of each compiled language (Java, Go, TypeScript) compiled
    up to ``batch_size`` at a time (default ``compile_batch.BATCH_SIZE``) in one compiler
    run, and every sample still run in a sandboxed process of its own that holds only its
    own compiled files (``compile_batch``): the same verdicts, without a compiler start
    per sample."""
    harnesses, results = _batched(items, which, sandbox, batch_size, progress)
    return _judged(items, which, harnesses, results)


def header(task: Task, language: str) -> str:
    """The opening of a solution — the signature line, and the class line in Java — built
    from the task's typed signature alone (no solution text), ending in a newline. Held-out
    evaluation gives it to the model as a clamped prefix, as HumanEval gives its prompt."""
    name, params = task.fn_name(language), task.params
    if language == "python":
        return f"def {name}({', '.join(p for p, _ in params)}):\n"
    if language == "javascript":
        return f"function {name}({', '.join(p for p, _ in params)}) {{\n"
    if language == "typescript":
        typed = ", ".join(f"{p}: {TS_TYPES[t]}" for p, t in params)
        return f"function {name}({typed}): {TS_TYPES[task.returns]} {{\n"
    if language == "java":
        typed = ", ".join(f"{JAVA_TYPES[t]} {p}" for p, t in params)
        return f"class Solution {{\n  static {JAVA_TYPES[task.returns]} {name}({typed}) {{\n"
    if language == "go":
        typed = ", ".join(f"{p} {GO_TYPES[t]}" for p, t in params)
        return f"func {name}({typed}) {GO_TYPES[task.returns]} {{\n"
    raise ValueError(f"unknown language {language!r}")
