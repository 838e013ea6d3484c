"""Renders a task's test cases into a test program for each language.

Each case prints one line, ``ADJAX-TEST <i> PASS`` or ``ADJAX-TEST <i> FAIL <why>``; the
sandbox counts them. A case that raises or panics fails alone; the others still run.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from typing import Any

from adjax_code import execution, rewards
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


def _python(task: Task, cases) -> str:
    data = json.dumps([[i, list(args), want] for i, (args, want) in cases])
    return f'''
import json as _adjax_json
for _i, _args, _want in _adjax_json.loads({data!r}):
    try:
        _got = {task.fn_name("python")}(*_args)
        if isinstance(_got, tuple):
            _got = list(_got)
        _ok = _got == _want and type(_got) is type(_want)
        print("ADJAX-TEST", _i, "PASS" if _ok else "FAIL got " + repr(_got)[:200])
    except Exception as _err:  # noqa: BLE001
        print("ADJAX-TEST", _i, "FAIL raised " + repr(_err)[:200])
'''


def _javascript(task: Task, cases, typed: bool) -> str:
    data = json.dumps(json.dumps([[i, list(args), want] for i, (args, want) in cases]))
    fn = task.fn_name("javascript")
    any_t = ": any" if typed else ""
    call = f"({fn} as any)" if typed else fn
    return f'''
const __adjaxCases{any_t} = JSON.parse({data});
for (const [i, args, want] of __adjaxCases) {{
  try {{
    const got = {call}(...args);
    const ok = JSON.stringify(got) === JSON.stringify(want);
    const shown = String(JSON.stringify(got)).slice(0, 200);
    console.log("ADJAX-TEST " + i + (ok ? " PASS" : " FAIL got " + shown));
  }} catch (err) {{
    console.log("ADJAX-TEST " + i + " FAIL raised " + String(err).slice(0, 200));
  }}
}}
'''


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
    fn, ret = task.fn_name("java"), task.returns
    rtype = JAVA_TYPES[ret]
    if ret.startswith("list"):
        cmp, show = "java.util.Arrays.equals(got, want)", "java.util.Arrays.toString(got)"
    elif ret == "str":
        cmp, show = "java.util.Objects.equals(got, want)", "String.valueOf(got)"
    else:
        cmp, show = "got == want", "String.valueOf(got)"
    body = []
    for i, (args, want) in cases:
        call_args = ", ".join(java_literal(a, t) for a, (_, t) in zip(args, task.params,
                                                                        strict=True))
        body.append(
            f"    try {{ {rtype} want = {java_literal(want, ret)}; "
            f"{rtype} got = {cls}.{fn}({call_args}); "
            f'System.out.println("ADJAX-TEST {i} " + ({cmp} ? "PASS" : "FAIL got " + {show})); '
            f'}} catch (Throwable e) {{ System.out.println("ADJAX-TEST {i} FAIL raised " + e); }}'
        )
    return body


def _java(task: Task, cases) -> str:
    return ("public class Main {\n  public static void main(String[] args) {\n"
            + "\n".join(_java_lines(task, cases)) + "\n  }\n}\n")


def _go_lines(task: Task, cases, fn: str | None = None) -> list[str]:
    fn = fn or task.fn_name("go")
    lines = []
    for i, (args, want) in cases:
        call_args = ", ".join(go_literal(a, t) for a, (_, t) in zip(args, task.params,
                                                                      strict=True))
        lines.append(f"\tadjaxRun({i}, func() (string, string) {{ return adjaxShow({fn}("
                     f"{call_args})), adjaxShow({go_literal(want, task.returns)}) }})")
    return lines


def _go(task: Task, cases) -> str:
    body = _GO_FUNCS + "\nfunc main() {\n" + "\n".join(_go_lines(task, cases)) + "\n}\n"
    return rewards.join_go(_GO_PATHS, body)


_GO_PATHS = ['"fmt"', '"strings"']
_GO_FUNCS = '''
func adjaxShow(v interface{}) string {
\treturn strings.Replace(fmt.Sprintf("%#v", v), "(nil)", "{}", 1)
}

func adjaxRun(i int, f func() (string, string)) {
\tdefer func() {
\t\tif r := recover(); r != nil {
\t\t\tfmt.Printf("ADJAX-TEST %d FAIL panic: %v\\n", i, r)
\t\t}
\t}()
\tgot, want := f()
\tif got == want {
\t\tfmt.Printf("ADJAX-TEST %d PASS\\n", i)
\t} else {
\t\tfmt.Printf("ADJAX-TEST %d FAIL got %s\\n", i, got)
\t}
}
'''


def test_code(task: Task, language: str, which: str = "all") -> str:
    """The test code for ``language``, to be combined with a solution."""
    cases = _cases(task, which)
    if language == "python":
        return _python(task, cases)
    if language in ("javascript", "typescript"):
        return _javascript(task, cases, typed=language == "typescript")
    if language == "java":
        return _java(task, cases)
    if language == "go":
        return _go(task, cases)
    raise ValueError(f"the task suite has no renderer for {language!r}")


def program(task: Task, language: str, code: str, which: str = "all") -> str:
    """A whole runnable program: the solution followed by the rendered tests."""
    tests = test_code(task, language, which)
    if language == "java":
        imports, body = split_java_imports(code)
        code = "\n".join(["import java.util.*;"] + imports) + "\n" + body
    return rewards.combine(code, tests, language)


def run(items: Sequence[tuple[Task, str, str]], which: str = "all",
        sandbox: execution.Sandbox | None = None, progress=None) -> list[execution.RunResult]:
    """Runs (task, language, code) triples against their tests, in parallel."""
    sandbox = sandbox or execution.Sandbox()
    programs = [(program(t, lang, code, which), lang) for t, lang, code in items]
    return sandbox.run_many(programs, progress=progress)


# -- batches: many tasks of one language in one program ---------------------------------

TASK_MARK, DONE_MARK = "ADJAX-TASK", "ADJAX-DONE"


_JAVA_IMPORT = re.compile(r"^\s*import\s+[\w.*]+\s*;\s*$", re.M)


def split_java_imports(code: str) -> tuple[list[str], str]:
    """A Java file's import lines and the rest."""
    return [i.strip() for i in _JAVA_IMPORT.findall(code)], _JAVA_IMPORT.sub("", code)


def batch_program(items: Sequence[tuple[Task, str]], language: str, which: str = "all") -> str:
    """One program that runs every (task, code) pair of one language in turn, printing
    ``ADJAX-TASK k`` before and ``ADJAX-DONE k`` after pair k's test lines."""
    if language == "python":
        parts = ["import sys as _adjax_sys"]
        for k, (task, code) in enumerate(items):
            src = program(task, "python", code, which)
            parts.append(
                f"print('{TASK_MARK} {k}', flush=True)\ntry:\n"
                f"    exec(compile({src!r}, 'task{k}', 'exec'), {{'__name__': '__main__'}})\n"
                f"    print('{DONE_MARK} {k}', flush=True)\nexcept BaseException:\n    pass")
        return "\n".join(parts) + "\n"
    if language in ("javascript", "typescript"):
        parts = []
        for k, (task, code) in enumerate(items):
            src = program(task, language, code, which)
            parts.append(f"console.log('{TASK_MARK} {k}');\ntry {{\n(() => {{\n{src}\n}})();\n"
                         f"console.log('{DONE_MARK} {k}');\n}} catch (e) {{}}")
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
            calls.append(f'    System.out.println("{TASK_MARK} {k}"); task{k}(); '
                         f'System.out.println("{DONE_MARK} {k}");')
        return ("\n".join(imports) + "\n" + "\n".join(classes)
                + "\npublic class Main {\n  public static void main(String[] args) {\n"
                + "\n".join(calls) + "\n  }\n" + "\n".join(methods) + "\n}\n")
    if language == "go":
        paths, bodies, calls = list(_GO_PATHS), [], []
        for k, (task, code) in enumerate(items):
            found, code = rewards.split_go(code)
            paths += found
            for name in set(re.findall(r"^func\s+(\w+)\s*\(", code, flags=re.M)):
                code = re.sub(rf"\b{name}\b", f"{name}_{k}", code)
            bodies.append(code)
            fn = f"{task.fn_name('go')}_{k}"
            calls.append(f'\tfmt.Println("{TASK_MARK} {k}")\n'
                         + "\n".join(_go_lines(task, _cases(task, which), fn))
                         + f'\n\tfmt.Println("{DONE_MARK} {k}")')
        return rewards.join_go(paths, _GO_FUNCS + "\n".join(bodies) + "\nfunc main() {\n"
                               + "\n".join(calls) + "\n}\n")
    raise ValueError(f"the task suite has no renderer for {language!r}")


def _split_batch(result: execution.RunResult, n: int) -> dict[int, execution.RunResult]:
    """Per-pair results from a batch's output; pairs without a DONE line are left out."""
    out: dict[int, execution.RunResult] = {}
    current, lines = None, []
    for line in result.stdout.splitlines() + [f"{TASK_MARK} -1"]:
        if line.startswith(TASK_MARK):
            current, lines = int(line.split()[1]), []
        elif line.startswith(DONE_MARK) and current is not None and 0 <= current < n:
            tests = [ln for ln in lines if ln.startswith(execution.TEST_MARK)]
            passed = sum(" PASS" in ln for ln in tests)
            failure = next((ln[len(execution.TEST_MARK):].strip() for ln in tests
                            if " PASS" not in ln), "")
            status = execution.PASS if passed == len(tests) else execution.FAIL
            out[current] = dataclasses.replace(
                result, status=status, exit_code=0 if status == execution.PASS else 1,
                stdout="\n".join(lines), message=failure, tests_passed=passed,
                tests_total=len(tests))
        else:
            lines.append(line)
    return out


def run_batched(items: Sequence[tuple[Task, str, str]], which: str = "all",
                sandbox: execution.Sandbox | None = None, batch_size: int = 40,
                progress=None) -> list[execution.RunResult]:
    """Like ``run``, but many pairs of one language share a program (one compile, one
    start-up). A pair whose batch did not reach its DONE line (a build error, a crash, a
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
    programs = [(batch_program([(items[i][0], items[i][2]) for i in idx], lang, which), lang)
                for lang, idx in batches]
    for (_, idx), res in zip(batches, batch_box.run_many(programs), strict=True):
        for k, r in _split_batch(res, len(idx)).items():
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
