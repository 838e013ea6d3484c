"""adjax: the domain-agnostic diffusion core (pure functions over pytrees)."""

import importlib

from adjax import buffer, gaussian, masked, sampling, schedules, train
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


def __getattr__(name: str):
    # orbax takes about a second to import; only checkpointing code pays for it.
    if name == "checkpoint":
        return importlib.import_module("adjax.checkpoint")
    raise AttributeError(f"module 'adjax' has no attribute {name!r}")
