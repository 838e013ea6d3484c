"""Gaussian diffusion over arrays of any shape.

Time is a grid of ``T = num_timesteps`` steps, ``alpha_bar[i] = schedule.alpha_bar(i / T)``,
with ``x_i = sqrt(alpha_bar[i]) x_0 + sqrt(1 - alpha_bar[i]) eps``. The network is
``model_fn(params, x_i, level, cond) -> prediction`` with ``level = i / T`` per row and
predicts eps, x0 or v (``v = sqrt(ab) eps - sqrt(1 - ab) x0``).

There is one sampler, generalised DDIM with ``eta``: ``eta = 1`` on the full grid is DDPM's
ancestral sampler (its noise is the DDPM posterior variance); ``eta = 0`` on a sub-grid is
deterministic DDIM. Classifier-free guidance and reward-gradient guidance act on eps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from adjax import schedules
from adjax.config import GaussianConfig

ModelFn = Callable[[Any, jax.Array, jax.Array, Any], jax.Array]


def alpha_bars(cfg: GaussianConfig) -> jax.Array:
    """alpha_bar on the grid, [T + 1] float32, alpha_bar[0] = 1."""
    t = jnp.arange(cfg.num_timesteps + 1, dtype=jnp.float32) / cfg.num_timesteps
    return schedules.get(cfg.schedule).alpha_bar(t).at[0].set(1.0)


def _bcast(v: jax.Array, x: jax.Array) -> jax.Array:
    return v.reshape(v.shape + (1,) * (x.ndim - v.ndim))


def q_sample(x0: jax.Array, i: jax.Array, noise: jax.Array, ab: jax.Array) -> jax.Array:
    """Noisy x_i for integer steps ``i`` [B] (float32)."""
    a = _bcast(ab[i], x0)
    return jnp.sqrt(a) * x0 + jnp.sqrt(1.0 - a) * noise


def target(x0: jax.Array, noise: jax.Array, a: jax.Array, prediction: str) -> jax.Array:
    if prediction == "eps":
        return noise
    if prediction == "x0":
        return x0
    return jnp.sqrt(a) * noise - jnp.sqrt(1.0 - a) * x0


def to_eps_x0(pred: jax.Array, x_t: jax.Array, a: jax.Array, prediction: str):
    """Converts a network prediction to (eps, x0) at signal level ``a`` (broadcast)."""
    sa, sb = jnp.sqrt(a), jnp.sqrt(1.0 - a)
    if prediction == "eps":
        return pred, (x_t - sb * pred) / sa
    if prediction == "x0":
        return (x_t - sa * pred) / sb, pred
    return sb * x_t + sa * pred, sa * x_t - sb * pred


def loss(params: Any, batch: dict[str, Any], key: jax.Array, *, model_fn: ModelFn,
         cfg: GaussianConfig) -> tuple[jax.Array, dict[str, jax.Array]]:
    """Mean squared error on the configured target; ``batch["x"]`` [B, ...], optional cond."""
    x0 = batch["x"].astype(jnp.float32)
    ab = alpha_bars(cfg)
    i_key, n_key = jax.random.split(key)
    i = jax.random.randint(i_key, (x0.shape[0],), 1, cfg.num_timesteps + 1)
    noise = jax.random.normal(n_key, x0.shape)
    x_t = q_sample(x0, i, noise, ab)
    pred = model_fn(params, x_t, i / cfg.num_timesteps, batch.get("cond"))
    err = (pred - target(x0, noise, _bcast(ab[i], x0), cfg.prediction)) ** 2
    value = jnp.mean(err)
    return value, {"loss": value}


def sample(params: Any, key: jax.Array, shape: tuple[int, ...], *, model_fn: ModelFn,
           cfg: GaussianConfig, num_steps: int | None = None, eta: float = 0.0,
           cond: Any = None, uncond: Any = None, guidance_scale: float = 0.0,
           reward_fn: Callable[[jax.Array], jax.Array] | None = None,
           reward_scale: float = 0.0, reward_max_level: float = 1.0,
           known: tuple[jax.Array, jax.Array] | None = None) -> jax.Array:
    """Draws samples of ``shape`` [B, ...] by generalised DDIM.

    Args:
      num_steps: steps on an even sub-grid of the T steps (None: all T).
      eta: 0 is deterministic DDIM, 1 on the full grid is DDPM.
      cond, uncond, guidance_scale: classifier-free guidance,
        ``eps = eps_u + (1 + s) (eps_c - eps_u)``.
      reward_fn, reward_scale: reward-gradient guidance. ``reward_fn(x0) -> [B]`` must be
        differentiable; each step moves eps against the gradient of the reward of the
        predicted x0 with respect to x_t, ``eps -= scale * sqrt(1 - ab) * grad``, which
        samples from p(x) exp(scale * reward) in the small-step limit.
      reward_max_level: reward guidance acts only on steps at noise levels ``i / T`` up to
        this (early predictions of x0 are too rough to follow, and their gradients large).
      known: inpainting, ``(values, mask)`` broadcastable to ``shape``: every step's
        predicted x0 takes ``values`` where ``mask`` holds (before the reward sees it), so
        the sample ends exactly on them (a plan's start and goal).
    """
    T = cfg.num_timesteps
    steps = num_steps or T
    if not 1 <= steps <= T:
        raise ValueError(f"num_steps must lie in [1, {T}], got {steps}")
    ab = alpha_bars(cfg)
    grid = jnp.round(jnp.linspace(T, 0, steps + 1)).astype(jnp.int32)  # T .. 0
    b = shape[0]
    guided = guidance_scale > 0
    if guided and uncond is None:
        raise ValueError("classifier-free guidance needs `uncond`")

    def clamp(x, a, eps):
        x0 = (x - jnp.sqrt(1.0 - a) * eps) / jnp.sqrt(a)
        if known is None:
            return eps, x0
        x0 = jnp.where(known[1], known[0], x0)
        return (x - jnp.sqrt(a) * x0) / jnp.sqrt(1.0 - a), x0

    def eps_x0(x, a, level):
        pred = model_fn(params, x, level, cond)
        eps, _ = to_eps_x0(pred, x, a, cfg.prediction)
        if guided:
            eps_u, _ = to_eps_x0(model_fn(params, x, level, uncond), x, a, cfg.prediction)
            eps = eps_u + (1.0 + guidance_scale) * (eps - eps_u)
        return clamp(x, a, eps)

    def step(x, n):
        i, j = grid[n], grid[n + 1]
        a_t, a_s = ab[i], ab[j]
        level = jnp.full((b,), i / T, jnp.float32)
        eps, x0 = eps_x0(x, a_t, level)
        if reward_fn is not None and reward_scale > 0:
            grad = jax.grad(lambda y: jnp.sum(reward_fn(eps_x0(y, a_t, level)[1])))(x)
            on = i <= reward_max_level * T
            eps, x0 = clamp(x, a_t, eps - on * reward_scale * jnp.sqrt(1.0 - a_t) * grad)
        sigma = eta * jnp.sqrt((1.0 - a_s) / (1.0 - a_t) * (1.0 - a_t / a_s))
        direction = jnp.sqrt(jnp.maximum(1.0 - a_s - sigma**2, 0.0)) * eps
        noise = jax.random.normal(jax.random.fold_in(key, n), x.shape)
        return jnp.sqrt(a_s) * x0 + direction + sigma * noise, None

    x_T = jax.random.normal(jax.random.fold_in(key, steps + 1), shape)
    out, _ = jax.lax.scan(step, x_T, jnp.arange(steps))
    return out
