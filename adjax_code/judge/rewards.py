"""Rewards for code, each in [0, 1] and batched over lists of programs.

- syntax: 1 for a tree with no ERROR/MISSING node; otherwise at most 0.5, falling with the
  share of bytes inside error spans: ``0.5 * (1 - error_bytes / total_bytes)``.
- quality: the mean of the terms that apply (see :func:`quality_terms`).
- relevance: the share of the specification's content words found among the code's
  identifiers (split at camelCase and snake_case), string literals and comments. A model-based
  score can replace it with ``register("relevance", fn)``.
- functional: the share of test cases passed in the sandbox (needs tests; Python tests are
  judged as written: top-level asserts, pytest-style ``test*`` functions, unittest classes).
- overall: the weighted mean of the rewards present; weights are configurable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import tree_sitter

from adjax_code.judge import (
    execution,
    go_isolation,
    isolation,
    java_isolation,
    js_isolation,
    python_tests,
)
from adjax_code.lang import languages, syntax

DEFAULT_WEIGHTS = {"syntax": 1.0, "quality": 0.5, "relevance": 0.5, "functional": 2.0}

_STOPWORDS = frozenset("""
a an the of to in on for and or is are be by with that this it as from at which given
return returns returning write function program code should must will can each every
into its their then than if when while use using number numbers value values list
""".split())


# -- syntax ------------------------------------------------------------------------------

def syntax_reward(code: str, language: str) -> float:
    data = syntax.to_bytes(code)
    if not data.strip():
        return 0.0
    bad = syntax.error_bytes(data, language)
    if bad == 0:
        return 1.0
    return 0.5 * max(0.0, 1.0 - bad / len(data))


# -- quality -----------------------------------------------------------------------------

_SNAKE = re.compile(r"^_*[a-z][a-z0-9_]*$")
_CAMEL = re.compile(r"^_*[a-zA-Z][a-zA-Z0-9]*$")  # camelCase or MixedCaps (Go exports)
_TYPEISH = ("type", "annotation")


def _walk(node: tree_sitter.Node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def _identifiers(node: tree_sitter.Node | None, skip_types: bool = False) -> list[str]:
    if node is None:
        return []
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        if skip_types and any(t in n.type for t in _TYPEISH):
            continue
        if n.type == "identifier":
            out.append(n.text.decode("utf-8", "replace"))
        for i, child in enumerate(n.children):
            if skip_types and n.field_name_for_child(i) in ("value", "default"):
                continue
            stack.append(child)
    return out


def _has_doc(fn: tree_sitter.Node, language: str) -> bool:
    if language == "python":
        body = fn.child_by_field_name("body")
        first = body.named_children[0] if body is not None and body.named_children else None
        return (first is not None and first.type == "expression_statement"
                and first.named_children[0].type == "string")
    prev = fn.prev_named_sibling
    target = fn
    # A doc comment sits before the declaration (or before the statement that holds it).
    while prev is None and target.parent is not None and target.parent.type not in (
            "program", "source_file", "class_body", "declaration_list"):
        target = target.parent
        prev = target.prev_named_sibling
    return (prev is not None and "comment" in prev.type
            and target.start_point[0] - prev.end_point[0] <= 1)


def _max_depth(node: tree_sitter.Node) -> int:
    """Deepest nesting of blocks (bodies of functions, loops, conditionals)."""
    best, stack = 0, [(node, 0)]
    while stack:
        n, depth = stack.pop()
        if n.type in ("block", "statement_block", "compound_statement", "constructor_body"):
            depth += 1
            best = max(best, depth)
        stack.extend((c, depth) for c in n.children)
    return best


def _ramp(value: float, good: float, bad: float) -> float:
    """1 at or below ``good``, 0 at or above ``bad``, linear between."""
    if value <= good:
        return 1.0
    return max(0.0, 1.0 - (value - good) / (bad - good))


def quality_terms(code: str, language: str) -> dict[str, float]:
    """The quality terms that apply to this code, each in [0, 1].

    - naming: share of function and parameter names in the language's convention
      (snake_case for Python; camelCase or MixedCaps elsewhere).
    - nesting: 1 up to 3 nested blocks, falling linearly to 0 at 8.
    - length: 1 for functions of at most 30 lines on average, falling to 0 at 100.
    - documented: share of functions with a docstring or a comment right above them.
    - used_params: share of parameters that the function body uses (unused parameters
      are what the tree shows of dead names).
    - comments: 1 if the code has any comment or docstring, else 0 (only when there are
      no functions to judge).
    """
    lang = languages.get(language)
    tree = syntax.parse(code, lang.name)
    fns = [n for n in _walk(tree.root_node) if n.type in lang.function_types]
    convention = _SNAKE if lang.naming == "snake" else _CAMEL
    terms: dict[str, float] = {"nesting": _ramp(_max_depth(tree.root_node), 3, 8)}
    if not fns:
        has_comment = any("comment" in n.type for n in _walk(tree.root_node))
        terms["comments"] = 1.0 if has_comment else 0.0
        return terms
    names, params_used, params_total, documented, lines = [], 0, 0, 0, []
    for fn in fns:
        name = fn.child_by_field_name("name")
        if name is not None:
            names.append(name.text.decode("utf-8", "replace"))
        params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
        declared = _identifiers(params, skip_types=True)
        names.extend(declared)
        used = set(_identifiers(fn.child_by_field_name("body")))
        params_total += len(declared)
        params_used += sum(p in used for p in declared)
        documented += _has_doc(fn, lang.name)
        lines.append(fn.end_point[0] - fn.start_point[0] + 1)
    if names:
        terms["naming"] = sum(bool(convention.match(n)) for n in names) / len(names)
    terms["length"] = _ramp(sum(lines) / len(lines), 30, 100)
    terms["documented"] = documented / len(fns)
    if params_total:
        terms["used_params"] = params_used / params_total
    return terms


def quality_reward(code: str, language: str) -> float:
    if not code.strip():
        return 0.0
    terms = quality_terms(code, language)
    return sum(terms.values()) / len(terms)


# -- relevance ---------------------------------------------------------------------------

def split_words(text: str) -> list[str]:
    """Lower-case words, splitting camelCase, MixedCaps, snake_case and digits apart."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", spaced)
    return [w.lower() for w in re.findall(r"[A-Za-z]+|[0-9]+", spaced)]


def _stem(word: str) -> str:
    for suffix in ("ing", "es", "ed", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def relevance_reward(code: str, language: str, spec: str) -> float:
    wanted = {_stem(w) for w in split_words(spec) if w not in _STOPWORDS and len(w) > 1}
    if not wanted:
        return 1.0
    tree = syntax.parse(code, language)
    found: set[str] = set()
    for node in _walk(tree.root_node):
        if not node.children and node.type not in ("(", ")", "{", "}", ";", ","):
            found.update(_stem(w) for w in split_words(node.text.decode("utf-8", "replace")))
        elif "comment" in node.type or "string" in node.type:
            found.update(_stem(w) for w in split_words(node.text.decode("utf-8", "replace")))
    return len(wanted & found) / len(wanted)


# -- functional --------------------------------------------------------------------------

def functional_reward(code: str, language: str, tests: str,
                      sandbox: execution.Sandbox | None = None, *,
                      module_name: str | None = None) -> float:
    return functional_results([code], language, tests, sandbox,
                              module_name=module_name)[0].fraction_passed


def functional_results(codes: Sequence[str], language: str, tests: str,
                       sandbox: execution.Sandbox | None = None, *, coverage: bool = False,
                       module_name: str | None = None) -> list[execution.RunResult]:
    """Each program run once against ``tests`` and judged from the records only the test
    driver can write (``adjax_code.judge.verdict``).

    Python: the tests are judged as written (``python_tests.plan_python_tests``): each top-level
    ``assert``, each ``test*`` function (pytest style, called with no arguments) and each
    ``test*`` method of a ``unittest.TestCase`` or ``Test*`` class is a case, and each
    result's ``cases`` says how every case went (``execution.CaseResult``). With
    ``module_name`` (the solution file's stem, e.g. ``"add"``), the tests' ``from add import
    add`` / ``import add`` get the solution. Tests with no case score 0 (status error,
    message ``python_tests.NO_CASES``; the program still runs, so ``coverage`` works); tests that
    cannot run as written (fixtures, async or yielding tests, a syntax error) are not run:
    status error, message saying why. With ``coverage``, each result's ``coverage`` lists the
    solution lines executed.

    Every language runs the tests in a process the candidate never touched, calling its
    functions through stubs (``isolation``, ``js_isolation``, ``java_isolation``,
    ``go_isolation``). JavaScript and TypeScript: each top-level node assertion is a case.
    Java and Go: the tests pass when their ``main`` runs to its end."""
    lang = languages.get(language).name
    sandbox = sandbox or execution.Sandbox()
    if lang == "python":
        return _python_results(codes, tests, sandbox, coverage, module_name)
    if lang in ("javascript", "typescript"):
        return js_isolation.run(codes, tests, lang, sandbox)
    if lang == "java":
        return java_isolation.run(codes, tests, sandbox)
    if lang == "go":
        return go_isolation.run(codes, tests, sandbox)
    raise ValueError(f"no free-form tests for {lang!r}")


# Languages whose free-form tests run where the candidate never ran (``isolation``,
# ``js_isolation``, ``java_isolation``, ``go_isolation``); a language added without such a
# run is refused for training (``check_trusted``).
TRUSTED_FREE_FORM = frozenset({"python", "javascript", "typescript", "java", "go"})


class UntrustedVerdict(ValueError):
    """Free-form tests in a language whose verdicts a candidate could forge, where the
    caller asked for trusted verdicts only (a policy must not learn from them)."""


def check_trusted(language: str) -> None:
    """Raises ``UntrustedVerdict`` unless free-form tests in ``language`` are judged where
    the candidate never ran."""
    lang = languages.get(language).name
    if lang not in TRUSTED_FREE_FORM:
        raise UntrustedVerdict(
            f"free-form {lang} tests have no run apart from the candidate's process, so a "
            f"program written against the harness could forge their verdict; they are not "
            f"used to train a policy (trusted: {', '.join(sorted(TRUSTED_FREE_FORM))}; use "
            f"the task suite, whose verdicts are computed outside the sandbox, for {lang})")


def _python_results(codes: Sequence[str], tests: str, sandbox: execution.Sandbox,
                    coverage: bool, module_name: str | None) -> list[execution.RunResult]:
    plan = python_tests.plan_python_tests(tests)
    if module_name is not None and not module_name.isidentifier():
        raise ValueError(f"module name {module_name!r} is not a Python identifier")
    if plan.error:
        return [python_tests.refused_python(plan, sandbox.protections()) for _ in codes]
    return isolation.run_python(codes, plan, sandbox, module_name=module_name,
                                coverage=coverage)


# -- registry and the batched scorer ----------------------------------------------------

RewardFn = Callable[..., float]
_REGISTRY: dict[str, RewardFn] = {
    "syntax": lambda code, language, **_: syntax_reward(code, language),
    "quality": lambda code, language, **_: quality_reward(code, language),
    "relevance": lambda code, language, spec=None, **_: (
        relevance_reward(code, language, spec) if spec else None),
}


def register(name: str, fn: RewardFn, *, replace: bool = False) -> None:
    """Adds a reward ``fn(code, language, spec=None, **kw) -> float | None`` (None: absent)."""
    if name in _REGISTRY and not replace:
        raise ValueError(f"reward {name!r} is already registered (pass replace=True)")
    if name in ("functional", "overall"):
        raise ValueError(f"reward {name!r} is computed by score() itself")
    _REGISTRY[name] = fn


def overall(scores: dict[str, float], weights: dict[str, float] | None = None) -> float:
    """Weighted mean of the rewards present (a reward without a weight counts 1)."""
    weights = {**DEFAULT_WEIGHTS, **(weights or {})}
    for name, w in weights.items():
        if w < 0:
            raise ValueError(f"reward weight {name!r} must be >= 0, got {w}")
    present = {k: v for k, v in scores.items() if v is not None and k != "overall"}
    total = sum(weights.get(k, 1.0) for k in present)
    if total == 0:
        return 0.0
    return sum(weights.get(k, 1.0) * v for k, v in present.items()) / total


def score(codes: Sequence[str], language: str, *, spec: str | None = None,
          tests: str | None = None, weights: dict[str, float] | None = None,
          sandbox: execution.Sandbox | None = None, trusted_only: bool = False
          ) -> list[dict[str, float]]:
    """Every reward for every program; ``functional`` only when tests are given. With
    ``trusted_only`` (adaptation, GRPO), tests in a language whose free-form verdicts are
    not trusted raise ``UntrustedVerdict`` before anything runs."""
    languages.get(language)
    if tests is not None and trusted_only:
        check_trusted(language)
    out = []
    for code in codes:
        row = {}
        for name, fn in _REGISTRY.items():
            value = fn(code, language, spec=spec)
            if value is not None:
                row[name] = float(value)
        out.append(row)
    if tests is not None:
        for row, result in zip(out, functional_results(codes, language, tests, sandbox),
                               strict=True):
            row["functional"] = result.fraction_passed
    for row in out:
        row["overall"] = overall(row, weights)
    return out
