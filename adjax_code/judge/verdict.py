"""Verdicts that the program under test cannot forge.

Nothing a program prints, no exit status and no exception it swallows is evidence. Where the
driver shares the candidate's process (task-suite programs in every language,
``adjax_code.tasks.render``), a pass counts only from records that carry a per-run secret:

- the harness draws a 128-bit secret per run and gives it to the driver on standard input;
- the driver writes records ``ADJAX-<secret> KIND ...`` through a writer it captured before
  the candidate was loaded, under identifiers with a random per-run suffix;
- task-suite cases report the *value* each call returned; the harness compares it with the
  expected value, which never enters the sandbox (a program can pass a case only by
  returning the right value, whoever writes the record);
- the expected number of cases is known to the harness: a missing or repeated case fails.

Free-form tests and HumanEval, in every language, run the tests in a process the candidate
never ran in (``isolation``, ``js_isolation``, ``java_isolation``, ``go_isolation``); their
records are read with the same bounded ``load_value`` and judged by ``judged``.
"""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
from typing import Any

from adjax_code.judge import execution

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
# A string, closed or not: always matches where it starts, so stripping strings is one pass
# (requiring the closing quote made a scan of an unclosed string of escapes quadratic).
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"?')
_BAD = object()


def load_value(text: str, *, max_chars: int = MAX_VALUE_CHARS,
               max_depth: int = MAX_VALUE_DEPTH) -> tuple[bool, Any]:
    """(True, value) of a record's JSON payload, or (False, why not): larger than
    ``max_chars``, nested deeper than ``max_depth``, an integer too long to read, or not
    JSON. Never raises: a program's output cannot end the caller's run."""
    if len(text) > max_chars:
        return False, f"a value of more than {max_chars} characters"
    depth = deepest = 0
    for ch in re.findall(r"[\[\]{}]", _JSON_STRING.sub("", text)):
        depth += 1 if ch in "[{" else -1
        deepest = max(deepest, depth)
    if deepest > max_depth:
        return False, f"a value nested more than {max_depth} deep"
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


def case_records(records: list[tuple[str, str]]) -> dict[int, list[str]]:
    """Case number -> the ``"<V|X> <payload>"`` of each ``CASE <i> V <json>`` / ``CASE <i> X
    <json message>`` record that names it (malformed ones dropped)."""
    seen: dict[int, list[str]] = {}
    for kind, rest in records:
        if kind != "CASE":
            continue
        parts = rest.split(" ", 2)
        number = case_number(parts[0]) if len(parts) == 3 else None
        if number is not None:
            seen.setdefault(number, []).append(f"{parts[1]} {parts[2]}")
    return seen


def judge_cases(records: list[tuple[str, str]], expected: dict[int, Any]) -> dict:
    """Per-case verdicts from ``CASE <i> V <json>`` / ``CASE <i> X <json message>`` records."""
    seen = case_records(records)
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


# -- free-form tests: the records of the tests' own process ---------------------------------

def judge_free(records: list[tuple[str, str]], cases: int) -> dict:
    """Free-form tests (``js_isolation``, ``isolation.judge_end``): with cases, the share of
    them reported passed exactly once; without, all or nothing by the END record."""
    if cases:
        verdict = judge_cases(records, {i: True for i in range(cases)})
    else:
        ended = any(kind == "END" for kind, _ in records)
        verdict = {"passed": int(ended), "total": 1,
                   "message": "" if ended else "the tests did not run to their end"}
    verdict["ended"] = any(kind == "END" for kind, _ in records)
    return verdict
