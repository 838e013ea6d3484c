import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from adjax import OptimConfig, TrainConfig, checkpoint, train
from adjax.config import from_dict, to_dict


def quadratic_loss(params, batch, key):
    loss = jnp.sum((params["w"] - batch["target"]) ** 2)
    return loss, {"loss": loss}


def test_converges_and_tracks_ema():
    cfg = OptimConfig(learning_rate=0.1, warmup_steps=10, total_steps=300, weight_decay=0.0,
                      ema_decay=0.9)
    opt = train.make_optimizer(cfg)
    params = {"w": jnp.zeros((3,))}
    state = train.init_state(params, opt, jax.random.key(0), ema=True)
    step = train.make_train_step(quadratic_loss, opt, ema_decay=cfg.ema_decay)
    target = jnp.array([1.0, -2.0, 0.5])
    for _ in range(300):
        state, metrics = step(state, {"target": target})
    np.testing.assert_allclose(state.params["w"], target, atol=1e-2)
    np.testing.assert_allclose(state.ema_params["w"], target, atol=5e-2)
    assert int(state.step) == 300 and float(metrics["grad_norm"]) < 0.1


def test_schedule_warms_up_then_decays():
    lr = train.learning_rate(OptimConfig(learning_rate=1.0, warmup_steps=10, total_steps=100,
                                         end_lr_ratio=0.1))
    assert float(lr(0)) == 0.0 and float(lr(10)) == pytest.approx(1.0)
    assert float(lr(100)) == pytest.approx(0.1)
    assert all(float(lr(i)) >= float(lr(i + 1)) for i in range(10, 100))


def test_clipping_bounds_the_update():
    """The gradient is clipped before Adam sees it: after one step Adam's first moment is
    (1 - b1) times the clipped gradient, so its norm is at most (1 - b1) * clip_norm (about
    1e5 without the clip: Adam's normalised update alone would hide it)."""
    cfg = OptimConfig(learning_rate=1.0, warmup_steps=0, total_steps=10, clip_norm=1e-3,
                      weight_decay=0.0)
    opt = train.make_optimizer(cfg)
    grads = {"w": jnp.full((4,), 1e6)}
    updates, state = opt.update(grads, opt.init(grads), grads)
    assert np.all(np.isfinite(updates["w"]))
    mu = optax.tree_utils.tree_get(state, "mu")
    assert float(optax.tree.norm(mu)) == pytest.approx((1 - cfg.b1) * cfg.clip_norm, rel=1e-4)


def test_state_is_donated():
    opt = train.make_optimizer(OptimConfig(total_steps=10, warmup_steps=1))
    state = train.init_state({"w": jnp.zeros((3,))}, opt, jax.random.key(0))
    step = train.make_train_step(quadratic_loss, opt)
    old = state.params["w"]
    step(state, {"target": jnp.ones(3)})
    assert old.is_deleted()


def _noisy(params, batch, key):
    """A loss over noise drawn from the step's key; the key comes back as a metric."""
    loss = jnp.sum((params["w"] - jax.random.normal(key, (3,))) ** 2)
    return loss, {"loss": loss, "key": jax.random.key_data(key)}


def _train(state, opt, steps):
    """``steps`` steps with a train step built afresh (nothing carried in a closure)."""
    step = train.make_train_step(_noisy, opt, ema_decay=0.5)
    metrics = []
    for _ in range(steps):
        state, m = step(state, {})
        metrics.append(jax.device_get(m))
    return state, metrics


def test_resume_draws_the_same_noise(tmp_path):
    """Six steps in one run, and three steps, a checkpoint, a restore into a fresh state and
    train step and three more, end bit-identical (parameters, optimizer state, EMA, step,
    every loss): the step's key is ``fold_in(key, step)``, a new one each step, derived from
    the checkpointed state alone."""
    opt = train.make_optimizer(OptimConfig(total_steps=10, warmup_steps=1))

    def fresh():
        return train.init_state({"w": jnp.zeros(3)}, opt, jax.random.key(1), ema=True)

    whole, m_whole = _train(fresh(), opt, 6)
    first, m_first = _train(fresh(), opt, 3)
    with checkpoint.Checkpointer(tmp_path / "ckpt") as ckpt:
        ckpt.save(int(first.step), first)
        resumed, _ = ckpt.restore(checkpoint.abstract(fresh()))
    assert int(resumed.step) == 3
    resumed, m_rest = _train(resumed, opt, 3)

    leaves, tree = jax.tree.flatten(jax.device_get(whole))
    leaves_r, tree_r = jax.tree.flatten(jax.device_get(resumed))
    assert tree == tree_r
    for a, b in zip(leaves, leaves_r, strict=True):
        if jnp.issubdtype(a.dtype, jax.dtypes.prng_key):
            a, b = jax.random.key_data(a), jax.random.key_data(b)
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert [float(m["loss"]) for m in m_whole] == \
        [float(m["loss"]) for m in m_first + m_rest]
    # Each step's key is fold_in(key, step): new every step, the same after a resume.
    want = [np.asarray(jax.random.key_data(jax.random.fold_in(jax.random.key(1), i)))
            for i in range(6)]
    for i, m in enumerate(m_whole):
        np.testing.assert_array_equal(m["key"], want[i], err_msg=f"step {i}")
    for i, m in enumerate(m_first + m_rest):
        np.testing.assert_array_equal(m["key"], want[i], err_msg=f"resumed, step {i}")


def test_config_validation_and_round_trip():
    with pytest.raises(ValueError, match="warmup_steps"):
        OptimConfig(warmup_steps=20, total_steps=10)
    with pytest.raises(ValueError, match="ema_decay"):
        OptimConfig(ema_decay=1.5)
    with pytest.raises(ValueError, match="batch_size"):
        TrainConfig(batch_size=0)
    cfg = TrainConfig(batch_size=8)
    assert from_dict(TrainConfig, to_dict(cfg)) == cfg
    with pytest.raises(ValueError, match="unknown TrainConfig keys.*valid keys"):
        from_dict(TrainConfig, {"batchsize": 3})
    with pytest.raises(dataclasses.FrozenInstanceError,
                       match="cannot assign to field 'batch_size'"):
        cfg.batch_size = 3
