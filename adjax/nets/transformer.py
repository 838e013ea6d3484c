"""The bidirectional transformer denoiser, with an optional condition encoder."""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from flax import nnx

from adjax.config import NetConfig
from adjax.nets.layers import Block, rms_norm, timestep_embedding
from adjax.sharding import constrain_batch


class _Sequence(NamedTuple):
    """The embedded sequence a pass runs over: hidden states [B, P + L, D], cross-attention
    keys and values (or None), the blocks' other inputs, the prompt length P and each row's
    last real prompt position [B] (0 without a prompt)."""

    h: jax.Array
    kvs: Any
    inputs: dict
    prefix: int
    last: jax.Array


class Encoder(nnx.Module):
    """Bidirectional encoder for the condition (the specification); runs once per sample."""

    def __init__(self, cfg: NetConfig, *, rngs: nnx.Rngs):
        vocab = cfg.cond_vocab_size or cfg.vocab_size
        self.embed = nnx.Embed(vocab, cfg.d_model, dtype=cfg.compute_dtype, rngs=rngs)
        self.blocks = nnx.List(
            [Block(dataclasses.replace(cfg, time_conditioning=False), cross=False, rngs=rngs)
             for _ in range(cfg.cond_layers)]
        )
        self.norm = rms_norm(cfg, rngs)

    def __call__(self, tokens, mask):
        positions = jnp.broadcast_to(jnp.arange(tokens.shape[1]), tokens.shape)
        h = constrain_batch(self.embed(tokens))
        for block in self.blocks:
            h = constrain_batch(block(h, positions=positions, self_mask=mask))
        # Padding rows are zeroed so that pooled features ignore them.
        return self.norm(h) * mask[..., None].astype(h.dtype)


class Transformer(nnx.Module):
    """Denoiser over tokens [B, L] or continuous inputs [B, L, F].

    ``encode(cond, cond_mask)`` gives the context once per sample; ``__call__`` runs one
    denoising step against it. Output is float32: logits [B, L, V] or predictions [B, L, F].
    """

    def __init__(self, cfg: NetConfig, *, rngs: nnx.Rngs):
        self.cfg = cfg
        d = cfg.d_model
        if cfg.input_kind == "tokens":
            self.embed = nnx.Embed(cfg.vocab_size, d, dtype=cfg.compute_dtype, rngs=rngs)
        else:
            self.embed = nnx.Linear(
                cfg.in_features, d, dtype=cfg.compute_dtype, param_dtype=jnp.float32, rngs=rngs
            )
        self.encoder = Encoder(cfg, rngs=rngs) if cfg.conditioning == "cross" else None
        cond_vocab = cfg.cond_vocab_size or cfg.vocab_size
        self.prefix_embed = (
            nnx.Embed(cond_vocab, d, dtype=cfg.compute_dtype, rngs=rngs)
            if cfg.conditioning == "prefix" and not cfg.shared_prefix_embed else None
        )
        self.time_mlp = (
            nnx.Sequential(
                nnx.Linear(d, d, param_dtype=jnp.float32, rngs=rngs),
                jax.nn.silu,
                nnx.Linear(d, d, param_dtype=jnp.float32, rngs=rngs),
            )
            if cfg.time_conditioning else None
        )
        cross = cfg.conditioning == "cross"
        self.blocks = nnx.List([Block(cfg, cross=cross, rngs=rngs) for _ in range(cfg.n_layers)])
        self.norm = rms_norm(cfg, rngs)
        self.head = nnx.Linear(
            d, cfg.outputs, use_bias=cfg.head_bias, dtype=cfg.compute_dtype,
            param_dtype=jnp.float32, rngs=rngs,
        )

    def encode(self, cond: jax.Array, cond_mask: jax.Array | None = None):
        """Condition tokens [B, C] -> (context [B, C, D], mask [B, C]); None without one."""
        if self.cfg.conditioning == "none":
            return None
        if cond_mask is None:
            cond_mask = jnp.ones(cond.shape, bool)
        cond_mask = cond_mask.astype(bool)
        if self.encoder is not None:
            return self.encoder(cond, cond_mask), cond_mask
        embed = self.embed if self.prefix_embed is None else self.prefix_embed
        return embed(cond), cond_mask

    def __call__(self, x, level=None, context=None, window=None):
        """One denoising pass.

        Args:
          x: tokens [B, L] (int32) or inputs [B, L, F].
          level: noise level per row [B] in [0, 1] (mask rate, or t for Gaussian diffusion);
            used only with time conditioning.
          context: what ``encode`` returned, or None.
          window: code positions [B, W]: the output projection runs on these only and the
            logits are [B, W, V] (the same values as the full output's there).
        """
        seq = self._sequence(x, level, context)
        h = self._blocks(seq.h, seq.kvs, **seq.inputs)
        return self._readout(h, seq, x.shape[1], window)

    def with_cache(self, x, level=None, context=None):
        """``__call__``, also returning every block's self-attention keys and values over the
        whole sequence (prompt, then code): (logits, cache), cache a list of ``(k, v)``
        [B, P + L, Nkv, H], for :meth:`window` to reuse."""
        seq = self._sequence(x, level, context)
        h, cache = seq.h, []
        for block in self.blocks:
            h, kv = block(h, **seq.inputs, context_kv=self._layer_kv(seq, len(cache)),
                          return_kv=True)
            cache.append(kv)
        return self._readout(h, seq, x.shape[1]), cache

    def window(self, x, level, context, cache, window):
        """Logits of the code positions ``window`` [B, W] (contiguous in each row) only.

        Only those positions go through the blocks (and, with ``logit_shift``, the one
        whose hidden state predicts the first of them); every other position's keys and
        values are read from ``cache`` (from :meth:`with_cache`), and the recomputed ones
        written into it. Exact when no position outside the window changed since the cache
        was made and the network has one block; otherwise the cached keys and values of
        later layers are stale (the approximation of Fast-dLLM's caches).

        Returns (logits [B, W, V] float32, the updated cache).
        """
        seq = self._sequence(x, level, context)
        idx = seq.prefix + window  # positions in the whole sequence [B, W]
        if self.cfg.logit_shift:  # the state before the window's first position predicts it
            idx = jnp.concatenate([self._sources(seq, window[:, :1]), idx], axis=1)
        h = jnp.take_along_axis(seq.h, idx[..., None], axis=1)
        inputs = dict(seq.inputs, positions=jnp.take_along_axis(seq.inputs["positions"], idx,
                                                                axis=1))
        new = []
        for block, kv in zip(self.blocks, cache, strict=True):
            h, kv = block(h, **inputs, context_kv=self._layer_kv(seq, len(new)), cache=kv,
                          idx=idx)
            new.append(kv)
        if self.cfg.logit_shift:
            h = h[:, :-1]
        return self.head(self.norm(h)).astype(jnp.float32), new

    def _sources(self, seq, window):
        """Positions in the whole sequence of the hidden states that predict the code
        positions ``window`` [B, W]: their own, or with ``logit_shift`` the one before (the
        prompt's last real token for code position 0)."""
        if not self.cfg.logit_shift:
            return seq.prefix + window
        return jnp.where(window == 0, seq.last[:, None], seq.prefix + window - 1)

    @staticmethod
    def _layer_kv(seq, layer):
        return None if seq.kvs is None else seq.kvs[layer]

    def _sequence(self, x, level, context) -> _Sequence:
        """Embeds the input (after the prompt with prefix conditioning) and gathers what the
        blocks need."""
        cfg = self.cfg
        h = constrain_batch(self.embed(x))
        b, length = h.shape[:2]
        temb = None
        if self.time_mlp is not None:
            if level is None:
                raise ValueError("this network is time-conditioned: pass a noise level")
            temb = self.time_mlp(timestep_embedding(level, cfg.d_model)).astype(h.dtype)
        ctx, ctx_mask, kvs = (None, None, None) if context is None else (*context, None)[:3]
        if cfg.conditioning != "none" and context is None:
            raise ValueError("this network is conditioned: pass the context from encode()")
        prefix, self_mask = 0, None
        last = jnp.zeros(b, jnp.int32)  # with logit_shift and no prompt, 0 reads itself
        positions = jnp.broadcast_to(jnp.arange(length), (b, length))
        if cfg.conditioning == "prefix":
            prefix = ctx.shape[1]
            h = jnp.concatenate([ctx.astype(h.dtype), h], axis=1)
            self_mask = jnp.concatenate([ctx_mask, jnp.ones((b, length), bool)], axis=1)
            # Padding in the prefix takes no position: the code follows the condition's last
            # real token whether the condition row is padded on the left or the right.
            positions = jnp.maximum(jnp.cumsum(self_mask, axis=1) - 1, 0)
            if prefix:  # an empty prompt keeps last = 0: the first position reads itself
                last = prefix - 1 - jnp.argmax(ctx_mask[:, ::-1], axis=1)  # [B]
        inputs = dict(positions=positions, self_mask=self_mask,
                      context=ctx if cfg.conditioning == "cross" else None,
                      context_mask=ctx_mask, temb=temb)
        return _Sequence(h, kvs, inputs, prefix, last)

    def _readout(self, h, seq, length, window=None):
        """Hidden states of the whole sequence -> the code positions' logits (float32), or
        only the positions ``window`` [B, W]'s."""
        prefix = seq.prefix
        if window is not None:
            h = jnp.take_along_axis(h, self._sources(seq, window)[..., None], axis=1)
        elif self.cfg.logit_shift and prefix == 0:  # position i reads the hidden state at i - 1
            h = jnp.concatenate([h[:, :1], h[:, :-1]], axis=1)
        elif self.cfg.logit_shift:  # the first code position reads the last real prefix token
            first = jnp.take_along_axis(h, seq.last[:, None, None], axis=1)
            h = jnp.concatenate([first, h[:, prefix:prefix + length - 1]], axis=1)
        else:
            h = h[:, prefix:prefix + length]
        return self.head(self.norm(h)).astype(jnp.float32)

    def with_context_kv(self, context):
        """``encode``'s (context, mask) plus every block's cross-attention keys and values:
        a sampler computes them once per call instead of once per step and layer. Other
        conditionings return the context unchanged."""
        if context is None or self.cfg.conditioning != "cross":
            return context
        ctx, mask = context[:2]
        kvs = [block.cross.project_kv(ctx) for block in self.blocks]
        return ctx, mask, kvs

    def _blocks(self, h, kvs=None, **inputs):
        """The blocks in order: a Python loop, or one ``lax.scan`` over weights stacked at
        trace time (``scan_layers``); each block rematerialised with ``remat``. ``kvs``:
        each block's precomputed cross-attention keys and values."""
        cfg = self.cfg

        def run(graphdef, state, h, kv):
            block = nnx.merge(graphdef, state)
            return constrain_batch(block(h, **inputs, context_kv=kv))

        if cfg.remat:
            run = jax.checkpoint(run, static_argnums=0)
        splits = [nnx.split(block) for block in self.blocks]
        kvs = [None] * len(splits) if kvs is None else kvs
        if not cfg.scan_layers:
            for (graphdef, state), kv in zip(splits, kvs, strict=True):
                h = run(graphdef, state, h, kv)
            return h
        graphdef = splits[0][0]
        stacked = jax.tree.map(lambda *xs: jnp.stack(xs), *[state for _, state in splits])
        kv_stack = None if kvs[0] is None else jax.tree.map(lambda *xs: jnp.stack(xs), *kvs)

        def body(h, xs):
            state, kv = xs
            return run(graphdef, state, h, kv), None

        return jax.lax.scan(body, h, (stacked, kv_stack))[0]


def create(cfg: NetConfig, seed: int = 0) -> Transformer:
    return Transformer(cfg, rngs=nnx.Rngs(seed))
