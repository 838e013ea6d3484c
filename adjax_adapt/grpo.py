"""Group-relative policy optimisation for masked diffusion models (coupled-GRPO, diffu-GRPO).

A diffusion model has no cheap exact sequence log-probability, so the policy ratio uses a
per-token estimate from a few masked forward passes:

- ``coupled`` (DiffuCoder): per row a mask rate t ~ U(t_low, t_high) and a mask M over the
  generated positions (each kept masked with probability t) and its complement M^c, so
  every generated token is scored exactly once; with the fully masked pass ``a_i`` and the
  partial pass that masked token i weighted 1/t (M) or 1/(1-t) (M^c),
  ``est_i = a_i / 2 + w log p(x_i | x unmasked outside the pass's mask) / 4``.
  Its expectation is ``a_i / 2 + q_i / 2`` with ``q_i = E_{r ~ U(t_low, t_high)} E_{S ~
  Bernoulli(r) over the other generated tokens} log p(x_i | x with S and i masked)``
  (tested against enumeration). Three forward passes, batched as one.
- ``one_pass`` (d1's diffu-GRPO): the generated tokens all masked and the condition tokens
  masked at ``prompt_mask_rate``; ``est_i = log p(x_i | ...)``.

Given positions (a clamped prefix, the condition) are never masked and never scored. The
loss is PPO-clip on per-token ratios ``exp(est(θ) - est(θ_old))`` (the same masks for both)
with leave-one-out advantages and a k3 KL penalty to a frozen reference,
``exp(est_ref - est) - (est_ref - est) - 1``, averaged over generated tokens. Everything
here is a pure function of pytrees; ``make_step`` gives one jitted, state-donating step.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Literal

import flax
import jax
import jax.numpy as jnp
import optax

from adjax.config import check_choice, check_range
from adjax.masked import mask_logits
from adjax_adapt import adapters


@dataclasses.dataclass(frozen=True, kw_only=True)
class GRPOConfig:
    estimator: Literal["coupled", "one_pass"] = "coupled"
    t_low: float = 0.2
    t_high: float = 0.8
    clip_eps: float = 0.5
    beta: float = 0.01
    inner_steps: int = 2
    prompt_mask_rate: float = 0.15

    def __post_init__(self):
        check_choice("estimator", self.estimator, ("coupled", "one_pass"))
        check_range(self, "t_low", 0.01, 0.99)
        check_range(self, "t_high", 0.01, 0.99)
        if self.t_low > self.t_high:
            raise ValueError(f"t_low ({self.t_low}) must not exceed t_high ({self.t_high})")
        check_range(self, "clip_eps", 0.0, 10.0)
        check_range(self, "beta", 0.0, 1e6)
        check_range(self, "prompt_mask_rate", 0.0, 1.0)
        if self.inner_steps < 1:
            raise ValueError(f"inner_steps must be >= 1, got {self.inner_steps}")


@flax.struct.dataclass
class GRPOState:
    params: Any
    opt_state: Any
    ref_params: Any
    step: jax.Array
    key: jax.Array


def init_state(params: Any, optimizer: optax.GradientTransformation, key: jax.Array,
               ref_params: Any | None = None) -> GRPOState:
    """A fresh state; the reference defaults to a frozen copy of ``params``."""
    params = jax.tree.map(jnp.copy, params)
    ref = jax.tree.map(jnp.copy, params if ref_params is None else ref_params)
    return GRPOState(params=params, opt_state=optimizer.init(params), ref_params=ref,
                     step=jnp.zeros((), jnp.int32), key=key)


def leave_one_out(rewards: jax.Array) -> jax.Array:
    """Advantages [P, G]: each reward minus the mean of the others in its group (no
    scaling)."""
    g = rewards.shape[-1]
    others = (rewards.sum(-1, keepdims=True) - rewards) / jnp.maximum(g - 1, 1)
    return rewards - others


def _token_logp(model, params, tokens, z, cond, cond_mask, mask_id):
    """log p(tokens_i | z) [B, L] in float32."""
    context = None if cond is None else model.encode(params, cond, cond_mask)
    level = (z == mask_id).mean(axis=-1).astype(jnp.float32)
    logits = mask_logits(model.denoise(params, z, level, context), mask_id)
    logp = jax.nn.log_softmax(logits.astype(jnp.float32), axis=-1)
    return jnp.take_along_axis(logp, tokens[..., None], axis=-1)[..., 0]


def token_estimates(params: Any, batch: dict, key: jax.Array, *, model: Any, mask_id: int,
                    cfg: GRPOConfig) -> jax.Array:
    """Per-token log-probability estimates [B, L] (0 outside ``batch["gen_mask"]``).

    ``batch``: ``tokens`` [B, L], ``gen_mask`` [B, L] (the generated positions), optional
    ``cond`` [B, C] and ``cond_mask``.
    """
    tokens, gen = batch["tokens"], batch["gen_mask"].astype(bool)
    cond, cond_mask = batch.get("cond"), batch.get("cond_mask")
    b = tokens.shape[0]
    if cfg.estimator == "one_pass":
        k_cond, _ = jax.random.split(key)
        z = jnp.where(gen, mask_id, tokens)
        if cond is not None:
            hide = jax.random.uniform(k_cond, cond.shape) < cfg.prompt_mask_rate
            if cond_mask is not None:
                hide &= cond_mask.astype(bool)
            cond = jnp.where(hide, mask_id, cond)
        return jnp.where(gen, _token_logp(model, params, tokens, z, cond, cond_mask, mask_id),
                         0.0)
    k_t, k_u = jax.random.split(key)
    t = jax.random.uniform(k_t, (b, 1), minval=cfg.t_low, maxval=cfg.t_high)
    in_m = jax.random.uniform(k_u, tokens.shape) < t
    m1, m2 = gen & in_m, gen & ~in_m
    z = jnp.concatenate([jnp.where(gen, mask_id, tokens), jnp.where(m1, mask_id, tokens),
                         jnp.where(m2, mask_id, tokens)])

    def rep(x):
        return None if x is None else jnp.concatenate([x, x, x])

    lp = _token_logp(model, params, rep(tokens), z, rep(cond), rep(cond_mask), mask_id)
    full, part1, part2 = lp[:b], lp[b:2 * b], lp[2 * b:]
    partial = jnp.where(m1, part1 / t, jnp.where(m2, part2 / (1.0 - t), 0.0))
    return jnp.where(gen, 0.5 * full + 0.25 * partial, 0.0)


def loss_fn(params: Any, old_params: Any, ref_params: Any, batch: dict, key: jax.Array, *,
            model: Any, mask_id: int, cfg: GRPOConfig) -> tuple[jax.Array, dict]:
    """PPO-clip with k3 KL; ``batch`` adds ``advantages`` [B] to ``token_estimates``'."""
    gen = batch["gen_mask"].astype(jnp.float32)

    def est(p):
        return token_estimates(p, batch, key, model=model, mask_id=mask_id, cfg=cfg)

    new = est(params)
    old = jax.lax.stop_gradient(est(old_params))
    ref = jax.lax.stop_gradient(est(ref_params))
    ratio = jnp.exp(new - old)
    adv = batch["advantages"][:, None].astype(jnp.float32)
    clipped = jnp.clip(ratio, 1.0 - cfg.clip_eps, 1.0 + cfg.clip_eps)
    policy = jnp.minimum(ratio * adv, clipped * adv)
    kl = jnp.exp(ref - new) - (ref - new) - 1.0
    n = jnp.maximum(gen.sum(), 1.0)
    loss = -jnp.sum((policy - cfg.beta * kl) * gen) / n
    metrics = {"loss": loss, "kl": jnp.sum(kl * gen) / n,
               "clip_fraction": jnp.sum((jnp.abs(ratio - 1.0) > cfg.clip_eps) * gen) / n,
               "ratio": jnp.sum(ratio * gen) / n}
    return loss, metrics


def make_step(model: Any, optimizer: optax.GradientTransformation, cfg: GRPOConfig,
              mask_id: int, *, view: adapters.Trainable | None = None, mesh=None,
              state_shardings: Any = None, frozen_shardings: Any = None) -> Callable:
    """``step(state, old_params, batch, ref_params=None, frozen=None) -> (state, metrics)``,
    jitted, state donated; any state with ``params``, ``opt_state``, ``step``, ``key`` and
    ``replace`` works. The masks come from ``fold_in(state.key, state.step)``: fresh at
    every step.

    ``view`` (``adapters.Trainable``, default: the params themselves) says how the state's
    trainable params, ``old_params`` and ``ref_params`` reach the network, with ``frozen``
    the base under LoRA; gradients reach only the state's params. ``ref_params`` None is the
    state's own ``ref_params``, or under LoRA the base alone. With ``mesh`` the state and the
    frozen base are pinned to ``state_shardings`` and ``frozen_shardings``."""
    view = view or adapters.Trainable(model)

    def step(state: Any, old_params: Any, batch: dict, ref_params: Any = None,
             frozen: Any = None):
        key = jax.random.fold_in(state.key, state.step)
        ref = state.ref_params if ref_params is None and view.lora is None else ref_params
        dkey = view.dropout_key(key)

        def loss(trainable):
            return loss_fn(view.full(trainable, frozen, dkey), view.full(old_params, frozen),
                           view.full(ref, frozen), batch, key, model=view.forward,
                           mask_id=mask_id, cfg=cfg)

        (_, metrics), grads = jax.value_and_grad(loss, has_aux=True)(state.params)
        updates, opt_state = optimizer.update(grads, state.opt_state, state.params)
        params = optax.apply_updates(state.params, updates)
        return state.replace(params=params, opt_state=opt_state, step=state.step + 1), metrics

    return adapters.jit_step(step, mesh, state_shardings, frozen_shardings, n_args=5,
                             frozen_arg=4)


def update(state: GRPOState, step_fn: Callable, batch: dict, cfg: GRPOConfig
           ) -> tuple[GRPOState, dict]:
    """``cfg.inner_steps`` steps on one batch of sampled groups against the policy that
    sampled them; returns the mean of each metric."""
    old = jax.tree.map(jnp.copy, state.params)
    totals: dict[str, float] = {}
    for _ in range(cfg.inner_steps):
        state, m = step_fn(state, old, batch)
        for k, v in m.items():
            totals[k] = totals.get(k, 0.0) + float(v) / cfg.inner_steps
    return state, totals
