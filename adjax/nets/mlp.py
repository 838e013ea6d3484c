"""A small time-conditioned MLP denoiser for flat vectors (Gaussian diffusion on R^F)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import nnx

from adjax.nets.layers import timestep_embedding


class MLPDenoiser(nnx.Module):
    """x [B, F], level [B], optional condition [B, C] -> prediction [B, F] (float32)."""

    def __init__(self, features: int, *, hidden: int = 128, depth: int = 3, cond_features: int = 0,
                 time_features: int = 32, rngs: nnx.Rngs):
        self.time_features = time_features
        d_in = features + time_features + cond_features
        dims = [d_in] + [hidden] * depth
        pairs = zip(dims[:-1], dims[1:], strict=True)
        self.layers = nnx.List([nnx.Linear(a, b, rngs=rngs) for a, b in pairs])
        self.out = nnx.Linear(hidden, features, rngs=rngs)

    def __call__(self, x, level, cond=None):
        parts = [x, timestep_embedding(level, self.time_features)]
        if cond is not None:
            parts.append(cond.astype(jnp.float32))
        h = jnp.concatenate(parts, axis=-1)
        for layer in self.layers:
            h = jax.nn.silu(layer(h))
        return self.out(h).astype(jnp.float32)
