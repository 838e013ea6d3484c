"""Refinement never lowers the reward; improvement conditions on feedback."""

import pytest

from adjax_code.generate import refine
from adjax_code.generate.generator import Generator
from adjax_code.lang import syntax

PROGRAMS = ["def add(a, b):\n    return a +\n", "def add(a, b):\n    return a + b\n",
            "def first(xs):\n    if xs:\n        return xs[0]\n    return None\n"]


@pytest.fixture(scope="module")
def gen(code_run_dir):
    return Generator.load(code_run_dir)


@pytest.mark.parametrize("code", PROGRAMS)
def test_refinement_never_scores_lower(gen, code):
    before = refine.score([code], "python", "add two numbers", None, None)[0]
    result = refine.refine(gen, code, "python", spec="add two numbers", iterations=2,
                           candidates=3, seed=1)
    assert result.score >= before
    assert [h["iteration"] for h in result.history] == [0, 1, 2]
    kept = [h for h in result.history if h["accepted"]]
    assert result.code == kept[-1]["code"] and result.score == kept[-1]["score"]
    scores = [h["score"] for h in kept]
    assert scores == sorted(scores) and len(set(scores)) == len(scores)  # strictly rising


def test_improve_applies_each_feedback_and_keeps_the_body(gen):
    result = refine.improve(gen, PROGRAMS[1], {"doc": "Add a docstring",
                                               "types": "Add type hints"}, "python",
                            iterations=1, candidates=2)
    kinds = [h["feedback"] for h in result.history]
    assert kinds == sorted(kinds, key=["Add a docstring", "Add type hints"].index)
    assert set(kinds) == {"Add a docstring", "Add type hints"}
    assert syntax.is_valid(result.code, "python")
    for h in result.history:
        if h.get("scaffold") and h["accepted"]:  # a scaffold edit keeps the program's body
            assert "    return a + b\n" in h["code"]
            assert refine.FEEDBACK_CHECKS[h["scaffold"]](h["code"], "python")
    with pytest.raises(ValueError, match="feedback"):
        refine.improve(gen, PROGRAMS[1], {}, "python")


def test_improve_leaves_code_that_already_has_the_property(gen):
    code = 'def add(a, b):\n    """Add."""\n    return a + b\n'
    result = refine.improve(gen, code, "Add a docstring", "python")
    assert result.code == code and result.history[0]["note"] == "already has the property"


@pytest.mark.parametrize("code,kind,language,pieces", [
    ("def f(xs):\n    return xs\n", "docstring", "python",
     ['def f(xs):\n    """', None, '"""\n    return xs\n']),
    ("import os\n\ndef f(xs):\n  return xs\n", "empty", "python",
     ["import os\n\ndef f(xs):\n  if not xs:\n    return", None, "\n  return xs\n"]),
    ("def f(self, a, b=2, *c) -> int:\n    pass\n", "type hint", "python",
     ["def f(self, a:", None, ", b:", None, "=2, *c) -> int:\n    pass\n"]),
    ("def f(a):\n    pass\n", "type hint", "python",
     ["def f(a:", None, ") ->", None, ":\n    pass\n"]),
    ("function f(xs) {\n  return xs;\n}\n", "empty", "javascript",
     ["function f(xs) {\n  if (xs.length === 0) return", None, ";\n  return xs;\n}\n"]),
    ("class S {\n  public int f(int a) {\n    return a;\n  }\n}\n", "docstring", "java",
     ["class S {\n  /** ", None, " */\n  public int f(int a) {\n    return a;\n  }\n}\n"]),
    ("package main\n\nfunc f() int {\n\treturn 1\n}\n", "docstring", "go",
     ["package main\n\n// ", None, "\nfunc f() int {\n\treturn 1\n}\n"]),
])
def test_scaffolds_fix_the_structure_and_leave_slots(code, kind, language, pieces):
    assert refine.scaffold(code, kind, language) == pieces


def test_no_scaffold_where_the_edit_has_no_shape():
    assert refine.scaffold("x = 1\n", "docstring", "python") is None
    assert refine.scaffold("def f():\n    pass\n", "empty", "python") is None
    assert refine.scaffold("class S {}\n", "empty", "java") is None
    assert refine.scaffold("def f(a):\n    pass\n", "speed", "python") is None


def test_constrained_type_hints_use_only_known_types(gen):
    result = refine.scaffold_edit(gen, "def f(a, b):\n    return a\n", "Add type hints",
                                  "python", candidates=4)
    last = result.history[-1]["code"]
    import re

    names = re.findall(r"(?::|->)\s*(\w+)", last.split("\n", 1)[0])
    allowed = {t.strip() for t in refine._SLOT_TEXTS[("type hint", "python")]}
    assert names and set(names) <= allowed, last


def test_feedback_checks():
    assert refine.feedback_check("Add a docstring")('def f():\n    """Doc."""\n', "python")
    assert not refine.feedback_check("add a DOCSTRING")("def f():\n    pass\n", "python")
    assert refine.feedback_check("Add type hints")("def f(x: int) -> int:\n", "python")
    assert not refine.feedback_check("Add type hints")("def f(x):\n", "python")
    assert refine.feedback_check("Handle the empty list")("if not xs:\n", "python")
    assert refine.feedback_check("make it faster") is None


def test_bad_inputs(gen):
    with pytest.raises(ValueError, match="empty"):
        refine.refine(gen, "  ", "python")
    with pytest.raises(ValueError, match="iterations"):
        refine.refine(gen, "x = 1\n", "python", iterations=-1)
    with pytest.raises(ValueError, match="remask_fraction"):
        refine.refine(gen, "x = 1\n", "python", remask_fraction=2.0)
    with pytest.raises(ValueError, match="tokens; the model holds"):
        refine.refine(gen, "x = 1\n" * 400, "python")


def test_token_confidence_compiles_once_for_every_length(gen):
    import jax.numpy as jnp
    import numpy as np

    cond = jnp.asarray([gen.condition_row("add two numbers", "python")] * 4, jnp.int32)
    cond_mask = cond != gen.tok.pad_id
    refine._token_logp.clear_cache()
    out = [refine.token_confidence(gen, gen.tok.encode(code), cond, cond_mask)
           for code in PROGRAMS]
    assert refine._token_logp._cache_size() == 1  # three lengths, one compiled program
    for code, conf in zip(PROGRAMS, out, strict=True):
        assert conf.shape == (len(gen.tok.encode(code)),)
        assert np.all((conf > 0) & (conf <= 1))
    again = refine.token_confidence(gen, gen.tok.encode(PROGRAMS[0]), cond, cond_mask)
    np.testing.assert_array_equal(again, out[0])
    with pytest.raises(ValueError, match="the model holds"):
        refine.token_confidence(gen, [5] * 400, cond, cond_mask)
