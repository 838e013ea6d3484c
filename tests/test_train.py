import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from adjax import OptimConfig, TrainConfig, train
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


def test_resume_draws_the_same_noise():
    """The step key is fold_in(key, step): two runs with the same state agree exactly."""
    def noisy(params, batch, key):
        loss = jnp.sum((params["w"] - jax.random.normal(key, (3,))) ** 2)
        return loss, {"loss": loss}
    opt = train.make_optimizer(OptimConfig(total_steps=10, warmup_steps=1))
    step = train.make_train_step(noisy, opt)
    a = train.init_state({"w": jnp.zeros(3)}, opt, jax.random.key(1))
    b = train.init_state({"w": jnp.zeros(3)}, opt, jax.random.key(1))
    for _ in range(3):
        a, _ = step(a, {})
        b, _ = step(b, {})
    np.testing.assert_array_equal(a.params["w"], b.params["w"])


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
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.batch_size = 3
