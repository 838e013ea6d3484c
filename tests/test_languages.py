"""Language registry extras: the import tidy applied to generated Go and Java."""

import pytest

from adjax_code import tasks
from adjax_code.lang import languages
from adjax_code.tasks import render

GO_NO_IMPORTS = "func shout(s string) string {\n\treturn strings.ToUpper(s) + fmt.Sprint(1)\n}\n"


def test_go_tidy_adds_missing_imports_only():
    fixed = languages.tidy_go(GO_NO_IMPORTS)
    assert fixed.startswith('import "fmt"\nimport "strings"\n\n')
    assert languages.tidy_go(fixed) == fixed
    assert languages.tidy_go("func f() int { return 1 }\n") == "func f() int { return 1 }\n"
    grouped = 'import (\n\t"strings"\n)\n\nfunc f(s string) string { return strings.ToLower(s) }\n'
    assert languages.tidy_go(grouped) == grouped


def test_java_tidy_adds_java_util_when_used_unqualified():
    code = "class S { static int f(int[] a) { Arrays.sort(a); return a[0]; } }\n"
    assert languages.tidy_java(code).startswith("import java.util.*;\n")
    qualified = "class S { static void f(int[] a) { java.util.Arrays.sort(a); } }\n"
    assert languages.tidy_java(qualified) == qualified


def test_tidy_leaves_every_reference_unchanged():
    for t in tasks.load():
        for lang in ("go", "java"):
            assert languages.get(lang).tidy(t.solutions[lang]) == t.solutions[lang]


@pytest.mark.parametrize("lang", ["go", "java"])
def test_tidied_code_builds_and_passes(lang):
    task = tasks.get("reverse_string")
    code = {"go": "func reverseString(s string) string {\n\tr := strings.Split(s, \"\")\n"
                  "\tfor i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {\n"
                  "\t\tr[i], r[j] = r[j], r[i]\n\t}\n\treturn strings.Join(r, \"\")\n}\n",
            "java": "class Solution {\n  static String reverseString(String s) {\n"
                    "    List<Character> cs = new ArrayList<>();\n"
                    "    for (char c : s.toCharArray()) cs.add(0, c);\n"
                    "    StringBuilder b = new StringBuilder();\n"
                    "    for (char c : cs) b.append(c);\n    return b.toString();\n  }\n}\n"}[lang]
    tidy = languages.get(lang).tidy
    tidied = tidy(code)
    assert tidied != code and tidied.endswith(code)
    (after,) = render.run([(task, lang, tidied)])
    assert after.status == "pass", after.message
