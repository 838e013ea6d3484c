"""Device meshes and shardings: data parallel, with optional parameter sharding."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P


def make_mesh(model: int = 1, devices: list | None = None) -> Mesh:
    """A mesh with axes ("data", "model"); all devices not on "model" go to "data"."""
    devices = devices or jax.devices()
    if model <= 0 or len(devices) % model:
        raise ValueError(f"{len(devices)} devices do not split into model axis {model}")
    grid = np.asarray(devices).reshape(len(devices) // model, model)
    return Mesh(grid, ("data", "model"))


def data_sharding(mesh: Mesh) -> NamedSharding:
    """Leading (batch) axis split over "data"."""
    return NamedSharding(mesh, P("data"))


def replicated(mesh: Mesh) -> NamedSharding:
    return NamedSharding(mesh, P())


def param_shardings(params: Any, mesh: Mesh) -> Any:
    """Fully-sharded parameters: each array's largest axis that divides the "model" size
    is split over "model"; anything else is replicated."""
    n = mesh.shape["model"]

    def spec(x):
        if n == 1 or x.ndim == 0:
            return replicated(mesh)
        for axis in np.argsort(x.shape)[::-1]:
            if x.shape[axis] % n == 0:
                parts = [None] * x.ndim
                parts[axis] = "model"
                return NamedSharding(mesh, P(*parts))
        return replicated(mesh)

    return jax.tree.map(spec, params)


def shard_batch(batch: Any, mesh: Mesh) -> Any:
    """Places a host batch with its leading axis split over "data"."""
    return jax.device_put(batch, data_sharding(mesh))
