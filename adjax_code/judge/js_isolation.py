"""JavaScript and TypeScript tests run where the candidate never ran.

The same design as Python's (``isolation``): the candidate's program is the solution
followed by a server of its top-level names (``js_harness.js``, ``serve``); the tests'
program declares a stub for each of those names (``start``, ``bind``), then the tests,
then the ``END`` record, and never contains a byte of the candidate's text: the names come
from the solution's syntax tree and must be plain identifiers, and in TypeScript each of the
solution's types is declared ``any`` (its interfaces and aliases are not copied). The
tests' ``JSON``, ``Math``, ``assert`` and ``Object.is`` are their own; every value the
solution returns is decoded into plain data there, an instance of one of its classes stays
in its process behind a handle that cannot be converted, compared by value or made to
answer ``then``.

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


def tests_program(tests: str, language: str, found: Names) -> str:
    """Stubs of the solution's names (identifiers only), the tests, then ``END``."""
    typed = language == "typescript"
    lines = [f"{_declare(typed)}const __adjaxH{': any' if typed else ''} = {_load()}.start();"]
    for name, count, is_class in found.values:
        kind = ""
        if typed:
            sig = f"new {_params(count)}(...args: any[]): any" if is_class else \
                f"{_params(count)}(...args: any[]): any"
            kind = f": {{{sig}; [k: string]: any}}" if count or is_class else ": any"
        lines.append(f'const {name}{kind} = __adjaxH.bind("{name}");')
    if typed:
        lines += [f"type {name}{_params(count)} = any;" for name, count in found.types]
    return "\n".join(lines) + f"\n{tests}\n;\n__adjaxH.report(\"END\");\n"


def run(codes: Sequence[str], tests: str, language: str, sandbox: execution.Sandbox,
        progress=None) -> list[execution.RunResult]:
    """Each solution judged against ``tests`` as a pair of sandboxed processes."""
    pairs = []
    for code in codes:
        found = names(code, language)
        pairs.append(isolation.Pair(server_program(code, language, found),
                                    tests_program(tests, language, found), language, judge))
    return isolation.run_pairs(pairs, sandbox, progress)


def judge(cand: execution.RunResult, run_: execution.RunResult, ex: isolation.Exchange
          ) -> execution.RunResult:
    """A pass only on the tests' ``END`` record; a solution that does not build or load
    says why."""
    if execution.MISSING in (cand.status, run_.status):
        return cand if cand.status == execution.MISSING else run_
    if cand.stage == "build" and cand.status != execution.PASS:
        return dataclasses.replace(cand, tests_passed=0, tests_total=1,
                                   protections=cand.protections + (isolation.PROTECTION,))
    out = verdict.judged(isolation.combined(cand, run_, ex),
                         verdict.judge_free(ex.records, 0))
    loaded = [rest for kind, rest in ex.records if kind == "LOAD"]
    if out.status != execution.PASS and loaded:
        ok, payload = verdict.load_value(loaded[0])
        why = str(payload.get("m", "")) if ok and isinstance(payload, dict) else ""
        out = dataclasses.replace(out, status=execution.ERROR, message=(
            f"the solution failed to load: {why}"
            + (f" ({cand.message})" if cand.message else ""))[:500])
    return out
