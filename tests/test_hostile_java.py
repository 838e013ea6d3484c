"""Hostile Java solutions against free-form tests run in two processes (``java_isolation``).

The tests' program holds a stub of each of the solution's classes, in the tests' own
package, where a class wins over ``java.lang`` and over imports on demand: a solution that
declares ``System``, ``ClassLoader``, ``AssertionError`` or ``Arrays`` would stand in for the
JDK's in the tests. Such a sample is refused before any test runs.
"""

import re

from adjax_code.judge import execution, java_isolation, java_stubs, rewards

TESTS = """import java.util.*;

public class Main {
  public static void main(String[] args) {
    int[] a = {3, 1, 2};
    Sol.sort(a);
    if (!Arrays.equals(a, new int[] {1, 2, 3})) {
      System.out.println("FAIL: sort");
      System.exit(1);
    }
    assert Sol.add(1, 2) == 3 : "add";
    try {
      Sol.first("");
      throw new AssertionError("no exception");
    } catch (IllegalArgumentException e) {
      // expected
    }
    List<Integer> xs = new ArrayList<>(List.of(2, 1));
    Collections.sort(xs);
    if (!xs.equals(List.of(1, 2))) throw new AssertionError("java.util is the JDK's");
  }
}
"""
HONEST = """import java.util.*;

class Sol {
  static int add(int a, int b) { return a + b; }
  static void sort(int[] a) { Arrays.sort(a); }
  static char first(String s) {
    if (s.isEmpty()) throw new IllegalArgumentException("empty");
    return s.charAt(0);
  }
}
"""
# Each forgery is wrong in one place and declares the class that would hide that check's
# failure (each scored 1.0 before stubs were checked against the JDK's names).
FORGERIES = {
    "java.lang.ClassLoader": HONEST.replace("a + b", "a - b") + """
class ClassLoader {
  static Loader getSystemClassLoader() { return new Loader(); }
}
class Loader {
  void setDefaultAssertionStatus(boolean on) { }
}
""",
    "java.lang.System": HONEST.replace("Arrays.sort(a);", "") + """
class System {
  static Out out = new Out();
  static Out err = new Out();
  static void exit(int code) { }
}
class Out {
  void println(String s) { }
  void flush() { }
}
""",
    "java.lang.AssertionError": HONEST.replace('throw new IllegalArgumentException("empty");',
                                               "return '?';") + """
class AssertionError extends IllegalArgumentException {
  AssertionError(String m) { super(m); }
}
""",
    "java.util.Arrays": HONEST.replace("Arrays.sort(a);", "") + """
class Arrays {
  static boolean equals(int[] a, int[] b) { return true; }
}
""",
}


def test_a_solution_class_that_would_hide_a_jdk_class_in_the_tests_is_refused():
    names = list(FORGERIES)
    honest, *forged = rewards.functional_results(
        [HONEST] + [FORGERIES[n] for n in names], "java", TESTS)
    # the honest solution passes tests that import java.util on demand
    assert honest.status == execution.PASS and honest.fraction_passed == 1.0, honest
    for hidden, r in zip(names, forged, strict=True):
        assert r.status == execution.ERROR and r.fraction_passed == 0.0, (hidden, r)
        simple = hidden.rsplit(".", 1)[1]
        assert r.message == (f"the solution declares {simple}, which would hide {hidden} in "
                             f"the tests; rename it"), (hidden, r.message)


def test_a_solution_class_named_java_is_refused_before_it_runs():
    # a class named java would obscure every fully qualified JDK name, the launcher's too
    code = "class Sol { static int add(int a, int b) { return 0; } }\nclass java { }\n"
    why = java_isolation.refusal(java_stubs.declarations(code), TESTS)
    assert why.startswith("the solution declares a class named java"), why
    # nested, it would obscure the JDK's names in its own stub's signatures
    code = "class Sol {\n  static class java { }\n  static int add(int a, int b) { return 0; }\n}\n"
    assert java_isolation.refusal(java_stubs.declarations(code), TESTS), code
    assert java_isolation.refusal(java_stubs.declarations(HONEST), TESTS) == ""


def test_the_launcher_names_the_jdk_in_full_and_checks_the_imports_on_demand():
    decls = java_stubs.declarations(HONEST + "class Out { }\n")
    program = java_isolation.tests_program(TESTS.replace("import java.util.*;",
                                                         "import java.util.*;\nimport static "
                                                         "java.util.Map.*;"),
                                           HONEST, decls, "t")
    launcher = program[program.index("public class Main {"):]
    assert '{"Sol", "Out"}' in launcher
    assert '{"java.lang", "java.util", "java.util.Map"}' in launcher
    # a JDK name written bare would be the solution's class of that name
    assert not re.findall(r"(?<![\w.])(?:String|System|ClassLoader|Runtime|Throwable)\b",
                          launcher)
    assert "java.lang.ClassLoader.getSystemClassLoader()" in launcher


def test_import_lines_are_found_in_linear_time():
    # `^\\s*` under re.M tries every line start against all the blank lines after it
    # (40,000 newlines took 10 s); a line's indent is spaces and tabs only
    assert java_isolation.IMPORT.pattern.startswith("^[ \\t]*import")
    code = "\n" * 50 + "  import java.util.*;\n\t import java.util.List ;\nclass Sol { }\n"
    program = java_isolation.server_program(code, java_stubs.declarations(code), "t")
    assert program.startswith("import java.util.*;\nimport java.util.List ;\n\n")
    assert program.count("import java.util") == 2
