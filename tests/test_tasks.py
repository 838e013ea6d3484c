"""The task suite: shape, split, and every reference solution passing in all five languages."""

import collections

import pytest

from adjax_code import tasks
from adjax_code.judge import execution
from adjax_code.tasks import render

DEFAULTS = {
    "int": {"python": "0", "js": "0", "java": "0", "go": "0"},
    "bool": {"python": "False", "js": "false", "java": "false", "go": "false"},
    "str": {"python": "''", "js": "''", "java": "\"\"", "go": "\"\""},
    "list[int]": {"python": "[]", "js": "[]", "java": "new int[0]", "go": "[]int{}"},
    "list[str]": {"python": "[]", "js": "[]", "java": "new String[0]", "go": "[]string{}"},
}


def constant_stub(task: tasks.Task, language: str) -> str:
    """A solution that compiles and returns the default value of the return type."""
    d = DEFAULTS[task.returns]
    name = task.fn_name(language)
    if language == "python":
        return f"def {name}(*args):\n    return {d['python']}\n"
    if language == "javascript":
        return f"function {name}() {{\n  return {d['js']};\n}}\n"
    if language == "typescript":
        return f"function {name}(...args: any[]): any {{\n  return {d['js']};\n}}\n"
    params = ", ".join(f"{render.JAVA_TYPES[t]} {p}" for p, t in task.params)
    if language == "java":
        return (f"class Solution {{\n  static {render.JAVA_TYPES[task.returns]} {name}({params}) "
                f"{{\n    return {d['java']};\n  }}\n}}\n")
    params = ", ".join(f"{p} {render.GO_TYPES[t]}" for p, t in task.params)
    return f"func {name}({params}) {render.GO_TYPES[task.returns]} {{\n\treturn {d['go']}\n}}\n"


def test_suite_shape_and_split():
    all_tasks = tasks.load()
    assert len(all_tasks) >= 150
    assert len({t.id for t in all_tasks}) == len(all_tasks)
    held, train = tasks.load("heldout"), tasks.load("train")
    assert len(held) + len(train) == len(all_tasks)
    assert len(held) >= 0.2 * len(all_tasks)
    assert not {t.id for t in held} & {t.id for t in train}, "split must be by task"
    assert [t.id for t in held] == [t.id for i, t in enumerate(all_tasks) if i % 4 == 3]
    categories = collections.Counter(t.category for t in all_tasks)
    for needed in ("arithmetic", "strings", "lists", "maps", "conditionals", "loops",
                   "recursion", "sorting", "searching", "algorithms"):
        assert categories[needed] >= 3, needed
    for t in all_tasks:
        assert len(set(t.specs)) >= 2 and len(t.examples) == tasks.N_EXAMPLES and t.hidden
    with pytest.raises(ValueError, match="unknown split"):
        tasks.load("test")
    with pytest.raises(KeyError, match="unknown task"):
        tasks.get("nope")


def test_task_declaration_errors():
    good = dict(python="", javascript="function f() {\n}", java="", go="")
    tests = [((1,), 1)] * 5
    with pytest.raises(ValueError, match="unsupported type"):
        tasks.task("x", "c", "f(a: float) -> int", ["a", "b"], tests, **good)
    with pytest.raises(ValueError, match="solution in every language"):
        tasks.task("x", "c", "f(a: int) -> int", ["a", "b"], tests, python="")
    with pytest.raises(ValueError, match="2\\+ specs"):
        tasks.task("x", "c", "f(a: int) -> int", ["a"], tests, **good)
    with pytest.raises(ValueError, match="args for 1 params"):
        tasks.task("x", "c", "f(a: int) -> int", ["a", "b"], [((1, 2), 1)] * 5, **good)


def test_literals():
    assert render.java_literal(["a\"b", "c"], "list[str]") == 'new String[]{"a\\"b", "c"}'
    assert render.go_literal([1, -2], "list[int]") == "[]int{1, -2}"
    assert render.java_literal(True, "bool") == "true"
    assert render.go_literal(False, "bool") == "false"
    with pytest.raises(ValueError, match="unknown test set"):
        render.test_code(tasks.load()[0], "python", "some")
    with pytest.raises(ValueError, match="no renderer"):
        render.test_code(tasks.load()[0], "cobol")


def test_every_reference_passes_in_every_language():
    items = [(t, lang, t.solutions[lang]) for t in tasks.load() for lang in tasks.LANGS]
    results = render.run_batched(items, sandbox=execution.Sandbox(workers=2))
    failures = [(t.id, lang, r.status, r.message) for (t, lang, _), r in
                zip(items, results, strict=True)
                if r.status != execution.PASS or r.tests_passed != len(t.tests)]
    assert not failures, failures[:10]


def test_example_and_hidden_sets_split_the_tests():
    t = tasks.get("reverse_string")
    ex = render.run([(t, "python", t.solutions["python"])], which="examples")[0]
    hid = render.run([(t, "python", t.solutions["python"])], which="hidden")[0]
    assert ex.tests_total == tasks.N_EXAMPLES
    assert hid.tests_total == len(t.tests) - tasks.N_EXAMPLES
    assert ex.tests_passed + hid.tests_passed == len(t.tests)


def test_constant_solutions_fail():
    """The tests discriminate: a compiling stub that returns a constant fails every task,
    in every language."""
    all_tasks = tasks.load()
    items = [(t, lang, constant_stub(t, lang)) for t in all_tasks for lang in tasks.LANGS]
    results = render.run_batched(items, sandbox=execution.Sandbox(workers=2))
    for (t, lang, _), r in zip(items, results, strict=True):
        assert r.tests_total == len(t.tests), (t.id, lang, r.status, r.message)
        assert r.status == execution.FAIL and r.tests_passed < r.tests_total, (t.id, lang)


def test_batched_runs_match_single_runs():
    """A batch with broken members: every pair's result equals its own run."""
    t, u = tasks.get("add_two"), tasks.get("reverse_string")
    items = []
    for lang in tasks.LANGS:
        items += [(t, lang, t.solutions[lang]), (u, lang, constant_stub(u, lang)),
                  (u, lang, u.solutions[lang])]
    items += [
        (t, "python", "import sys\nsys.exit(3)\n"),            # leaves the batch early
        (t, "java", "class Solution { static int addTwo(int a, int b) { return a + } }"),
        (t, "go", "func addTwo(a int, b int) int {\n\treturn a - b\n}"),
        (t, "typescript", "function addTwo(a: number, b: number): string {\n  return 1;\n}"),
    ]
    # Default limits: compilers need their CPU seconds (a timeout leaves a batch early the
    # same way the exit above does).
    box = execution.Sandbox(workers=2)
    batched = render.run_batched(items, sandbox=box, batch_size=4)
    single = render.run(items, sandbox=box)
    for item, b, s in zip(items, batched, single, strict=True):
        assert (b.status == execution.PASS) == (s.status == execution.PASS), (item[0].id, item[1])
        assert b.tests_passed == s.tests_passed, (item[0].id, item[1], b.message, s.message)


def test_headers_are_the_opening_of_every_reference():
    for t in tasks.load():
        for lang in tasks.LANGS:
            head = render.header(t, lang)
            assert head.endswith("\n") and head in t.solutions[lang], (t.id, lang)
    with pytest.raises(ValueError, match="unknown language"):
        render.header(tasks.load()[0], "cobol")
