"""Gaussian diffusion on a 2-D mixture of Gaussians.

The samplers are checked with the exact denoiser of the mixture (known in closed form), so a
failure points at the sampler, not at training; a small trained network checks the losses.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from adjax import GaussianConfig, OptimConfig, gaussian, schedules, train
from adjax.nets import MLPDenoiser
from adjax.nets.functional import split

WEIGHTS = jnp.array([0.5, 0.3, 0.2])
MEANS = jnp.array([[-4.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
STD = 0.5
CFG = GaussianConfig(schedule="cosine", num_timesteps=1000, prediction="eps")


def exact_eps(params, x, level, cond):
    """E[eps | x_t] for the mixture; ``cond`` (one-hot [B, 3]) restricts the components."""
    a = schedules.get(CFG.schedule).alpha_bar(level)[:, None]  # [B, 1]
    var = a * STD**2 + 1.0 - a
    diff = x[:, None, :] - jnp.sqrt(a)[:, None] * MEANS[None]  # [B, K, 2]
    logw = jnp.log(WEIGHTS)[None] - 0.5 * jnp.sum(diff**2, -1) / var
    if cond is not None:
        logw = jnp.where(cond > 0, logw, -jnp.inf)
    resp = jax.nn.softmax(logw, axis=-1)  # [B, K]
    x0_k = MEANS[None] + (jnp.sqrt(a) * STD**2 / var)[:, None] * diff
    x0 = jnp.sum(resp[..., None] * x0_k, axis=1)
    return (x - jnp.sqrt(a) * x0) / jnp.sqrt(1.0 - a)


def component_stats(x):
    x = np.asarray(x)
    nearest = np.argmin(((x[:, None] - np.asarray(MEANS)[None]) ** 2).sum(-1), axis=1)
    weights = np.bincount(nearest, minlength=3) / len(x)
    # An empty component gets NaN statistics (and fails any closeness check).
    means = np.stack([x[nearest == k].mean(0) if weights[k] else np.full(2, np.nan)
                      for k in range(3)])
    stds = np.stack([x[nearest == k].std(0) if weights[k] else np.full(2, np.nan)
                     for k in range(3)])
    return weights, means, stds


# Tolerances: 4000 draws give a weight a standard error of about 0.008. DDPM on the full grid
# is near exact; 20-step DDIM carries a discretisation error (measured: means pulled about 0.1
# toward the origin, weights off by up to 0.025) that shrinks as steps grow (checked below).
@pytest.mark.parametrize("num_steps,eta,w_tol,m_tol",
                         [(None, 1.0, 0.03, 0.1), (20, 0.0, 0.04, 0.15)], ids=["ddpm", "ddim20"])
def test_sampler_recovers_mixture(num_steps, eta, w_tol, m_tol):
    x = gaussian.sample(None, jax.random.key(0), (4000, 2), model_fn=exact_eps, cfg=CFG,
                        num_steps=num_steps, eta=eta)
    weights, means, stds = component_stats(x)
    np.testing.assert_allclose(weights, WEIGHTS, atol=w_tol)
    np.testing.assert_allclose(means, MEANS, atol=m_tol)
    np.testing.assert_allclose(stds, STD, atol=0.1)


def test_ddim_error_shrinks_with_steps():
    def mean_error(steps):
        x = gaussian.sample(None, jax.random.key(0), (4000, 2), model_fn=exact_eps, cfg=CFG,
                            num_steps=steps)
        return np.abs(component_stats(x)[1] - np.asarray(MEANS)).max()

    assert mean_error(200) < 0.5 * mean_error(20)


def test_wrong_model_fails_the_check():
    """The tolerances discriminate: a denoiser for other weights misses them."""
    def biased(params, x, level, cond):
        return exact_eps(params, x, level, jnp.broadcast_to(jnp.array([1, 1, 0]), (x.shape[0], 3)))
    x = gaussian.sample(None, jax.random.key(0), (2000, 2), model_fn=biased, cfg=CFG, num_steps=20)
    weights, _, _ = component_stats(x)
    assert np.abs(weights - np.asarray(WEIGHTS)).max() > 0.1


def test_reward_guidance_raises_reward():
    target = MEANS[2]

    def reward(x0):
        return -jnp.sum((x0 - target) ** 2, axis=-1)

    key = jax.random.key(1)
    plain = gaussian.sample(None, key, (1000, 2), model_fn=exact_eps, cfg=CFG, num_steps=50)
    guided = gaussian.sample(None, key, (1000, 2), model_fn=exact_eps, cfg=CFG, num_steps=50,
                             reward_fn=reward, reward_scale=0.5)
    assert float(reward(guided).mean()) > float(reward(plain).mean()) + 5.0
    weights, _, _ = component_stats(guided)
    assert weights[2] > 0.6  # was 0.2 without guidance


def test_classifier_free_guidance_selects_component():
    n = 1000
    cond = jnp.broadcast_to(jnp.array([0, 1, 0]), (n, 3))
    uncond = jnp.ones((n, 3))
    x = gaussian.sample(None, jax.random.key(2), (n, 2), model_fn=exact_eps, cfg=CFG,
                        num_steps=20, cond=cond, uncond=uncond, guidance_scale=1.0)
    weights, _, _ = component_stats(x)
    assert weights[1] > 0.97
    with pytest.raises(ValueError, match="uncond"):
        gaussian.sample(None, jax.random.key(2), (n, 2), model_fn=exact_eps, cfg=CFG,
                        num_steps=20, cond=cond, guidance_scale=1.0)


def test_sampler_step_bounds():
    with pytest.raises(ValueError, match="num_steps"):
        gaussian.sample(None, jax.random.key(0), (2, 2), model_fn=exact_eps, cfg=CFG,
                        num_steps=1001)


@pytest.mark.parametrize("prediction", ["eps", "x0", "v"])
def test_parameterisations_round_trip(prediction):
    key = jax.random.key(3)
    x0 = jax.random.normal(key, (5, 3, 2))
    noise = jax.random.normal(jax.random.fold_in(key, 1), x0.shape)
    ab = gaussian.alpha_bars(CFG)
    i = jnp.array([1, 100, 500, 900, 1000])
    x_t = gaussian.q_sample(x0, i, noise, ab)
    a = ab[i][:, None, None]
    eps, x0_hat = gaussian.to_eps_x0(gaussian.target(x0, noise, a, prediction), x_t, a, prediction)
    np.testing.assert_allclose(eps, noise, atol=2e-3)
    # x0 is poorly determined from eps where alpha_bar is tiny; check the informative steps.
    np.testing.assert_allclose(x0_hat[:4], x0[:4], atol=2e-2)


def exact_prediction(prediction):
    """The Bayes-optimal network output for each parameterisation."""
    def fn(params, x, level, cond):
        eps = exact_eps(params, x, level, cond)
        a = schedules.get(CFG.schedule).alpha_bar(level)[:, None]
        x0 = (x - jnp.sqrt(1.0 - a) * eps) / jnp.sqrt(a)
        return gaussian.target(x0, eps, a, prediction)
    return fn


@pytest.mark.parametrize("prediction", ["eps", "x0", "v"])
def test_training_approaches_the_optimal_loss(prediction):
    """The trained loss nears the exact denoiser's (the minimum); samples land on the modes."""
    cfg = GaussianConfig(schedule="cosine", num_timesteps=1000, prediction=prediction)
    fns, params = split(MLPDenoiser(2, hidden=128, depth=3, rngs=nnx.Rngs(0)))

    def model_fn(p, x, level, cond):
        return fns.merge(p)(x, level, cond)

    def loss_fn(p, batch, key):
        return gaussian.loss(p, batch, key, model_fn=model_fn, cfg=cfg)

    steps = 1500
    opt = train.make_optimizer(OptimConfig(learning_rate=1e-3, warmup_steps=50, total_steps=steps))
    state = train.init_state(params, opt, jax.random.key(0))
    step = train.make_train_step(loss_fn, opt)
    comp = jax.random.categorical(jax.random.key(5), jnp.log(WEIGHTS), shape=(steps + 1, 256))
    data = MEANS[comp] + STD * jax.random.normal(jax.random.key(6), comp.shape + (2,))
    held = {"x": data[-1]}

    def mean_loss(p, fn):
        keys = jax.random.split(jax.random.key(9), 64)
        return float(np.mean([gaussian.loss(p, held, k, model_fn=fn, cfg=cfg)[0] for k in keys]))

    optimal = mean_loss(None, exact_prediction(prediction))
    untrained = mean_loss(params, model_fn)
    for i in range(steps):
        state, _ = step(state, {"x": data[i]})
    trained = mean_loss(state.params, model_fn)
    assert untrained > 1.5 * optimal
    assert trained < optimal * 1.2 + 0.01, (trained, optimal)
    x = gaussian.sample(state.params, jax.random.key(7), (2000, 2), model_fn=model_fn, cfg=cfg,
                        num_steps=50)
    weights, _, _ = component_stats(x)
    assert np.all(weights > 0.1), weights  # every mode is found


def test_config_errors():
    with pytest.raises(ValueError, match="prediction"):
        GaussianConfig(prediction="score")
    with pytest.raises(ValueError, match="num_timesteps"):
        GaussianConfig(num_timesteps=0)
