"""Task-suite samples of Java, Go and TypeScript compiled together and run apart: no sample
reaches a sibling's code, a sample that does not compile fails alone, and every verdict is
the one a build of its own gives."""

import re

import pytest

from adjax_code import tasks
from adjax_code.judge import compile_batch, compile_layouts, execution
from adjax_code.lang import languages
from adjax_code.tasks import render

ADD, REV = tasks.get("add_two"), tasks.get("reverse_string")
COMPILED = ("java", "go", "typescript")


class CountingSandbox(execution.Sandbox):
    """Counts the programs built one by one (``run``) beside the batches."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.alone = 0

    def run(self, code, language, *, stdin=""):
        self.alone += 1
        return super().run(code, language, stdin=stdin)


def assert_same(batched, single, items):
    """Each batched result means what the sample's own build and run say."""
    for (t, lang, _), b, s in zip(items, batched, single, strict=True):
        where = (t.id, lang, b.message, s.message)
        assert (b.status, b.stage, b.tests_passed, b.tests_total) == \
            (s.status, s.stage, s.tests_passed, s.tests_total), where
        assert b.message == s.message, where
        if s.stage == "build":
            assert (b.stdout, b.stderr) == (s.stdout, s.stderr), where


# -- a sibling's code is out of reach ------------------------------------------------------

# A correct sample with a helper, and one that uses the helper without defining it: one
# compiler run over both in one scope would let the borrower compile and pass (a Java class
# of the same package; a TypeScript ``declare global`` const enum, inlined into the
# borrower even when every file is a module of its own).
HELPERS = {
    "java": ("class Helper {\n  static final int BIAS = 0;\n"
             "  static int add(int a, int b) { return a + b; }\n}\n"
             "class Solution {\n  static int addTwo(int a, int b) "
             "{ return Helper.add(a, b) + Helper.BIAS; }\n}\n",
             "class Solution {\n  static int addTwo(int a, int b) "
             "{ return Helper.add(a, b) + Helper.BIAS; }\n}\n"),
    "go": ("func helperAdd(a int, b int) int {\n\treturn a + b\n}\n\n"
           "func addTwo(a int, b int) int {\n\treturn helperAdd(a, b)\n}\n",
           "func addTwo(a int, b int) int {\n\treturn helperAdd(a, b)\n}\n"),
    "typescript": ("export {};\ndeclare global { const enum Bias { Zero = 0 } }\n"
                   "function addTwo(a: number, b: number): number { return a + b + Bias.Zero; }\n",
                   "function addTwo(a: number, b: number): number { return a + b + Bias.Zero; }\n"),
}


@pytest.mark.parametrize("language", COMPILED)
def test_a_sample_cannot_use_a_siblings_code(language):
    owner, borrower = HELPERS[language]
    items = [(ADD, language, owner), (ADD, language, borrower),
             (ADD, language, ADD.solutions[language])]
    batched = render.run_batched(items, sandbox=execution.Sandbox(workers=2))
    single = render.run(items[:2], sandbox=execution.Sandbox(workers=2))
    assert batched[0].status == batched[2].status == execution.PASS, batched[0]
    assert batched[1].status == execution.ERROR and batched[1].stage == "build", batched[1]
    assert_same(batched[:2], single, items[:2])


# Each sample passes only when its run holds nothing but its own compiled files.
ONLY_OWN_FILES = {
    "java": "class Solution {\n  static int addTwo(int a, int b) {\n    int dirs = 0;\n"
            "    for (java.io.File f : new java.io.File(\".\").listFiles())\n"
            "      if (f.isDirectory() && !f.getName().startsWith(\".\")) dirs++;\n"
            "    return a + b + (dirs <= 1 ? 0 : 1000);\n  }\n}\n",
    "go": 'import "os"\n\nfunc addTwo(a int, b int) int {\n\tentries, _ := os.ReadDir(".")\n'
          "\tfor _, e := range entries {\n\t\tn := e.Name()\n"
          '\t\tif n[0] != \'.\' && n != "main.go" && n != "prog" {\n\t\t\treturn -1\n\t\t}\n'
          "\t}\n\treturn a + b\n}\n",
    "typescript": "declare var require: any;\n"
                  "function addTwo(a: number, b: number): number {\n"
                  '  const fs = require("fs");\n'
                  '  const top = fs.readdirSync(".").filter((n: string) => !n.startsWith("."));\n'
                  '  const ok = top.every((n: string) => n === "main.ts" || n === "out") &&\n'
                  '    fs.readdirSync("out").every((n: string) => n === "main.js");\n'
                  "  return ok ? a + b : -1;\n}\n",
}


@pytest.mark.parametrize("language", COMPILED)
def test_each_run_holds_only_its_own_compiled_files(language):
    items = [(ADD, language, ONLY_OWN_FILES[language])] * 3
    results = render.run_batched(items, sandbox=execution.Sandbox(workers=2))
    assert all(r.status == execution.PASS for r in results), results[0]


# -- a sample that does not compile fails alone --------------------------------------------

BROKEN = {
    "java": ["class Solution { static int addTwo(int a, int b) { return a + } }",
             "class Solution { static int addTwo(int a, int b) { return zz; } }"],
    "go": ["func addTwo(a int, b int) int {\n\treturn a +\n}\n",
           "func addTwo(a int, b int) int {\n\treturn qq\n}\n"],
    "typescript": ["function addTwo(a: number, b: number): number {\n  return a +;\n}\n",
                   "function addTwo(a: number, b: number): string {\n  return 1;\n}\n"],
}


@pytest.mark.parametrize("language", COMPILED)
def test_a_sample_that_does_not_compile_fails_alone(language):
    syntax, semantic = BROKEN[language]
    items = [(ADD, language, ADD.solutions[language]), (ADD, language, syntax),
             (REV, language, REV.solutions[language]), (ADD, language, semantic),
             (ADD, language, ADD.solutions[language])]
    box = CountingSandbox(workers=2)
    batched = render.run_batched(items, sandbox=box)
    assert box.alone == 0  # every message was pinned on its sample: no build of its own
    assert [r.status for r in batched] == ["pass", "error", "pass", "error", "pass"], batched
    assert_same(batched, render.run(items, sandbox=execution.Sandbox(workers=2)), items)


def test_javac_reports_each_samples_errors_as_it_would_alone():
    """javac stops after 100 errors a run: a sample's 130 errors read as they would alone
    (the first 100 and the total), and its sibling's 3 are still all reported, with no
    build of its own for either."""
    many = ("class Solution {\n  static int addTwo(int a, int b) {\n"
            + "".join(f"    int v{i} = zz{i};\n" for i in range(130)) + "    return 0;\n  }\n}\n")
    few = "class Solution {\n  static int addTwo(int a, int b) { return x + y + z; }\n}\n"
    items = [(ADD, "java", many), (ADD, "java", few), (ADD, "java", ADD.solutions["java"])]
    box = CountingSandbox(workers=2)
    batched = render.run_batched(items, sandbox=box)
    assert box.alone == 0
    assert "of 130 total" in batched[0].stderr and batched[1].message == "3 errors", batched
    assert_same(batched, render.run(items[:2], sandbox=execution.Sandbox(workers=2)) +
                [batched[2]], items)


def test_results_equal_one_build_each():
    """A mixed batch: right, wrong, raising, exiting early and non-compiling samples."""
    items = []
    for lang in COMPILED:
        items += [(ADD, lang, ADD.solutions[lang]), (REV, lang, REV.solutions[lang]),
                  (ADD, lang, HELPERS[lang][1])]
    items += [
        (ADD, "java", "class Solution {\n  static int addTwo(int a, int b) "
                      "{ return a / (b - b); }\n}\n"),
        (ADD, "java", "class Solution {\n  static int addTwo(int a, int b) "
                      "{ System.exit(0); return 0; }\n}\n"),
        # names of the sample's own classes read as they would alone
        (REV, "java", "class Solution {\n  static String reverseString(String s) "
                      "{ return Solution.class.getName(); }\n}\n"),
        (ADD, "java", "class Oops extends RuntimeException {}\nclass Solution {\n"
                      "  static int addTwo(int a, int b) { throw new Oops(); }\n}\n"),
        (ADD, "go", "func addTwo(a int, b int) int {\n\treturn a - b\n}\n"),
        (ADD, "go", "func addTwo(a int, b int) int {\n\tvar s []int\n\treturn s[a]\n}\n"),
        (ADD, "typescript", "function addTwo(a: number, b: number): number "
                            "{ throw new Error('no'); }\n"),
        (REV, "typescript", "function reverseString(s: string): string { return s; }\n"),
        (ADD, "python", ADD.solutions["python"]),
    ]
    box = execution.Sandbox(workers=2)
    assert_same(render.run_batched(items, sandbox=box, batch_size=4),
                render.run(items, sandbox=box), items)
    ((t, lang, code),) = [i for i in items if "getName" in i[2]]
    assert render.outputs([(t, lang, code)] * 2, sandbox=box) == \
        render.outputs([(t, lang, code)], sandbox=box) * 2


# -- what the batch cannot pin on one sample --------------------------------------------

def test_a_compiler_crash_sends_the_batch_to_builds_of_their_own():
    """javac overflows its stack on one sample: its siblings are still judged, each by a
    build of its own."""
    bomb = ("class Solution {\n  static int addTwo(int a, int b) { return "
            + "(" * 10000 + "a" + ")" * 10000 + "; }\n}\n")
    items = [(ADD, "java", ADD.solutions["java"]), (ADD, "java", bomb),
             (REV, "java", REV.solutions["java"])]
    box = CountingSandbox(workers=2)
    batched = render.run_batched(items, sandbox=box)
    assert box.alone == 3
    assert [(r.status, r.stage) for r in batched] == \
        [("pass", "run"), ("error", "build"), ("pass", "run")], batched[1]
    assert "StackOverflowError" in batched[1].stderr


KEYS = {k: i for i, k in enumerate(compile_layouts.new_key() for _ in range(2))}
A, B = list(KEYS)


@pytest.mark.parametrize("text,expected", [
    (f"{A}/Main.java:2: error: cannot find symbol\n  x\n  ^\n1 error\n", {A: 3}),
    (f"{A}/Main.java:2: error: x\n{B}/Main.java:3: error: y\n2 errors\n", {A: 1, B: 1}),
    (f"{A}/Main.java:2: warning: deprecated\n1 warning\n", {}),
    ("The system is out of resources.\njava.lang.StackOverflowError\n", None),
    (f"{B}/Main.java:1: error: error while writing Solution: No space left on device\n", None),
    # an erroneous line that reads like javac's own summary cannot hide the caret after it
    (f"{A}/Main.java:3: error: class expected\nNote: not java\n^\n1 error\n", None),
], ids=["one-error", "two-samples", "warning", "javac-crash", "shared-resource",
        "caret-after-note"])
def test_java_messages_are_pinned_on_their_sample_or_nothing(text, expected):
    got = compile_layouts.attribute(compile_layouts.JAVA, text, KEYS)
    assert (got if got is None else {k: len(v) for k, v in got.items()}) == expected


def test_go_and_typescript_messages_are_pinned_on_their_sample_or_nothing():
    go = (f"# _/tmp/adjax-run-x/work/{A}\n{A}/main.go:5:9: undefined: qq\n"
          f"{B}/main.go:3:8: package foo is not in GOROOT\n")
    assert compile_layouts.attribute(compile_layouts.GO, go, KEYS) == {
        A: [f"# _/tmp/adjax-run-x/work/{A}", f"{A}/main.go:5:9: undefined: qq"],
        B: [f"{B}/main.go:3:8: package foo is not in GOROOT"]}
    assert compile_layouts.attribute(
        compile_layouts.GO, f"# {A}\nlink: signal: killed\n", KEYS) is None
    ts = f"{B}/main.ts(1,5): error TS2322: no\n  details\n"
    assert compile_layouts.attribute(compile_layouts.TYPESCRIPT, ts, KEYS) == {
        B: [f"{B}/main.ts(1,5): error TS2322: no", "  details"]}
    assert compile_layouts.attribute(
        compile_layouts.TYPESCRIPT, "error TS5033: Could not write file\n", KEYS) is None


def test_keys_are_fresh_and_unguessable():
    keys = {compile_layouts.new_key() for _ in range(100)}
    assert len(keys) == 100 and all(re.fullmatch(r"p[0-9a-f]{32}", k) for k in keys)


def test_typescript_projects_use_the_flags_of_a_build_of_its_own():
    (build,) = languages.get("typescript").build
    flags = []
    for name, value in compile_layouts.TS_OPTIONS.items():
        flags += [f"--{name}"] + ([] if value is True else [value])
    assert flags == list(build[1:-1]) and build[-1] == "{file}"


def test_batch_size_must_be_positive():
    with pytest.raises(ValueError, match="batch_size"):
        compile_batch.run_many(execution.Sandbox(), [], batch_size=0)
