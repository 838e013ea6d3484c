import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from jax.sharding import PartitionSpec as P

from adjax import checkpoint, masked, sampling, sharding, train
from adjax.config import MaskedDiffusionConfig, OptimConfig, SamplerConfig
from tests.conftest import make_model

DCFG = MaskedDiffusionConfig(mask_id=11)


def test_mesh_and_batch_sharding():
    assert len(jax.devices()) == 8, "conftest fakes eight CPU devices"
    mesh = sharding.make_mesh(model=2)
    assert mesh.shape == {"data": 4, "model": 2}
    batch = sharding.shard_batch(jnp.arange(16.0).reshape(8, 2), mesh)
    assert len(batch.addressable_shards) == 8
    assert batch.addressable_shards[0].data.shape == (2, 2)
    assert sharding.make_mesh(2, 2, jax.devices()[:4]).shape == {"data": 2, "model": 2}
    with pytest.raises(ValueError, match="do not split"):
        sharding.make_mesh(model=3)
    with pytest.raises(ValueError, match="needs 6 devices"):
        sharding.make_mesh(data=3, model=2)
    with pytest.raises(ValueError, match="data axis"):
        sharding.check_batch(6, mesh)
    with pytest.raises(ValueError, match="unknown sharding strategy 'zero'"):
        sharding.tree_shardings({}, mesh, "zero")
    assert sharding.process_rows(8) == slice(0, 8)  # one process loads every row


def _specs(tree, mesh, strategy):
    """{"params/blocks/0/attn/q/kernel": PartitionSpec, ...}"""
    out = {}
    for path, s in jax.tree_util.tree_flatten_with_path(
            sharding.tree_shardings(tree, mesh, strategy))[0]:
        names = [str(getattr(k, "key", getattr(k, "name", getattr(k, "idx", None))))
                 for k in path]
        out["/".join(n for n in names if n != "value")] = s.spec
    return out


def test_strategies_name_the_transformer_axes():
    _, params = make_model(d_model=32, n_heads=4, vocab_size=12, qkv_bias=True)
    mesh = sharding.make_mesh(model=2)  # data 4, model 2
    opt = train.make_optimizer(OptimConfig())
    state = train.init_state(params, opt, jax.random.key(0), ema=True)
    specs = _specs(state, mesh, "fsdp_tp")
    block = "params/blocks/0/"
    assert specs[block + "attn/q/kernel"] == P("data", "model")  # column parallel
    assert specs[block + "attn/q/bias"] == P("model")
    assert specs[block + "attn/o/kernel"] == P("model", "data")  # row parallel
    assert specs[block + "mlp/gate/kernel"] == P("data", "model")
    assert specs[block + "mlp/down/kernel"] == P("model", "data")
    assert specs[block + "attn_norm/scale"] == P(None)
    assert specs["params/embed/embedding"] == P("model", "data")
    assert specs["params/head/kernel"] == P("data", "model")
    assert specs["params/head/bias"] == P("model")
    # Adam's moments and the EMA copy follow their parameter; the step count is replicated.
    assert specs["opt_state/1/0/mu/blocks/0/attn/o/kernel"] == P("model", "data")
    assert specs["opt_state/1/0/count"] == P()
    assert specs["ema_params/head/kernel"] == P("data", "model")
    assert specs["step"] == P()
    q = "blocks/0/attn/q/kernel"
    assert _specs(params, mesh, "fsdp")[q] == P("data", None)
    assert _specs(params, mesh, "tp")[q] == P(None, "model")
    assert _specs(params, mesh, "dp")[q] == P(None, None)
    # A dimension that does not divide stays whole: vocabulary 12 over a model axis of 8.
    wide = sharding.make_mesh(data=1, model=8)
    assert _specs(params, wide, "tp")["head/kernel"] == P(None, None)


def test_bytes_per_device_divides_the_sharded_arrays():
    _, params = make_model(d_model=32, n_heads=4, vocab_size=12)
    whole = sharding.bytes_per_device(params, {"data": 1, "model": 1}, "fsdp")
    assert whole == sum(x.nbytes for x in jax.tree.leaves(params))
    split = sharding.bytes_per_device(params, {"data": 4, "model": 1}, "fsdp")
    norms = sum(x.nbytes for x in jax.tree.leaves(params) if x.ndim == 1)
    head_bias = 12 * 4
    assert split == pytest.approx((whole - norms) / 4 + norms, abs=head_bias)


def _loss(model):
    def loss_fn(p, batch, key):
        return masked.elbo_loss(p, batch, key, model=model, cfg=DCFG)
    return loss_fn


@functools.cache
def _one_device():
    return _run("dp", None)


def _run(strategy, mesh, steps=3, accum=1):
    model, params = make_model(d_model=32, n_heads=4, vocab_size=12, n_layers=2)
    opt = train.make_optimizer(OptimConfig(learning_rate=1e-3, warmup_steps=0))
    state = train.init_state(params, opt, jax.random.key(1), ema=True)
    tokens = jax.random.randint(jax.random.key(2), (8, 16), 0, 11)
    if mesh is None:
        step = train.make_train_step(_loss(model), opt, ema_decay=0.9, accum_steps=accum)
        batch = {"tokens": tokens}
    else:
        shardings = sharding.tree_shardings(state, mesh, strategy)
        state = jax.device_put(state, shardings)
        step = train.make_train_step(_loss(model), opt, ema_decay=0.9, accum_steps=accum,
                                     state_shardings=shardings,
                                     batch_sharding=sharding.data_sharding(mesh))
        batch = sharding.shard_batch({"tokens": tokens}, mesh)
    losses = []
    for _ in range(steps):
        state, m = step(state, batch)
        losses.append(float(m["loss"]))
    return state, losses


@pytest.mark.parametrize("strategy,model_axis", [("dp", 1), ("fsdp", 1), ("fsdp_tp", 2)])
def test_mesh_train_steps_match_one_device(strategy, model_axis):
    one, losses = _one_device()
    mesh = sharding.make_mesh(model=model_axis)
    many, mesh_losses = _run(strategy, mesh)
    np.testing.assert_allclose(mesh_losses, losses, rtol=1e-5)
    for a, b in zip(jax.tree.leaves(many.params), jax.tree.leaves(one.params), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-4)
    kernel = many.params["blocks"][0]["attn"]["q"]["kernel"][...]
    assert kernel.sharding.spec == _specs(one.params, mesh, strategy)["blocks/0/attn/q/kernel"]


def test_gradient_accumulation_equals_the_full_batch():
    """With a loss that draws no noise, two micro-batches of 4 give the update of 8 rows
    (plain SGD, so that the parameters show the gradient itself)."""
    model, params = make_model(d_model=32, n_heads=4, vocab_size=12)
    opt = optax.sgd(1.0)

    def loss_fn(p, batch, key):
        logits = model.denoise(p, batch["x"])
        nll = -jnp.take_along_axis(jax.nn.log_softmax(logits), batch["y"][..., None], -1)
        return nll.mean(), {"loss": nll.mean()}

    batch = {"x": jax.random.randint(jax.random.key(3), (8, 16), 0, 12),
             "y": jax.random.randint(jax.random.key(4), (8, 16), 0, 12)}
    out = {}
    for accum in (1, 2, 4):
        state = train.init_state(jax.tree.map(jnp.copy, params), opt, jax.random.key(0))
        step = train.make_train_step(loss_fn, opt, accum_steps=accum)
        out[accum] = step(state, batch)
    for accum in (2, 4):
        np.testing.assert_allclose(out[accum][1]["loss"], out[1][1]["loss"], rtol=1e-6)
        np.testing.assert_allclose(out[accum][1]["grad_norm"], out[1][1]["grad_norm"], rtol=1e-5)
        for a, b in zip(jax.tree.leaves(out[accum][0].params), jax.tree.leaves(out[1][0].params),
                        strict=True):
            np.testing.assert_allclose(a, b, atol=1e-6)
    with pytest.raises(ValueError, match="does not split into 3"):
        train.make_train_step(loss_fn, opt, accum_steps=3)(
            train.init_state(params, opt, jax.random.key(0)), batch)
    with pytest.raises(ValueError, match="accum_steps"):
        train.make_train_step(loss_fn, opt, accum_steps=0)


def test_sampling_on_a_mesh_gives_the_one_device_tokens():
    model, params = make_model(d_model=32, n_heads=4, vocab_size=12, conditioning="prefix")
    cfg = SamplerConfig(num_steps=8, temperature=1.0)
    tokens = jnp.full((8, 16), 11, jnp.int32)
    cond = jax.random.randint(jax.random.key(5), (8, 6), 0, 11)
    key = jax.random.key(6)
    want = sampling.sample_jit(params, key, tokens, cond, model=model, cfg=cfg, mask_id=11)
    mesh = sharding.make_mesh(model=2)
    placed = jax.device_put(params, sharding.param_shardings(params, mesh))
    got = sampling.sample_jit(placed, key, sharding.shard_batch(tokens, mesh),
                              sharding.shard_batch(cond, mesh), model=model, cfg=cfg,
                              mask_id=11)
    np.testing.assert_array_equal(got, want)
    assert got.sharding.spec[0] == "data"
    rows = sharding.place_rows(placed, {"tokens": tokens, "odd": tokens[:3], "none": None})
    assert rows["tokens"].sharding.spec == P("data")  # 8 rows over 4 data replicas
    assert rows["odd"] is not None and not hasattr(rows["odd"].sharding, "mesh")
    assert sharding.place_rows(params, {"tokens": tokens})["tokens"] is tokens  # no mesh


def test_checkpoint_saved_on_8_devices_restores_on_4_and_1(tmp_path):
    _, params = make_model(d_model=32, n_heads=4, vocab_size=12)
    opt = train.make_optimizer(OptimConfig())
    state = train.init_state(params, opt, jax.random.key(0))
    mesh8 = sharding.make_mesh(model=2)
    placed = jax.device_put(state, sharding.tree_shardings(state, mesh8, "fsdp_tp"))
    with checkpoint.Checkpointer(tmp_path) as ckpt:
        ckpt.save(1, placed)
    for devices, model_axis in ((jax.devices()[:4], 1), (jax.devices()[:1], 1)):
        mesh = sharding.make_mesh(model=model_axis, devices=devices)
        target = sharding.tree_shardings(state, mesh, "fsdp")
        with checkpoint.Checkpointer(tmp_path) as ckpt:
            restored, _ = ckpt.restore(state, shardings=target)
        for a, b in zip(jax.tree.leaves(restored), jax.tree.leaves(state), strict=True):
            if jnp.issubdtype(b.dtype, jax.dtypes.prng_key):
                a, b = jax.random.key_data(a), jax.random.key_data(b)
            np.testing.assert_array_equal(a, b)
        kernel = restored.params["blocks"][0]["attn"]["q"]["kernel"][...]
        assert len(kernel.sharding.device_set) == len(devices)
        assert kernel.sharding.spec == (P("data", None) if len(devices) > 1 else P(None, None))
