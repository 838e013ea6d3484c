"""Likelihoods and logits of given code: ``Generator.log_likelihood``, ``Generator.logits``
and ``adjax score`` (the estimator itself is checked against an exact enumeration in
test_masked.py)."""

import json

import numpy as np
import pytest

from adjax_code.app import cli
from adjax_code.generate import likelihood
from adjax_code.generate.generator import Generator
from adjax_code.model import model_store

SPEC = "return the sum of a list of numbers"
GOOD = "def sum_list(xs):\n    return sum(xs)\n"
JUNK = "def sum_list(xs):\n    return xs xs ) (\n"


@pytest.fixture(scope="module")
def gen():
    return Generator.load(model_store.DEFAULT_DIR)


def test_the_estimate_is_reproducible_and_its_error_shrinks(gen):
    a = gen.log_likelihood(SPEC, GOOD, "python", draws=16, seed=3)
    b = gen.log_likelihood(SPEC, GOOD, "python", draws=16, seed=3)
    c = gen.log_likelihood(SPEC, GOOD, "python", draws=256, seed=4)
    assert a == b
    assert a.elbo < 0 and a.tokens == len(gen.tok.encode(GOOD)) + 1
    assert a.length in gen.cfg.data.buckets and a.length >= a.tokens
    # 16x the draws: about a quarter of the error (stratified times make it smaller still)
    assert c.stderr < 0.6 * a.stderr
    assert abs(a.elbo - c.elbo) < 4 * (a.stderr + c.stderr)
    assert c.bits_per_token == pytest.approx(-c.elbo / np.log(2) / c.tokens)


def test_a_program_answering_the_spec_is_likelier_than_junk(gen):
    good = gen.log_likelihood(SPEC, GOOD, "python", draws=128)
    junk = gen.log_likelihood(SPEC, JUNK, "python", draws=128)
    assert good.elbo - junk.elbo > 4 * (good.stderr + junk.stderr)


def test_logits_of_given_rows(gen):
    mask = gen.cfg.diffusion.mask_id
    row, n = likelihood.code_row(gen, GOOD)
    one = gen.logits(row, SPEC, "python", mask_rate=0.0)
    assert one.shape == (row.shape[0], gen.cfg.net.outputs) and one.dtype == np.float32
    assert np.all(np.isneginf(one[:, mask]))
    masked_row = row.copy()
    masked_row[2:n] = mask
    both = gen.logits(np.stack([row, masked_row]), SPEC, "python", mask_rate=0.5)
    assert both.shape == (2,) + one.shape
    # The rows of a batch are independent, and the same row gives the same logits.
    again = gen.logits(masked_row, SPEC, "python", mask_rate=0.5)
    np.testing.assert_allclose(both[1], again, rtol=1e-5, atol=1e-5)
    # The specification reaches the network.
    other = gen.logits(masked_row, "reverse a string", "python", mask_rate=0.5)
    finite = np.isfinite(again)
    assert np.abs(other - again)[finite].max() > 1e-3
    with pytest.raises(ValueError, match="mask_rate"):
        gen.logits(row, SPEC, mask_rate=1.5)
    with pytest.raises(ValueError, match="shape"):
        gen.logits(row[None, None], SPEC)


def test_bad_inputs(gen):
    with pytest.raises(ValueError, match="draws"):
        gen.log_likelihood(SPEC, GOOD, "python", draws=1)
    with pytest.raises(ValueError, match="longest row"):
        gen.log_likelihood(SPEC, "x = 1\n" * 400, "python", draws=2)
    with pytest.raises(ValueError, match="row holds"):
        likelihood.code_row(gen, GOOD * 8, length=8)


def test_cli_score_ranks_files(tmp_path, capsys):
    good, junk = tmp_path / "good.py", tmp_path / "junk.py"
    good.write_text(GOOD)
    junk.write_text(JUNK)
    assert cli.main(["score", str(junk), str(good), "--spec", SPEC, "--draws", "64",
                     "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["file"] for r in rows] == [str(good), str(junk)]
    assert {"elbo_nats", "stderr_nats", "bits_per_token", "tokens", "draws"} <= set(rows[0])
    assert cli.main(["score", str(good), "--spec", SPEC, "--draws", "8"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[0] == "file" and out[1].startswith(str(good)) and "±" in out[1]


@pytest.mark.parametrize("argv,what", [
    (["score", "{good}"], "no specification"),
    (["score", "{good}", "--spec", SPEC, "--draws", "1"], "draws"),
    (["score", "{long}", "--spec", SPEC], "longest row"),
    (["score", "{good}", "--spec", SPEC, "--device", "tpu"], "--device tpu"),
    (["score", "{tmp}/none.py", "--spec", SPEC], "does not exist"),
])
def test_cli_score_bad_inputs_are_one_line(tmp_path, capsys, argv, what):
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "long.py").write_text("x = 1\n" * 400)
    argv = [a.format(good=tmp_path / "good.py", long=tmp_path / "long.py", tmp=tmp_path)
            for a in argv]
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse's own refusal (exit 2, usage on stderr)
        code = exc.code
    err = capsys.readouterr().err
    assert code in (1, 2) and what in err, err
    if code == 1:
        assert err.startswith("adjax: error:") and len(err.strip().splitlines()) == 1, err
