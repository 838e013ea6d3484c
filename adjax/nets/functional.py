"""Pure functions over an NNX network's parameters.

``split(model)`` gives a hashable :class:`ModelFns` (the graph definition only) and the
parameter pytree. Only pytrees cross ``jax.jit``; the module is rebuilt inside.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from flax import nnx


@dataclasses.dataclass(frozen=True)
class ModelFns:
    """``encode`` and ``denoise`` as functions of params; equal graphs compare equal."""

    graphdef: Any

    def merge(self, params):
        return nnx.merge(self.graphdef, params)

    def encode(self, params, cond, cond_mask=None):
        return self.merge(params).encode(cond, cond_mask)

    def with_context_kv(self, params, context):
        """``encode``'s output with each block's cross-attention keys and values added."""
        return self.merge(params).with_context_kv(context)

    def denoise(self, params, x, level=None, context=None):
        return self.merge(params)(x, level, context)

    def denoise_at(self, params, x, level, context, window):
        """``denoise``'s logits at the code positions ``window`` [B, W] only [B, W, V]."""
        return self.merge(params)(x, level, context, window)

    def denoise_cached(self, params, x, level=None, context=None):
        """``denoise`` plus every block's self-attention keys and values: (logits, cache)."""
        return self.merge(params).with_cache(x, level, context)

    def denoise_window(self, params, x, level, context, cache, window):
        """Logits of the code positions ``window`` [B, W] only, the other positions' keys
        and values read from ``cache``: (logits [B, W, V], updated cache)."""
        return self.merge(params).window(x, level, context, cache, window)


def split(model: nnx.Module) -> tuple[ModelFns, Any]:
    graphdef, params = nnx.split(model)
    return ModelFns(graphdef), params


def split_abstract(build) -> tuple[ModelFns, Any]:
    """``split(build())`` without computing anything: the parameters come back as
    ``jax.ShapeDtypeStruct`` leaves, a template to load saved weights into. Initialising a
    network only to overwrite its weights costs seconds of small compilations."""
    return split(nnx.eval_shape(build))
