"""adjax: the domain-agnostic diffusion core (pure functions over pytrees)."""

import importlib

from adjax.config import (
    GaussianConfig,
    MaskedDiffusionConfig,
    MeshConfig,
    NetConfig,
    OptimConfig,
    SamplerConfig,
    TrainConfig,
)

__all__ = [
    "GaussianConfig", "MaskedDiffusionConfig", "MeshConfig", "NetConfig", "OptimConfig",
    "SamplerConfig", "TrainConfig", "buffer", "checkpoint", "gaussian", "masked", "sampling",
    "schedules", "train",
]


_MODULES = {"buffer", "checkpoint", "gaussian", "masked", "sampling", "schedules", "train"}


def __getattr__(name: str):
    # Submodules load on first use: orbax takes about a second to import, Flax and optax a
    # few tenths, and `adjax generate` with a stored sampler program needs none of them.
    if name in _MODULES:
        return importlib.import_module(f"adjax.{name}")
    raise AttributeError(f"module 'adjax' has no attribute {name!r}")
