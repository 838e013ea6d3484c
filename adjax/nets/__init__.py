"""Flax NNX networks."""

from adjax.nets.mlp import MLPDenoiser
from adjax.nets.transformer import Encoder, Transformer, create

__all__ = ["Encoder", "MLPDenoiser", "Transformer", "create"]
