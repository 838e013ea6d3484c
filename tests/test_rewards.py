import json

import pytest

from adjax_code.app import cli
from adjax_code.judge import rewards

GOOD_PY = '''def sum_list(numbers):
    """Return the sum of a list of numbers."""
    total = 0
    for n in numbers:
        total += n
    return total
'''
POOR_PY = "def SumList(x, unused):\n  return 1\n"
TESTS_PY = "\n".join([
    "def test_sum_list():",
    "    for arg, want in [([1, 2, 3], 6), ([], 0), ([5], 5)]:",
    "        assert sum_list(arg) == want",
])

SNIPPETS = {
    "javascript": ("// Adds two numbers.\nfunction addTwo(a, b) {\n  return a + b;\n}\n",
                   "function add_two(a, b, c) {\n  return 3;\n}\n"),
    "typescript": ("// Adds two numbers.\nfunction addTwo(a: number, b: number): number {\n"
                   "  return a + b;\n}\n",
                   "function add_two(a: number, b: number): number {\n  return 3;\n}\n"),
    "java": ("class Sol {\n  /** Adds. */\n"
             "  static int addTwo(int a, int b) { return a + b; }\n}\n",
             "class Sol {\n  static int add_two(int a, int b) { return 3; }\n}\n"),
    "go": ("package main\n\n// addTwo adds.\nfunc addTwo(a int, b int) int {\n\treturn a + b\n}\n",
           "package main\n\nfunc add_two(a int, b int) int {\n\treturn 3\n}\n"),
    "python": (GOOD_PY, POOR_PY),
}


def test_syntax_reward():
    assert rewards.syntax_reward(GOOD_PY, "python") == 1.0
    broken = rewards.syntax_reward("def f(:\n  pass\n", "python")
    assert 0.0 < broken <= 0.5
    assert rewards.syntax_reward("   ", "python") == 0.0


@pytest.mark.parametrize("lang", sorted(SNIPPETS))
def test_quality_prefers_clean_code(lang):
    good, poor = SNIPPETS[lang]
    terms = rewards.quality_terms(good, lang)
    assert terms["naming"] == 1.0 and terms["documented"] == 1.0 and terms["used_params"] == 1.0
    assert rewards.quality_reward(good, lang) > rewards.quality_reward(poor, lang)
    poor_terms = rewards.quality_terms(poor, lang)
    assert poor_terms["documented"] == 0.0 and poor_terms["used_params"] == 0.0


def test_quality_nesting_and_length():
    deep = "def f(x):\n" + "".join("    " * (i + 1) + "if x:\n" for i in range(9)) + \
        "    " * 10 + "return x\n"
    assert rewards.quality_terms(deep, "python")["nesting"] == 0.0
    long = "def f(x):\n" + "    x += 1\n" * 120 + "    return x\n"
    assert rewards.quality_terms(long, "python")["length"] == 0.0
    assert rewards.quality_terms("x = 1  # one\n", "python") == {"nesting": 1.0, "comments": 1.0}
    assert rewards.quality_reward("", "python") == 0.0


def test_relevance_splits_identifiers():
    assert rewards.split_words("parseHTTPResponse_code2") == ["parse", "http", "response",
                                                              "code", "2"]
    spec = "reverse the words of a sentence"
    good = "def reverse_words(sentence):\n    return ' '.join(sentence.split()[::-1])\n"
    off = "def add(a, b):\n    return a + b\n"
    assert rewards.relevance_reward(good, "python", spec) == 1.0
    assert rewards.relevance_reward(off, "python", spec) == 0.0
    assert rewards.relevance_reward(off, "python", "the of a") == 1.0


def test_functional_and_overall():
    rows = rewards.score([GOOD_PY, POOR_PY], "python", spec="sum of a list", tests=TESTS_PY)
    assert rows[0]["functional"] == 1.0 and rows[1]["functional"] == pytest.approx(0.0)
    assert rows[0]["overall"] > rows[1]["overall"]
    for row in rows:
        assert all(0.0 <= v <= 1.0 for v in row.values())
    no_tests = rewards.score([GOOD_PY], "python")[0]
    assert "functional" not in no_tests and "relevance" not in no_tests
    assert rewards.overall({"syntax": 1.0, "functional": 0.0}, {"functional": 0.0}) == 1.0
    assert rewards.overall({}, None) == 0.0
    with pytest.raises(ValueError, match="weight"):
        rewards.overall({"syntax": 1.0}, {"syntax": -1})


@pytest.mark.parametrize("lang,code,tests", [
    ("go", SNIPPETS["go"][0],
     'package main\nimport "fmt"\nfunc main() {\n\tif addTwo(1, 2) != 3 {\n'
     '\t\tpanic(fmt.Sprint("got ", addTwo(1, 2)))\n\t}\n}\n'),
    ("java", "public class Sol {\n  static int addTwo(int a, int b) { return a + b; }\n}\n",
     'public class Main {\n  public static void main(String[] args) {\n'
     '    if (Sol.addTwo(1, 2) != 3) throw new AssertionError("wrong");'
     '\n  }\n}\n'),
    ("javascript", SNIPPETS["javascript"][0],
     "const assert = require('assert');\nassert.strictEqual(addTwo(1, 2), 3);"),
    ("typescript", SNIPPETS["typescript"][0],
     "if (addTwo(1, 2) !== 3) { throw new Error('wrong'); }"),
])
def test_functional_in_compiled_languages(lang, code, tests):
    assert rewards.functional_reward(code, lang, tests) == 1.0
    wrong = code.replace("a + b", "a - b")
    assert rewards.functional_reward(wrong, lang, tests) == 0.0


def test_reward_registry():
    rewards.register("short_test", lambda code, language, **_: 1.0 if len(code) < 80 else 0.0)
    row = rewards.score(["x = 1\n"], "python")[0]
    assert row["short_test"] == 1.0
    with pytest.raises(ValueError, match="already registered"):
        rewards.register("short_test", lambda code, language, **_: 0.0)
    with pytest.raises(ValueError, match="computed by score"):
        rewards.register("overall", lambda code, language, **_: 0.0)
    rewards._REGISTRY.pop("short_test")


def test_cli_evaluate(tmp_path, capsys):
    src = tmp_path / "sol.py"
    src.write_text(GOOD_PY)
    tests = tmp_path / "tests.py"
    tests.write_text(TESTS_PY)
    assert cli.main(["evaluate", str(src), "--language", "python", "--spec", "sum of a list",
                     "--tests", str(tests), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["scores"]["functional"] == 1.0 and out["syntax_errors"] == []
    broken = tmp_path / "broken.py"
    broken.write_text("def f(:\n  pass\n")
    assert cli.main(["evaluate", str(broken), "-l", "py"]) == 0
    text = capsys.readouterr().out
    assert "syntax     line 1" in text and text.startswith("syntax")


@pytest.mark.parametrize("setup,msg", [
    (lambda p: p.write_bytes(b""), "is empty"),
    (lambda p: p.write_bytes(b"x = '\xff\xfe'\n"), "not UTF-8"),
    (lambda p: None, "does not exist"),
    (lambda p: p.mkdir(), "is a directory"),
])
def test_cli_evaluate_bad_files(tmp_path, capsys, setup, msg):
    path = tmp_path / "input.py"
    setup(path)
    assert cli.main(["evaluate", str(path), "--language", "python"]) == 1
    err = capsys.readouterr().err
    assert msg in err and err.count("\n") == 1


def test_cli_evaluate_unknown_language_and_missing_toolchain(tmp_path, capsys, monkeypatch):
    path = tmp_path / "a.go"
    path.write_text(SNIPPETS["go"][0])
    assert cli.main(["evaluate", str(path), "--language", "cobol"]) == 1
    assert "unknown language 'cobol'" in capsys.readouterr().err
    tests = tmp_path / "t.go"
    tests.write_text("package main\nfunc main() {}\n")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert cli.main(["evaluate", str(path), "--language", "go", "--tests", str(tests)]) == 1
    assert "go not on PATH" in capsys.readouterr().err


def test_a_tests_script_without_cases_scores_zero_and_says_so():
    """A script that only prints (the old TESTS_PY) checks nothing: it is no pass."""
    script = ("for i, (arg, want) in enumerate([([1, 2, 3], 6), ([], 0)]):\n"
              "    print('ADJAX-TEST', i, 'PASS' if sum_list(arg) == want else 'FAIL')\n")
    (result,) = rewards.functional_results([GOOD_PY], "python", script)
    assert result.fraction_passed == 0.0 and result.status == "error"
    assert result.message.startswith("no test cases")
    assert rewards.score([GOOD_PY], "python", tests=script)[0]["functional"] == 0.0


def test_javascript_tests_programs_hold_names_only_never_the_solution():
    from adjax_code.judge import js_isolation

    code = ("export function f<T>(a: T): T { return a; /* MARK */ }\n"
            "class S<K, V> extends Error { x = 1 }\nconst a = 1, [b] = [2];\n"
            "interface P { x: number }\ntype Q<T> = T;\nexport const g = () => 'MARK';\n"
            "enum E { A }\nabstract class Z {}\nfunction* gen() {}\n")
    found = js_isolation.names(code, "typescript")
    assert found.values == (("f", 1, False), ("S", 2, True), ("a", 0, False),
                            ("g", 0, False), ("E", 0, False), ("Z", 0, True),
                            ("gen", 0, False))
    assert found.types == (("S", 2), ("P", 0), ("Q", 1), ("E", 0), ("Z", 0))
    program = js_isolation.tests_program("assert(f<number>(1) === 1);", "typescript", found)
    assert "MARK" not in program and "type Q<T0 = any> = any;" in program
    assert 'const S: {new <T0 = any, T1 = any>(...args: any[]): any; [k: string]: any}' \
        in program
    assert "MARK" in js_isolation.server_program(code, "typescript", found)


@pytest.mark.parametrize("language,code,require", [
    ("javascript", "function add(a, b) { return a + b; }\n", "const assert = require('assert');"),
    ("typescript", "function add(a: number, b: number): number { return a + b; }\n",
     "const assert = require('assert');"),
])
def test_js_assertions_are_cases_with_messages(language, code, require):
    """Each top-level node assertion is a case of its own: the share passed, the failing
    one named with its line and the assertion's message; a statement that throws outside
    an assertion leaves the rest not run."""
    tests = (f"{require}\nassert.strictEqual(add(1, 2), 3);\n"
             "assert.strictEqual(add(2, 2), 5);\nassert(add(0, 0) === 0);\n")
    r = rewards.functional_results([code], language, tests)[0]
    assert (r.tests_passed, r.tests_total) == (2, 3), r.message
    assert [c.status for c in r.cases] == ["pass", "fail", "pass"]
    assert r.cases[1].line == 3 and "4 !== 5" in r.cases[1].message
    assert "line 3" in r.message and "4 !== 5" in r.message
    stopped = rewards.functional_results(
        [code], language, f"{require}\nassert(add(1, 1) === 2);\nthrow new Error('setup');\n"
        "assert(add(1, 2) === 3);\n")[0]
    assert (stopped.tests_passed, stopped.tests_total) == (1, 2)
    assert stopped.cases[1].message.startswith("not run")
