"""JavaScript and TypeScript tests run where the candidate never ran.

The same design as Python's (``isolation``): the candidate's program is the solution
followed by a server of its top-level names (``js_harness.js``, ``serve``); the tests'
program declares a stub for each of those names (``start``, ``bind``), then the tests,
then the ``END`` record, and never contains a byte of the candidate's text: the names come
from the solution's syntax tree and must be plain identifiers, and in TypeScript each of the
solution's types is declared ``any`` (its interfaces and aliases are not copied). The
tests' ``JSON``, ``Math``, ``assert`` and ``Object.is`` are their own: a name the tests
declare or require is never bound to the solution, and one that is a global of the tests'
process refuses the sample before any test runs; the tests' ``console.assert`` throws on a
falsy condition. Every value the solution returns is decoded into plain data there, an
instance of one of its classes stays in its process behind a handle that cannot be
converted, compared by value or made to answer ``then``.

Free-form JavaScript/TypeScript tests pass all or nothing: on the tests' ``END`` record.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Sequence
from pathlib import Path

from adjax_code.judge import execution, isolation, verdict
from adjax_code.lang import syntax

_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]{0,99}")
_VALUES = ("function_declaration", "generator_function_declaration", "class_declaration",
           "abstract_class_declaration", "enum_declaration")
_VARIABLES = ("lexical_declaration", "variable_declaration")
_TYPES = ("interface_declaration", "type_alias_declaration", "enum_declaration",
          "class_declaration", "abstract_class_declaration")


@functools.cache
def _harness() -> str:
    return Path(__file__).with_name("js_harness.js").read_text(encoding="utf-8")


@dataclasses.dataclass(frozen=True)
class Names:
    """The solution's top-level names: values (with how many type parameters each takes,
    so that ``f<number>(...)`` still compiles) and TypeScript type names."""

    values: tuple[tuple[str, int, bool], ...] = ()  # (name, type parameters, is a class)
    types: tuple[tuple[str, int], ...] = ()


def names(code: str, language: str) -> Names:
    """The top-level declarations of ``code`` (tree-sitter), plain identifiers only."""
    tree = syntax.parse(code, language)
    values: dict[str, tuple[int, bool]] = {}
    types: dict[str, int] = {}
    for node in tree.root_node.children:
        decls = [node]
        if node.type == "export_statement":
            decls = [c for c in node.children if c.type in _VALUES + _VARIABLES + _TYPES]
        for d in decls:
            params = d.child_by_field_name("type_parameters")
            count = 0 if params is None else sum(c.type == "type_parameter"
                                                 for c in params.children)
            name = d.child_by_field_name("name")
            text = name.text.decode("utf-8", "replace") if name is not None else ""
            if d.type in _VALUES and _IDENT.fullmatch(text):
                values[text] = (count, "class" in d.type)
            if d.type in _TYPES and _IDENT.fullmatch(text):
                types[text] = count
            if d.type in _VARIABLES:
                for v in d.children:
                    n = v.child_by_field_name("name") if v.type == "variable_declarator" \
                        else None
                    if n is not None and n.type == "identifier" and \
                            _IDENT.fullmatch(n.text.decode("utf-8", "replace")):
                        values[n.text.decode("utf-8")] = (0, False)
    return Names(tuple((k, c, cls) for k, (c, cls) in values.items()),
                 tuple(types.items()))


def _load() -> str:
    return f'(new Function("require", {json.dumps(_harness())}))(require)'


def _declare(typed: bool) -> str:
    return "declare var require: any;\n" if typed else ""


def server_program(code: str, language: str, found: Names) -> str:
    """The solution, then a server of its top-level names."""
    typed = language == "typescript"
    table = ", ".join(f"{json.dumps(n)}: () => {n}" for n, _, _ in found.values)
    return f"{code}\n;\n{_declare(typed)}{_load()}.serve({{{table}}});\n"


def _params(count: int) -> str:
    return "<" + ", ".join(f"T{i} = any" for i in range(count)) + ">" if count else ""


_ASSERT = re.compile(r"(assert|console\.assert)\b")


def cases(tests: str, language: str) -> tuple[str, tuple[tuple[int, str], ...]]:
    """(the tests with each top-level assertion statement, ``assert(...)``,
    ``assert.equal(...)`` and the rest of node's ``assert``, a case of its own; each case's
    line and text). A case reports ``CASE i V true`` when its statement completes and ``CASE i X
    <message>`` (its line, its text, the error) when it throws; later statements still run.
    Tests without such statements are left as they are (0 cases: all or nothing)."""
    data = tests.encode("utf-8")
    tree = syntax.parse(data, language)
    spans = []
    for node in tree.root_node.children:
        if node.type != "expression_statement" or node.has_error:
            continue
        expr = node.children[0] if node.children else None
        callee = expr.child_by_field_name("function") if expr is not None and \
            expr.type == "call_expression" else None
        if callee is not None and _ASSERT.match(callee.text.decode("utf-8", "replace")):
            spans.append(node)
    if not spans:
        return tests, ()
    out, pos = [], 0
    err = "(__adjaxE as any)" if language == "typescript" else "__adjaxE"
    for i, node in enumerate(spans):
        text = node.text.decode("utf-8", "replace")
        where = json.dumps(f" (line {node.start_point[0] + 1}: "
                           f"{' '.join(text.split())[:120]})")
        out.append(data[pos:node.start_byte].decode("utf-8", "replace"))
        out.append(f'try {{ {text}\n__adjaxH.report("CASE", "{i}", "V", "true"); }} '
                   f'catch (__adjaxE) {{ __adjaxH.report("CASE", "{i}", "X", JSON.stringify('
                   f'String({err} && {err}.message !== undefined ? {err}.message : {err})'
                   f'.replace(/\\s+/g, " ").trim().slice(0, 300) + {where})); }}')
        pos = node.end_byte
    out.append(data[pos:].decode("utf-8", "replace"))
    return "".join(out), tuple((n.start_point[0] + 1, " ".join(
        n.text.decode("utf-8", "replace").split())[:120]) for n in spans)


_PATTERN_NAMES = ("identifier", "shorthand_property_identifier_pattern")


def _bound(node) -> list[str]:
    """The identifiers a declaration's name or destructuring pattern binds."""
    if node.type in _PATTERN_NAMES:
        return [node.text.decode("utf-8", "replace")]
    if node.type == "pair_pattern":
        value = node.child_by_field_name("value")
        return _bound(value) if value is not None else []
    if node.type in ("assignment_pattern", "object_assignment_pattern"):  # x = 1, {x = 1}
        left = node.child_by_field_name("left")
        return _bound(left) if left is not None else []
    if node.type.endswith("pattern"):  # {...}, [...], ...rest
        return [n for c in node.named_children for n in _bound(c)]
    return []


def declared(tests: str, language: str) -> frozenset[str]:
    """What the tests' module declares, requires or imports at top level (their own names,
    never bound to the solution's)."""
    found = names(tests, language)
    out = {n for n, _, _ in found.values} | {n for n, _ in found.types}
    for node in syntax.parse(tests, language).root_node.children:
        if node.type == "export_statement":
            node = node.child_by_field_name("declaration") or node
        if node.type == "ambient_declaration" and node.named_children:  # declare var x: T;
            node = node.named_children[0]
        if node.type in _VARIABLES:
            for v in node.named_children:
                target = v.child_by_field_name("name") if v.type == "variable_declarator" \
                    else None
                out.update(_bound(target) if target is not None else ())
        elif node.type == "import_statement":
            out.update(_imported(node))
    return frozenset(out)


def _imported(node) -> list[str]:
    """The local names an ``import`` statement binds."""
    if node.type == "identifier":
        return [node.text.decode("utf-8", "replace")]
    if node.type == "import_specifier":
        alias = node.child_by_field_name("alias") or node.child_by_field_name("name")
        return _imported(alias) if alias is not None else []
    if node.type == "string":
        return []
    return [n for c in node.named_children for n in _imported(c)]


def tests_program(tests: str, language: str, found: Names) -> str:
    """Stubs of the solution's names (identifiers only; none the tests declare or require
    themselves), the tests (each top-level assertion a case: ``cases``), then ``END``.
    The tests' process refuses the sample, before any test runs, when one of those names is
    one of its globals (``Math``, ``JSON``, ``process``, ...: ``js_harness.js``, ``start``)."""
    typed = language == "typescript"
    own = declared(tests, language)
    values = [v for v in found.values if v[0] not in own]
    bound = json.dumps([name for name, _, _ in values])
    lines = [f"{_declare(typed)}const __adjaxH{': any' if typed else ''} = "
             f"{_load()}.start({bound});"]
    for name, count, is_class in values:
        kind = ""
        if typed:
            sig = f"new {_params(count)}(...args: any[]): any" if is_class else \
                f"{_params(count)}(...args: any[]): any"
            kind = f": {{{sig}; [k: string]: any}}" if count or is_class else ": any"
        lines.append(f'const {name}{kind} = __adjaxH.bind("{name}");')
    if typed:
        lines += [f"type {name}{_params(count)} = any;" for name, count in found.types
                  if name not in own]
    body, _ = cases(tests, language)
    return "\n".join(lines) + f"\n{body}\n;\n__adjaxH.report(\"END\");\n"


def run(codes: Sequence[str], tests: str, language: str, sandbox: execution.Sandbox,
        progress=None) -> list[execution.RunResult]:
    """Each solution judged against ``tests`` as a pair of sandboxed processes."""
    pairs = []
    judge_cases = functools.partial(judge, cases=cases(tests, language)[1])
    for code in codes:
        found = names(code, language)
        pairs.append(isolation.Pair(server_program(code, language, found),
                                    tests_program(tests, language, found), language,
                                    judge_cases))
    return isolation.run_pairs(pairs, sandbox, progress)


def case_results(records: list[tuple[str, str]], named: tuple[tuple[int, str], ...]
                 ) -> tuple[execution.CaseResult, ...]:
    """One ``CaseResult`` per top-level assertion, from the tests' ``CASE`` records."""
    seen = verdict.case_records(records)
    out = []
    for i, (line, text) in enumerate(named):
        got = [record.split(" ", 1) for record in seen.get(i, [])]
        if len(got) == 1 and got[0][0] == "V":
            out.append(execution.CaseResult(f"line {line}: {text}", "pass", "", line, ()))
            continue
        if len(got) == 1:
            ok, message = verdict.load_value(got[0][1])
            message = str(message) if ok else "an unreadable failure"
        else:
            message = "not run: an earlier statement stopped the tests" if not got else \
                "reported more than once"
        out.append(execution.CaseResult(f"line {line}: {text}", "fail", message[:300], line,
                                        ()))
    return tuple(out)


def judge(cand: execution.RunResult, run_: execution.RunResult, ex: isolation.Exchange,
          cases: tuple[tuple[int, str], ...] = ()) -> execution.RunResult:
    """With ``cases`` (top-level assertions), the share reported passed; without, a pass
    only on the tests' ``END`` record. A solution that does not build or load says why."""
    if execution.MISSING in (cand.status, run_.status):
        return cand if cand.status == execution.MISSING else run_
    if cand.stage == "build" and cand.status != execution.PASS:
        return dataclasses.replace(cand, tests_passed=0, tests_total=1,
                                   protections=cand.protections + (isolation.PROTECTION,))
    out = verdict.judged(isolation.combined(cand, run_, ex),
                         verdict.judge_free(ex.records, len(cases)))
    refused = [rest for kind, rest in ex.records if kind == "REFUSE"]
    if refused:
        ok, why = verdict.load_value(refused[0])
        return dataclasses.replace(out, status=execution.ERROR, tests_passed=0, message=(
            str(why) if ok else "the sample was refused")[:500])
    if cases and out.stage != "build":
        out = dataclasses.replace(out, cases=case_results(ex.records, cases))
    loaded = [rest for kind, rest in ex.records if kind == "LOAD"]
    if out.status != execution.PASS and loaded:
        ok, payload = verdict.load_value(loaded[0])
        why = str(payload.get("m", "")) if ok and isinstance(payload, dict) else ""
        out = dataclasses.replace(out, status=execution.ERROR, message=(
            f"the solution failed to load: {why}"
            + (f" ({cand.message})" if cand.message else ""))[:500])
    return out
