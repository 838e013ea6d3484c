"""Renders a task's test cases into a test program for each language, runs it, and judges
the values it returned.

The driver reports, per case, the value the solution returned (``CASE <i> V <json>``) or
that it raised (``CASE <i> X <message>``) on records that carry the run's secret
(``adjax_code.judge.verdict``); the expected values stay in the harness, which compares them. A
case that raises or panics fails alone; the others still run.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from typing import Any

from adjax_code.judge import execution, sources, verdict
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


def run(items: Sequence[tuple[Task, str, str]], which: str = "all",
        sandbox: execution.Sandbox | None = None, progress=None) -> list[execution.RunResult]:
    """Runs (task, language, code) triples against their tests, in parallel."""
    sandbox = sandbox or execution.Sandbox()
    harnesses = [Harness.new() for _ in items]
    programs = [(program(t, lang, code, which, h), lang, h.stdin)
                for (t, lang, code), h in zip(items, harnesses, strict=True)]
    results = sandbox.run_many(programs, progress=progress)
    return [judge(r, h, expected(t, lang, which))
            for r, h, (t, lang, _) in zip(results, harnesses, items, strict=True)]


def outputs(items: Sequence[tuple[Task, str, str]], which: str = "all",
            sandbox: execution.Sandbox | None = None) -> list[tuple[str, ...] | None]:
    """What each program returned per case (its case records in case order), or None when
    it timed out: the behaviour that agreement reranking compares."""
    sandbox = sandbox or execution.Sandbox()
    harnesses = [Harness.new() for _ in items]
    programs = [(program(t, lang, code, which, h), lang, h.stdin)
                for (t, lang, code), h in zip(items, harnesses, strict=True)]
    out = []
    for r, h in zip(sandbox.run_many(programs), harnesses, strict=True):
        if r.status == execution.TIMEOUT:
            out.append(None)
            continue
        out.append(tuple(sorted(rest for kind, rest in h.records(r.stdout) if kind == "CASE")))
    return out


# -- batches: many tasks of one language in one program ---------------------------------


_JAVA_IMPORT = re.compile(r"^\s*import\s+[\w.*]+\s*;\s*$", re.M)


def split_java_imports(code: str) -> tuple[list[str], str]:
    """A Java file's import lines and the rest."""
    return [i.strip() for i in _JAVA_IMPORT.findall(code)], _JAVA_IMPORT.sub("", code)


def batch_program(items: Sequence[tuple[Task, str]], language: str, which: str,
                  h: Harness) -> str:
    """One program that runs every (task, code) pair of one language in turn, reporting
    ``TASK k`` before and ``DONE k`` after pair k's case records."""
    t = h.tag
    if language == "python":
        names = ", ".join(f"'{n}_{t}': {n}_{t}" for n in
                          ("_adjax_r", "_adjax_j", "_adjax_l", "_adjax_case"))
        parts = [verdict.python_prologue(h)]
        for k, (task, code) in enumerate(items):
            src = code + "\n\n" + _python(task, _cases(task, which), h)
            parts.append(
                f"_adjax_r_{t}('TASK', {k})\ntry:\n"
                f"    exec(compile({src!r}, 'task{k}', 'exec'), {{'__name__': '__main__', "
                f"{names}}})\n    _adjax_r_{t}('DONE', {k})\nexcept BaseException:\n    pass")
        return "\n".join(parts) + "\n"
    if language in ("javascript", "typescript"):
        typed = language == "typescript"
        parts = [verdict.js_prologue(h, typed)]
        for k, (task, code) in enumerate(items):
            src = code + "\n" + _javascript(task, _cases(task, which), h, typed)
            parts.append(f"__adjaxR_{t}('TASK', {k});\ntry {{\n(() => {{\n{src}\n}})();\n"
                         f"__adjaxR_{t}('DONE', {k});\n}} catch (e) {{}}")
        return "\n".join(parts) + "\n"
    if language == "java":
        imports, classes, methods, calls = ["import java.util.*;"], [], [], []
        for k, (task, code) in enumerate(items):
            found, body = split_java_imports(code)
            imports += [i for i in found if i not in imports]
            body = re.sub(r"\bpublic\s+(final\s+)?class\b", r"\1class", body)
            classes.append(re.sub(r"\bSolution\b", f"Solution{k}", body))
            lines = _java_lines(task, _cases(task, which), cls=f"Solution{k}")
            methods.append(f"  static void task{k}() {{\n" + "\n".join(lines) + "\n  }")
            calls.append(f'    r("TASK", "{k}"); task{k}(); r("DONE", "{k}");')
        return ("\n".join(imports) + "\n" + "\n".join(classes) + "\n"
                + _java_main(h, calls, methods))
    if language == "go":
        paths, bodies, calls = list(verdict.GO_IMPORTS), [], []
        for k, (task, code) in enumerate(items):
            found, code = sources.split_go(code)
            paths += found
            for name in set(re.findall(r"^func\s+(\w+)\s*\(", code, flags=re.M)):
                code = re.sub(rf"\b{name}\b", f"{name}_{k}", code)
            bodies.append(code)
            fn = f"{task.fn_name('go')}_{k}"
            calls.append(f'\tadjaxR_{t}("TASK", "{k}")\n'
                         + "\n".join(_go_lines(task, _cases(task, which), h, fn))
                         + f'\n\tadjaxR_{t}("DONE", "{k}")')
        return sources.join_go(paths, verdict.go_helpers(h) + "\n".join(bodies)
                               + f"\nfunc main() {{\n\tadjaxSecret_{t}()\n"
                               + "\n".join(calls) + "\n}\n")
    raise ValueError(f"the task suite has no renderer for {language!r}")


def _split_batch(result: execution.RunResult, h: Harness, wants: list[dict[int, Any]]
                 ) -> dict[int, execution.RunResult]:
    """Per-pair results from a batch's records; pairs without a DONE record are left out."""
    out: dict[int, execution.RunResult] = {}
    current, records = None, []
    for kind, rest in h.records(result.stdout):
        if kind == "TASK" and rest.strip().isdigit():
            current, records = int(rest), []
        elif kind == "DONE" and current is not None and rest.strip() == str(current) \
                and 0 <= current < len(wants):
            v = verdict.judge_cases(records, wants[current])
            status = execution.PASS if v["passed"] == v["total"] else execution.FAIL
            out[current] = dataclasses.replace(
                result, status=status, exit_code=0 if status == execution.PASS else 1,
                message=v["message"], tests_passed=v["passed"], tests_total=v["total"])
            current = None
        else:
            records.append((kind, rest))
    return out


def run_batched(items: Sequence[tuple[Task, str, str]], which: str = "all",
                sandbox: execution.Sandbox | None = None, batch_size: int = 40,
                progress=None) -> list[execution.RunResult]:
    """Like ``run``, but many pairs of one language share a program (one compile, one
    start-up). A pair whose batch did not reach its DONE record (a build error, a crash, a
    timeout, an exit) is run again on its own, so results match ``run`` exactly."""
    sandbox = sandbox or execution.Sandbox()
    big = dataclasses.replace(sandbox.limits, cpu_seconds=sandbox.limits.cpu_seconds * 6,
                              wall_seconds=sandbox.limits.wall_seconds * 6)
    batch_box = execution.Sandbox(big, workers=sandbox.workers, use_bwrap=sandbox.use_bwrap)
    results: list[execution.RunResult | None] = [None] * len(items)
    groups: dict[str, list[int]] = {}
    for i, (_, lang, _) in enumerate(items):
        groups.setdefault(lang, []).append(i)
    batches = [(lang, idx[j:j + batch_size]) for lang, idx in groups.items()
               for j in range(0, len(idx), batch_size)]
    harnesses = [Harness.new() for _ in batches]
    programs = [(batch_program([(items[i][0], items[i][2]) for i in idx], lang, which, h),
                 lang, h.stdin) for (lang, idx), h in zip(batches, harnesses, strict=True)]
    for (lang, idx), h, res in zip(batches, harnesses, batch_box.run_many(programs),
                                   strict=True):
        wants = [expected(items[i][0], lang, which) for i in idx]
        for k, r in _split_batch(res, h, wants).items():
            results[idx[k]] = r
            if progress is not None:
                progress.update(1)
    retry = [i for i, r in enumerate(results) if r is None]
    for i, r in zip(retry, run([items[i] for i in retry], which, sandbox, progress),
                    strict=True):
        results[i] = r
    return results  # type: ignore[return-value]


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
