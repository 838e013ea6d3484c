"""Free-form Java tests run where the candidate never ran.

The same design as Python's and JavaScript's (``isolation``, ``js_isolation``), two programs
relayed by the harness:

- the candidate's program is the solution followed by a server
  (``java_server.java``, with ``java_wire.java``) in a class with a random per-run name; its
  ``Main`` only starts the server, which answers calls of the solution's static methods,
  constructors and instance methods by reflection (objects stay there, behind handles);
- the tests' program is the tests (their ``Main`` renamed), the solution's imports of JDK
  types, stubs of the solution's classes generated from its declarations (``java_stubs``:
  identifiers and types only) and the link (``java_link.java``). The tests' ``equals``,
  ``Math``, ``Arrays`` and ``assert`` (enabled) are the JDK's own; every value the solution
  returns is decoded there into the declared type.

The tests pass all or nothing: on the ``END`` record the tests' own ``Main`` writes after
their ``main`` returns. The candidate's output and exit status count for nothing.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import secrets
from collections.abc import Sequence
from pathlib import Path

from adjax_code.judge import execution, isolation, java_stubs

IMPORT = re.compile(r"^[ \t]*import\s+(?:static\s+)?[\w.]+(?:\.\*)?\s*;[ \t]*$", re.M)
# The solution's imports the tests' program keeps: JDK types only (names, no static imports),
# as the one-program run let tests lean on them and exception stubs may extend them.
_JDK_IMPORT = re.compile(r"import (?:java|javax)\.[\w.]+(?:\.\*)?;")
# An import on demand (of a package's types, a class's nested types or static members): the
# tests' launcher refuses a solution class named like a public class found there.
_ON_DEMAND = re.compile(r"import (?:static )?([\w.]+?) ?\. ?\* ?;")
# What the tests' launcher writes on standard error when a solution's class would hide a JDK
# class the tests may mean (``java_link.java``, ``shadowed``), before any test runs.
REFUSED = "adjax: refused: "
_PUBLIC = re.compile(r"\bpublic\s+((?:(?:final|abstract|sealed|non-sealed|strictfp)\s+)*)"
                     r"(class|interface|enum|record)\b")


@functools.cache
def _source(name: str) -> str:
    return Path(__file__).with_name(name).read_text(encoding="utf-8")


def harness(name: str, tag: str) -> str:
    """One of the harness's files (``java_wire.java``, ``java_server.java``,
    ``java_link.java``) with this run's suffix."""
    return _source(name).replace("TAG", tag)


def _imports(*sources: str) -> tuple[list[str], list[str]]:
    """(the distinct import lines of ``sources``, each source without them)."""
    lines = [" ".join(m.split()) for s in sources for m in IMPORT.findall(s)]
    return list(dict.fromkeys(lines)), [IMPORT.sub("", s) for s in sources]


def _strings(names: Sequence[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def server_program(code: str, decls: java_stubs.Declarations, tag: str) -> str:
    """The solution, then its server, started by ``Main``."""
    imports, (body,) = _imports(code)
    return ("\n".join(imports) + "\n" + _PUBLIC.sub(r"\1\2", body) + "\n\n"
            + harness("java_wire.java", tag) + harness("java_server.java", tag)
            + "public class Main {\n  public static void main(String[] args) {\n"
            + f"    AdjaxServer_{tag}.serve(new String[] {{{_strings(decls.handled())}}});\n"
            + "  }\n}\n")


def tests_program(tests: str, code: str, decls: java_stubs.Declarations, tag: str) -> str:
    """The tests, stubs of the solution's classes, the link, and a ``Main`` that runs the
    tests' ``main`` with assertions enabled and writes ``END`` after it returns. ``Main``
    first refuses a solution class whose stub would hide a JDK class the tests may mean
    (one of ``java.lang`` or of an import on demand: ``AdjaxLink.shadowed``), and names every
    JDK class in full, as the stubs share its package."""
    imports, (_, body) = _imports(code, tests)
    theirs, _ = _imports(tests)
    imports = [line for line in imports if line in theirs or
               _JDK_IMPORT.fullmatch(line.replace(" ;", ";"))]
    body = _PUBLIC.sub(r"\1\2", re.sub(r"\bMain\b", f"AdjaxTests_{tag}", body))
    known = decls.handled() + ["!" + n for n in decls.errors()]
    names = [c.name for c in decls.classes]
    containers = ["java.lang"] + [m.group(1) for m in map(_ON_DEMAND.fullmatch, imports) if m]
    return ("\n".join(imports) + "\n" + body + "\n\n" + java_stubs.stubs(decls, tag)
            + harness("java_wire.java", tag) + harness("java_link.java", tag)
            + "public class Main {\n"
            + "  public static void main(java.lang.String[] args) throws java.lang.Throwable {\n"
            + f"    java.lang.String why = AdjaxLink_{tag}.shadowed(\n"
            + f"        new java.lang.String[] {{{_strings(names)}}},\n"
            + f"        new java.lang.String[] {{{_strings(containers)}}});\n"
            + "    if (why != null) {\n"
            + f'      java.lang.System.err.println("{REFUSED}" + why);\n'
            + "      java.lang.System.err.flush();\n"
            + "      java.lang.Runtime.getRuntime().halt(3);\n    }\n"
            + f"    AdjaxLink_{tag}.start({_strings(known)});\n"
            + "    java.lang.ClassLoader.getSystemClassLoader().setDefaultAssertionStatus(true);\n"
            + f"    AdjaxTests_{tag}.main(args);\n"
            + f'    AdjaxLink_{tag}.report("END");\n    java.lang.System.exit(0);\n  }}\n}}\n')


def refusal(decls: java_stubs.Declarations, tests: str) -> str:
    """Why this solution cannot be judged in two processes ("" when it can)."""
    if "Main" in decls.top_level:
        return ("the solution declares a class named Main, which the isolated tests' run "
                "needs for its own launcher: rename it")
    nested = {part for b in decls.handled() + decls.errors() for part in b.split("$")}
    if "java" in decls.top_level | nested:  # it would obscure the java packages' names
        return ("the solution declares a class named java, which would hide the JDK's java "
                "packages in the isolated tests' run: rename it")
    if not re.search(r"\bclass\s+Main\b", tests):
        return "the Java tests declare no class Main: they run as Main's main method"
    return ""


def judge(cand: execution.RunResult, run: execution.RunResult, ex: isolation.Exchange, *,
          skipped: Sequence[str] = ()) -> execution.RunResult:
    """``isolation.judge_end``, but a sample the tests' launcher refused before any test ran
    (a solution class that would hide a JDK class) is an error that says why."""
    out = isolation.judge_end(cand, run, ex, skipped=skipped)
    line = next((x for x in run.stderr.splitlines() if x.startswith(REFUSED)), None)
    if out.status == execution.PASS or line is None or \
            any(kind == "END" for kind, _ in ex.records):
        return out
    return dataclasses.replace(out, status=execution.ERROR, tests_passed=0,
                               message=line[len(REFUSED):][:500])


def run(codes: Sequence[str], tests: str, sandbox: execution.Sandbox, progress=None
        ) -> list[execution.RunResult]:
    """Each solution judged against ``tests`` as a pair of sandboxed processes."""
    out: list[execution.RunResult | None] = [None] * len(codes)
    pairs, where = [], []
    for i, code in enumerate(codes):
        decls = java_stubs.declarations(code)
        why = refusal(decls, tests)
        if why:
            out[i] = isolation.refused(why, "java", sandbox.protections())
            continue
        tag = secrets.token_hex(8)
        pairs.append(isolation.Pair(server_program(code, decls, tag),
                                    tests_program(tests, code, decls, tag), "java",
                                    functools.partial(judge,
                                                      skipped=tuple(decls.skipped))))
        where.append(i)
    for i, result in zip(where, isolation.run_pairs(pairs, sandbox, progress), strict=True):
        out[i] = result
    return out  # type: ignore[return-value]
