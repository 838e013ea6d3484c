"""Generation through a (tiny, briefly trained) model: shapes, prefix, determinism, CLI."""

import json

import pytest

import configs
from adjax_code import cli, trainer
from adjax_code.generator import Generator

OVERRIDES = ["train.steps=20", "train.eval_every=10", "train.checkpoint_every=20",
             "train.batch_size=8", "data.max_files=0", "optim.total_steps=20",
             "sampler.num_steps=8"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen-run")
    cfg = configs.apply_overrides(configs.load("tiny"), OVERRIDES)
    trainer.run(cfg, out, progress=False, log=lambda m: None)
    return out


@pytest.fixture(scope="module")
def gen(run_dir):
    return Generator.load(run_dir)


def test_candidates_are_scored_and_sorted(gen):
    result = gen.generate("return the sum of a list", "python", samples=3, seed=0)
    assert len(result.candidates) == 3
    overall = [c.scores["overall"] for c in result.candidates]
    assert overall == sorted(overall, reverse=True) and result.best is result.candidates[0]
    for c in result.candidates:
        assert all(0.0 <= v <= 1.0 for v in c.scores.values())
        assert 0 <= c.repair_rounds <= 2
    assert result.timings["tokens"] == 3 * max(gen.cfg["data"].buckets)


def test_deterministic_per_seed(gen):
    a = gen.generate("reverse a string", "javascript", samples=2, seed=5, repair_rounds=0)
    b = gen.generate("reverse a string", "javascript", samples=2, seed=5, repair_rounds=0)
    c = gen.generate("reverse a string", "javascript", samples=2, seed=6, repair_rounds=0)
    assert [x.code for x in a.candidates] == [x.code for x in b.candidates]
    assert sorted(x.code for x in a.candidates) != sorted(x.code for x in c.candidates)


def test_prefix_is_kept_exactly(gen):
    prefix = "def sum_list(xs):\n    total = 0\n"
    result = gen.generate("sum a list", "python", samples=2, prefix=prefix, length=64)
    assert all(c.code.startswith(prefix) for c in result.candidates)


def test_bad_inputs(gen):
    with pytest.raises(ValueError, match="empty"):
        gen.generate("  ", "python")
    with pytest.raises(ValueError, match="prefix takes"):
        gen.generate("x", "python", prefix="x = 1\n" * 200, length=64)
    with pytest.raises(ValueError, match="unknown language"):
        gen.generate("x", "cobol")


def test_cli_generate_with_a_run_directory(run_dir, capsys):
    assert cli.main(["generate", "add two numbers", "--model", str(run_dir), "--samples", "2",
                     "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["candidates"]) == 2 and "tokens_per_s" in out["timings"]
    assert cli.main(["generate", "x", "--language", "python", "--model", str(run_dir),
                     "--steps", "4", "--samples", "1"]) == 0
