import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adjax_code import tasks
from adjax_code.app import cli
from adjax_code.evaluate import evaluation


@given(st.integers(1, 12), st.data())
def test_pass_at_k_matches_brute_force(n, data):
    c = data.draw(st.integers(0, n))
    k = data.draw(st.integers(1, n))
    outcomes = [True] * c + [False] * (n - c)
    subsets = list(itertools.combinations(range(n), k))
    brute = sum(any(outcomes[i] for i in s) for s in subsets) / len(subsets)
    assert evaluation.pass_at_k(n, c, k) == pytest.approx(brute)


def test_pass_at_k_edges():
    assert evaluation.pass_at_k(10, 0, 1) == 0.0
    assert evaluation.pass_at_k(10, 10, 5) == 1.0
    assert evaluation.pass_at_k(4, 1, 1) == pytest.approx(0.25)
    with pytest.raises(ValueError):
        evaluation.pass_at_k(3, 4, 1)


def test_summarize_per_language():
    rows = ([{"task_id": "a", "language": "python", "passed": p} for p in (True, False)]
            + [{"task_id": "b", "language": "python", "passed": False}]
            + [{"task_id": "a", "language": "go", "passed": True}])
    table = evaluation.summarize(rows, ks=(1, 2))
    assert table["python"]["pass@1"] == pytest.approx(0.25)
    assert table["go"]["pass@1"] == 1.0 and table["overall"]["tasks"] == 3
    assert table["python"]["pass@2"] == pytest.approx(1.0)  # only task a has 2 samples
    assert "python" in evaluation.format_table(table)


def test_humaneval_canonical_solutions_all_pass():
    """Every fourth of the 164 tasks (41, in the order HumanEval lists them: each kind of
    prompt, import and check); `adjax eval --benchmark humaneval --references` runs all."""
    canonical = evaluation.humaneval_canonical()
    assert len(canonical) == 164
    results = evaluation.score_humaneval(canonical[::4])
    assert len(results) == 41 and all(r["passed"] for r in results), [
        (r["task_id"], r["message"]) for r in results if not r["passed"]][:5]
    wrong = {"task_id": "HumanEval/0", "completion": "    return 0\n"}
    broken = evaluation.score_humaneval([wrong])
    assert not broken[0]["passed"]


def test_score_task_samples_validates_rows():
    with pytest.raises(ValueError, match="missing keys"):
        evaluation.score_task_samples([{"task_id": "add_two"}])
    with pytest.raises(ValueError, match="unknown language"):
        evaluation.score_task_samples([{"task_id": "add_two", "language": "c", "code": ""}])
    with pytest.raises(ValueError, match="unknown HumanEval task"):
        evaluation.score_humaneval([{"task_id": "nope", "completion": ""}])


def test_agreement_rerank_prefers_the_consensus():
    t = tasks.get("sum_list")
    ref = t.solutions["python"]
    wrong_const = "def sum_list(xs):\n    return 6\n"  # passes one example only
    wrong_off = "def sum_list(xs):\n    return sum(xs) + (1 if len(xs) > 3 else 0)\n"
    order = evaluation.agreement_rerank([wrong_const, ref, wrong_off, ref], t, "python")
    assert order[0] in (1, 3) and order[-1] == 0
    assert evaluation.derived_inputs(t)


def test_cli_eval(tmp_path, capsys):
    samples = tmp_path / "s.jsonl"
    t = tasks.get("add_two")
    samples.write_text("\n".join(json.dumps(r) for r in [
        {"task_id": "add_two", "language": "python", "code": t.solutions["python"]},
        {"task_id": "add_two", "language": "python", "code": "def add_two(a, b):\n    return a"},
    ]) + "\n")
    out = tmp_path / "r.jsonl"
    assert cli.main(["eval", "--samples", str(samples), "--out", str(out), "--json",
                     "--quiet"]) == 0
    table = json.loads(capsys.readouterr().out)
    assert table["python"]["pass@1"] == pytest.approx(0.5)
    assert len(evaluation.read_jsonl(out)) == 2
    assert cli.main(["eval", "--benchmark", "humaneval", "--samples", str(samples),
                     "--quiet"]) == 1
    assert "unknown HumanEval task" in capsys.readouterr().err


@pytest.mark.parametrize("argv,msg", [
    (["eval"], "give one of --samples FILE, --references or --model DIR"),
    (["eval", "--samples", "/nonexistent.jsonl"], "does not exist"),
])
def test_cli_eval_errors(argv, msg, capsys):
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert msg in err and err.count("\n") == 1


def test_cli_eval_bad_json(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json}\n")
    assert cli.main(["eval", "--samples", str(bad)]) == 1
    assert "not valid JSON" in capsys.readouterr().err
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    assert cli.main(["eval", "--samples", str(empty)]) == 1
    assert "no samples" in capsys.readouterr().err


CLASSIFY = '''def classify(n):
    """Sign of n as a word."""
    if n > 0:
        return "positive"
    elif n < 0:
        return "negative"
    return "zero"
'''


def test_untested_lines():
    report = evaluation.untested_lines(
        CLASSIFY, "assert classify(5) == 'positive'\nassert classify(0) == 'zero'\n")
    assert report["status"] == "pass"
    assert report["untested"] == [{"line": 6, "code": 'return "negative"'}]
    full = evaluation.untested_lines(CLASSIFY, "classify(1); classify(-1); classify(0)\n")
    assert full["untested"] == []
    with pytest.raises(RuntimeError, match="coverage report"):
        evaluation.untested_lines("def f(:\n", "f()\n")


def test_cli_reports_untested_lines(tmp_path, capsys):
    src, tests = tmp_path / "c.py", tmp_path / "t.py"
    src.write_text(CLASSIFY)
    tests.write_text("assert classify(5) == 'positive'\n")
    assert cli.main(["evaluate", str(src), "-l", "python", "--tests", str(tests)]) == 0
    out = capsys.readouterr().out
    assert "untested   line 6: return \"negative\"" in out
    assert "untested   line 7: return \"zero\"" in out


def test_plot(tmp_path):
    table = evaluation.summarize([{"task_id": "a", "language": "python", "passed": True},
                                  {"task_id": "a", "language": "go", "passed": False}])
    path = tmp_path / "chart.png"
    evaluation.plot_table(table, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
