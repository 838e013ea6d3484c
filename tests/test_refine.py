"""Refinement never lowers the reward; improvement conditions on feedback."""

import pytest

from adjax_adapt import refine
from adjax_code.generator import Generator

PROGRAMS = ["def add(a, b):\n    return a +\n", "def add(a, b):\n    return a + b\n",
            "def first(xs):\n    if xs:\n        return xs[0]\n    return None\n"]


@pytest.fixture(scope="module")
def gen(code_run_dir):
    return Generator.load(code_run_dir)


@pytest.mark.parametrize("code", PROGRAMS)
def test_refinement_never_scores_lower(gen, code):
    before = refine._score([code], "python", "add two numbers", None, None)[0]
    result = refine.refine(gen, code, "python", spec="add two numbers", iterations=2,
                           candidates=3, seed=1)
    assert result.score >= before
    assert [h["iteration"] for h in result.history] == [0, 1, 2]
    kept = [h for h in result.history if h["accepted"]]
    assert result.code == kept[-1]["code"] and result.score == kept[-1]["score"]
    scores = [h["score"] for h in kept]
    assert scores == sorted(scores) and len(set(scores)) == len(scores)  # strictly rising


def test_improve_keeps_the_signature_and_applies_each_feedback(gen):
    result = refine.improve(gen, PROGRAMS[1], {"doc": "Add a docstring",
                                               "types": "Add type hints"}, "python",
                            iterations=1, candidates=2)
    assert [h["feedback"] for h in result.history] == ["Add a docstring"] * 2 + \
        ["Add type hints"] * 2
    for h in result.history[1:]:
        assert h["code"].startswith("def add(a, b):\n")
    with pytest.raises(ValueError, match="feedback"):
        refine.improve(gen, PROGRAMS[1], {}, "python")


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
