"""LoRA adapters and float32 masters: exact base outputs at the start, only adapters change,
rewards rise under gradient and grpo, a master keeps updates bf16 would lose, the update on
a mesh equals one device's, run checkpoints hold the adapters only and refuse another base,
and merged weights reproduce the adapted network."""

import dataclasses
import functools
import json
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import make_model
from jax.sharding import PartitionSpec as P

from adjax import sampling, sharding
from adjax.config import MaskedDiffusionConfig, SamplerConfig
from adjax_adapt import adapters, mechanisms

MASK, V = 5, 6
FIXTURES = Path(__file__).parent / "fixtures" / "hf"


def _bytes(tree) -> list[bytes]:
    return [np.asarray(x).tobytes() for x in jax.tree.leaves(tree)]


def _ctx(params, model, length=4, lora=None, master=False, mechanism="grpo", mesh=None,
         min_bytes=1 << 20, **cfg):
    acfg = mechanisms.AdaptConfig(mechanism=mechanism, lora=lora, master=master,
                                  buffer_capacity=8, **cfg)
    return mechanisms.Context(
        model=model, diffusion=MaskedDiffusionConfig(mask_id=MASK), cfg=acfg, pad_id=0,
        replay_tokens=np.zeros((0, length), np.int32), replay_cond=np.zeros((0, 2), np.int32),
        base_params=params, mask_id=MASK, mesh=mesh, strategy="fsdp_tp",
        adapter_min_bytes=min_bytes)


LORA = adapters.LoraConfig(rank=4, alpha=8.0)


@pytest.mark.parametrize("overrides", [
    {}, {"n_layers": 2, "scan_layers": True, "remat": True},
    {"conditioning": "prefix", "shared_prefix_embed": True, "dtype": "bfloat16"}])
def test_zero_initialised_adapters_give_the_base_logits_and_samples_exactly(overrides):
    model, params = make_model(**overrides)
    if overrides.get("dtype") == "bfloat16":
        params = adapters.cast(params, jnp.bfloat16)  # stored bf16, as imported
    lora = adapters.init(params, LORA, jax.random.key(1))
    assert adapters.count(lora) == sum(4 * (a + b) for _, (a, b) in
                                       adapters.targets(params, LORA))
    fns = adapters.LoraFns(model.graphdef, LORA)
    x = jax.random.randint(jax.random.key(0), (2, 8), 0, 11)
    cond = jnp.ones((2, 3), jnp.int32) if "conditioning" in overrides else None

    def logits(m, p):
        return m.denoise(p, x, jnp.full(2, 0.5), None if cond is None else m.encode(p, cond))

    base = jax.jit(logits, static_argnums=0)(model, params)
    adapted = jax.jit(logits, static_argnums=0)(fns, adapters.Adapted(params, lora))
    assert bool(jnp.all(base == adapted))
    # a nonzero B changes them (the test would see a LoRA that never applies)
    moved = jax.tree.map(lambda t: t + 0.05, lora)
    assert float(jnp.abs(jax.jit(logits, static_argnums=0)(
        fns, adapters.Adapted(params, moved)) - base).max()) > 1e-3
    if not overrides:  # the same jitted sampler, no merge: the same tokens
        init = jnp.full((4, 8), 11, jnp.int32)
        scfg = SamplerConfig(num_steps=4)
        a = sampling.sample_jit(params, jax.random.key(2), init, model=model, cfg=scfg,
                                mask_id=11)
        b = sampling.sample_jit(adapters.Adapted(params, lora), jax.random.key(2), init,
                                model=fns, cfg=scfg, mask_id=11)
        np.testing.assert_array_equal(a, b)


def test_config_errors_are_clear():
    for kw, match in ((dict(rank=0), "rank"), (dict(alpha=0.0), "alpha"),
                      (dict(dropout=1.0), "dropout"), (dict(targets=("qq",)), "targets")):
        with pytest.raises(ValueError, match=match):
            adapters.LoraConfig(**kw)
    with pytest.raises(ValueError, match="choose one"):
        mechanisms.AdaptConfig(lora=LORA, master=True)
    model, params = make_model()
    with pytest.raises(ValueError, match="none of the LoRA targets"):
        adapters.init({"head": params["head"]}, LORA, jax.random.key(0))


def _groups(tokens, reward, items):
    g = tokens.shape[0] // items
    return (np.asarray(tokens).reshape(items, g, -1),
            np.ones((items, g, tokens.shape[1]), bool), np.zeros((items, 2), np.int32),
            np.asarray(reward).reshape(items, g))


def _sample(state, ctx, key, rows=32, length=4):
    model, params = mechanisms.policy(state, ctx)
    init = jnp.full((rows, length), MASK, jnp.int32)
    scfg = SamplerConfig(num_steps=length, rule="confidence", score="random")
    return sampling.sample_jit(params, key, init, model=model, cfg=scfg, mask_id=MASK)


def test_an_update_trains_only_the_adapters_and_the_base_bytes_stay():
    model, params = make_model(vocab_size=V, max_len=8, n_heads=2, dtype="bfloat16")
    params = adapters.cast(params, jnp.bfloat16)
    before = _bytes(params)
    ctx = _ctx(params, model, lora=adapters.LoraConfig(rank=2, dropout=0.1),
               steps_per_update=2, batch_size=8)
    state = mechanisms.init_state(params, ctx, jax.random.key(0))
    assert jax.tree.structure(state.params) == jax.tree.structure(
        adapters.init(params, ctx.cfg.lora, jax.random.key(0)))
    assert all(x.dtype == jnp.float32 for x in jax.tree.leaves((state.params,
                                                                 state.opt_state))
               if jnp.issubdtype(x.dtype, jnp.floating))
    toks = _sample(state, ctx, jax.random.key(1))
    reward = (np.asarray(toks) == 3).mean(-1)
    reward[0] = 1.0  # a signal in the first group at least
    b_before = [np.asarray(ab) for ab in jax.tree.leaves(state.params)]
    state = mechanisms.get("grpo").learn_groups(state, ctx, *_groups(toks, reward, 4))
    assert int(state.metrics["updates"]) == 2
    assert _bytes(params) == before  # the base was neither donated nor changed
    changed = [not np.array_equal(a, np.asarray(b))
               for a, b in zip(b_before, jax.tree.leaves(state.params), strict=True)]
    assert any(changed)


@pytest.mark.parametrize("mechanism", ["gradient", "grpo"])
def test_a_toy_reward_rises_with_adapters(mechanism):
    """Reward: the share of token 3 (chance about 0.2)."""
    model, params = make_model(seed=0, vocab_size=V, max_len=8, n_heads=2)
    extra = dict(learning_rate=3e-2, steps_per_update=4, batch_size=32, replay_fraction=0.0)
    ctx = _ctx(params, model, lora=adapters.LoraConfig(rank=4, alpha=16.0),
               mechanism=mechanism, **extra)
    mech = mechanisms.get(mechanism)
    state = mechanisms.init_state(params, ctx, jax.random.key(0))
    rewards = []
    for cycle in range(12):
        toks = np.asarray(_sample(state, ctx, jax.random.key(100 + cycle)))
        reward = (toks == 3).mean(-1)
        rewards.append(reward.mean())
        if mechanism == "gradient":
            best = np.argsort(-reward)[:8]
            state = mechanisms.add(state, toks[best], np.zeros((8, 2), np.int32), reward[best])
            state = mech.update(state, ctx)
        else:
            state = mech.learn_groups(state, ctx, *_groups(toks, reward, 4))
    assert rewards[0] < 0.4 and np.mean(rewards[-3:]) > rewards[0] + 0.3, rewards


def test_a_float32_master_keeps_a_thousand_updates_bf16_loses():
    model, params = make_model(vocab_size=V, max_len=8, n_heads=2, dtype="bfloat16")
    params = adapters.cast(params, jnp.bfloat16)
    rows = jnp.asarray(np.tile([3, 1, 2, 3], (8, 1)), jnp.int32)
    batch = {"tokens": rows, "weight": jnp.ones(8, jnp.float32)}
    drift = {}
    for master in (False, True):
        ctx = _ctx(params, model, master=master, mechanism="gradient", learning_rate=1e-5)
        state = mechanisms.init_state(params, ctx, jax.random.key(0))
        for _ in range(1000):
            state = ctx.train_step(state, batch)
        kernel = state.params["blocks"][0]["mlp"]["up"]["kernel"][...]
        start = params["blocks"][0]["mlp"]["up"]["kernel"][...]
        drift[master] = float(jnp.abs(kernel.astype(jnp.float32)
                                      - start.astype(jnp.float32)).mean())
        if master:
            assert kernel.dtype == jnp.float32
            assert ctx.view.master_dtype == "bfloat16"
            _, compute = mechanisms.policy(state, ctx)  # what the network runs with
            assert jax.tree.leaves(compute)[0].dtype == jnp.bfloat16
    # Adam moves each weight about 1e-5 a step: a thousand accumulate to about 1e-2 in
    # float32, while in bf16 (resolution ~5e-4 at these magnitudes) nearly every step rounds
    # away.
    assert drift[True] > 3e-3 and drift[False] < drift[True] / 10, drift


@functools.cache
def _mesh_run(mesh_shape, min_bytes):
    """Two gradient and two GRPO steps with adapters on a mesh (None: one device)."""
    model, params = make_model(seed=3, vocab_size=V, max_len=8, n_heads=2, n_layers=2,
                               d_model=32)
    mesh = None if mesh_shape is None else sharding.make_mesh(*mesh_shape)
    if mesh is not None:
        params = jax.device_put(params, sharding.tree_shardings(params, mesh, "fsdp_tp"))
    ctx = _ctx(params, model, lora=LORA, mesh=mesh, steps_per_update=2, batch_size=8,
               learning_rate=1e-2, min_bytes=min_bytes)
    state = mechanisms.init_state(params, ctx, jax.random.key(0))
    tokens = jax.random.randint(jax.random.key(1), (8, 4), 0, MASK)
    for _ in range(2):
        state = ctx.train_step(state, {"tokens": tokens, "weight": jnp.ones(8)})
    toks = np.asarray(tokens)
    reward = (toks == 3).mean(-1) + np.arange(8) * 0.01
    state = mechanisms.get("grpo").learn_groups(state, ctx, *_groups(toks, reward, 2))
    return state, ctx


@pytest.mark.parametrize("mesh_shape,min_bytes", [((8, 1), 1 << 20), ((4, 2), 0)])
def test_the_update_on_eight_devices_equals_one_device(mesh_shape, min_bytes):
    one, _ = _mesh_run(None, 0)
    many, ctx = _mesh_run(mesh_shape, min_bytes)
    for a, b in zip(jax.tree.leaves(many.params), jax.tree.leaves(one.params), strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=2e-5)
    a = many.params["blocks"]["0"]["mlp"]["up"]["a"]
    b = many.params["blocks"]["0"]["mlp"]["up"]["b"]
    mu_b = many.opt_state[1][0].mu["blocks"]["0"]["mlp"]["up"]["b"]
    if min_bytes:  # small: replicated
        assert a.sharding.spec == P(None, None) and b.sharding.spec == P(None, None)
    else:  # the up kernel is [embed, mlp]: A splits like embed, B (and its moments) like mlp
        assert a.sharding.spec == P("data", None) and b.sharding.spec == P(None, "model")
        assert mu_b.sharding.spec == P(None, "model")


def test_adapter_specs_follow_their_base_matrix():
    mesh_shape = {"data": 2, "model": 4}

    def spec(names, shape, min_bytes=0):
        path = tuple(jax.tree_util.DictKey(n) for n in names)
        return adapters.adapter_spec(path, shape, mesh_shape, "fsdp_tp", min_bytes)

    assert spec(("attn", "o", "a"), (64, 4)) == P("model", None)  # o: [heads, embed]
    assert spec(("attn", "o", "b"), (4, 64)) == P(None, "data")
    assert spec(("attn", "q", "b"), (4, 64)) == P(None, "model")
    assert spec(("attn", "q", "b"), (4, 64), min_bytes=1 << 20) == P(None, None)
    assert spec(("norm", "scale"), (64,)) == P(None)


# -- runs, saving and merging on a tiny imported checkpoint -------------------------------

@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    from adjax_code.model import hf_import

    root = tmp_path_factory.mktemp("lora")
    hf_import.import_checkpoint(FIXTURES / "qwen2", root / "base", dtype="bfloat16")
    hf_import.import_checkpoint(FIXTURES / "qwen2", root / "other", dtype="float32")
    items = root / "items.jsonl"
    items.write_text("\n".join(json.dumps({"spec": s, "language": "python"}) for s in
                               ("Add two numbers.", "Return the larger number.")) + "\n")
    return root


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def test_adapt_saves_adapters_only_restores_merges_and_refuses_another_base(imported,
                                                                            capsys):
    from adjax_code.adapt import runs
    from adjax_code.app import cli
    from adjax_code.generate.generator import Generator

    base, run, merged = imported / "base", imported / "run", imported / "merged"
    argv = ["adapt", "--tasks", str(imported / "items.jsonl"), "--model", str(base),
            "--mechanism", "grpo", "--cycles", "1", "--candidates", "4", "--steps", "4",
            "--update-steps", "2", "--learning-rate", "0.05", "--lora-rank", "4",
            "--lora-targets", "q", "v", "up", "--out", str(run), "--quiet"]
    assert cli.main(argv) == 0, capsys.readouterr().err
    capsys.readouterr()
    meta = json.loads((run / "checkpoints" / "1" / "meta" / "metadata").read_text()) \
        if (run / "checkpoints" / "1" / "meta" / "metadata").is_file() else None
    assert meta is None or meta["config"]["lora"]["rank"] == 4
    ckpt_bytes, base_bytes = _dir_bytes(run / "checkpoints" / "1"), _dir_bytes(base)
    gen = runs.load_model(run)
    assert isinstance(gen.model, adapters.LoraFns) and gen.manifest["adapted"]["lora"]
    lora = gen.params.lora
    state_bytes = sum(x.nbytes for x in jax.tree.leaves(lora))
    assert set(lora["blocks"]["0"]["attn"]) == {"q", "v"}
    # the checkpoint holds the adapters, their moments and the buffer: not the base
    assert ckpt_bytes < base_bytes, (ckpt_bytes, base_bytes)
    assert state_bytes * 3 < ckpt_bytes

    assert cli.main(["model", "merge", str(base), str(run), "--out", str(merged),
                     "--quiet"]) == 0
    assert "merged cycle 1" in capsys.readouterr().out
    plain = Generator.load(merged)
    assert json.loads((merged / "manifest.json").read_text())["param_dtype"] == "bfloat16"
    ids = jnp.asarray(np.arange(2, 14, dtype=np.int32).reshape(2, 6))

    def logits(g):
        return np.asarray(g.model.denoise(g.params, ids[:, 3:], None,
                                          g.model.encode(g.params, ids[:, :3])))

    np.testing.assert_allclose(logits(plain), logits(gen), atol=0.1)  # bf16 rounding of W+AB
    # adapters as if learned further: merged weights give the adapted logits within bf16's
    # rounding of W + scale * A B, and both differ from the base
    moved = jax.tree.map(lambda t: t + 0.05, lora)
    cfg = adapters.LoraConfig(**gen.manifest["adapted"]["lora"])
    on_the_fly = Generator(gen.model, adapters.Adapted(gen.params.base, moved), gen.tok,
                           gen.cfg)
    folded = Generator(plain.model, adapters.merge(gen.params.base, moved, cfg), gen.tok,
                       gen.cfg)
    adapted, before = logits(on_the_fly), logits(Generator.load(base))
    moved_by = np.abs(adapted - before).max()
    assert moved_by > 0.1 and np.abs(logits(folded) - adapted).max() < 0.25 * moved_by
    assert cli.main(["generate", "Add two numbers.", "--model", str(merged), "--steps", "4",
                     "--length", "16"]) == 0
    capsys.readouterr()

    resume = [*argv[:argv.index("--lora-rank")], "--out", str(run), "--cycles", "2",
              "--quiet"]
    for argv, message in (
            (["model", "merge", str(imported / "other"), str(run), "--out",
              str(imported / "x")], "is not the base model"),
            (["model", "merge", str(base), str(base), "--out", str(imported / "x")],
             "not an adaptation run"),
            (["adapt", "--tasks", "train", "--lora-alpha", "4"], "need --lora-rank"),
            (["adapt", "--tasks", "train", "--lora-rank", "2", "--lora-targets", "qq"],
             "LoRA targets"),
            (["adapt", "--tasks", "train", "--lora-rank", "2", "--master"], "choose one"),
            (["adapt", "--tasks", "train", "--model", str(run)], "LoRA adapters"),
            # resuming the run with other adapters: one line naming what it holds
            (resume + ["--lora-rank", "8", "--lora-targets", "q", "v", "up"],
             "holds checkpoints of LoRA rank 4, alpha 8, targets q v up, not LoRA rank 8"),
            (resume + ["--lora-rank", "4", "--lora-alpha", "2", "--lora-targets", "q", "v",
                       "up"], "rerun with --lora-rank 4 --lora-alpha 8 --lora-targets q v up"),
            (resume + ["--lora-rank", "4", "--lora-targets", "q", "v"], "not LoRA rank 4"),
            (resume, "not full fine-tuning"),
            (resume + ["--master"], "not full fine-tuning through a float32 master")):
        assert cli.main(argv) == 1, argv
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, (argv, err)
        assert len(err.strip().splitlines()) == 1, err
    assert not (imported / "x").exists()
    assert runs.cycles(run) == [0, 1]


def test_the_api_adapts_with_adapters_saves_them_and_refuses_another_base(imported,
                                                                          tmp_path):
    from adjax_code.app.api import create_code_generation_api

    config = {"adaptation_type": "gradient", "batch_size": 2, "lora_rank": 2,
              "lora_targets": ["q", "down"], "steps": 4,
              "repair_rounds": 0, "adapt_steps": 2}
    api = create_code_generation_api(imported / "base", config)
    base = _bytes(api.base.params)
    assert isinstance(api.generator.model, adapters.LoraFns)
    api.adapt_code("def add(a, b):\n    return a + b\n", "python",
                   specification="Add two numbers.")
    assert api.last_result["updates"] == 2 and _bytes(api.base.params) == base
    assert set(api.state.params["blocks"]["0"]["mlp"]) == {"down"}
    assert any(float(jnp.abs(x).max()) > 0 for x in
               jax.tree.leaves(api.state.params) if x.shape[0] == 2)  # a B moved
    api.save_state(tmp_path / "state")
    again = create_code_generation_api(imported / "base", config)
    again.load_state(tmp_path / "state")
    assert _bytes(again.state.params) == _bytes(api.state.params)
    other = create_code_generation_api(imported / "other", config)
    with pytest.raises(ValueError, match="different model"):
        other.load_state(tmp_path / "state")
    for bad, match in (({"lora_alpha": 2.0}, "need lora_rank"),
                       ({"lora_rank": 2, "lora_targets": ["x"]}, "LoRA targets"),
                       ({"lora_rank": -1}, "lora_rank")):
        with pytest.raises(ValueError, match=match):
            create_code_generation_api(imported / "base", bad)


def test_the_planner_says_lora_fits_one_h200_where_full_fine_tuning_does_not(capsys):
    import argparse

    from adjax import plan
    from adjax_code.app.commands import plan as plan_cmd

    net = plan.SHAPES["dream-7b"]
    lora = plan.plan_grpo(plan.GRPORequest(net=net, lora_rank=128, remat=True))
    full = plan.plan_grpo(plan.GRPORequest(net=net, lora_rank=0, remat=True))
    assert lora["total_bytes"] < plan.H200_BYTES < full["total_bytes"]
    assert 300e6 < lora["trainable"] < 350e6 and full["trainable"] == full["parameters"]
    req = plan.GRPORequest(net=net, lora_rank=128, remat=True)
    g = plan.largest_group(req)
    assert plan.plan_grpo(dataclasses.replace(req, group=g))["total_bytes"] <= plan.H200_BYTES
    assert plan.plan_grpo(dataclasses.replace(req, group=g + 1))["total_bytes"] \
        > plan.H200_BYTES
    parser = argparse.ArgumentParser()
    plan_cmd.add_parser(parser.add_subparsers())
    args = parser.parse_args(["plan", "llada-8b", "--adapt", "grpo", "--lora-rank", "64",
                              "--devices", "1,8", "--json"])
    assert args.run(args) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["devices"], r["remat"]) for r in rows] == [(1, False), (1, True), (8, False),
                                                          (8, True)]
    for argv, match in ((["--lora-rank", "8"], "add --adapt grpo"),
                        (["--adapt", "grpo", "--lora-rank", "-1"], "--lora-rank")):
        args = parser.parse_args(["plan", "dream-7b", *argv])
        with pytest.raises(Exception, match=match):
            args.run(args)


def test_a_float16_import_says_float16_and_loads_as_stored(tmp_path):
    from adjax_code.generate.generator import Generator
    from adjax_code.model import hf_import

    hf_import.import_checkpoint(FIXTURES / "qwen2", tmp_path / "m", dtype="float16")
    assert json.loads((tmp_path / "m" / "manifest.json").read_text())["param_dtype"] \
        == "float16"
    gen = Generator.load(tmp_path / "m")
    assert {x.dtype for x in jax.tree.leaves(gen.params)} == {jnp.dtype("float16")}
