"""Absorbing-state (masked) discrete diffusion: corruption and the ELBO.

A token survives to time t with probability alpha(t) and becomes [MASK] otherwise. The
network sees the mask rate ``1 - alpha(t)`` as its noise level and never predicts [MASK]
(its logit is -inf). The negative ELBO is the integral over t of
``-alpha'(t) / (1 - alpha(t))`` times the cross-entropy summed over masked positions.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import jax
import jax.numpy as jnp

from adjax import schedules
from adjax.config import MaskedDiffusionConfig

Batch = dict[str, jax.Array]


def sample_times(key: jax.Array, batch: int, *, antithetic: bool, t_min: float) -> jax.Array:
    """t in [t_min, 1] per row [B]; antithetic draws are stratified over the batch."""
    if antithetic:
        u = (jax.random.uniform(key, ()) + jnp.arange(batch) / batch) % 1.0
    else:
        u = jax.random.uniform(key, (batch,))
    return t_min + (1.0 - t_min) * u


def corrupt(key: jax.Array, tokens: jax.Array, keep_prob: jax.Array, *, mask_id: int,
            maskable: jax.Array | None = None) -> jax.Array:
    """Draws z_t ~ q(z_t | x): each maskable token is kept with ``keep_prob`` [B] (= alpha(t))."""
    u = jax.random.uniform(key, tokens.shape)
    masked = u >= keep_prob[:, None]
    if maskable is not None:
        masked &= maskable
    return jnp.where(masked, mask_id, tokens)


def mask_logits(logits: jax.Array, mask_id: int | tuple[int, ...]) -> jax.Array:
    """The network never predicts [MASK] (nor any other id given with it)."""
    ids = jnp.asarray(mask_id if isinstance(mask_id, tuple) else (mask_id,))
    return logits.at[..., ids].set(-jnp.inf)


def encode_condition(model: Any, params: Any, batch: Batch):
    if "cond" not in batch:
        return None
    return model.encode(params, batch["cond"], batch.get("cond_mask"))


def drop_condition(key: jax.Array, batch: Batch, cfg: MaskedDiffusionConfig) -> jax.Array:
    """The condition mask [B, C] with, in a ``cond_dropout`` share of the rows, every
    token after the first ``cond_keep`` masked out (classifier-free guidance training)."""
    cond = batch["cond"]
    mask = batch.get("cond_mask")
    mask = jnp.ones(cond.shape, bool) if mask is None else mask.astype(bool)
    drop = jax.random.bernoulli(key, cfg.cond_dropout, (cond.shape[0],))
    tail = jnp.arange(cond.shape[1]) >= cfg.cond_keep
    return mask & ~(drop[:, None] & tail[None, :])


def _weights(key, batch: int, cfg: MaskedDiffusionConfig, schedule: schedules.Schedule):
    """Noise times t [B] and the ELBO weight per row [B]."""
    if cfg.discrete_steps is None:
        t = sample_times(key, batch, antithetic=cfg.antithetic, t_min=cfg.t_min)
        alpha = schedule.alpha(t)
        return t, alpha, -schedule.dalpha(t) / (1.0 - alpha)
    steps = cfg.discrete_steps
    u = sample_times(key, batch, antithetic=cfg.antithetic, t_min=0.0)
    i = jnp.minimum(jnp.floor(u * steps), steps - 1) + 1  # uniform on {1..T}
    t, s = i / steps, (i - 1) / steps
    alpha = schedule.alpha(t)
    return t, alpha, steps * (schedule.alpha(s) - alpha) / (1.0 - alpha)


def elbo_terms(params: Any, batch: Batch, key: jax.Array, *, model: Any,
               cfg: MaskedDiffusionConfig) -> tuple[jax.Array, jax.Array]:
    """Per-row negative ELBO in nats [B] and the number of scored tokens per row [B].

    ``batch["tokens"]`` [B, L] int32; optional ``loss_mask`` [B, L] marks the positions that
    are generated (others, such as a given prompt, are never masked and never scored);
    optional ``cond`` [B, C] and ``cond_mask`` go to the encoder.
    """
    schedule = schedules.get(cfg.schedule)
    tokens = batch["tokens"]
    maskable = batch.get("loss_mask", jnp.ones(tokens.shape, bool)).astype(bool)
    t_key, m_key = jax.random.split(key)
    t, alpha, weight = _weights(t_key, tokens.shape[0], cfg, schedule)
    z = corrupt(m_key, tokens, alpha, mask_id=cfg.mask_id, maskable=maskable)
    if cfg.cond_dropout > 0 and "cond" in batch:
        batch = dict(batch, cond_mask=drop_condition(jax.random.fold_in(key, 2), batch, cfg))
    context = encode_condition(model, params, batch)
    logits = mask_logits(model.denoise(params, z, 1.0 - alpha, context), cfg.mask_id)
    logp = jax.nn.log_softmax(logits.astype(jnp.float32), axis=-1)
    nll = -jnp.take_along_axis(logp, tokens[..., None], axis=-1)[..., 0]  # [B, L]
    masked = z == cfg.mask_id
    per_row = weight * jnp.sum(jnp.where(masked, nll, 0.0), axis=-1)
    return per_row, maskable.sum(axis=-1).astype(jnp.float32)


def elbo_loss(params: Any, batch: Batch, key: jax.Array, *, model: Any,
              cfg: MaskedDiffusionConfig) -> tuple[jax.Array, dict[str, jax.Array]]:
    """Negative ELBO in nats per scored token, with optional per-row ``weight`` [B].

    Row weights (reward weighting) scale each row's bound; the normaliser is unchanged so
    that a weight of 1 everywhere gives the plain bound.
    """
    per_row, counts = elbo_terms(params, batch, key, model=model, cfg=cfg)
    row_weight = batch.get("weight", jnp.ones_like(per_row))
    loss = jnp.sum(row_weight * per_row) / jnp.maximum(jnp.sum(counts), 1.0)
    return loss, {"loss": loss, "bits_per_token": loss / math.log(2.0)}


def heldout_bits_per_token(params: Any, batch: Batch, key: jax.Array, *, model: Any,
                           cfg: MaskedDiffusionConfig, num_samples: int = 8) -> jax.Array:
    """Held-out negative ELBO in bits per token, averaged over ``num_samples`` draws of t."""

    def one(k):
        per_row, counts = elbo_terms(params, batch, k, model=model, cfg=cfg)
        return jnp.sum(per_row), jnp.sum(counts)

    totals, counts = jax.lax.map(one, jax.random.split(key, num_samples))
    return jnp.sum(totals) / jnp.maximum(jnp.sum(counts), 1.0) / math.log(2.0)


def nelbo_draws(params: Any, batch: Batch, key: jax.Array, *, model: Any,
                cfg: MaskedDiffusionConfig, draws: int) -> jax.Array:
    """``draws`` unbiased estimates [draws, B] of each row's negative ELBO in nats, the
    bound the model trains on (an upper bound on -log p(tokens | cond); times drawn from
    [t_min, 1]), without condition dropout.

    Each draw is one (t, mask) pair per row; with ``cfg.antithetic`` the draws' times are
    stratified over [t_min, 1], so their spread overstates the error of their mean.
    """
    cfg = dataclasses.replace(cfg, cond_dropout=0.0)
    rows = batch["tokens"].shape[0]
    # Draw-major copies: with antithetic times each row's draws still cover [t_min, 1].
    tiled = {k: jnp.tile(v, (draws,) + (1,) * (v.ndim - 1)) for k, v in batch.items()}
    per_row, _ = elbo_terms(params, tiled, key, model=model, cfg=cfg)
    return per_row.reshape(draws, rows)
