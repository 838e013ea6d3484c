"""The task suite: shape, split, and every reference solution passing in all five languages."""

import collections
import importlib.resources
import json

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


def record(**changes):
    """A valid suite-file task object, with ``changes`` applied."""
    rec = dict(id="x", category="c", name="f", params=[["a", "int"]], returns="int",
               specs=["a", "b"], tests=[[[1], 1]] * 5,
               solutions={lang: "" for lang in tasks.LANGS})
    return {**rec, **changes}


def test_task_declaration_errors():
    assert tasks.from_record(record()).fn_name("java") == "f"
    with pytest.raises(ValueError, match="unsupported type"):
        tasks.from_record(record(params=[["a", "float"]]))
    with pytest.raises(ValueError, match="solution in every language"):
        tasks.from_record(record(solutions={"python": ""}))
    with pytest.raises(ValueError, match="2\\+ specs"):
        tasks.from_record(record(specs=["a"]))
    with pytest.raises(ValueError, match="args for 1 params"):
        tasks.from_record(record(tests=[[[1, 2], 1]] * 5))


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
    """Every eighth task's references in five languages, a different eighth per language
    (each sample is its own sandboxed process, so compiled languages cost a compile each);
    `adjax eval --references` runs all 765."""
    items = [(t, lang, t.solutions[lang]) for i, lang in enumerate(tasks.LANGS)
             for t in tasks.load()[i::8]]
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
    in every language (every sixteenth task, a different one per language: one process a
    sample)."""
    items = [(t, lang, constant_stub(t, lang)) for i, lang in enumerate(tasks.LANGS)
             for t in tasks.load()[3 + i::16]]
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


def test_every_suite_file_loads_with_the_fields_the_renderer_needs():
    suite = importlib.resources.files(tasks) / "suite"
    assert sorted(p.name for p in suite.iterdir() if p.name.endswith(".json")) == sorted(
        tasks.SUITE_FILES), "every data file is listed in SUITE_FILES, and only those"
    loaded = [t for name in tasks.SUITE_FILES for t in tasks.read_suite_file(suite / name)]
    assert [t.id for t in loaded] == [t.id for t in tasks.load()]
    assert len({t.id for t in loaded}) == len(loaded), "task ids are unique"
    for t in loaded:
        assert t.id and t.category and t.name.isidentifier(), t.id
        assert t.returns in tasks.TYPES and all(ty in tasks.TYPES for _, ty in t.params), t.id
        assert all(p.isidentifier() for p, _ in t.params), t.id
        assert set(t.solutions) == set(tasks.LANGS), t.id
        assert all(isinstance(args, tuple) and len(args) == len(t.params) for args, _ in t.tests)
        assert all(code.endswith("\n") for code in t.solutions.values()), t.id


def test_malformed_suite_file_is_named(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"tasks": [')
    with pytest.raises(ValueError, match="broken.json"):
        tasks.read_suite_file(bad)
    bad.write_text('[]')
    with pytest.raises(ValueError, match='broken.json.*"tasks" list'):
        tasks.read_suite_file(bad)
    bad.write_text(json.dumps({"tasks": [record(), record(id="y", returns="float")]}))
    with pytest.raises(ValueError, match="broken.json: task y: unsupported type"):
        tasks.read_suite_file(bad)
    bad.write_text(json.dumps({"tasks": [{k: v for k, v in record().items() if k != "tests"}]}))
    with pytest.raises(ValueError, match=r"broken.json: task x: missing fields \['tests'\]"):
        tasks.read_suite_file(bad)
    bad.write_text(json.dumps({"tasks": [record(tests=[[1, 1]] * 5)]}))
    with pytest.raises(ValueError, match="broken.json: task x: a test must be"):
        tasks.read_suite_file(bad)
    with pytest.raises(ValueError, match="missing.json"):
        tasks.read_suite_file(tmp_path / "missing.json")


def test_one_run_of_all_cases_judges_examples_and_hidden_as_two_runs_do():
    """``adjax adapt`` scores a candidate's examples (its reward) and hidden tests (its
    pass) from one build and run: the same verdicts as the two runs it replaces."""
    t, u = tasks.get("add_two"), tasks.get("reverse_string")
    items = [(t, "python", t.solutions["python"]), (u, "python", constant_stub(u, "python")),
             (u, "go", u.solutions["go"]), (t, "go", "func addTwo(a int, b int) int {\n"
                                                    "\tif a == 2 {\n\t\treturn 5\n\t}\n"
                                                    "\treturn a + b\n}")]
    box = execution.Sandbox(workers=2)
    both = render.run_examples_and_hidden(items, sandbox=box)
    for which, k in (("examples", 0), ("hidden", 1)):
        apart = render.run_batched(items, which=which, sandbox=box)
        got = [(r[k].status, r[k].tests_passed, r[k].tests_total) for r in both]
        assert got == [(r.status, r.tests_passed, r.tests_total) for r in apart], which
    assert [r[0].tests_total for r in both] == [len(t.examples), len(u.examples),
                                                len(u.examples), len(t.examples)]
    assert both[0][1].status == execution.PASS and both[1][1].status == execution.FAIL
