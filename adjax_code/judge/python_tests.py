"""Python tests judged as written: the plan, made outside the sandbox, and the verdict on
the tests' records.

``plan_python_tests`` finds the cases of a tests file as pytest and unittest would (each
top-level ``assert``, ``test*`` function and ``test*`` method of a unittest or ``Test*``
class) before anything runs; the driver in the tests' process (``python_driver.py``) follows
the plan, and ``judge_python_tests`` reads its records: a case passes only on its one
``CASE <i> V true`` record, a case never reported fails. The tests' process never loads the
candidate (``isolation``), so its records are the tests' own.
"""

from __future__ import annotations

import ast
import dataclasses
import itertools
import re
from typing import Any

from adjax_code.judge import execution
from adjax_code.judge.verdict import case_number, load_value

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
    needs for these tests (unittest, for its result class). ``error``: why the tests
    cannot run as written ("" when they can; a file with no case has no error, and no
    cases)."""

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


def driver_spec(plan: PythonTestPlan, tag: str, module_name: str | None = None) -> dict:
    """What ``python_driver.start`` is given: plain data, written into the program."""
    if module_name is not None and not module_name.isidentifier():
        raise ValueError(f"module name {module_name!r} is not a Python identifier")
    return {"tag": tag, "tests": plan.tests, "steps": list(plan.steps),
            "preload": list(plan.preload), "module": module_name, "cases": len(plan.cases)}


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


def refused_python(plan: PythonTestPlan, protections: tuple[str, ...] = ()
                   ) -> execution.RunResult:
    """The result for tests that cannot run as written (``plan.error``): nothing ran."""
    return execution.RunResult(execution.ERROR, "python", None, "", "", 0.0, protections,
                               stage="build", message=plan.error)
