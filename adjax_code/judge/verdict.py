"""Verdicts that the program under test cannot forge.

The program under test and its test driver share a process, so nothing it prints, no exit
status and no exception it swallows is evidence. A pass counts only from records that carry
a per-run secret:

- the harness draws a 128-bit secret per run and gives it to the driver on standard input,
  which the driver reads before any code under test runs (Python, JavaScript, TypeScript,
  Java; in Go a candidate's ``init`` runs first and can only consume it, never print it);
- the driver writes records ``ADJAX-<secret> KIND ...`` through a writer it captured before
  the candidate was loaded, under identifiers with a random per-run suffix;
- task-suite cases report the *value* each call returned; the harness compares it with the
  expected value, which never enters the sandbox (a program can pass a case only by
  returning the right value);
- free-form tests (``adjax evaluate --tests``, HumanEval) pass only when the driver's
  ``END`` record arrives after the last test statement; every value a Python comparison
  sees must be plain data, so an object whose ``__eq__`` always answers True fails;
- Python tests are judged as written (``plan_python_tests``, ``python_driver.py``): each
  top-level ``assert``, ``test*`` function and ``test*`` method of a unittest or ``Test*``
  class is a case, found outside the sandbox; the tests run in a namespace of their own,
  with builtins copied and ``unittest`` loaded privately before the candidate loads, and
  each test function is captured as its definition runs (a candidate that patches
  ``unittest.TestCase.assertEqual``, ``builtins`` or the tests' names changes nothing);
- the expected number of cases is known to the harness: a missing or repeated case fails.

What stays outside this model (docs/security.md): a program written against this harness —
reading the secret out of the driver's memory or frames — and denial of service beyond the
sandbox's limits.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import itertools
import json
import re
import secrets
from pathlib import Path
from typing import Any

from adjax_code.judge import execution, sources

PREFIX = "ADJAX-"


@dataclasses.dataclass(frozen=True)
class Harness:
    """One run's secret (sent on stdin) and the suffix of the driver's identifiers."""

    secret: str
    tag: str

    @classmethod
    def new(cls) -> Harness:
        return cls(secrets.token_hex(16), secrets.token_hex(4))

    @property
    def stdin(self) -> str:
        return self.secret + "\n"

    def records(self, stdout: str) -> list[tuple[str, str]]:
        """(kind, rest of line) of every record that carries this run's secret."""
        mark = f"{PREFIX}{self.secret} "
        out = []
        for line in stdout.splitlines():
            if line.startswith(mark):
                kind, _, rest = line[len(mark):].partition(" ")
                out.append((kind, rest))
        return out


# -- reading records: bounded, never raising ---------------------------------------------

MAX_VALUE_CHARS = 1 << 20  # one record's JSON value
MAX_VALUE_DEPTH = 100  # nesting of lists and objects in it
_CASE_NUMBER = re.compile(r"-?[0-9]{1,9}")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BAD = object()


def load_value(text: str) -> tuple[bool, Any]:
    """(True, value) of a record's JSON payload, or (False, why not): larger than
    ``MAX_VALUE_CHARS``, nested deeper than ``MAX_VALUE_DEPTH``, an integer too long to
    read, or not JSON. Never raises: a program's output cannot end the caller's run."""
    if len(text) > MAX_VALUE_CHARS:
        return False, f"a value of more than {MAX_VALUE_CHARS} characters"
    depth = deepest = 0
    for ch in re.findall(r"[\[\]{}]", _JSON_STRING.sub("", text)):
        depth += 1 if ch in "[{" else -1
        deepest = max(deepest, depth)
    if deepest > MAX_VALUE_DEPTH:
        return False, f"a value nested more than {MAX_VALUE_DEPTH} deep"
    try:
        return True, json.loads(text)
    except (ValueError, RecursionError, MemoryError) as err:
        why = "an integer too long to read" if "digits" in str(err) else "not JSON"
        return False, why


def case_number(text: str) -> int | None:
    """A record's case number (ASCII digits, at most nine), or None."""
    return int(text) if _CASE_NUMBER.fullmatch(text) else None


# -- comparing values -------------------------------------------------------------------

def strict_equal(a: Any, b: Any) -> bool:
    """Equality of JSON values that also tells booleans, integers and floats apart."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(strict_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(strict_equal(a[k], b[k]) for k in a)
    return a == b


def expected_value(want: Any, language: str) -> Any:
    """What a correct program's case record holds: Python's driver reports the returned
    type's name with the value (``type(got) is type(want)`` as Python tests check it)."""
    if language == "python":
        return [type(want).__name__, want]
    return want


def judge_cases(records: list[tuple[str, str]], expected: dict[int, Any]) -> dict:
    """Per-case verdicts from ``CASE <i> V <json>`` / ``CASE <i> X <json message>`` records."""
    seen: dict[int, list[str]] = {}
    for kind, rest in records:
        if kind != "CASE":
            continue
        parts = rest.split(" ", 2)
        number = case_number(parts[0]) if len(parts) == 3 else None
        if number is not None:
            seen.setdefault(number, []).append(f"{parts[1]} {parts[2]}")
    passed, first_failure = 0, ""
    for i, want in expected.items():
        got = seen.get(i, [])
        if len(got) != 1:
            why = "never reported" if not got else "reported more than once"
            first_failure = first_failure or f"case {i} {why}"
            continue
        status, payload = got[0].split(" ", 1)
        ok, value = load_value(payload)
        if not ok:
            first_failure = first_failure or f"case {i} returned {value}"
            continue
        try:
            equal = status == "V" and strict_equal(value, want)
        except (RecursionError, MemoryError):  # pragma: no cover - bounded above
            equal = False
        if equal:
            passed += 1
        elif not first_failure:
            first_failure = (f"case {i} got {payload[:200]}" if status == "V"
                             else f"case {i} raised {str(value)[:200]}")
    return {"passed": passed, "total": len(expected), "message": first_failure}


def judged(result: execution.RunResult, v: dict) -> execution.RunResult:
    """``result`` with the status and test counts of verdict ``v`` (``judge_cases`` or
    ``judge_free``): a pass only when every case passed, whatever the exit status said; a
    build error, timeout or missing toolchain stays what it was; a run that errored before
    any case passed is an error, otherwise a failure."""
    kept = result.status in (execution.TIMEOUT, execution.MISSING) or result.stage == "build"
    if kept:
        status = result.status
    elif v["passed"] == v["total"]:
        status = execution.PASS
    elif result.status == execution.ERROR and not v["passed"]:
        status = execution.ERROR
    else:
        status = execution.FAIL
    message = (v["message"] or result.message) if status == execution.FAIL else result.message
    return dataclasses.replace(result, status=status, message=message,
                               tests_passed=v["passed"], tests_total=v["total"],
                               cases=tuple(v.get("cases", result.cases)))


# -- drivers: the reporter, captured before the candidate loads -------------------------

def python_prologue(h: Harness) -> str:
    """Defines ``_adjax_r_<tag>(*fields)``, ``_adjax_j_<tag>`` (json.dumps), ``_adjax_l_<tag>``
    (json.loads) and ``_adjax_case_<tag>(i, fn, args)``, which reports one call's value."""
    t = h.tag
    return f"""def _adjax_boot_{t}():
    import json, os, sys
    secret = sys.stdin.readline().strip()
    write, dumps, loads, enc = os.write, json.dumps, json.loads, str.encode
    def report(*fields, _str=str, _join=" ".join, _map=map):
        write(1, enc("ADJAX-" + secret + " " + _join(_map(_str, fields)) + "\\n"))
    def case(i, fn, args, _type=type, _tuple=tuple, _list=list, _err=Exception):
        try:
            got = fn(*args)
            if _type(got) is _tuple:
                got = _list(got)
            report("CASE", i, "V", dumps([_type(got).__name__, got]))
        except _err as err:
            report("CASE", i, "X", dumps(_type(err).__name__))
    return report, dumps, loads, case
_adjax_r_{t}, _adjax_j_{t}, _adjax_l_{t}, _adjax_case_{t} = _adjax_boot_{t}()
del _adjax_boot_{t}
"""


def js_prologue(h: Harness, typed: bool) -> str:
    """Defines ``__adjaxR_<tag>(...fields)``, ``__adjaxJ_<tag>`` (JSON.stringify) and
    ``__adjaxCase_<tag>(i, thunk)``, which reports one call's value; node's
    assert module is frozen so the code under test cannot disarm it."""
    t = h.tag
    decl = "declare var require: any;\n" if typed else ""
    any_t = ": any" if typed else ""
    return f"""{decl}const [__adjaxR_{t}, __adjaxJ_{t}, __adjaxCase_{t}] = ((){any_t} => {{
  const fs{any_t} = require("fs");
  let secret = "";
  try {{ secret = String(fs.readFileSync(0, "utf8")).split("\\n")[0].trim(); }} catch (e) {{}}
  for (const name of ["assert", "assert/strict", "node:assert"]) {{
    try {{
      const m{any_t} = require(name);
      Object.freeze(m);
      if (m.strict) Object.freeze(m.strict);
    }} catch (e) {{}}
  }}
  const write = fs.writeSync, stringify = JSON.stringify, str = String;
  const report = (...fields{any_t}) => {{
    const line = "ADJAX-" + secret + " " + fields.join(" ") + "\\n";
    for (let tries = 0; ; tries++) {{  // stdout may be non-blocking once node opened it
      try {{ write(1, line); return; }} catch (e{any_t}) {{
        if (!e || e.code !== "EAGAIN" || tries > 1e6) throw e;
      }}
    }}
  }};
  const json = (v{any_t}) => {{
    const s = stringify(v);
    return s === undefined ? "undefined" : s;
  }};
  const run = (i{any_t}, thunk{any_t}) => {{
    let value;
    try {{ value = json(thunk()); }} catch (e) {{
      report("CASE", i, "X", json(str(e).slice(0, 200)));
      return;
    }}
    report("CASE", i, "V", value);
  }};
  return [report, json, run];
}})();
"""


def java_helpers(h: Harness) -> str:
    """Static members of the driver's ``Main``: the secret, the captured stdout, the
    reporter ``r``, the case runner ``c`` and JSON writers ``j`` for the task suite's
    types."""
    return f"""  static final java.io.PrintStream OUT_{h.tag} = System.out;
  static String S_{h.tag} = "";
  static void r(String... f) {{
    OUT_{h.tag}.println("ADJAX-" + S_{h.tag} + " " + String.join(" ", f));
    OUT_{h.tag}.flush();
  }}
  static void readSecret() {{
    try {{
      String s = new java.io.BufferedReader(new java.io.InputStreamReader(System.in))
          .readLine();
      S_{h.tag} = s == null ? "" : s.trim();
    }} catch (Exception e) {{ }}
  }}
  static void c(int i, java.util.concurrent.Callable<String> f) {{
    String v;
    try {{ v = f.call(); }} catch (Throwable e) {{
      String m; try {{ m = String.valueOf(e); }} catch (Throwable e2) {{ m = "exception"; }}
      r("CASE", Integer.toString(i), "X", j(m)); return;
    }}
    r("CASE", Integer.toString(i), "V", v);
  }}
  static String j(int v) {{ return Integer.toString(v); }}
  static String j(boolean v) {{ return v ? "true" : "false"; }}
  static String j(String s) {{
    if (s == null) return "null";
    StringBuilder b = new StringBuilder("\\"");
    for (char c : s.toCharArray()) {{
      if (c == '"' || c == '\\\\') b.append('\\\\').append(c);
      else if (c < 0x20 || c > 0x7e) b.append(String.format("\\\\u%04x", (int) c));
      else b.append(c);
    }}
    return b.append('"').toString();
  }}
  static String j(int[] a) {{
    if (a == null) return "null";
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < a.length; i++) b.append(i > 0 ? "," : "").append(a[i]);
    return b.append("]").toString();
  }}
  static String j(String[] a) {{
    if (a == null) return "null";
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < a.length; i++) b.append(i > 0 ? "," : "").append(j(a[i]));
    return b.append("]").toString();
  }}
"""


GO_IMPORTS = ['"bufio"', '"encoding/json"', '"fmt"', '"os"', '"reflect"', '"strconv"',
              '"strings"']


def go_helpers(h: Harness) -> str:
    """``adjaxR_<tag>``, ``adjaxJ_<tag>``, ``adjaxCase_<tag>`` and ``adjaxSecret_<tag>``."""
    t = h.tag
    return f"""
var adjaxS_{t} string
var adjaxOut_{t} = os.Stdout

func adjaxSecret_{t}() {{
\tline, _ := bufio.NewReader(os.Stdin).ReadString('\\n')
\tadjaxS_{t} = strings.TrimSpace(line)
}}

func adjaxR_{t}(f ...string) {{
\tadjaxOut_{t}.WriteString("ADJAX-" + adjaxS_{t} + " " + strings.Join(f, " ") + "\\n")
}}

func adjaxJ_{t}(v interface{{}}) string {{
\trv := reflect.ValueOf(v)
\tif rv.Kind() == reflect.Slice && rv.IsNil() {{
\t\treturn "[]"
\t}}
\tb, err := json.Marshal(v)
\tif err != nil {{
\t\treturn "null"
\t}}
\treturn string(b)
}}

func adjaxCase_{t}(i int, f func() interface{{}}) {{
\tdefer func() {{
\t\tif r := recover(); r != nil {{
\t\t\tadjaxR_{t}("CASE", strconv.Itoa(i), "X", adjaxJ_{t}(fmt.Sprint(r)))
\t\t}}
\t}}()
\tadjaxR_{t}("CASE", strconv.Itoa(i), "V", adjaxJ_{t}(f()))
}}
"""


# -- free-form tests: Python ------------------------------------------------------------

# Builtins are bound as defaults when the driver starts, before the candidate could patch
# them.
_PLAIN = """def NAME(value, depth=0, _type=type, _err=AssertionError,
         _kinds=(int, float, complex, str, bytes, bool, type(None)),
         _seqs=(list, tuple, set, frozenset), _dict=dict, _items=dict.items):
    t = _type(value)
    for kind in _kinds:  # by identity: a metaclass's __eq__ cannot make a type look plain
        if t is kind:
            return value
    if depth < 50:
        for kind in _seqs:
            if t is kind:
                for item in value:
                    NAME(item, depth + 1)
                return value
        if t is _dict:
            for k, v in _items(value):
                NAME(k, depth + 1)
                NAME(v, depth + 1)
            return value
    raise _err("not plain data: " + t.__name__)
"""


class _Plain(ast.NodeTransformer):
    """Wraps every operand a comparison inside an ``assert`` sees, and every call of the
    names in ``calls`` (HumanEval's ``candidate``), in the plain-data check."""

    def __init__(self, name: str, calls: tuple[str, ...] = ()):
        self.name, self.calls = name, calls
        self.in_assert = False

    def _wrap(self, node: ast.expr) -> ast.expr:
        return ast.Call(ast.Name(self.name, ast.Load()), [node], [])

    def visit_Assert(self, node: ast.Assert) -> ast.Assert:
        self.in_assert = True
        node.test = self.visit(node.test)
        if isinstance(node.test, ast.Call | ast.Name | ast.Attribute | ast.Subscript):
            node.test = self._wrap(node.test)
        self.in_assert = False
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.Compare:
        self.generic_visit(node)
        if self.in_assert:
            node.left = self._wrap(node.left)
            node.comparators = [self._wrap(c) for c in node.comparators]
        return node

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in self.calls:
            return self._wrap(node)
        return node


def harden(tests: str, name: str, calls: tuple[str, ...] = ()) -> ast.Module:
    """The tests' syntax tree with the plain-data check ``name`` in place (a SyntaxError
    passes up)."""
    tree = _Plain(name, calls).visit(ast.parse(tests))
    return ast.fix_missing_locations(tree)


def python_program(h: Harness, code: str, tests: str, *, calls: tuple[str, ...] = (),
                   epilogue: str = "", coverage: bool = False) -> tuple[str, int]:
    """(program, number of cases). The candidate and each test statement are compiled and
    run in a namespace the driver's names are not in; each top-level ``assert`` is a case.

    With ``coverage`` the candidate's executed lines are reported (``COVERAGE`` record),
    from the same run."""
    t = h.tag
    try:
        tree = harden(tests, f"_adjax_p_{t}", calls)
        statements = [(isinstance(s, ast.Assert), ast.unparse(s)) for s in tree.body]
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        statements = [(False, tests)]  # compiled in the sandbox, where it fails to END
    if epilogue:
        statements.append((False, epilogue))
    cases = sum(is_case for is_case, _ in statements)
    lines = [python_prologue(h), _PLAIN.replace("NAME", f"_adjax_p_{t}"),
             f"_adjax_x_{t}, _adjax_c_{t}, _adjax_E_{t} = exec, compile, Exception",
             f"_adjax_ns_{t} = {{'__name__': '__main__', '_adjax_p_{t}': _adjax_p_{t}}}",
             f"_adjax_src_{t} = {code!r}"]
    if coverage:
        lines.append(_TRACER.replace("TAG", t))
    lines.append(f"_adjax_x_{t}(_adjax_c_{t}(_adjax_src_{t}, '<solution>', 'exec'), "
                 f"_adjax_ns_{t})")
    index = 0
    for is_case, src in statements:
        run = f"_adjax_x_{t}(_adjax_c_{t}({src!r}, '<tests>', 'exec'), _adjax_ns_{t})"
        if is_case:
            lines.append(f"try:\n    {run}\n    _adjax_r_{t}('CASE', {index}, 'V', 'true')\n"
                         f"except _adjax_E_{t} as _e:\n    _adjax_r_{t}('CASE', {index}, 'X', "
                         f"_adjax_j_{t}(str(type(_e).__name__)))")
            index += 1
        else:
            lines.append(run)
    if coverage:
        lines.append(f"_adjax_cov_stop_{t}()")
    lines.append(f"_adjax_r_{t}('END')")
    return "\n".join(lines) + "\n", cases


_TRACER = """import sys as _adjax_sys_TAG
_adjax_hit_TAG = set()
def _adjax_tracer_TAG(frame, event, arg):
    if frame.f_code.co_filename == '<solution>':
        if event == 'line':
            _adjax_hit_TAG.add(frame.f_lineno)
        return _adjax_tracer_TAG
    return None
def _adjax_cov_stop_TAG():
    _adjax_sys_TAG.settrace(None)
    _adjax_r_TAG('COVERAGE', _adjax_j_TAG(sorted(_adjax_hit_TAG)))
_adjax_sys_TAG.settrace(_adjax_tracer_TAG)
"""


def judge_free(records: list[tuple[str, str]], cases: int) -> dict:
    """Free-form tests: with cases, the share of them reported passed exactly once; without,
    all or nothing by the END record."""
    if cases:
        verdict = judge_cases(records, {i: True for i in range(cases)})
    else:
        ended = any(kind == "END" for kind, _ in records)
        verdict = {"passed": int(ended), "total": 1,
                   "message": "" if ended else "the tests did not run to their end"}
    verdict["ended"] = any(kind == "END" for kind, _ in records)
    return verdict


def coverage_lines(records: list[tuple[str, str]]) -> list[int] | None:
    """The executed solution lines from a ``COVERAGE`` record, or None."""
    for kind, rest in records:
        if kind == "COVERAGE":
            ok, lines = load_value(rest)
            if ok and isinstance(lines, list) and all(type(n) is int for n in lines):
                return lines
            return None
    return None


# -- Python tests judged as written ------------------------------------------------------

NO_CASES = ("no test cases: the tests hold no top-level assert, no test* function and no "
            "test* method of a unittest.TestCase or Test* class")


@dataclasses.dataclass(frozen=True)
class PlannedCase:
    """A case the harness expects from a Python tests file: its name and first line."""

    name: str
    line: int


@dataclasses.dataclass(frozen=True)
class PythonTestPlan:
    """How a Python tests file runs, decided outside the sandbox (``plan_python_tests``).

    ``cases``: in the order the driver runs them (a case's index is its records' index):
    the top-level asserts as they come, then the test functions and methods. ``steps``:
    what the driver does with each top-level statement. ``preload``: modules the driver
    loads privately before the candidate. ``error``: why the tests cannot run as written
    ("" when they can; a file with no case has no error, and no cases)."""

    tests: str
    cases: tuple[PlannedCase, ...] = ()
    steps: tuple = ()
    preload: tuple[str, ...] = ()
    error: str = ""


def plan_python_tests(tests: str) -> PythonTestPlan:
    """The cases of a Python tests file, as pytest and unittest would find them.

    - each top-level ``assert`` (named ``line N: <its text>``);
    - each module-level function whose name starts with ``test``, called with no arguments;
      ``@pytest.mark.parametrize`` with literal values makes one case per row
      (``test_add[1-2-3]``);
    - each ``test*`` method (its own or inherited from a class in the file) of a
      ``unittest.TestCase`` subclass (``setUp``/``tearDown``, ``setUpClass``/
      ``tearDownClass``, skips and subtests honoured) or of a pytest-style ``Test*`` class
      without ``__init__`` (``setup_method``/``teardown_method``, ``setup_class``/
      ``teardown_class``); named ``Class.method``.

    Refused (``error``): a test that needs fixtures (``fixtures are not supported:
    test_x(tmp_path)``), async test functions (outside ``IsolatedAsyncioTestCase``), tests
    that yield, parametrize values that are not literals, tests that do not parse."""
    try:
        return _plan(tests)
    except (RecursionError, MemoryError):
        return PythonTestPlan(tests, error="the tests are too deeply nested or too large to "
                                           "read (split long expressions)")


def _plan(tests: str) -> PythonTestPlan:
    try:
        tree = ast.parse(tests)
    except SyntaxError as err:
        return PythonTestPlan(tests, error=f"the tests do not parse: line {err.lineno}: "
                                           f"{err.msg}")
    except ValueError as err:  # null bytes
        return PythonTestPlan(tests, error=f"the tests do not parse: {err}")
    last = {}
    for i, node in enumerate(tree.body):
        for name in _bound_names(node):
            last[name] = i
    inline: list[PlannedCase] = []
    later: list[tuple[PlannedCase, list]] = []  # (case, the step entry to number)
    steps: list[list] = []
    problems: list[str] = []
    classes: dict[str, tuple[str | None, dict]] = {}
    for i, node in enumerate(tree.body):
        if isinstance(node, ast.Assert):
            steps.append(["assert", len(inline)])
            inline.append(PlannedCase(_assert_name(tests, node), node.lineno))
        elif (isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
              and node.name.startswith("test") and last.get(node.name) == i):
            step: list = ["func", node.name, []]
            for name, kwargs in _function_cases(node, node.name, False, False, problems):
                entry = [None, kwargs]
                step[2].append(entry)
                later.append((PlannedCase(name, node.lineno), entry))
            steps.append(step)
        elif isinstance(node, ast.ClassDef):
            kind, methods = _classify(node, classes)
            classes[node.name] = (kind, methods)
            if kind is None or last.get(node.name) != i:
                steps.append(["run"])
                continue
            step = ["class" if kind == "pytest" else "unittest", node.name, []]
            for mname, fn in methods.items():
                if not mname.startswith("test"):
                    continue
                for name, kwargs in _function_cases(fn, f"{node.name}.{mname}", True,
                                                    kind == "unittest_async", problems):
                    entry = [None, mname, kwargs]
                    step[2].append(entry)
                    line = fn.lineno if fn in node.body else node.lineno
                    later.append((PlannedCase(name, line), entry))
            steps.append(step)
        else:
            steps.append(["run"])
    for index, (_, entry) in enumerate(later, start=len(inline)):
        entry[0] = index
    preload = []
    if re.search(r"\bunittest\b", tests):
        preload.append("unittest")
        if re.search(r"\bmock\b", tests):
            preload.append("unittest.mock")
        if "IsolatedAsyncioTestCase" in tests:
            preload.append("unittest.async_case")
    return PythonTestPlan(tests, tuple(inline) + tuple(c for c, _ in later),
                          tuple(steps), tuple(preload), "; ".join(_merge(problems)))


def _merge(problems: list[str]) -> list[str]:
    """``fixtures are not supported: a(x)`` and ``...: b(y)`` become one line."""
    by_kind: dict[str, list[str]] = {}
    for p in problems:
        kind, _, what = p.partition(": ")
        by_kind.setdefault(kind, []).append(what)
    return [f"{kind}: {', '.join(whats)}" for kind, whats in by_kind.items()]


def _bound_names(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [(a.asname or a.name).split(".")[0] for a in node.names]
    return []


def _assert_name(tests: str, node: ast.Assert) -> str:
    text = (ast.get_source_segment(tests, node) or ast.unparse(node)).splitlines()[0]
    text = " ".join(text.split())
    return f"line {node.lineno}: {text if len(text) <= 80 else text[:77] + '...'}"


def _classify(node: ast.ClassDef, known: dict) -> tuple[str | None, dict]:
    """(unittest, unittest_async, pytest or None; the methods it defines or inherits from
    classes of the same file, by name)."""
    kind: str | None = None
    methods: dict = {}
    for base in reversed(node.bases):
        text = ast.unparse(base)
        last = text.rsplit(".", 1)[-1]
        inherited_kind, inherited = known.get(text, (None, {}))
        methods.update(inherited)
        if last == "IsolatedAsyncioTestCase" or inherited_kind == "unittest_async":
            kind = "unittest_async"
        elif (last == "TestCase" or inherited_kind == "unittest") and kind != "unittest_async":
            kind = "unittest"
    for item in node.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
            methods[item.name] = item
    if kind is None and node.name.startswith("Test") and "__init__" not in methods:
        kind = "pytest"
    return kind, methods


def _yields(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    stack: list[ast.AST] = list(fn.body)
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Yield | ast.YieldFrom):
            return True
        if not isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            stack.extend(ast.iter_child_nodes(n))
    return False


def _function_cases(fn: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str, method: bool,
                    async_ok: bool, problems: list[str]) -> list[tuple[str, dict | None]]:
    """(case name, keyword arguments or None) for each call of one test function."""
    if isinstance(fn, ast.AsyncFunctionDef) and not async_ok:
        problems.append(f"async test functions are not supported: {qualname}")
        return []
    if _yields(fn):
        problems.append(f"test functions that yield are not supported: {qualname}")
        return []
    a = fn.args
    positional = [p.arg for p in a.posonlyargs + a.args]
    required = positional[:len(positional) - len(a.defaults)]
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in fn.decorator_list)
    if method and not static:
        required, positional = required[1:], positional[1:]
    required += [p.arg for p, d in zip(a.kwonlyargs, a.kw_defaults, strict=True) if d is None]
    grids = []
    for dec in reversed(fn.decorator_list):
        if isinstance(dec, ast.Call) and ast.unparse(dec.func).split(".")[-1] == "parametrize":
            grid = _parametrize(dec)
            if isinstance(grid, str):
                problems.append(f"{grid}: {qualname}")
                return []
            grids.append(grid)
    given = {name for names, _ in grids for name in names}
    takes = set(positional) | {p.arg for p in a.kwonlyargs}
    unknown = sorted(given - takes)
    if unknown:
        problems.append(f"pytest.mark.parametrize names arguments the test does not take: "
                        f"{qualname}({', '.join(unknown)})")
        return []
    fixtures = [p for p in required if p not in given]
    if fixtures:
        problems.append(f"fixtures are not supported: {qualname}({', '.join(fixtures)})")
        return []
    if not grids:
        return [(qualname, None)]
    out = []
    for combo in itertools.product(*[rows for _, rows in grids]):
        kwargs, ids = {}, []
        for (names, _), (row_id, values) in zip(grids, combo, strict=True):
            kwargs.update(zip(names, values, strict=True))
            ids.append(row_id)
        out.append((f"{qualname}[{'-'.join(ids)}]", kwargs))
    return out


def _parametrize(dec: ast.Call) -> tuple[list[str], list[tuple[str, tuple]]] | str:
    """(argument names, [(row id, values)]) of one ``pytest.mark.parametrize``, or why not."""
    kw = {k.arg: k.value for k in dec.keywords}
    names_node = dec.args[0] if dec.args else kw.get("argnames")
    values_node = dec.args[1] if len(dec.args) > 1 else kw.get("argvalues")
    if names_node is None or values_node is None or "indirect" in kw:
        return "pytest.mark.parametrize needs argnames and literal argvalues"
    try:
        names = ast.literal_eval(names_node)
        values = ast.literal_eval(values_node)
        ids = ast.literal_eval(kw["ids"]) if "ids" in kw else None
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return "pytest.mark.parametrize needs literal values (pytest.param is not supported)"
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    if not (isinstance(names, list | tuple) and names and all(isinstance(n, str) for n in names)
            and isinstance(values, list | tuple)):
        return "pytest.mark.parametrize needs argument names and a list of values"
    rows = []
    for k, value in enumerate(values):
        row = (value,) if len(names) == 1 else value
        if not isinstance(row, list | tuple) or len(row) != len(names):
            return (f"pytest.mark.parametrize row {k} does not give {len(names)} "
                    "values")
        try:
            if ast.literal_eval(repr(tuple(row))) != tuple(row):
                raise ValueError
        except (ValueError, SyntaxError):
            return "pytest.mark.parametrize values must be literals that repr() writes back"
        if isinstance(ids, list | tuple) and k < len(ids) and isinstance(ids[k], str):
            row_id = ids[k]
        else:
            row_id = "-".join(_param_id(v, n, k) for v, n in zip(row, names, strict=True))
        rows.append((row_id, tuple(row)))
    return list(names), rows


def _param_id(value: Any, name: str, index: int) -> str:
    if isinstance(value, str):
        return value.encode("unicode_escape").decode("ascii")
    if value is None or isinstance(value, int | float | complex | bool):
        return str(value)
    return f"{name}{index}"


@functools.cache
def _driver_source() -> str:
    return Path(__file__).with_name("python_driver.py").read_text(encoding="utf-8")


def driver_spec(plan: PythonTestPlan, tag: str, module_name: str | None = None) -> dict:
    """What ``python_driver.start`` is given: plain data, written into the program."""
    if module_name is not None and not module_name.isidentifier():
        raise ValueError(f"module name {module_name!r} is not a Python identifier")
    return {"tag": tag, "tests": plan.tests, "steps": list(plan.steps),
            "preload": list(plan.preload), "module": module_name, "cases": len(plan.cases)}


def python_tests_program(h: Harness, code: str, plan: PythonTestPlan, *,
                         module_name: str | None = None, coverage: bool = False) -> str:
    """The program that runs ``plan``'s tests against ``code`` (``python_driver.py``).

    The driver is compiled in a namespace of its own, with a copy of the builtins taken
    before the candidate loads; it reports each case through the prologue's writer. With
    ``module_name``, the tests' ``import <module_name>`` / ``from <module_name> import ...``
    give the solution's module (whose ``__name__`` is then that name, so its
    ``if __name__ == "__main__":`` block does not run). With ``coverage`` the solution's
    executed lines are reported too (``COVERAGE``)."""
    t = h.tag
    spec = driver_spec(plan, t, module_name)
    lines = [python_prologue(h),
             f"def _adjax_tests_{t}(report):\n"
             "    import builtins\n"
             "    scope = {'__builtins__': dict(builtins.__dict__), '__name__': 'adjax_driver'}\n"
             f"    exec(compile({_driver_source()!r}, '<adjax-driver>', 'exec'), scope)\n"
             f"    return scope['start']({spec!r}, report)\n"
             f"_adjax_go_{t} = _adjax_tests_{t}(_adjax_r_{t})\n"
             f"del _adjax_tests_{t}"]
    if coverage:
        lines.append(_TRACER.replace("TAG", t))
    lines.append(f"_adjax_go_{t}({code!r})")
    if coverage:
        lines.append(f"_adjax_cov_stop_{t}()")
    lines.append(f"_adjax_r_{t}('END')")
    return "\n".join(lines) + "\n"


def _payload(text: str) -> dict:
    ok, value = load_value(text)
    return value if ok and isinstance(value, dict) else {}


def _source_line(source: str, line: Any) -> str:
    lines = source.splitlines()
    return lines[line - 1].strip() if isinstance(line, int) and 1 <= line <= len(lines) else ""


def _trace(frames: Any, tests: str, code: str) -> tuple[str, ...]:
    out = []
    for frame in frames if isinstance(frames, list) else []:
        if not (isinstance(frame, list) and len(frame) == 3):
            continue
        where, line, func = frame
        where = "tests" if where == "tests" else "solution"
        text = _source_line(tests if where == "tests" else code, line)
        out.append(f"{where} line {line}, in {func}" + (f": {text}" if text else ""))
    return tuple(out)


def _why(payload: dict, tests: str, code: str) -> tuple[str, tuple[str, ...]]:
    """(message, trace) of a failure record's payload."""
    kind, message = str(payload.get("e", "")), str(payload.get("m", ""))
    frames = payload.get("t", [])
    if not message and kind == "AssertionError":  # a bare assert: show its line
        tests_frames = [f for f in frames if isinstance(f, list) and len(f) == 3
                        and f[0] == "tests"]
        if tests_frames:
            message = _source_line(tests, tests_frames[-1][1])
    text = f"{kind}: {message}" if kind and message else (kind or message or "failed")
    return text[:500], _trace(frames, tests, code)


def judge_python_tests(records: list[tuple[str, str]], plan: PythonTestPlan, *,
                       code: str = "", ended: str = "", module_name: str | None = None
                       ) -> dict:
    """The verdict on a run of ``python_tests_program``: each planned case passes only on
    its one ``CASE <i> V true`` record (with the run's secret); a case never reported failed
    (``ended`` says how the program ended, for its message). Skipped cases count neither
    way; if every case was skipped, none passed. Keys: passed, total, message, ended,
    cases (``execution.CaseResult``s) and load (why the solution or the tests' module body
    did not load, or "")."""
    seen: dict[int, list[tuple[str, str]]] = {}
    load: dict | None = None
    for kind, rest in records:
        if kind == "CASE":
            parts = rest.split(" ", 2)
            number = case_number(parts[0]) if len(parts) == 3 else None
            if number is not None:
                seen.setdefault(number, []).append((parts[1], parts[2]))
        elif kind == "LOAD" and load is None:
            load = _payload(rest)
    load_message = _load_message(load, plan.tests, code, module_name) if load is not None \
        else ""
    cases, stopped = [], False
    for i, planned in enumerate(plan.cases):
        got = seen.get(i, [])
        status, message, trace = execution.FAIL, "", ()
        if len(got) > 1:
            message = "reported more than once"
        elif not got:
            if load_message:
                message = f"not run: {load_message}"
            elif not stopped:
                stopped = True
                message = f"the program ended before this case reported: {ended or 'unknown'}"
            else:
                message = "not run: the program ended before it"
        else:
            kind, payload = got[0]
            if kind == "V" and payload == "true":
                status = execution.PASS
            elif kind == "S":
                status = execution.SKIP
                message = str(_payload(payload).get("m", ""))[:500] or "skipped"
            else:
                message, trace = _why(_payload(payload), plan.tests, code)
        cases.append(execution.CaseResult(planned.name, status, message, planned.line, trace))
    passed = sum(c.status == execution.PASS for c in cases)
    skipped = sum(c.status == execution.SKIP for c in cases)
    total = len(cases) - skipped
    first = next((c for c in cases if c.status == execution.FAIL), None)
    message = load_message or (f"{first.name}: {first.message}" if first else "")
    if cases and not total:
        total, message = len(cases), "every test case was skipped"
    if not cases:
        message = NO_CASES
    return {"passed": passed, "total": total, "message": message, "cases": tuple(cases),
            "ended": any(kind == "END" for kind, _ in records), "load": load_message}


def _load_message(load: dict, tests: str, code: str, module_name: str | None) -> str:
    what = "the solution" if load.get("w") == "solution" else "the tests"
    message, trace = _why(load, tests, code)
    where = next((t for t in reversed(trace) if t.startswith("tests ")), "")
    out = f"{what} failed to load: {message}" + (f" ({where})" if where else "")
    if "ModuleNotFoundError" in message and module_name is None:
        out += ("; the tests can import the solution only by the module name the harness "
                "is given (module_name)")
    return out


def judged_python(result: execution.RunResult, h: Harness, plan: PythonTestPlan, code: str,
                  module_name: str | None = None) -> execution.RunResult:
    """``result`` of ``python_tests_program`` judged by ``judge_python_tests``: status,
    counts, ``cases``, and a message naming the first failing case (or why nothing ran)."""
    ended = result.message or f"exit code {result.exit_code}"
    if result.stdout.endswith("[output truncated]"):
        ended = ("its standard output passed the size limit and the rest was cut (print "
                 "less)")
    v = judge_python_tests(h.records(result.stdout), plan, code=code, ended=ended,
                           module_name=module_name)
    if not plan.cases:
        keep = result.status in (execution.TIMEOUT, execution.MISSING)
        return dataclasses.replace(result, status=result.status if keep else execution.ERROR,
                                   message=NO_CASES, tests_passed=0, tests_total=0, cases=())
    out = judged(result, v)
    if out.status != execution.PASS and (v["load"] or v["message"] == "every test case "
                                                                       "was skipped"):
        out = dataclasses.replace(out, message=v["message"])
    return out


def refused_python(plan: PythonTestPlan, protections: tuple[str, ...] = ()
                   ) -> execution.RunResult:
    """The result for tests that cannot run as written (``plan.error``): nothing ran."""
    return execution.RunResult(execution.ERROR, "python", None, "", "", 0.0, protections,
                               stage="build", message=plan.error)


# -- free-form tests: every language ----------------------------------------------------

_JAVA_IMPORT = re.compile(r"^\s*import\s+(?:static\s+)?[\w.*]+\s*;[ \t]*$", re.M)

def free_program(h: Harness, code: str, tests: str, language: str, *,
                 coverage: bool = False, module_name: str | None = None) -> tuple[str, int]:
    """(program, number of cases) running user-written ``tests`` against ``code``.

    Python: the tests judged as written (``plan_python_tests``, ``python_tests_program``;
    judge with ``judge_python_tests``, or ``judge_free``, which reads the same ``CASE``
    records); a ValueError when they cannot run as written. JavaScript/TypeScript: the
    tests follow the solution, then the ``END`` record. Java: the tests' ``Main`` class
    becomes ``AdjaxTests_<tag>`` and the driver's ``Main`` calls its ``main`` before
    ``END``. Go: the tests' ``main`` becomes ``adjaxTests_<tag>`` likewise. Tests that end
    the process themselves (an exit call, even with status 0) never reach ``END`` and fail.
    """
    t = h.tag
    if language == "python":
        plan = plan_python_tests(tests)
        if plan.error:
            raise ValueError(plan.error)
        return python_tests_program(h, code, plan, module_name=module_name,
                                    coverage=coverage), len(plan.cases)
    if language in ("javascript", "typescript"):
        body = sources.combine(code, tests, language)
        return js_prologue(h, language == "typescript") + body + f'__adjaxR_{t}("END");\n', 0
    if language == "java":
        # import lines of both files go first (the tests follow the solution's classes)
        imports = list(dict.fromkeys(m.strip() for m in _JAVA_IMPORT.findall(code + "\n"
                                                                              + tests)))
        code, tests = _JAVA_IMPORT.sub("", code), _JAVA_IMPORT.sub("", tests)
        renamed = re.sub(r"\bMain\b", f"AdjaxTests_{t}", tests)
        renamed = re.sub(r"\bpublic\s+(final\s+)?class\b", r"\1class", renamed)
        code = re.sub(r"\bpublic\s+(final\s+)?class\b", r"\1class", code)
        driver = ("public class Main {\n" + java_helpers(h)
                  + "  public static void main(String[] args) throws Throwable {\n"
                  + f"    readSecret();\n    AdjaxTests_{t}.main(args);\n"
                  + '    r("END");\n  }\n}\n')
        return "\n".join(imports) + "\n" + code + "\n\n" + renamed + "\n\n" + driver, 0
    if language == "go":
        paths, body = sources.split_go(code)
        test_paths, test_body = sources.split_go(tests)
        test_body = re.sub(r"^func\s+main\s*\(\s*\)", f"func adjaxTests_{t}()", test_body,
                           flags=re.M)
        main = (f"\nfunc main() {{\n\tadjaxSecret_{t}()\n\tadjaxTests_{t}()\n"
                f'\tadjaxR_{t}("END")\n}}\n')
        return sources.join_go(paths + test_paths + GO_IMPORTS,
                               body + "\n" + test_body + go_helpers(h) + main), 0
    raise ValueError(f"no test driver for {language!r}")
