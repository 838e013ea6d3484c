"""Hostile JavaScript/TypeScript solutions against free-form tests run in their own process.

A wrong solution that declares one of the tests' globals (``Math``, ``JSON``, ``process``,
``Object``) would be bound over it as a stub in the tests' module; such a sample is refused
before any test runs. ``console.assert`` in the tests throws on a falsy condition, so a
failing one fails its case. Each forgery below scored 1.0 on 18b92d3.
"""

import pytest

from adjax_code.judge import execution, rewards

JS_TESTS = """let failed = 0;
function check(ok, what) { if (!ok) { console.error("FAIL " + what); failed++; } }
check(Math.abs(half(5) - 2.5) < 1e-9, "half");
check(JSON.stringify([add(1, 2)]) === JSON.stringify([3]), "add");
check(Object.is(half(-0), -0), "-0");
if (failed > 0) process.exit(1);
"""
JS_HONEST = "function add(a, b) { return a + b; }\nfunction half(x) { return x / 2; }\n"
JS_WRONG = "function add(a, b) { return a - b; }\nfunction half(x) { return 1; }\n"
HIDDEN_GLOBALS = {
    "Math": "class Math { static abs(x) { return 0; } }\n",
    "JSON": "class JSON { static stringify(x) { return 'same'; } }\n",
    "process": "class process { static exit(code) {} }\n",
    "Object": "class Object { static is(a, b) { return true; } }\n",
}


def test_a_solution_declaring_a_global_of_the_tests_is_refused():
    # each declares all four (so each scored 1.0 before), the named one first
    forged = {name: JS_WRONG + decl + "".join(d for n, d in HIDDEN_GLOBALS.items() if n != name)
              for name, decl in HIDDEN_GLOBALS.items()}
    codes = [JS_HONEST, *forged.values()]
    honest, *results = rewards.functional_results(codes, "javascript", JS_TESTS)
    assert honest.status == execution.PASS and honest.fraction_passed == 1.0, honest
    for name, r in zip(forged, results, strict=True):
        assert r.fraction_passed == 0.0, (name, r)
        assert r.message == (f"the solution declares {name}, which would hide the tests' "
                             f"global {name}; rename it"), (name, r)


def test_the_tests_own_declarations_are_theirs_and_a_solution_may_share_their_names():
    tests = ("const assert = require('assert');\n"
             "function check(ok) { if (!ok) throw new Error('no'); }\n"
             "check(add(1, 2) === 3);\nassert.strictEqual(add(2, 2), 4);\n")
    solution = JS_HONEST + "function check(x) { return true; }\nconst assert = () => {};\n"
    wrong = JS_WRONG + "function check(x) { return true; }\nconst assert = () => {};\n"
    honest, forged = rewards.functional_results([solution, wrong], "javascript", tests)
    assert honest.status == execution.PASS and honest.fraction_passed == 1.0, honest
    assert forged.fraction_passed == 0.0, forged


def test_assert_is_refused_when_the_tests_do_not_require_it():
    tests = "assert(add(1, 2) === 3);\n"
    code = JS_WRONG + "function assert(ok) {}\n"
    (r,) = rewards.functional_results([code], "javascript", tests)
    assert r.fraction_passed == 0.0, r
    assert "declares assert" in r.message, r


CONSOLE_ASSERT_TESTS = ('console.assert(add(1, 2) === 3, "add(1, 2)");\n'
                        'console.assert(add(-1, 1) === 0, "add(-1, 1)");\n')


@pytest.mark.parametrize("language,honest,wrong", [
    ("javascript", "function add(a, b) { return a + b; }\n",
     "function add(a, b) { return a - b; }\n"),
    ("typescript", "export function add(a: number, b: number): number { return a + b; }\n",
     "export function add(a: number, b: number): number { return a - b; }\n"),
])
def test_a_failing_console_assert_fails_its_case(language, honest, wrong):
    good, bad = rewards.functional_results([honest, wrong], language, CONSOLE_ASSERT_TESTS)
    assert good.status == execution.PASS and good.fraction_passed == 1.0, good
    assert bad.fraction_passed == 0.0 and bad.tests_passed == 0, bad
    assert [c.status for c in bad.cases] == ["fail", "fail"], bad.cases
    assert "add(1, 2)" in bad.cases[0].message, bad.cases


def test_typescript_declaring_a_global_of_the_tests_does_not_compile():
    code = ("export function add(a: number, b: number): number { return a - b; }\n"
            "export class JSON { static stringify(x: any): string { return 'same'; } }\n")
    tests = "if (JSON.stringify([add(1, 2)]) !== JSON.stringify([3])) throw new Error('add');\n"
    (r,) = rewards.functional_results([code], "typescript", tests)
    assert r.fraction_passed == 0.0 and "JSON" in r.message, r
