"""Transformer building blocks: RoPE, attention (self, cross, grouped-query), SwiGLU, adaLN."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from adjax.config import NetConfig


def rope(x: jax.Array, positions: jax.Array, base: float) -> jax.Array:
    """Rotary position embedding over the last axis of ``x`` [B, T, N, H]."""
    half = x.shape[-1] // 2
    freqs = base ** (-jnp.arange(half, dtype=jnp.float32) / half)  # [H/2]
    angles = positions[..., None].astype(jnp.float32) * freqs  # [B, T, H/2]
    sin, cos = jnp.sin(angles)[:, :, None, :], jnp.cos(angles)[:, :, None, :]
    x1, x2 = jnp.split(x.astype(jnp.float32), 2, axis=-1)
    out = jnp.concatenate([x1 * cos - x2 * sin, x1 * sin + x2 * cos], axis=-1)
    return out.astype(x.dtype)


def timestep_embedding(level: jax.Array, dim: int) -> jax.Array:
    """Sinusoidal features of a noise level in [0, 1] (float32) [B] -> [B, dim]."""
    half = dim // 2
    freqs = jnp.exp(-jnp.log(10_000.0) * jnp.arange(half, dtype=jnp.float32) / half)
    angles = 1000.0 * level.astype(jnp.float32)[:, None] * freqs
    return jnp.concatenate([jnp.sin(angles), jnp.cos(angles)], axis=-1)


def _linear(cfg: NetConfig, d_in: int, d_out: int, rngs: nnx.Rngs, *,
            use_bias: bool = False) -> nnx.Linear:
    return nnx.Linear(
        d_in, d_out, use_bias=use_bias, dtype=cfg.compute_dtype, param_dtype=jnp.float32,
        rngs=rngs,
    )


class Attention(nnx.Module):
    """Multi-head attention with optional grouped-query heads; self or cross."""

    def __init__(self, cfg: NetConfig, *, rngs: nnx.Rngs):
        self.cfg = cfg
        d, h = cfg.d_model, cfg.head_dim
        bias = {"use_bias": cfg.qkv_bias}
        self.q = _linear(cfg, d, cfg.n_heads * h, rngs, **bias)
        self.k = _linear(cfg, d, cfg.kv_heads * h, rngs, **bias)
        self.v = _linear(cfg, d, cfg.kv_heads * h, rngs, **bias)
        self.o = _linear(cfg, cfg.n_heads * h, d, rngs)
        self.q_norm = rms_norm(cfg, rngs, h) if cfg.qk_norm else None
        self.k_norm = rms_norm(cfg, rngs, h) if cfg.qk_norm else None

    def project_kv(self, src):
        """Keys and values of ``src`` [B, S, D] -> ([B, S, Nkv, H], [B, S, Nkv, H]), before
        any rotary embedding: a fixed context's are computed once and passed as ``kv``."""
        cfg = self.cfg
        b, s, _ = src.shape
        k = self.k(src).reshape(b, s, cfg.kv_heads, cfg.head_dim)
        v = self.v(src).reshape(b, s, cfg.kv_heads, cfg.head_dim)
        if self.k_norm is not None:
            k = self.k_norm(k)
        return k, v

    def __call__(self, x, context=None, *, positions=None, key_mask=None, kv=None,
                 cache=None, idx=None, return_kv=False):
        """x [B, T, D]; context [B, S, D] (self-attention when None); key_mask [B, S] bool;
        kv: ``project_kv(context)`` computed before, in place of the context.

        ``cache``: self-attention keys and values [B, S, Nkv, H] (after the rotary embedding)
        of a longer sequence, of which ``x`` holds the positions ``idx`` [B, T]; theirs are
        computed and written in, every other position's are read. ``return_kv`` (implied by
        ``cache``): also return the keys and values attended to."""
        cfg = self.cfg
        b, t, _ = x.shape
        q = self.q(x).reshape(b, t, cfg.n_heads, cfg.head_dim)
        k, v = kv if kv is not None else self.project_kv(x if context is None else context)
        if self.q_norm is not None:
            q = self.q_norm(q)
        if context is None and positions is not None:
            q = rope(q, positions, cfg.rope_base)
            k = rope(k, positions, cfg.rope_base)
        if cache is not None:
            rows = jnp.arange(b)[:, None]
            k = cache[0].at[rows, idx].set(k.astype(cache[0].dtype))
            v = cache[1].at[rows, idx].set(v.astype(cache[1].dtype))
        mask = None if key_mask is None else key_mask[:, None, None, :]
        out = jax.nn.dot_product_attention(q, k, v, mask=mask)  # [B, T, N, H]
        out = self.o(out.reshape(b, t, cfg.n_heads * cfg.head_dim))
        return (out, (k, v)) if return_kv or cache is not None else out


class SwiGLU(nnx.Module):
    def __init__(self, cfg: NetConfig, *, rngs: nnx.Rngs):
        self.gate = _linear(cfg, cfg.d_model, cfg.hidden, rngs)
        self.up = _linear(cfg, cfg.d_model, cfg.hidden, rngs)
        self.down = _linear(cfg, cfg.hidden, cfg.d_model, rngs)

    def __call__(self, x):
        return self.down(jax.nn.silu(self.gate(x)) * self.up(x))


def rms_norm(cfg: NetConfig, rngs: nnx.Rngs, features: int | None = None) -> nnx.RMSNorm:
    """An RMSNorm over ``features`` (default ``d_model``): float32 scale, compute dtype."""
    return nnx.RMSNorm(features or cfg.d_model, epsilon=cfg.norm_eps, dtype=cfg.compute_dtype,
                       param_dtype=jnp.float32, rngs=rngs)


class Block(nnx.Module):
    """Pre-norm block: self-attention, optional cross-attention, SwiGLU; optional adaLN.

    With time conditioning, a zero-initialised projection of the time embedding gives a
    shift, scale and gate for the attention and MLP branches, so training starts from the
    unconditioned block.
    """

    def __init__(self, cfg: NetConfig, *, cross: bool, rngs: nnx.Rngs):
        self.attn_norm = rms_norm(cfg, rngs)
        self.attn = Attention(cfg, rngs=rngs)
        self.cross_norm = rms_norm(cfg, rngs) if cross else None
        self.cross = Attention(cfg, rngs=rngs) if cross else None
        self.mlp_norm = rms_norm(cfg, rngs)
        self.mlp = SwiGLU(cfg, rngs=rngs)
        self.ada = (
            nnx.Linear(
                cfg.d_model, 6 * cfg.d_model, kernel_init=nnx.initializers.zeros,
                dtype=cfg.compute_dtype, param_dtype=jnp.float32, rngs=rngs,
            )
            if cfg.time_conditioning else None
        )

    def __call__(self, x, *, positions, self_mask=None, context=None, context_mask=None,
                 temb=None, context_kv=None, cache=None, idx=None, return_kv=False):
        """One block. ``cache``, ``idx``, ``return_kv``: as in :class:`Attention` (its
        self-attention); with either, returns ``(x, (keys, values))``."""
        if self.ada is not None and temb is not None:
            mods = jnp.split(self.ada(temb)[:, None, :], 6, axis=-1)
            shift_a, scale_a, gate_a, shift_m, scale_m, gate_m = mods
        else:
            shift_a = scale_a = shift_m = scale_m = 0.0
            gate_a = gate_m = 0.0
        h = self.attn_norm(x) * (1 + scale_a) + shift_a
        kv = None
        attn = self.attn(h, positions=positions, key_mask=self_mask, cache=cache, idx=idx,
                         return_kv=return_kv)
        if return_kv or cache is not None:
            attn, kv = attn
        x = x + (1 + gate_a) * attn
        if self.cross is not None:
            x = x + self.cross(self.cross_norm(x), context, key_mask=context_mask,
                               kv=context_kv)
        h = self.mlp_norm(x) * (1 + scale_m) + shift_m
        x = x + (1 + gate_m) * self.mlp(h)
        return x if kv is None else (x, kv)
