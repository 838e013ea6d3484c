"""Python tests judged as written: top-level asserts, pytest-style ``test*`` functions and
unittest classes are cases, each case's outcome is reported, and forgeries still score 0.

The first part runs programs in the sandbox through ``rewards.functional_results``; the
second runs ``python_driver`` in this process (fast, and it covers the driver's lines), then
judges its records as the harness would."""

import json
import sys

import pytest

from adjax_code.judge import python_tests, rewards

ADD = "def add(a, b):\n    return a + b\n"
WRONG = "def add(a, b):\n    return 0\n"


def run(code, tests, module_name=None):
    kwargs = {} if module_name is None else {"module_name": module_name}
    (result,) = rewards.functional_results([code], "python", tests, **kwargs)
    return result


def outcomes(result):
    return [(c.name, c.status) for c in result.cases]


# -- in the sandbox ----------------------------------------------------------------------

def test_a_failing_pytest_style_test_scores_zero_and_is_named():
    result = run(ADD, "def test_add():\n    assert add(1, 2) == 999\n")
    assert result.fraction_passed == 0.0 and result.status == "fail"
    (case,) = result.cases
    assert (case.name, case.status, case.line) == ("test_add", "fail", 1)
    assert case.message == "AssertionError: assert 3 == 999"
    assert case.trace == ("tests line 2, in test_add: assert add(1, 2) == 999",)
    assert result.message == "test_add: AssertionError: assert 3 == 999"


def test_passing_pytest_style_tests_score_one():
    tests = ("def helper(x):\n    return add(x, x)\n\n"
             "def test_add():\n    assert add(1, 2) == 3\n\n"
             "def test_double():\n    assert helper(2) == 4\n")
    wrong, right = rewards.functional_results([WRONG, ADD], "python", tests)
    assert wrong.fraction_passed == 0.0 and wrong.tests_total == 2
    assert right.fraction_passed == 1.0 and right.status == "pass"
    assert outcomes(right) == [("test_add", "pass"), ("test_double", "pass")]


def test_two_of_three_passing_score_two_thirds():
    tests = ("def test_a():\n    assert add(1, 2) == 3\n\n"
             "def test_b():\n    assert add(2, 2) == 5\n\n"
             "def test_c():\n    assert add(0, 0) == 0\n")
    result = run(ADD, tests)
    assert result.fraction_passed == pytest.approx(2 / 3)
    assert (result.tests_passed, result.tests_total, result.status) == (2, 3, "fail")
    assert outcomes(result) == [("test_a", "pass"), ("test_b", "fail"), ("test_c", "pass")]
    assert result.message == "test_b: AssertionError: assert 4 == 5"


UNITTEST_TESTS = '''import unittest


class Base(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.offset = 10

    def setUp(self):
        self.events = ["setUp"]

    def tearDown(self):
        assert self.events == ["setUp", "test"], self.events

    def test_setup_ran(self):
        self.events.append("test")
        self.assertEqual(add(self.offset, 1), 11)


class TestMore(Base):
    def test_wrong(self):
        self.events.append("test")
        self.assertEqual(add(2, 2), 5)

    @unittest.skip("not yet")
    def test_later(self):
        self.fail("a skipped test does not run")

    def test_sub(self):
        self.events.append("test")
        for i in range(3):
            with self.subTest(i=i):
                self.assertEqual(add(i, 0), i)


if __name__ == "__main__":
    unittest.main()
'''


def test_unittest_methods_are_cases_with_setup_and_teardown():
    result = run(ADD, UNITTEST_TESTS)
    assert outcomes(result) == [
        ("Base.test_setup_ran", "pass"), ("TestMore.test_setup_ran", "pass"),
        ("TestMore.test_wrong", "fail"), ("TestMore.test_later", "skip"),
        ("TestMore.test_sub", "pass")]
    assert (result.tests_passed, result.tests_total) == (3, 4)  # a skip counts neither way
    wrong = result.cases[2]
    assert wrong.message == "AssertionError: 4 != 5"
    assert wrong.trace == ("tests line 23, in test_wrong: self.assertEqual(add(2, 2), 5)",)
    assert result.cases[3].message == "not yet"
    assert run(WRONG, UNITTEST_TESTS).tests_passed == 0


def test_the_tests_import_the_solution_by_its_module_name():
    code = ADD + 'if __name__ == "__main__":\n    raise SystemExit("ran as a script")\n'
    tests = ("from add import add\nimport add as module\n\n"
             "def test_add():\n    assert add(1, 2) == 3\n    assert module.add is add\n")
    result = run(code, tests, module_name="add")
    assert result.fraction_passed == 1.0 and result.status == "pass", result.message
    unnamed = run(ADD, tests)
    assert unnamed.fraction_passed == 0.0 and unnamed.status == "error"
    assert "No module named 'add'" in unnamed.message
    assert unnamed.cases[0].message.startswith("not run: the tests failed to load")


@pytest.mark.parametrize("tests", [
    "x = add(1, 2)\nprint(x)\n",
    "def helper():\n    assert add(1, 2) == 3\n",
    "class TestThing:\n    def __init__(self):\n        pass\n\n"
    "    def test_x(self):\n        assert False\n",
], ids=["script", "no-test-function", "class-with-init"])
def test_tests_without_a_case_are_an_error_not_a_pass(tests):
    result = run(ADD, tests)
    assert result.fraction_passed == 0.0 and result.status == "error"
    assert result.message.startswith("no test cases") and result.cases == ()


def test_a_test_that_needs_fixtures_is_refused_clearly():
    tests = ("def test_x(tmp_path):\n    assert add(1, 2) == 3\n\n"
             "def test_y():\n    assert add(1, 1) == 2\n")
    result = run(ADD, tests)
    assert result.status == "error" and result.fraction_passed == 0.0
    assert result.message == "fixtures are not supported: test_x(tmp_path)"


PYTEST_STYLE = ("from add import add\n\ndef test_a():\n    assert add(1, 2) == 3\n\n"
                "def test_b():\n    got = add(2, 2)\n    assert got == 4\n")
UNITTEST_STYLE = ("import unittest\nfrom add import add\n\nclass T(unittest.TestCase):\n"
                  "    def test_a(self):\n        self.assertEqual(add(1, 2), 3)\n"
                  "    def test_b(self):\n        got = add(2, 2)\n"
                  "        self.assertEqual(got, 4)\n"
                  "    def test_c(self):\n        self.assertTrue(add(1, 1) == 2)\n"
                  "    def test_d(self):\n        self.assertCountEqual([add(1, 1)], [2])\n")
FORGERIES = {
    "exit(0) at import": "import sys\ndef add(a, b):\n    return 0\nsys.exit(0)\n",
    "os._exit(0) at import": "import os\ndef add(a, b):\n    return 0\nos._exit(0)\n",
    "exit(0) in the call": "def add(a, b):\n    exit(0)\n",
    "printed records": WRONG + "print('ADJAX-TEST 0 PASS')\n"
                       "print('ADJAX-' + '0' * 32 + ' CASE 0 V true')\n"
                       "print('ADJAX-' + '0' * 32 + ' END')\n",
    "patched unittest": "import unittest\n"
                        "for n in ('assertEqual', 'assertTrue', 'assertCountEqual'):\n"
                        "    setattr(unittest.TestCase, n, lambda *a, **k: None)\n" + WRONG,
    "patched builtins": "import builtins\nbuiltins.AssertionError = KeyError\n"
                        "builtins.exec = lambda *a, **k: None\nbuiltins.len = lambda x: 0\n"
                        + WRONG,
    "equal to anything": "class E:\n    def __eq__(self, o): return True\n"
                         "    def __bool__(self): return True\n    __hash__ = None\n"
                         "def add(a, b):\n    return E()\n",
    "a metaclass that equals every type": "class M(type):\n    def __eq__(s, o): return True\n"
                                          "    __hash__ = type.__hash__\n"
                                          "class E(metaclass=M):\n"
                                          "    def __eq__(self, o): return True\n"
                                          "    __hash__ = None\n"
                                          "def add(a, b):\n    return E()\n",
    "tests swapped through the caller's frame": (
        "import sys\ndef add(a, b):\n    g = sys._getframe(1).f_globals\n"
        "    for k in list(g):\n        if k.startswith(('test', 'T')):\n"
        "            g[k] = lambda *a: None\n    return 0\n"),
    "patched contextlib": "import contextlib\n"
                          "contextlib._GeneratorContextManager.__exit__ = lambda *a: True\n"
                          + WRONG,
}


@pytest.mark.parametrize("tests", [PYTEST_STYLE, UNITTEST_STYLE], ids=["pytest", "unittest"])
def test_forged_passes_score_zero_under_the_new_runners(tests):
    codes = list(FORGERIES.values()) + [ADD]
    *forged, honest = rewards.functional_results(codes, "python", tests, module_name="add")
    assert honest.fraction_passed == 1.0, honest.message
    for name, result in zip(FORGERIES, forged, strict=True):
        assert result.fraction_passed == 0.0 and result.tests_passed == 0, (name, result)


def test_a_metaclass_that_equals_every_type_fails_top_level_and_humaneval_style_checks():
    code = FORGERIES["a metaclass that equals every type"]
    assert rewards.functional_reward(code, "python", "assert add(1, 2) == 3\n") == 0.0
    check = "def check(candidate):\n    assert candidate(1, 2) == 3\n\ndef test_c():\n" \
            "    check(add)\n"
    assert rewards.functional_reward(code, "python", check) == 0.0


def test_a_program_that_ends_during_a_case_fails_it_and_the_rest():
    tests = ("def test_a():\n    assert add(1, 2) == 3\n\n"
             "def test_b():\n    import os\n    os._exit(0)\n\n"
             "def test_c():\n    assert add(0, 0) == 0\n")
    result = run(ADD, tests)
    assert outcomes(result) == [("test_a", "pass"), ("test_b", "fail"), ("test_c", "fail")]
    assert result.cases[1].message == "the program ended before this case reported: exit code 0"
    assert result.cases[2].message == "not run: the program ended before it"


def test_output_past_the_limit_costs_no_case():
    """Records travel on the tests' own channel, apart from what anyone prints."""
    from adjax_code.judge import execution

    tests = ("def test_a():\n    print('x' * 3000, flush=True)\n\n"
             "def test_b():\n    assert add(1, 2) == 3\n")
    sandbox = execution.Sandbox(execution.Limits(output_chars=2000))
    (result,) = rewards.functional_results([ADD + "print('y' * 3000)\n"], "python", tests,
                                           sandbox)
    assert result.fraction_passed == 1.0, result


def test_each_case_says_why_and_the_result_keeps_stderr():
    code = ("import sys\ndef div(a, b):\n    print('dividing', a, b, file=sys.stderr)\n"
            "    return a / b\n")
    tests = ("def test_div():\n    assert div(6, 3) == 2\n\n"
             "def test_zero():\n    assert div(1, 0) == 0\n\n"
             "def test_bare():\n    assert not div(4, 2)\n")
    result = run(code, tests)
    ok, zero, bare = result.cases
    assert ok.status == "pass" and ok.message == ""
    assert zero.message == "ZeroDivisionError: division by zero"
    assert zero.trace == ("tests line 5, in test_zero: assert div(1, 0) == 0",
                          "solution line 4, in div: return a / b")
    assert bare.message == "AssertionError: assert not div(4, 2)"
    assert "dividing 1 0" in result.stderr_tail
    data = json.loads(json.dumps(result.to_json()))
    assert [c["name"] for c in data["cases"]] == ["test_div", "test_zero", "test_bare"]
    assert data["cases"][1]["trace"][-1] == "solution line 4, in div: return a / b"
    assert data["tests_total"] == 3 and "dividing" in data["stderr_tail"]


def test_pytest_helpers_work_without_pytest_in_the_sandbox():
    tests = '''import pytest


@pytest.mark.parametrize("a, b, want", [(1, 2, 3), (2, 2, 5)])
def test_table(a, b, want):
    assert add(a, b) == want


def test_raises():
    with pytest.raises(TypeError):
        add(1, "x")


def test_approx():
    assert add(0.1, 0.2) == pytest.approx(0.3)


@pytest.mark.skip(reason="later")
def test_later():
    assert False
'''
    result = run(ADD, tests)
    assert outcomes(result) == [("test_table[1-2-3]", "pass"), ("test_table[2-2-5]", "fail"),
                                ("test_raises", "pass"), ("test_approx", "pass"),
                                ("test_later", "skip")]
    assert result.fraction_passed == 0.75


def test_top_level_asserts_stay_cases_and_are_named_by_their_line():
    result = run(ADD, "assert add(1,2)==3\nx = 1\nassert add(x, 1) == 3\n")
    assert outcomes(result) == [("line 1: assert add(1,2)==3", "pass"),
                                ("line 3: assert add(x, 1) == 3", "fail")]
    assert result.cases[1].message == "AssertionError: assert 2 == 3"


# -- the plan ----------------------------------------------------------------------------

def test_the_plan_names_cases_in_the_order_they_run():
    tests = ("import unittest\n\ndef test_late():\n    pass\n\nassert True\n\n"
             "class TestP:\n    def test_m(self):\n        pass\n\n"
             "class U(unittest.TestCase):\n    def test_u(self):\n        pass\n\n"
             "def test_again():\n    pass\n\ndef test_again():\n    pass\n\n"
             "def test_rebound():\n    pass\n\ntest_rebound: int = 0\n")
    plan = python_tests.plan_python_tests(tests)
    assert not plan.error
    assert [c.name for c in plan.cases] == ["line 6: assert True", "test_late", "TestP.test_m",
                                            "U.test_u", "test_again"]
    assert plan.cases[-1].line == 19  # a redefined test runs once, as its last definition
    assert plan.preload == ("unittest",)


@pytest.mark.parametrize("tests,error", [
    ("def test_x(tmp_path):\n    pass\n\ndef test_y(capsys, a=1):\n    pass\n",
     "fixtures are not supported: test_x(tmp_path), test_y(capsys)"),
    ("class TestC:\n    def test_m(self, db):\n        pass\n",
     "fixtures are not supported: TestC.test_m(db)"),
    ("async def test_x():\n    pass\n", "async test functions are not supported: test_x"),
    ("def test_x():\n    yield 1\n", "test functions that yield are not supported: test_x"),
    ("import pytest\n@pytest.mark.parametrize('a', [pytest.param(1)])\ndef test_x(a):\n"
     "    pass\n", "pytest.mark.parametrize needs literal values (pytest.param is not "
     "supported): test_x"),
    ("import pytest\n@pytest.mark.parametrize('b', [1])\ndef test_x(a):\n    pass\n",
     "pytest.mark.parametrize names arguments the test does not take: test_x(b)"),
    ("def test_x(:\n", "the tests do not parse: line 1: invalid syntax"),
    ("import pytest\n@pytest.mark.parametrize('a')\ndef test_x(a):\n    pass\n",
     "pytest.mark.parametrize needs argnames and literal argvalues: test_x"),
    ("import pytest\n@pytest.mark.parametrize(1, [1])\ndef test_x(a):\n    pass\n",
     "pytest.mark.parametrize needs argument names and a list of values: test_x"),
    ("import pytest\n@pytest.mark.parametrize('a,b', [(1,)])\ndef test_x(a, b):\n    pass\n",
     "pytest.mark.parametrize row 0 does not give 2 values: test_x"),
    ("import pytest\n@pytest.mark.parametrize('a', [1e999])\ndef test_x(a):\n    pass\n",
     "pytest.mark.parametrize values must be literals that repr() writes back: test_x"),
])
def test_the_plan_refuses_what_cannot_run_as_written(tests, error):
    assert python_tests.plan_python_tests(tests).error == error


def test_the_plan_expands_parametrize_like_pytest():
    tests = ("import pytest\n\n@pytest.mark.parametrize('x', [0, 1])\n"
             "@pytest.mark.parametrize('y, s', [(2, 'a b'), (3.5, None)], ids=['two', 'more'])\n"
             "def test_grid(x, y, s):\n    pass\n\n"
             "@pytest.mark.parametrize('v', [[1], (2,), {'k': b'x'}])\ndef test_obj(v):\n"
             "    pass\n")
    plan = python_tests.plan_python_tests(tests)
    assert [c.name for c in plan.cases] == [
        "test_grid[two-0]", "test_grid[two-1]", "test_grid[more-0]", "test_grid[more-1]",
        "test_obj[v0]", "test_obj[v1]", "test_obj[v2]"]
    assert python_tests.plan_python_tests(
        "import unittest.mock\nclass T(unittest.IsolatedAsyncioTestCase):\n"
        "    async def test_a(self):\n        pass\n").preload == (
        "unittest", "unittest.mock", "unittest.async_case")


def test_the_program_api_and_module_names():
    from adjax_code.judge import isolation

    plan = python_tests.plan_python_tests("def test_a():\n    assert add(1, 2) == 3\n")
    tests = isolation.tests_program(plan, "add")
    server = isolation.server_program(ADD, "add", coverage=True)
    assert "'module': 'add'" in tests and ADD not in tests and repr(ADD) in server
    with pytest.raises(ValueError, match="not a Python identifier"):
        rewards.functional_results([ADD], "python", "assert True\n", module_name="my-add")
    with pytest.raises(ValueError, match="not a Python identifier"):
        isolation.tests_program(plan, "my-add")
    refused = rewards.functional_results([ADD, WRONG], "python", "async def test_x():\n  pass\n")
    assert [r.status for r in refused] == ["error", "error"]
    assert refused[0].to_json()["message"] == "async test functions are not supported: test_x"


# -- the driver, in this process ---------------------------------------------------------

class LocalLink:
    """The harness and the candidate's process, here: each request and reply goes through
    JSON as it would on the wire."""

    def __init__(self, server):
        self.server, self.records = server, []

    def report(self, *fields):
        kind, _, rest = " ".join(map(str, fields)).partition(" ")
        self.records.append((kind, rest))

    def ask(self, request):
        from adjax_code.judge import python_wire

        reply = self.server.answer(json.loads(python_wire.dumps(request)))
        return json.loads(python_wire.dumps(reply))


def drive(code, tests, module_name=None, **spec):
    """Runs the server and the driver here as the two sandboxed processes would; the
    verdict dict of the records."""
    from adjax_code.judge import python_driver, python_server

    plan = python_tests.plan_python_tests(tests)
    assert not plan.error, plan.error
    server = python_server.Server(code, module_name)
    link = LocalLink(server)
    try:
        kind, payload = server.load()
        if kind == "LOAD":
            link.records.append(("LOAD", json.dumps(payload)))
        else:
            go = python_driver.start({**python_tests.driver_spec(plan, "t0", module_name),
                                      **spec}, link)
            go(json.loads(json.dumps(payload)))
            link.records.append(("END", ""))
    except SystemExit:
        pass
    finally:
        if module_name:
            sys.modules.pop(module_name, None)
    return python_tests.judge_python_tests(link.records, plan, code=code, ended="exit code 1",
                                      module_name=module_name)


def statuses(v):
    return {c.name: c.status for c in v["cases"]}


def messages(v):
    return {c.name: c.message for c in v["cases"]}


PYTEST_FEATURES = '''import pytest
from pytest import approx

calls = []


def setup_function(function):
    calls.append("setup " + function.__name__)


def teardown_function():
    calls.append("teardown")


@pytest.fixture
def unused():
    return 1


@pytest.fixture(scope="module")
def unused_too():
    return 2


@pytest.mark.parametrize("a,b", [(1, 2), ("x", "y")])
def test_param(a, b):
    assert add(a, b) == a + b


def test_hooks_ran():
    assert calls[-1] == "setup test_hooks_ran" and "teardown" in calls


def test_raises_forms():
    with pytest.raises(ZeroDivisionError, match="division") as info:
        1 / 0
    assert info.type is ZeroDivisionError and info.typename == "ZeroDivisionError"
    assert "ZeroDivisionError" in repr(info)
    got = pytest.raises((KeyError, IndexError), lambda: [][1])
    assert got.value.args == ("list index out of range",)
    with pytest.raises(ValueError):
        with pytest.raises(TypeError):
            raise ValueError("passes through")


def test_raises_did_not_raise():
    with pytest.raises(ValueError):
        add(1, 2)


def test_raises_no_match():
    with pytest.raises(ValueError, match="^nope"):
        raise ValueError("something else")


def test_raises_bad_keyword():
    pytest.raises(ValueError, bogus=1)


def test_approx():
    assert 0.1 + 0.2 == approx(0.3)
    assert approx(0.3) == 0.1 + 0.2
    assert [0.1 + 0.2, 2] == approx([0.3, 2])
    assert {"k": 1e-13} == approx({"k": 0.0})
    assert 1.05 == approx(1.0, rel=0.1) and 1.05 != approx(1.0, abs=0.01)
    assert 1.005 == approx(1.0, abs=0.01)
    assert float("nan") != approx(float("nan")) and float("nan") == approx(float("nan"),
                                                                           nan_ok=True)
    assert float("inf") == approx(float("inf")) and 1e308 != approx(float("inf"))
    assert 1j == approx(1j + 1e-9) and "s" == approx("s") and [1] != approx([1, 2])
    assert "approx(0.5)" == repr(approx(0.5))


def test_approx_of_a_lie():
    class Liar:
        def __eq__(self, other):
            return True
    assert Liar() == approx(1.0)


@pytest.mark.skip
def test_skip_bare():
    assert False


@pytest.mark.skipif(True, reason="on purpose")
def test_skipif():
    assert False


@pytest.mark.skipif(False, reason="not taken")
def test_skipif_false():
    pass


def test_skip_inside():
    pytest.skip("inside")


@pytest.mark.xfail(reason="known")
def test_xfail_fails():
    assert add(1, 1) == 3


@pytest.mark.xfail
def test_xfail_passes():
    pass


@pytest.mark.xfail(strict=True, reason="must fail")
def test_xfail_strict():
    pass


@pytest.mark.xfail(raises=KeyError)
def test_xfail_other_error():
    raise ValueError("not the expected one")


@pytest.mark.slow
def test_other_marks():
    pass


def test_fail():
    pytest.fail("told to")


def test_importorskip():
    assert pytest.importorskip("json").dumps(1) == "1"
    pytest.importorskip("no_such_module_anywhere")


def test_missing_helper():
    pytest.warns(UserWarning)


def test_returns_a_value():
    return add(1, 2) == 3


def test_unprintable():
    class Odd(Exception):
        def __str__(self):
            raise RuntimeError("no")
    raise Odd()


def test_text():
    raise ValueError('quote " backslash \\\\ tab \\t é 𝄞 \\x01')


class TestPlain:
    log = []

    @classmethod
    def setup_class(cls):
        cls.log.append("class")

    def setup_method(self, method):
        self.log.append("method " + method.__name__)

    def teardown_method(self):
        self.log.append("done")

    def test_one(self):
        assert self.log[:2] == ["class", "method test_one"]

    @staticmethod
    def test_static():
        assert add(1, 1) == 2

    @pytest.mark.parametrize("n", [1, 2])
    def test_param(self, n):
        assert add(n, 0) == n


@pytest.mark.skip(reason="whole class")
class TestSkipped:
    def test_x(self):
        assert False


class TestBrokenSetup:
    def setup_class(cls):
        raise RuntimeError("no class today")

    def test_x(self):
        pass
'''


def test_driver_pytest_features():
    v = drive(ADD, PYTEST_FEATURES)
    got, why = statuses(v), messages(v)
    assert got == {
        "test_param[1-2]": "pass", "test_param[x-y]": "pass", "test_hooks_ran": "pass",
        "test_raises_forms": "pass", "test_raises_did_not_raise": "fail",
        "test_raises_no_match": "fail", "test_raises_bad_keyword": "fail",
        "test_approx": "pass", "test_approx_of_a_lie": "pass", "test_skip_bare": "skip",
        "test_skipif": "skip", "test_skipif_false": "pass", "test_skip_inside": "skip",
        "test_xfail_fails": "skip", "test_xfail_passes": "pass", "test_xfail_strict": "fail",
        "test_xfail_other_error": "fail", "test_other_marks": "pass", "test_fail": "fail",
        "test_importorskip": "skip", "test_missing_helper": "fail",
        "test_returns_a_value": "fail", "test_unprintable": "fail", "test_text": "fail",
        "TestPlain.test_one": "pass", "TestPlain.test_static": "pass",
        "TestPlain.test_param[1]": "pass", "TestPlain.test_param[2]": "pass",
        "TestSkipped.test_x": "skip", "TestBrokenSetup.test_x": "fail"}
    assert why["test_raises_did_not_raise"] == "Failed: DID NOT RAISE ValueError"
    assert why["test_raises_no_match"].startswith("AssertionError: Regex pattern did not match")
    assert why["test_skip_bare"] == "unconditional skip" and why["test_skipif"] == "on purpose"
    assert why["test_xfail_fails"] == "xfail: known"
    assert why["test_xfail_strict"] == "Failed: [XPASS(strict)] must fail"
    assert why["test_fail"] == "Failed: told to"
    assert why["test_importorskip"] == "could not import 'no_such_module_anywhere'"
    assert why["test_missing_helper"].startswith("AttributeError: pytest.warns is not available")
    assert why["test_returns_a_value"] == (
        "AssertionError: test_returns_a_value returned a value (bool) instead of None: check "
        "values with assert (a returned value checks nothing)")
    assert why["test_unprintable"] == "Odd: <unprintable Odd>"
    assert why["test_text"] == 'ValueError: quote " backslash \\ tab \t é 𝄞 \x01'
    assert why["TestBrokenSetup.test_x"] == "RuntimeError: setup_class: no class today"
    assert (v["passed"], v["total"]) == (13, 30 - 6)  # six skipped


UNITTEST_FEATURES = '''import unittest
from unittest import mock

import add as solution

order = []


def setUpModule():
    order.append("module")


def tearDownModule():
    order.append("module done")


class Broken(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        raise RuntimeError("no fixture")

    def test_a(self):
        pass


@unittest.skip("all of it")
class Skipped(unittest.TestCase):
    def test_a(self):
        self.fail("skipped")


class Features(unittest.TestCase):
    def setUp(self):
        self.addCleanup(order.append, "cleanup")

    def test_module_setup(self):
        self.assertEqual(order[0], "module")

    def test_subtests(self):
        for i in range(3):
            with self.subTest(i=i):
                self.assertLess(solution.add(i, 0), 2)

    @unittest.expectedFailure
    def test_expected_failure(self):
        self.assertEqual(solution.add(1, 1), 3)

    @unittest.expectedFailure
    def test_unexpected_success(self):
        self.assertEqual(solution.add(1, 1), 2)

    def test_returns(self):
        return 1

    def test_mock(self):
        with mock.patch.object(solution, "add", return_value=7):
            self.assertEqual(solution.add(1, 1), 7)
        self.assertEqual(solution.add(1, 1), 2)

    def test_plain_checked(self):
        self.assertTrue(solution.add(1, 1) == 2)
        self.assertIn(solution.add(1, 1), [2, 3])
        self.assertAlmostEqual(solution.add(0.1, 0.2), 0.3)
        self.assertEqual(first=solution.add(2, 2), second=4)

    def test_raises(self):
        with self.assertRaises(TypeError):
            solution.add(1, "x")
'''


def test_driver_unittest_features():
    shared = {name: sys.modules.get(name) for name in ("unittest", "collections", "contextlib")}
    v = drive(ADD, UNITTEST_FEATURES, module_name="add_inproc")
    assert "No module named 'add'" in v["message"]  # the module name is add_inproc
    v = drive(ADD, UNITTEST_FEATURES.replace("import add as", "import add_inproc as"),
              module_name="add_inproc")
    got, why = statuses(v), messages(v)
    assert got == {
        "Broken.test_a": "fail", "Skipped.test_a": "skip",
        "Features.test_module_setup": "pass", "Features.test_subtests": "fail",
        "Features.test_expected_failure": "pass", "Features.test_unexpected_success": "fail",
        "Features.test_returns": "fail", "Features.test_mock": "pass",
        "Features.test_plain_checked": "pass", "Features.test_raises": "pass"}
    assert why["Broken.test_a"] == "RuntimeError: setUpClass: no fixture"
    assert why["Features.test_subtests"] == "AssertionError: (i=2): 2 not less than 2"
    assert why["Features.test_unexpected_success"] == (
        "UnexpectedSuccess: marked expectedFailure, but it passed")
    assert why["Features.test_returns"].startswith(
        "AssertionError: test_returns returned a value (int)")
    # the driver left sys.modules as it was
    assert {name: sys.modules.get(name) for name in shared} == shared


def test_driver_module_setup_failure_and_module_level_skip():
    failing = ("def setup_module(module):\n    raise OSError('no disk')\n\n"
               "def test_a():\n    pass\n\nclass TestB:\n    def test_b(self):\n        pass\n")
    v = drive(ADD, failing)
    assert messages(v) == {"test_a": "OSError: module set-up: no disk",
                           "TestB.test_b": "OSError: module set-up: no disk"}
    skipped = ("import pytest\nassert add(1, 1) == 2\n"
               "pytest.skip('not here', allow_module_level=True)\n\ndef test_a():\n    pass\n")
    v = drive(ADD, skipped)
    assert statuses(v) == {"line 2: assert add(1, 1) == 2": "pass", "test_a": "skip"}
    assert (v["passed"], v["total"]) == (1, 1)
    all_skipped = drive(ADD, "import pytest\npytest.skip('no')\n\ndef test_a():\n    pass\n")
    assert all_skipped["message"] == "every test case was skipped"
    assert (all_skipped["passed"], all_skipped["total"]) == (0, 1)


def test_driver_load_failures_stop_everything_and_say_why():
    v = drive(ADD, "assert add(1, 1) == 2\nx = undefined_name\n\ndef test_a():\n    pass\n")
    assert statuses(v) == {"line 1: assert add(1, 1) == 2": "pass", "test_a": "fail"}
    assert v["load"] == ("the tests failed to load: NameError: name 'undefined_name' is not "
                         "defined (tests line 2, in <module>: x = undefined_name)")
    assert messages(v)["test_a"] == "not run: " + v["load"]
    broken = drive("def add(a, b:\n", "def test_a():\n    pass\n")
    assert broken["load"].startswith("the solution failed to load: SyntaxError")


def test_judging_records_that_are_missing_doubled_or_garbled():
    plan = python_tests.plan_python_tests("def test_a():\n    pass\n\ndef test_b():\n    pass\n"
                                     "\ndef test_c():\n    pass\n")
    records = [("CASE", "0 V true"), ("CASE", "0 V true"), ("CASE", "1 X {not json"),
               ("CASE", "x V true"), ("CASE", "2 V false")]
    v = python_tests.judge_python_tests(records, plan)
    assert [c.message for c in v["cases"]] == ["reported more than once", "failed", "failed"]
    assert v["passed"] == 0 and not v["ended"]


# -- the solution through stubs (python_server, python_wire, the driver's stand-ins) -------

REMOTE = '''import math


class Stack:
    LIMIT = 3

    def __init__(self):
        self.items = []

    def push(self, x):
        self.items.append(x)
        return self

    def size(self):
        return len(self.items)

    def __len__(self):
        return len(self.items)

    def __iter__(self):
        return iter(self.items)

    def __getitem__(self, i):
        return self.items[i]

    def __contains__(self, x):
        return x in self.items

    def __str__(self):
        return "Stack" + str(self.items)

    @staticmethod
    def make():
        return Stack()


class Empty(ValueError):
    pass


def pop_all(xs, seen):
    seen["n"] = len(xs)
    out = list(xs)
    xs.clear()
    return out


def values():
    return [None, True, 2 ** 4000, -0.0, float("nan"), float("inf"), "s\\udc80", b"x", 1j,
            (1, 2), {3}, frozenset([4]), {(1, 2): [5]}, range(3)]


def gen(n):
    yield from range(n)


def boom():
    raise Empty("nothing")


def leave():
    raise SystemExit(0)


def bad():
    return object()


def deep():
    x = []
    for _ in range(200):
        x = [x]
    return x


def takes(x):
    return x


SIZE = 7
OBJ = object()
'''

REMOTE_TESTS = '''import math
import pytest


def test_values():
    v = values()
    assert v[0] is None and v[1] is True and v[2] == 2 ** 4000
    assert math.copysign(1, v[3]) == -1 and v[4] != v[4] and v[5] == math.inf
    assert v[6:] == ["s\\udc80", b"x", 1j, (1, 2), {3}, frozenset([4]), {(1, 2): [5]},
                     range(3)]


def test_generator():
    assert list(gen(3)) == [0, 1, 2]


def test_objects():
    s = Stack()
    assert isinstance(s, Stack) and s.push(1) is s and s.size() == 1 and len(s) == 1
    s.push(2)
    assert list(s) == [1, 2] and s[1] == 2 and 2 in s and str(s) == "Stack[1, 2]"
    s.items = [9]
    assert s.items == [9] and Stack.LIMIT == 3 and Stack.make().size() == 0
    assert s != [9] and "Stack object of the solution" in repr(s) and takes(s) is s
    with pytest.raises(TypeError, match="truth"):
        bool(s)


def test_mutation():
    xs, seen = [1, 2], {}
    assert pop_all(xs, seen) == [1, 2] and xs == [] and seen == {"n": 2}


def test_raises():
    with pytest.raises(ValueError, match="nothing") as info:
        boom()
    assert type(info.value) is Empty


def test_exit_is_no_exception():
    with pytest.raises(Exception):
        leave()


def test_not_plain():
    bad()


def test_too_deep():
    deep()


def test_constant():
    assert SIZE == 7


def test_unavailable():
    OBJ.x


def test_no_such_name():
    import add_remote
    add_remote.nothing()


def test_unencodable_argument():
    takes(object())
'''


def test_the_solution_is_reached_through_stubs_with_plain_data_only():
    v = drive(REMOTE, REMOTE_TESTS, module_name="add_remote")
    got, why = statuses(v), messages(v)
    assert {k for k, s in got.items() if s == "pass"} == {
        "test_values", "test_generator", "test_objects", "test_mutation", "test_raises",
        "test_constant"}, why
    assert why["test_exit_is_no_exception"].startswith("SystemExit")
    assert why["test_not_plain"] == "NotPlainData: the solution returned not plain data: object"
    assert why["test_too_deep"] == "NotPlainData: the solution returned nested more than 100 deep"
    assert why["test_unavailable"].startswith("NotPlainData: OBJ is of type object in the solution")
    assert why["test_no_such_name"] == "AttributeError: module 'add_remote' has no attribute " \
                                       "'nothing'"
    assert why["test_unencodable_argument"].startswith(
        "NotPlainData: an argument that cannot go to the solution: not plain data: object")


def test_a_solution_that_does_not_answer_fails_the_case_it_was_in():
    from adjax_code.judge import python_driver, python_server

    plan = python_tests.plan_python_tests("def test_a():\n    assert add(1, 2) == 3\n")

    class Gone(LocalLink):
        def ask(self, request):
            return {"d": "ended during the call (it ended)"} if request["op"] == "call" \
                else None

    server = python_server.Server(ADD)
    _, manifest = server.load()
    link = Gone(server)
    python_driver.start(verdict_spec(plan), link)(json.loads(json.dumps(manifest)))
    v = python_tests.judge_python_tests(link.records, plan)
    assert v["cases"][0].message == ("SolutionGone: the solution's process ended during the "
                                     "call (it ended)")


def verdict_spec(plan, module_name=None):
    return python_tests.driver_spec(plan, "t0", module_name)


def test_the_server_refuses_what_is_not_a_request():
    from adjax_code.judge import python_server, python_wire

    server = python_server.Server("def f(x):\n    return x\n")
    assert server.load()[0] == "READY"
    assert server.answer({"op": "call", "h": 5}) == {"p": "no such object"}
    assert server.answer({"op": "call", "n": "g"})["x"]["n"] == "NameError"
    assert server.answer({"op": "call", "n": "f", "a": [{"zz": 1}]}) == {"p": "malformed value"}
    for bad in ({"d": [[1]]}, {"c": [1]}, {"r": [1, 2, 0]}, {"s": [[1]]}, {"t": 1}, [[]] * 0):
        with pytest.raises(python_wire.WireError):
            python_wire.decode(bad if bad else {"x": 1})
    assert python_wire.decode({"i": hex(-(10 ** 1200))}) == -(10 ** 1200)
    assert python_server.Server("raise KeyError('k')\n").load()[1]["e"] == "KeyError"


def test_the_whole_exchange_runs_in_this_process_over_sockets():
    """The candidate's server, the relay and the tests' driver, each on its own socket as
    in the sandbox (threads here); the relay keeps only the tests' records."""
    import socket
    import threading
    import time

    from adjax_code.judge import channel, isolation, python_driver, python_server, python_stubs

    tests = "def test_a():\n    assert add(1, 2) == 3\n\ndef test_b():\n    assert add(2, 2) == 5\n"
    plan = python_tests.plan_python_tests(tests)
    cand_h, cand_p = socket.socketpair()
    tests_h, tests_p = socket.socketpair()
    cand, other = channel.Channel(), channel.Channel()
    cand.attach(cand_h)
    other.attach(tests_h)

    def run_tests():
        link = python_stubs.Link(tests_p.fileno())
        python_driver.start(verdict_spec(plan), link)(link.manifest())
        link.report("END")

    threads = [threading.Thread(target=python_server.serve, args=(ADD, None, False,
                                                                   cand_p.fileno())),
               threading.Thread(target=run_tests)]
    for t in threads:
        t.start()
    ex = isolation.relay(cand, other, time.monotonic() + 30)
    for t in threads:
        t.join(10)
    cand.stop()
    other.stop()
    for s in (cand_p, tests_p):
        s.close()
    v = python_tests.judge_python_tests(ex.records, plan)
    assert [c.status for c in v["cases"]] == ["pass", "fail"] and not ex.gone
    assert not cand.send("after the stop") and cand.line(time.monotonic(), 10) is None


def test_a_manifest_names_only_standard_modules_that_run_nothing():
    from adjax_code.judge import python_stubs

    remote = python_stubs.Remote(None)
    module = remote.module("m", {"names": {
        "m1": {"k": "m", "n": "math"}, "m2": {"k": "m", "n": "unittest.__main__"},
        "m3": {"k": "m", "n": "antigravity"}, "m4": {"k": "m", "n": "no_such_module"},
        "__getattr__": {"k": "f"}, "x y": {"k": "f"}, "v": {"k": "v", "v": {"t": [1]}},
        "bad": {"k": "v", "v": {"zz": 1}}}})
    import math

    assert module.m1 is math and module.v == (1,) and not hasattr(module, "bad")
    for name in ("m2", "m3", "m4"):
        with pytest.raises(python_stubs.NotPlainData, match="of type module"):
            getattr(module, name)()
    assert "__getattr__" not in vars(module) and "x y" not in vars(module)
