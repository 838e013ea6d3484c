"""Renders a task's test cases into a test program for each language.

Each case prints one line, ``ADJAX-TEST <i> PASS`` or ``ADJAX-TEST <i> FAIL <why>``; the
sandbox counts them. A case that raises or panics fails alone; the others still run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from adjax_code import execution, rewards
from adjax_code.tasks import Task

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


def java_literal(value: Any, type_: str) -> str:
    if type_ == "bool":
        return "true" if value else "false"
    if type_ == "int":
        return str(int(value))
    if type_ == "str":
        return json.dumps(value)
    inner = type_[5:-1]
    items = ", ".join(java_literal(v, inner) for v in value)
    return f"new {JAVA_TYPES[type_]}{{{items}}}"


def go_literal(value: Any, type_: str) -> str:
    if type_ == "bool":
        return "true" if value else "false"
    if type_ == "int":
        return str(int(value))
    if type_ == "str":
        return json.dumps(value)
    inner = type_[5:-1]
    return f"{GO_TYPES[type_]}{{{', '.join(go_literal(v, inner) for v in value)}}}"


def _java(task: Task, cases) -> str:
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
            f"{rtype} got = Solution.{fn}({call_args}); "
            f'System.out.println("ADJAX-TEST {i} " + ({cmp} ? "PASS" : "FAIL got " + {show})); '
            f'}} catch (Throwable e) {{ System.out.println("ADJAX-TEST {i} FAIL raised " + e); }}'
        )
    return ("public class Main {\n  public static void main(String[] args) {\n"
            + "\n".join(body) + "\n  }\n}\n")


def _go(task: Task, cases) -> str:
    fn = task.fn_name("go")
    lines = []
    for i, (args, want) in cases:
        call_args = ", ".join(go_literal(a, t) for a, (_, t) in zip(args, task.params,
                                                                      strict=True))
        lines.append(f"\tadjaxRun({i}, func() (string, string) {{ return adjaxShow({fn}("
                     f"{call_args})), adjaxShow({go_literal(want, task.returns)}) }})")
    return '''package main

import (
\t"fmt"
\t"strings"
)

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

func main() {
''' + "\n".join(lines) + "\n}\n"


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
        imports = re.findall(r"^\s*import\s+[\w.*]+\s*;\s*$", code, flags=re.M)
        body = re.sub(r"^\s*import\s+[\w.*]+\s*;\s*$", "", code, flags=re.M)
        code = "\n".join(["import java.util.*;"] + [i.strip() for i in imports]) + "\n" + body
    return rewards.combine(code, tests, language)


def run(items: Sequence[tuple[Task, str, str]], which: str = "all",
        sandbox: execution.Sandbox | None = None, progress=None) -> list[execution.RunResult]:
    """Runs (task, language, code) triples against their tests, in parallel."""
    sandbox = sandbox or execution.Sandbox()
    programs = [(program(t, lang, code, which), lang) for t, lang, code in items]
    return sandbox.run_many(programs, progress=progress)
