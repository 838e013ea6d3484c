"""adjax: the domain-agnostic diffusion core (pure functions over pytrees)."""

from adjax import buffer, checkpoint, gaussian, masked, sampling, schedules, train
from adjax.config import (
    GaussianConfig,
    MaskedDiffusionConfig,
    NetConfig,
    OptimConfig,
    SamplerConfig,
    TrainConfig,
)

__all__ = [
    "GaussianConfig", "MaskedDiffusionConfig", "NetConfig", "OptimConfig", "SamplerConfig",
    "TrainConfig", "buffer", "checkpoint", "gaussian", "masked", "sampling", "schedules", "train",
]
