"""CodeGenerationAPI over a tiny trained model: config validation, every method, profiling,
save/load round trips and bad inputs."""

import dataclasses
import json
import os
import shutil

import jax.numpy as jnp
import numpy as np
import pytest

from adjax_code.app import api as api_lib
from adjax_code.app import doctor
from adjax_code.generate import refine
from adjax_code.generate.generator import Generator
from adjax_code.lang import syntax
from adjax_code.model import model_store

GOOD = "def add(a, b):\n    return a + b\n"
BAD = "def add(a, b:\n    return a +\n"
TESTS = "assert add(2, 3) == 5\nassert add(-1, 1) == 0\n"


@pytest.fixture(scope="module")
def gen(code_run_dir):
    return Generator.load(code_run_dir)


def make(gen, **cfg):
    return api_lib.create_code_generation_api(gen, {"batch_size": 2, "steps": 4,
                                                    "max_length": 64, **cfg})


@pytest.fixture(scope="module")
def api(gen):
    return make(gen)


def tree_snapshot(path):
    return sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns)
                  for p in path.rglob("*") if p.is_file())


# -- config -------------------------------------------------------------------------------

def test_unknown_config_key_names_it_and_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown config key 'precison'.*did you mean "
                       r"'precision'.*valid keys: default_language"):
        api_lib.APIConfig.from_dict({"precison": "float32"})


@pytest.mark.parametrize("key,value,match", [
    ("precision", "fp8", "valid choices: float32, bfloat16, float16"),
    ("adaptation_type", "magic", "valid choices: .*gradient.*hybrid.*memory"),
    ("default_language", "cobol", "valid choices: go, java"),
    ("device", "npu", "valid choices: cpu, gpu, cuda, tpu"),
    ("batch_size", 0, "integer >= 1"),
    ("batch_size", True, "integer >= 1"),
    ("steps", 2.5, "integer >= 1"),
    ("temperature", -1.0, r"must lie in \[0, inf\]"),
    ("functional_weight", "high", r"must lie in \[0, inf\]"),
    ("threshold", 1.5, r"threshold must lie in \(0, 1\]"),
    ("block_size", 0, "block_size must be a positive integer"),
    ("cache", "full", "cache must be one of prompt, dual"),
])
def test_bad_config_values_name_the_key(key, value, match):
    with pytest.raises(ValueError, match=f"'{key}'.*{match}"):
        api_lib.APIConfig.from_dict({key: value})


def test_config_is_frozen_and_weights_must_not_both_be_zero():
    cfg = api_lib.APIConfig.from_dict({"batch_size": 3})
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.batch_size = 5
    with pytest.raises(ValueError, match="sum must be positive"):
        api_lib.APIConfig(gradient_weight=0.0, memory_weight=0.0)
    assert cfg.reward_weights["functional"] == 2.0
    with pytest.raises(ValueError, match="must be a dict"):
        api_lib.APIConfig.from_dict(["batch_size"])


def test_absent_device_is_a_clear_error(gen):
    with pytest.raises(ValueError, match="no tpu device is present.*JAX sees: cpu"):
        make(gen, device="tpu")
    assert api_lib.resolve_device("cpu").platform == "cpu"


def test_init_config_file_round_trips(tmp_path):
    path = tmp_path / "adjax.toml"
    path.write_text(doctor.config_text("cpu"))
    cfg = api_lib.load_config(path)
    assert cfg == api_lib.APIConfig(device="cpu", precision="float32", batch_size=4)
    path.write_text(doctor.config_text("gpu"))
    assert api_lib.load_config(path).precision == "bfloat16"
    path.write_text("batch_size = [")
    with pytest.raises(ValueError, match="not valid TOML"):
        api_lib.load_config(path)
    with pytest.raises(ValueError, match="does not exist"):
        api_lib.load_config(tmp_path / "none.toml")


def test_missing_model_dir_and_wrong_model_type(tmp_path):
    with pytest.raises(FileNotFoundError, match="no model directory"):
        api_lib.create_code_generation_api(tmp_path / "absent")
    with pytest.raises(TypeError, match="diffusion_model must be"):
        api_lib.create_code_generation_api(42)


# -- methods ------------------------------------------------------------------------------

def test_generate_code_is_seeded_and_reports_details(gen):
    a, b = make(gen, seed=3), make(gen, seed=3)
    outs_a = [a.generate_code("return the sum of a list") for _ in range(2)]
    outs_b = [b.generate_code("return the sum of a list") for _ in range(2)]
    assert outs_a == outs_b and all(isinstance(o, str) for o in outs_a)
    result = a.last_result
    assert result["method"] == "generate_code" and len(result["candidates"]) == 2
    assert outs_a[1] == result["candidates"][0]["code"]
    overall = [c["scores"]["overall"] for c in result["candidates"]]
    assert overall == sorted(overall, reverse=True)
    assert result["steps"] == 4 and len(result["repair_rounds"]) == 2


def test_generate_batch_runs_rows_as_a_batch_job_does(gen):
    """The API's batch entry point: the config's language, samples, seed and decoding; the
    same samples as the library's ``generate_batch`` with those settings."""
    import dataclasses

    from adjax_code.generate import batch

    a = make(gen, seed=3, default_language="javascript")
    rows = [{"id": "a", "spec": "return the sum of a list"},
            {"id": "b", "spec": "reverse a string", "language": "python", "samples": 1}]
    got = {r.row.id: (r.row.language, [c.code for c in r.generation.candidates])
           for r in a.generate_batch(rows)}
    assert got["a"][0] == "javascript" and len(got["a"][1]) == 2
    assert got["b"][0] == "python" and len(got["b"][1]) == 1
    sampler = dataclasses.replace(a.generator.cfg.sampler)
    same = {r.row.id: (r.row.language, [c.code for c in r.generation.candidates])
            for r in batch.generate_batch(a.generator, rows, samples=2, seed=3,
                                          language="javascript", length=64, sampler=sampler)}
    assert same == got


def test_threshold_blocks_and_cache_decode_as_the_cli_does(gen):
    """The API's decoding keys go through the CLI's one translator into the sampler, and a
    threshold run is a threshold run (it stops as soon as every row is committed)."""
    from adjax_code.generate.decoding import Decoding

    a = make(gen, threshold=0.5, steps=None, block_size=32, cache="dual")
    expected = Decoding(threshold=0.5, block_size=32, cache="dual", temperature=1.0,
                        guidance_scale=0.0).sampler(gen.cfg.sampler, 64)
    assert a.generator.cfg.sampler == expected
    assert (expected.rule, expected.threshold, expected.block_size, expected.cache) == (
        "threshold", 0.5, 32, "dual")
    plain = make(gen, steps=None)
    assert plain.generator.cfg.sampler == gen.cfg.sampler
    fast = make(gen, threshold=0.05, steps=None)
    fast.generate_code("return the sum of a list")
    plain.generate_code("return the sum of a list")
    assert fast.last_profile["forward_passes"] < plain.last_profile["forward_passes"]


def test_last_profile_measures_the_call(api):
    api.generate_code("reverse a string", "javascript")
    prof = api.last_profile
    assert prof["elapsed_time_sec"] > 0
    assert 0 <= prof["compile_time_sec"] <= prof["elapsed_time_sec"] + 1e-6
    assert prof["memory_peak_bytes"] >= prof["memory_current_bytes"] > 10 * 2**20
    # useful tokens: code before each row's end, never more than the slots filled
    assert 0 < prof["tokens_generated"] <= prof["slots_filled"]
    assert prof["slots_filled"] >= 2 * 60  # two rows of 64, less the opening
    assert prof["forward_passes"] >= 1
    assert prof["tokens_per_sec"] > 0 and prof["device"].startswith("cpu")


def test_precision_applies_to_computation(gen):
    """bfloat16 reaches the network's arithmetic: its logits differ from float32's, by
    rounding only."""
    bf, f32 = make(gen, precision="bfloat16"), make(gen, precision="float32")
    assert bf.generator.cfg.net.dtype == "bfloat16"
    assert isinstance(bf.generate_code("sum a list"), str)
    cond = jnp.asarray([gen.condition_row("sum a list", "python")], jnp.int32)
    x = jnp.full((1, 16), gen.cfg.diffusion.mask_id, jnp.int32)

    def logits(api):
        g = api.generator
        ctx = g.model.encode(g.params, cond, cond != g.tok.pad_id)
        return np.asarray(g.model.denoise(g.params, x, jnp.ones(1), ctx))

    a, b = logits(bf), logits(f32)
    assert not np.array_equal(a, b)
    assert np.abs(a - b).max() < 0.1 * np.abs(b).max()


@pytest.fixture(scope="module")
def guided(gen):
    """The conftest model with a config that declares condition dropout: enough for the API
    to let guidance through. What guidance does to a network trained with dropout is
    tests/test_masked.py's guidance test."""
    diffusion = dataclasses.replace(gen.cfg.diffusion, cond_dropout=0.1)
    return Generator(gen.model, gen.params, gen.tok, gen.cfg.replace(diffusion=diffusion))


def test_guidance_and_temperature_reach_the_sampler(guided):
    gen = guided
    g = make(gen, guidance_scale=1.0, temperature=0.0)
    assert g.generator.cfg.sampler.guidance_scale == 1.0
    a = g.generate_code("sum a list")
    assert g.last_profile["forward_passes"] % 2 == 0  # two passes a step with guidance
    b = make(gen, guidance_scale=1.0, temperature=0.0).generate_code("sum a list")
    assert a == b  # greedy and seeded
    plain = make(gen, guidance_scale=0.0, temperature=0.0)
    plain.generate_code("sum a list")
    # the same decoding steps, each with a second (unconditional) pass
    assert g.last_profile["forward_passes"] == 2 * plain.last_profile["forward_passes"]
    warm = [make(gen, temperature=1.0, seed=s).generate_code("sum a list") for s in (1, 2, 3)]
    assert len(set(warm)) > 1  # temperature 1 samples: seeds differ


def test_guidance_needs_a_model_trained_with_condition_dropout(gen):
    """The shipped model never saw the language-only condition guidance contrasts with."""
    shipped = Generator.load(model_store.DEFAULT_DIR)
    assert shipped.cfg.diffusion.cond_dropout == 0
    with pytest.raises(ValueError, match="condition dropout"):
        api_lib.create_code_generation_api(shipped, {"guidance_scale": 1.0})
    with pytest.raises(ValueError, match="condition dropout"):
        make(gen, guidance_scale=0.5)  # the conftest run trains without it


def test_evaluate_code_ranks_good_above_bad(api):
    good = api.evaluate_code(GOOD, "python", specification="add two numbers", tests=TESTS)
    bad = api.evaluate_code(BAD, "python", specification="add two numbers", tests=TESTS)
    assert good["syntax"] == 1.0 > bad["syntax"]
    assert good["functional"] == 1.0 > bad["functional"]
    assert good["overall"] > bad["overall"]
    assert set(good) == {"syntax", "quality", "relevance", "functional", "overall"}
    plain = api.evaluate_code(GOOD)
    assert "functional" not in plain and "relevance" not in plain


def test_reward_weights_change_overall(gen):
    only_syntax = make(gen, quality_weight=0.0, relevance_weight=0.0)
    assert only_syntax.evaluate_code(GOOD, specification="x y z")["overall"] == 1.0


def test_refine_code_never_scores_lower(api):
    for code in (BAD, GOOD):
        before = api.evaluate_code(code, "python", specification="add two numbers")
        out = api.refine_code(code, "python", iterations=2, specification="add two numbers")
        assert len(api.last_result["history"]) == 3
        assert api.last_profile["elapsed_time_sec"] > 0
        after = api.evaluate_code(out, "python", specification="add two numbers")
        assert after["overall"] >= before["overall"]


def test_improve_code_reports_whether_feedback_was_met(api):
    out = api.improve_code(GOOD, "Add a docstring", "python", iterations=1)
    result = api.last_result
    assert result["method"] == "improve_code" and isinstance(out, str)
    assert result["changed"] == (out != GOOD)
    # "satisfied" is the docstring check of what came back, changed or not; a change that
    # does not satisfy the feedback never wins
    has_docstring = refine.feedback_check("Add a docstring")
    assert result["satisfied"] == has_docstring(out, "python")
    assert result["satisfied"] or not result["changed"]
    assert syntax.is_valid(out, "python")
    with pytest.raises(ValueError, match="feedback"):
        api.improve_code(GOOD, "  ")


def test_adapt_code_learns_into_the_state(gen):
    a = make(gen, adaptation_type="gradient", adapt_steps=2)
    params_before = np.asarray(jax_leaf(a.state.params))
    out = a.adapt_code(GOOD, "python", specification="add two numbers")
    result = a.last_result
    assert result["stored"] and result["buffer_size"] == 1 and result["updates"] == 2
    assert not np.allclose(np.asarray(jax_leaf(a.state.params)), params_before)
    assert isinstance(out, str) and a.last_profile["elapsed_time_sec"] > 0
    # Memory: the adapted program seeds the next generation for the same specification.
    m = make(gen, adaptation_type="memory")
    m.adapt_code(GOOD, "python", specification="add two numbers")
    assert m.last_result["updates"] == 0 and m.last_result["buffer_size"] == 1


def jax_leaf(tree):
    import jax

    return jax.tree.leaves(tree)[0]


# -- state --------------------------------------------------------------------------------

def test_save_load_round_trip_gives_identical_outputs(gen, tmp_path):
    a = make(gen, adaptation_type="hybrid", adapt_steps=1)
    a.adapt_code(GOOD, "python", specification="add two numbers")
    a.save_state(tmp_path / "state")
    first = [a.generate_code("add two numbers"), a.generate_code("sort a list")]
    b = make(gen)  # another config: load_state takes the saved one
    b.load_state(tmp_path / "state")
    assert b.config == a.config
    assert [b.generate_code("add two numbers"), b.generate_code("sort a list")] == first
    assert int(b.state.buffer.valid.sum()) == 1


def test_save_is_atomic_and_replaces_old_state(gen, tmp_path, monkeypatch):
    a = make(gen)
    target = tmp_path / "state"
    a.save_state(target)
    before = tree_snapshot(target)

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(a.generator.tok, "save", boom)
    with pytest.raises(OSError, match="disk full"):
        a.save_state(target)
    assert tree_snapshot(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state"]  # no temporary left
    monkeypatch.undo()
    a.save_state(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state"]


def test_adapt_code_with_grpo_learns_from_a_group(gen):
    a = make(gen, batch_size=6, adapt_steps=2, steps=16)
    before = [np.asarray(x).copy() for x in jax_leaves(a.state.params)]
    a.adapt_code(GOOD, "python", specification="add two numbers", mechanism="grpo")
    assert a.last_result["updates"] > 0
    after = jax_leaves(a.state.params)
    assert any(not np.array_equal(x, np.asarray(y)) for x, y in zip(before, after,
                                                                    strict=True))
    assert float(a.state.metrics["kl"]) > 0.0  # the k3 KL is positive once params moved
    with pytest.raises(ValueError, match="unknown adaptation mechanism"):
        a.adapt_code(GOOD, "python", mechanism="nope")


def jax_leaves(tree):
    import jax

    return jax.tree.leaves(tree)


def test_save_never_deletes_what_is_not_a_saved_state(gen, tmp_path, monkeypatch):
    a = make(gen)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work")
    with pytest.raises(ValueError, match="not an adjax saved state"):
        a.save_state(mine)
    assert (mine / "thesis.tex").read_text() == "years of work"
    monkeypatch.chdir(mine)
    with pytest.raises(ValueError, match="contains the current directory"):
        a.save_state(mine, overwrite=True)
    with pytest.raises(ValueError, match="contains the current directory"):
        a.save_state("..", overwrite=True)
    assert (mine / "thesis.tex").is_file()
    a.save_state(tmp_path / "elsewhere")
    a.save_state(tmp_path / "elsewhere")  # its own earlier state is replaced


def test_load_explains_a_malformed_state_file(gen, tmp_path):
    a = make(gen)
    a.save_state(tmp_path / "s")
    meta_file = tmp_path / "s" / "api.json"
    meta = json.loads(meta_file.read_text())
    for bad in ([1, 2], {k: v for k, v in meta.items() if k != "model"}):
        meta_file.write_text(json.dumps(bad))
        with pytest.raises(ValueError, match="not a saved API state"):
            a.load_state(tmp_path / "s")
    meta_file.write_text(json.dumps(meta))
    tok = tmp_path / "s" / "tokenizer.json"
    tok.write_text("not json")
    meta["files"]["tokenizer.json"] = model_store.sha256(tok)
    meta_file.write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="tokenizer.json is unreadable"):
        a.load_state(tmp_path / "s")


def test_load_rejects_corrupted_or_foreign_state(gen, tmp_path):
    a = make(gen)
    a.save_state(tmp_path / "s")
    with pytest.raises(ValueError, match="no saved API state"):
        a.load_state(tmp_path)
    broken = tmp_path / "broken"
    shutil.copytree(tmp_path / "s", broken)
    victim = max((p for p in (broken / "state").rglob("*") if p.is_file()),
                 key=lambda p: p.stat().st_size)
    victim.write_bytes(b"\0" * victim.stat().st_size)
    snapshot, config = tree_snapshot(tmp_path), a.config
    with pytest.raises(ValueError, match="corrupted or incomplete"):
        a.load_state(broken)
    assert tree_snapshot(tmp_path) == snapshot and a.config is config
    (broken / "api.json").write_text("{not json")
    with pytest.raises(ValueError, match="corrupted"):
        a.load_state(broken)
    foreign = tmp_path / "foreign"
    shutil.copytree(tmp_path / "s", foreign)
    meta = (foreign / "api.json").read_text().replace('"d_model": ', '"d_model": 1')
    (foreign / "api.json").write_text(meta)
    with pytest.raises(ValueError, match="different model.*d_model"):
        a.load_state(foreign)


@pytest.mark.parametrize("bad,match", [
    ("", "empty"),
    ("x" * (1 << 20), "1,048,576 characters"),
    (b"\xff\xfe spec", "not UTF-8"),
    (None, "must be text"),
])
def test_bad_specifications_are_clear_errors(api, code_run_dir, bad, match):
    before = tree_snapshot(code_run_dir)
    with pytest.raises(ValueError, match=match):
        api.generate_code(bad)
    assert tree_snapshot(code_run_dir) == before


def test_unknown_language_is_a_clear_error(api):
    with pytest.raises(ValueError, match="unknown language 'cobol'"):
        api.generate_code("sum a list", "cobol")
    with pytest.raises(ValueError, match="unknown language"):
        api.evaluate_code(GOOD, "cobol")


def test_shipped_model_is_the_default():
    if os.environ.get("ADJAX_SKIP_SHIPPED"):
        pytest.skip("shipped model skipped")
    shipped = api_lib.create_code_generation_api(config={"batch_size": 1, "steps": 2,
                                                         "max_length": 32})
    assert shipped.base.manifest.get("format") == 1


def test_damaged_models_are_clear_errors_and_stay_untouched(code_run_dir, tmp_path):
    from adjax_code.train import packaging

    packaged = tmp_path / "model"
    packaging.package(code_run_dir, packaged, progress=False)
    (packaged / "model.safetensors").write_bytes(b"not weights")
    before = tree_snapshot(packaged)
    with pytest.raises(ValueError, match="model.safetensors does not match the sha256"):
        api_lib.create_code_generation_api(packaged)
    assert tree_snapshot(packaged) == before
    run = tmp_path / "run"
    shutil.copytree(code_run_dir, run)
    for p in (run / "checkpoints").rglob("*"):
        if p.is_file() and "meta" not in str(p) and p.stat().st_size > 1000:
            p.write_bytes(b"\0" * 16)
    before = tree_snapshot(run)
    with pytest.raises(ValueError, match="cannot read the checkpoint.*damaged"):
        api_lib.create_code_generation_api(run)
    assert tree_snapshot(run) == before


def test_improve_code_adds_a_docstring_in_most_attempts(api):
    functions = ["def add(a, b):\n    return a + b\n",
                 "def first(xs):\n    return xs[0]\n",
                 "def is_even(n):\n    return n % 2 == 0\n",
                 "def shout(s):\n    return s.upper()\n"]
    got = 0
    for code in functions:
        out = api.improve_code(code, "Add a docstring", iterations=1)
        body = code.split("\n", 1)[1]
        if api.last_result["satisfied"] and out != code:
            assert syntax.is_valid(out, "python") and out.endswith(body)
            got += 1
    assert got >= 3, got
