"""Likelihoods and logits of given code under a model: scoring candidates, perplexity-style
evaluation, and the quantity GRPO's ratios are built on.

``log_likelihood`` estimates the evidence lower bound (ELBO) of a program given its
specification by Monte Carlo over noise times and masks (``adjax.masked.nelbo_draws``); the
bound is what the model trains on, and ``log p(code | spec) >= elbo``. ``logits`` is one
network evaluation of given token rows at a given mask rate.

These take a loaded ``Generator`` (``Generator.log_likelihood`` and ``Generator.logits`` call
them) and never sample.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import weakref
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from adjax import masked

# The jitted functions of each loaded network (compiled once per shape, not per call).
_JITTED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclasses.dataclass(frozen=True)
class Likelihood:
    """The ELBO of one program: ``elbo`` nats <= log p(code | spec), with the Monte Carlo
    ``stderr`` of the estimate (a conservative one: the draws' times are stratified)."""

    elbo: float  # nats, summed over the row (the program, its end token and the padding)
    stderr: float  # nats
    tokens: int  # the program's tokens and its end token
    length: int  # the scored row's length (a training bucket)
    draws: int

    @property
    def bits_per_token(self) -> float:
        """-elbo in bits per program token (end token included): lower is likelier."""
        return -self.elbo / math.log(2.0) / self.tokens

    def to_json(self) -> dict[str, Any]:
        return {"elbo_nats": self.elbo, "stderr_nats": self.stderr,
                "bits_per_token": self.bits_per_token, "tokens": self.tokens,
                "length": self.length, "draws": self.draws}


def _jitted(gen) -> dict:
    fns = _JITTED.get(gen.net)
    if fns is None:
        model, dcfg = gen.model, gen.cfg.diffusion
        fns = {
            "draws": jax.jit(functools.partial(masked.nelbo_draws, model=model, cfg=dcfg),
                             static_argnames="draws"),
            "logits": jax.jit(lambda p, batch, level: masked.mask_logits(
                model.denoise(p, batch["tokens"], level,
                              masked.encode_condition(model, p, batch)), dcfg.mask_id)),
        }
        _JITTED[gen.net] = fns
    return fns


def code_row(gen, code: str, length: int | None = None) -> tuple[np.ndarray, int]:
    """(the row [L] the model would write for ``code``: its tokens, the end token, padding;
    the program's token count with the end token). ``length`` defaults to the smallest of
    the model's training buckets that holds the program."""
    ids = gen.tok.encode(code) + [gen.tok.eos_id]
    if length is None:
        fits = [b for b in sorted(gen.cfg.data.buckets) if b >= len(ids)]
        if not fits:
            raise ValueError(f"the program takes {len(ids)} tokens with its end; the model's "
                             f"longest row is {max(gen.cfg.data.buckets)}")
        length = fits[0]
    if len(ids) > length:
        raise ValueError(f"the program takes {len(ids)} tokens with its end; the row holds "
                         f"{length}")
    row = np.full(length, gen.tok.pad_id, np.int32)
    row[:len(ids)] = ids
    return row, len(ids)


def _batch(gen, rows: np.ndarray, spec: str | None, language: str) -> dict:
    batch = {"tokens": jnp.asarray(rows, jnp.int32)}
    if spec is not None and gen.cfg.net.conditioning != "none":
        cond = np.asarray(gen.condition_row(spec, language), np.int32)
        cond = np.broadcast_to(cond, (rows.shape[0], cond.shape[0]))
        batch["cond"] = jnp.asarray(cond)
        batch["cond_mask"] = jnp.asarray(cond != gen.tok.pad_id)
    return batch


def log_likelihood(gen, spec: str, code: str, language: str, *, draws: int = 256,
                   seed: int = 0, chunk: int = 64, length: int | None = None) -> Likelihood:
    """The ELBO of ``code`` given ``spec`` in ``language`` (a lower bound on its
    log-likelihood, in nats), estimated from ``draws`` (t, mask) draws in chunks of
    ``chunk``. The same seed and inputs give the same estimate."""
    if draws < 2:
        raise ValueError(f"draws must be at least 2 (for an error estimate), got {draws}")
    row, n_tokens = code_row(gen, code, length)
    batch = _batch(gen, row[None], spec, language)
    fn = _jitted(gen)["draws"]
    key = jax.random.key(seed)
    values = []
    done = 0
    while done < draws:
        n = min(chunk, draws - done)
        values.append(np.asarray(fn(gen.params, batch, jax.random.fold_in(key, done),
                                    draws=n))[:, 0])
        done += n
    nelbo = np.concatenate(values).astype(np.float64)
    return Likelihood(elbo=-float(nelbo.mean()),
                      stderr=float(nelbo.std(ddof=1) / math.sqrt(len(nelbo))),
                      tokens=n_tokens, length=int(row.shape[0]), draws=int(len(nelbo)))


def logits(gen, tokens: np.ndarray, spec: str | None = None, language: str = "python",
           mask_rate: float = 1.0) -> np.ndarray:
    """The network's logits [B, L, V] (float32; [MASK]'s is -inf) for token rows ``tokens``
    [B, L] (or one row [L]), which may hold [MASK] (``gen.cfg.diffusion.mask_id``) where
    the model is to predict, conditioned on ``spec`` (None: no condition) at the noise level
    ``mask_rate`` (the share of masked positions the network is told to expect)."""
    rows = np.asarray(tokens, np.int32)
    one = rows.ndim == 1
    rows = rows[None] if one else rows
    if rows.ndim != 2:
        raise ValueError(f"tokens must be [L] or [B, L]; got shape {rows.shape}")
    if not 0.0 <= mask_rate <= 1.0:
        raise ValueError(f"mask_rate must lie in [0, 1], got {mask_rate}")
    batch = _batch(gen, rows, spec, language)
    level = jnp.full((rows.shape[0],), mask_rate, jnp.float32)
    out = np.asarray(_jitted(gen)["logits"](gen.params, batch, level), np.float32)
    return out[0] if one else out
