"""Imported checkpoints against their reference implementations (golden fixtures made by
scripts/make_hf_fixtures.py: transformers' Llama/Qwen2/Qwen3 run bidirectionally, and
LLaDA's and Dream's own modeling files)."""

from __future__ import annotations

import copy
import dataclasses
import json
import shutil
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from adjax import sampling, sharding, weights
from adjax.config import SamplerConfig
from adjax.nets import Transformer
from adjax.nets.functional import split_abstract
from adjax_code.generate.generator import Generator
from adjax_code.model import hf_import, model_store
from adjax_code.model.hf_tokenizer import PretrainedTokenizer

FIXTURES = Path(__file__).parent / "fixtures" / "hf"
FAMILIES = ("llama", "qwen2", "qwen3", "dream", "llada")


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """Each family imported once in float32."""
    root = tmp_path_factory.mktemp("imported")
    return {f: hf_import.import_checkpoint(FIXTURES / f, root / f, dtype="float32") and
            Generator.load(root / f) for f in FAMILIES}


def golden(family):
    g = np.load(FIXTURES / family / "golden.npz")
    return jnp.asarray(g["input_ids"]), g["logits"]


def logits(gen, ids, split):
    """Logits of positions ``split:`` with ``ids[:, :split]`` as the prompt."""
    context = gen.model.encode(gen.params, ids[:, :split])
    return np.asarray(gen.model.denoise(gen.params, ids[:, split:], None, context))


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("split", [0, 5])
def test_logits_match_the_reference_in_float32(imported, family, split):
    ids, ref = golden(family)
    out = logits(imported[family], ids, split)
    np.testing.assert_allclose(out, ref[:, split:], atol=1e-4, rtol=0)


@pytest.mark.parametrize("family", ["qwen2", "llada"])
def test_bfloat16_import_stays_close(tmp_path, family):
    hf_import.import_checkpoint(FIXTURES / family, tmp_path / "m", dtype="bfloat16")
    gen = Generator.load(tmp_path / "m")
    assert {x.dtype for x in jax.tree.leaves(gen.params)} == {jnp.dtype(jnp.bfloat16)}
    ids, ref = golden(family)
    out = logits(gen, ids, 4)
    scale = np.abs(ref).max()
    assert np.abs(out - ref[:, 4:]).max() < 0.05 * scale
    # the same argmax almost everywhere: bf16 rounding moves only near-ties
    assert (out.argmax(-1) == ref[:, 4:].argmax(-1)).mean() > 0.9


def test_the_checks_would_catch_a_wrong_network(tmp_path):
    """The parity tests fail on a missing shift, a wrong RoPE base, a transposed kernel and
    dropped biases: each mistake moves the logits far past the tolerance."""
    ids, ref = golden("dream")
    hf_import.import_checkpoint(FIXTURES / "dream", tmp_path / "noshift", dtype="float32",
                                logit_shift=False)
    assert np.abs(logits(Generator.load(tmp_path / "noshift"), ids, 5) - ref[:, 5:]).max() > 0.1

    ids, ref = golden("llama")
    hf_import.import_checkpoint(FIXTURES / "llama", tmp_path / "llama", dtype="float32")
    gen = Generator.load(tmp_path / "llama")
    wrong = copy.copy(gen)
    net = dataclasses.replace(gen.cfg.net, rope_base=10_000.0)
    wrong.model, _ = split_abstract(lambda: Transformer(net, rngs=nnx.Rngs(0)))
    assert np.abs(logits(wrong, ids, 5) - ref[:, 5:]).max() > 0.1
    named = weights.named(gen.params)
    assert named["blocks.0.attn.q.kernel"].shape == (64, 64)  # square: only values differ
    wrong = copy.copy(gen)
    wrong.params = jax.tree_util.tree_map_with_path(
        lambda k, x: x.T if weights.tensor_name(k) == "blocks.0.attn.q.kernel" else x,
        gen.params)
    assert np.abs(logits(wrong, ids, 5) - ref[:, 5:]).max() > 0.1

    ids, ref = golden("qwen2")  # q/k/v biases: dropping them (as one public converter does)
    hf_import.import_checkpoint(FIXTURES / "qwen2", tmp_path / "qwen2", dtype="float32")
    gen = Generator.load(tmp_path / "qwen2")
    wrong = copy.copy(gen)
    wrong.params = jax.tree_util.tree_map_with_path(
        lambda k, x: x * 0 if weights.tensor_name(k).endswith(".bias") else x, gen.params)
    assert np.abs(logits(wrong, ids, 5) - ref[:, 5:]).max() > 0.1
    np.testing.assert_allclose(logits(gen, ids, 5), ref[:, 5:], atol=1e-4)


def test_qwen3_per_head_norms_and_head_width(imported):
    net = imported["qwen3"].cfg.net
    assert net.qk_norm and net.head_dim == 32 and net.n_heads * net.head_dim != net.d_model
    named = weights.named(imported["qwen3"].params)
    assert named["blocks.0.attn.q_norm.scale"].shape == (32,)
    assert named["blocks.0.attn.q.kernel"].shape == (64, 128)


def test_padding_the_prompt_on_either_side_changes_nothing(imported):
    """Prompt padding takes no position, so a padded batch computes what each row would
    alone; Dream's shift still reads the last real prompt token."""
    for family in ("dream", "llada"):
        gen = imported[family]
        ids, _ = golden(family)
        prompt, code = ids[:, :5], ids[:, 5:]
        pad = jnp.full((2, 3), gen.tok.pad_id, jnp.int32)
        base = gen.model.denoise(gen.params, code, None, gen.model.encode(gen.params, prompt))
        for cond in (jnp.concatenate([pad, prompt], 1), jnp.concatenate([prompt, pad], 1)):
            ctx = gen.model.encode(gen.params, cond, cond != gen.tok.pad_id)
            out = gen.model.denoise(gen.params, code, None, ctx)
            np.testing.assert_allclose(out, base, atol=1e-4, err_msg=family)


def test_tokenizer_round_trip_ids_and_prompt(imported):
    tok = imported["dream"].tok
    assert isinstance(tok, PretrainedTokenizer)
    for text in ("def add(a, b):\n    return a + b\n", "héllo\t\n  <|mask|> ünïcode ✓", ""):
        assert tok.decode(tok.encode(text)) == text.replace("<|mask|>", "")
    vocab = json.loads((FIXTURES / "dream" / "tokenizer_config.json").read_text())
    assert tok.mask_id == tok._tok.token_to_id(vocab["mask_token"])
    assert tok.eos_id == tok._tok.token_to_id("<|im_end|>")
    assert tok.prompt.startswith("<|im_start|>user\n") and \
        tok.prompt.endswith("<|im_end|>\n<|im_start|>assistant\n")
    ids = tok.condition_ids("word " * 200, "python", 40)
    assert len(ids) == 40  # the specification is cut, the assistant turn kept
    assert tok.decode(ids).endswith("word \n\nWrite the solution in python.\nassistant\n")
    text = "x = 1\ny = 2"
    offsets = tok.byte_offsets(tok.encode(text))
    assert offsets[-1][1] == len(text.encode())
    llada = imported["llada"].tok
    assert llada.prompt.startswith("<|startoftext|><|start_header_id|>user")
    assert llada.mask_id == llada._tok.token_to_id("<|mdm_mask|>")


def _draw_and_rank(lg, mask_id, mask_in_softmax):
    """(the greedy draw, [MASK] left out: adjax never places it; the probabilities that
    rank: over the whole vocabulary as the references compute them, or without [MASK])."""
    drawn = lg.copy()
    drawn[..., mask_id] = -np.inf
    ranked = lg if mask_in_softmax else drawn
    prob = np.exp(ranked - ranked.max(-1, keepdims=True))
    return drawn.argmax(-1), prob / prob.sum(-1, keepdims=True)


def llada_reference(logits_fn, prompt, gen_length, block, steps, mask_id,
                    mask_in_softmax=False):
    """LLaDA's published loop, written out plainly: semi-autoregressive blocks, each block's
    masks spread evenly over its steps (the remainder first), the most probable predictions
    committed (greedy); positions past the block are not eligible."""
    x = np.concatenate([prompt, np.full((len(prompt), gen_length), mask_id)], 1)
    p = prompt.shape[1]
    per_block = steps // (gen_length // block)
    for b in range(gen_length // block):
        lo, hi = p + b * block, p + (b + 1) * block
        n = (x[:, lo:hi] == mask_id).sum(1)
        counts = np.stack([n // per_block + (i < n % per_block) for i in range(per_block)], 1)
        for i in range(per_block):
            masked = x == mask_id
            x0, prob = _draw_and_rank(logits_fn(x), mask_id, mask_in_softmax)
            conf = np.take_along_axis(prob, x0[..., None], -1)[..., 0]
            conf[:, hi:] = -np.inf
            conf = np.where(masked, conf, -np.inf)
            for r in range(len(x)):
                top = np.argsort(-conf[r], kind="stable")[:counts[r, i]]
                x[r, top] = x0[r, top]
    return x[:, p:]


def dream_reference(logits_fn, prompt, gen_length, steps, mask_id, eps=1e-3,
                    mask_in_softmax=False):
    """Dream's diffusion_generate with alg="entropy" at temperature 0, written out plainly:
    time grid linspace(1, eps, steps + 1), int(masked * (1 - s / t)) tokens per step (all at
    the last), ranked by negative entropy."""
    x = np.concatenate([prompt, np.full((len(prompt), gen_length), mask_id)], 1)
    grid = np.linspace(1, eps, steps + 1, dtype=np.float32)
    for i in range(steps):
        masked = x == mask_id
        x0, prob = _draw_and_rank(logits_fn(x), mask_id, mask_in_softmax)
        conf = np.where(masked, (prob * np.log(prob + 1e-10)).sum(-1), -np.inf)
        n_masked = masked.sum() / len(x)
        t, s = grid[i], grid[i + 1]
        k = int(n_masked * (1 - s / t)) if i < steps - 1 else int(n_masked)
        for r in range(len(x)):
            top = np.argsort(-conf[r], kind="stable")[:k]
            x[r, top] = x0[r, top]
    return x[:, prompt.shape[1]:]


def _network(gen, p):
    def fn(x):
        x = jnp.asarray(x)
        ctx = gen.model.encode(gen.params, x[:, :p])
        out = np.asarray(gen.model.denoise(gen.params, x[:, p:], None, ctx), np.float64)
        full = np.zeros((x.shape[0], x.shape[1], out.shape[-1]))
        full[:, p:] = out
        return full
    return fn


def _reference(gen, family, prompt, length, mask_in_softmax):
    """(adjax's sampler settings for the family's published loop, that loop's output)."""
    mask = gen.cfg.diffusion.mask_id
    if family == "llada":
        cfg = SamplerConfig(rule="confidence", score="low_confidence", temperature=0.0,
                            num_steps=6, block_size=8, rounding="up")
        ref = llada_reference(_network(gen, 6), prompt.copy(), length, 8, 6, mask,
                              mask_in_softmax)
    else:
        cfg = SamplerConfig(rule="confidence", score="entropy", temperature=0.0,
                            num_steps=5, rounding="down", t_min=1e-3)
        ref = dream_reference(_network(gen, 6), prompt.copy(), length, 5, mask,
                              mask_in_softmax=mask_in_softmax)
    return dataclasses.replace(cfg, mask_in_softmax=mask_in_softmax), ref


@pytest.mark.parametrize("sharp", [False, True])
@pytest.mark.parametrize("family", ["llada", "dream"])
def test_greedy_sampling_matches_the_published_step_rule(imported, family, sharp):
    """Token for token, with [MASK] left out of the ranking softmax (the default) or inside
    it (``mask_in_softmax``, the references' own rule). ``sharp``: the head's [MASK] column
    scaled by 4, so that [MASK] takes a share of the softmax that varies between positions
    and the two rules commit differently."""
    gen = imported[family]
    mask = gen.cfg.diffusion.mask_id
    if sharp:
        params = {**gen.params, "head": {"kernel": gen.params["head"]["kernel"]
                                         .at[:, mask].multiply(4.0)}}
        gen = Generator(gen.model, params, gen.tok, gen.cfg)
    prompt = np.asarray(golden(family)[0][:, :6])
    length = 16
    refs = []
    for mask_in_softmax in (False, True):
        cfg, ref = _reference(gen, family, prompt, length, mask_in_softmax)
        start = jnp.full((2, length), mask, jnp.int32)
        out = sampling.sample(gen.params, jax.random.key(0), start, jnp.asarray(prompt),
                              model=gen.model, cfg=cfg, mask_id=mask)
        np.testing.assert_array_equal(np.asarray(out), ref)
        assert (ref != mask).all()
        refs.append(ref)
    assert not sharp or (refs[0] != refs[1]).any()  # the two rules told apart


def test_family_sampler_defaults(imported):
    assert imported["llada"].cfg.sampler.block_size == 32
    assert imported["llada"].cfg.sampler.rounding == "up"
    assert imported["dream"].cfg.sampler.score == "entropy"
    assert imported["dream"].cfg.sampler.t_min == pytest.approx(1e-3)


def test_loading_onto_a_mesh_gives_the_same_logits(tmp_path):
    assert jax.device_count() == 8
    hf_import.import_checkpoint(FIXTURES / "qwen2", tmp_path / "m", dtype="float32")
    one = Generator.load(tmp_path / "m")
    mesh = sharding.make_mesh(model=4)
    many = Generator.load(tmp_path / "m", mesh=mesh)
    q = weights.named(many.params)["blocks.0.attn.q.kernel"]
    assert len(q.sharding.device_set) > 1
    ids, _ = golden("qwen2")

    @jax.jit
    def run(params, ids):
        ctx = one.model.encode(params, ids[:, :5])
        return one.model.denoise(params, ids[:, 5:], None, ctx)

    np.testing.assert_allclose(run(many.params, ids), run(one.params, ids), atol=1e-4)


def _copy(tmp_path, family="qwen2"):
    dst = tmp_path / "src"
    shutil.copytree(FIXTURES / family, dst)
    return dst


def _fails(src, tmp_path, match):
    out = tmp_path / "out"
    with pytest.raises(model_store.CheckpointError, match=match):
        hf_import.import_checkpoint(src, out, dtype="float32")
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out-")]


def test_truncated_shard_is_one_clear_error(tmp_path):
    src = _copy(tmp_path)
    shard = sorted(src.glob("model-*.safetensors"))[3]
    shard.write_bytes(shard.read_bytes()[:-100])
    _fails(src, tmp_path, "model-00004-of-00010.safetensors")


def test_missing_tensor_names_it(tmp_path):
    src = _copy(tmp_path)
    from safetensors.numpy import load_file, save_file

    index = json.loads((src / "model.safetensors.index.json").read_text())
    name = "model.layers.1.self_attn.k_proj.bias"
    shard = src / index["weight_map"][name]
    tensors = load_file(str(shard))
    del tensors[name]
    save_file(tensors, str(shard))
    del index["weight_map"][name]
    (src / "model.safetensors.index.json").write_text(json.dumps(index))
    _fails(src, tmp_path, "has no tensor model.layers.1.self_attn.k_proj.bias")


def test_wrong_shape_names_the_tensor(tmp_path):
    src = _copy(tmp_path)
    config = json.loads((src / "config.json").read_text())
    config["intermediate_size"] = 128
    (src / "config.json").write_text(json.dumps(config))
    _fails(src, tmp_path, r"tensor model.layers.0.mlp.down_proj.weight has shape \(64, 96\); "
           r"the config needs \(64, 128\)")


def test_foreign_config_and_missing_files(tmp_path):
    src = _copy(tmp_path)
    config = json.loads((src / "config.json").read_text())
    (src / "config.json").write_text(json.dumps({**config, "model_type": "gpt2"}))
    _fails(src, tmp_path, "model_type 'gpt2' is not a family adjax imports")
    (src / "config.json").write_text(json.dumps(
        {**config, "rope_parameters": {"rope_type": "yarn", "factor": 4.0}}))
    _fails(src, tmp_path, "RoPE scaling")
    (src / "config.json").write_text(json.dumps(config))
    tcfg = json.loads((src / "tokenizer_config.json").read_text())
    (src / "tokenizer_config.json").unlink()
    _fails(src, tmp_path, "no end token")
    del tcfg["mask_token"]
    (src / "tokenizer_config.json").write_text(json.dumps(tcfg))
    tok = (src / "tokenizer.json").read_text().replace("<|mask|>", "<|xyz|>")
    (src / "tokenizer.json").write_text(tok)
    _fails(src, tmp_path, "no mask token")
    with pytest.raises(model_store.CheckpointError, match="no token '<\\|nope\\|>'"):
        hf_import.import_checkpoint(src, tmp_path / "m", mask_token="<|nope|>")
    hf_import.import_checkpoint(src, tmp_path / "m", mask_token="<|xyz|>")
    assert Generator.load(tmp_path / "m").tok.mask_id == 3
    (src / "config.json").unlink()
    _fails(src, tmp_path, "no config.json")


def test_a_model_is_never_replaced_by_a_failed_import(tmp_path):
    out = tmp_path / "out"
    hf_import.import_checkpoint(FIXTURES / "llama", out, dtype="float32")
    before = sorted(p.name for p in out.iterdir())
    src = _copy(tmp_path, "llama")
    next(src.glob("model-00002-*.safetensors")).write_bytes(b"not a safetensors file")
    with pytest.raises(model_store.CheckpointError):
        hf_import.import_checkpoint(src, out, dtype="float32")
    assert sorted(p.name for p in out.iterdir()) == before
    Generator.load(out)  # still verifies and loads
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(Exception, match="--force"):
        hf_import.import_checkpoint(FIXTURES / "llama", tmp_path / "other", dtype="float32")
    assert (tmp_path / "other" / "notes.txt").read_text() == "mine"


def test_the_cli_and_api_run_on_an_imported_checkpoint(tmp_path, capsys, monkeypatch):
    from adjax_code.app import cli
    from adjax_code.app.api import create_code_generation_api

    out = tmp_path / "dream"
    assert cli.main(["model", "import", str(FIXTURES / "dream"), "--out", str(out),
                     "--quiet"]) == 0
    assert "imported dream (2 layers" in capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["param_dtype"] == "bfloat16" and manifest["source"]["family"] == "dream"
    assert cli.main(["model", "verify", str(out)]) == 0
    assert "OK" in capsys.readouterr().out
    assert cli.main(["generate", "Add two numbers.", "--model", str(out), "--steps", "4",
                     "--length", "16", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["candidates"] and "code" in result["candidates"][0]
    # A batch job on it: the family's sampler and prompt, samples independent of batching.
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"id": "a", "spec": "Add two numbers.", "language": "python"})
                    + "\n" + json.dumps({"id": "b", "spec": "Reverse a string.",
                                         "language": "python", "samples": 2}) + "\n")
    jobs = []
    for size in ("1", "8"):
        path = tmp_path / f"out-{size}.jsonl"
        assert cli.main(["generate", "--input", str(rows), "--output", str(path), "--model",
                         str(out), "--steps", "4", "--length", "16", "--samples", "1",
                         "--batch-size", size, "--keep", "all"]) == 0
        jobs.append(sorted(path.read_text().splitlines()))
    assert jobs[0] == jobs[1] and len(jobs[0]) == 3
    capsys.readouterr()
    code = tmp_path / "a.py"
    code.write_text("def add(a, b):\n    return a - b\n")
    assert cli.main(["refine", str(code), "--model", str(out), "--steps", "4"]) == 0
    capsys.readouterr()

    api = create_code_generation_api(out, {"adaptation_type": "gradient", "batch_size": 2})
    assert isinstance(api.generate_code("Add two numbers.", "python"), str)
    before = weights.named(api.generator.params)
    api.adapt_code("def add(a, b):\n    return a + b\n", "python", feedback="add them")
    assert api.last_result["updates"] > 0
    after = weights.named(api.generator.params)
    assert any(not np.array_equal(before[k], after[k]) for k in before)

    # bad inputs: one line each, exit 1, nothing written
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    for argv, message in ((["model", "import"], "needs a SOURCE"),
                          (["model", "import", str(FIXTURES / "qwen2"), "--out", str(code)],
                           "not a directory")):
        assert cli.main(argv) == 1, argv
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, (argv, err)


def test_import_refuses_a_model_says_why_a_source_is_missing_and_caps_the_prompt(
        tmp_path, capsys, monkeypatch):
    from adjax_code.app import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = tmp_path / "m"
    argv = ["model", "import", str(FIXTURES / "qwen2"), "--out", str(out), "--quiet"]
    assert cli.main([*argv, "--prompt-cap", "64", "--mask-in-softmax"]) == 0
    capsys.readouterr()
    manifest = (out / "manifest.json").read_bytes()
    config = json.loads(manifest)["config"]
    assert config["data"]["cond_len"] == 64 and config["sampler"]["mask_in_softmax"] is True
    gen = Generator.load(out)
    assert len(gen.condition_row("word " * 500, "python")) == 64
    assert gen.cfg.sampler.mask_in_softmax

    (tmp_path / "ckpts").mkdir()
    for args, message in (
            (argv, f"{out} already holds an adjax model; pass --force"),
            (["model", "import", str(tmp_path / "nowhere")],
             "nowhere: no such local directory (and not a hub id"),
            (["model", "import", "./ckpts/dream"], "./ckpts/dream: no such local directory"),
            (["model", "import", "ckpts/dream"], "ckpts/ exists here, so it was not fetched"),
            (["model", "import", "org/not-here", "--out", str(tmp_path / "x")],
             "org/not-here: no such local directory, and"),
            ([*argv, "--force", "--prompt-cap", "4"], "leaves no room for the specification"),
            ([*argv, "--force", "--prompt-cap", "100000"], "exceeds the network's context")):
        assert cli.main(args) == 1, args
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, (args, err)
        assert len(err.strip().splitlines()) == 1, err
    assert (out / "manifest.json").read_bytes() == manifest  # nothing of it lost
    assert not (tmp_path / "x").exists()
    assert cli.main([*argv, "--force"]) == 0
    config = json.loads((out / "manifest.json").read_text())["config"]
    assert config["data"]["cond_len"] == 256 and config["sampler"]["mask_in_softmax"] is False


def test_the_pretrained_benchmark_script_runs_on_a_tiny_checkpoint(tmp_path):
    """benchmarks/bench_pretrained.py (the GPU script) end to end on the Dream fixture."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "pretrained.jsonl"
    proc = subprocess.run(
        [sys.executable, "benchmarks/bench_pretrained.py", "--checkpoint",
         str(FIXTURES / "dream"), "--limit", "1", "--steps", "4", "--length", "128",
         "--out", str(out)], cwd=root, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    record = json.loads(out.read_text().splitlines()[-1])
    assert record["family"] == "dream" and record["dtype"] == "bfloat16"
    assert record["humaneval"]["problems"] == 1 and record["tasks_heldout_python"]["tasks"] == 1
    assert 0.0 <= record["humaneval"]["pass@1"] <= 1.0
