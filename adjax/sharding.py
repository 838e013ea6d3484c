"""Device meshes and the rules that place parameters, optimizer state and batches on them.

Every array of a state pytree gets logical axis names from its path (``logical_axes``: the
transformer's kernels are ``("embed", "heads")``, ``("mlp", "embed")``, ...); a strategy maps
logical names to the mesh axes ``("data", "model")``:

- ``dp``: data parallel, every parameter replicated;
- ``fsdp``: parameters, gradients and optimizer state split over "data" along ``embed``;
- ``tp``: tensor parallel, attention heads, MLP hidden units and the vocabulary over "model"
  (column-parallel q/k/v, gate/up; row-parallel o, down);
- ``fsdp_tp``: both.

The same rule places Adam's moments and EMA copies (their paths end like the parameter's).
A dimension that does not divide by its mesh axis stays whole. Activations follow from the
batch (leading axis over "data") and the parameters through the compiler's propagation.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
from jax.sharding import AxisType, Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

AXES = ("data", "model")

STRATEGIES: dict[str, dict[str, str]] = {
    "dp": {},
    "fsdp": {"embed": "data"},
    "tp": {"heads": "model", "mlp": "model", "vocab": "model"},
    "fsdp_tp": {"embed": "data", "heads": "model", "mlp": "model", "vocab": "model"},
}

# (module name, parameter name) -> logical axes; "*" matches any module.
_LOGICAL: dict[tuple[str, str], tuple[str | None, ...]] = {
    ("embed", "embedding"): ("vocab", "embed"),
    ("prefix_embed", "embedding"): ("vocab", "embed"),
    ("embed", "kernel"): (None, "embed"),  # continuous inputs [F, D]
    ("q", "kernel"): ("embed", "heads"),
    ("k", "kernel"): ("embed", "heads"),
    ("v", "kernel"): ("embed", "heads"),
    ("q", "bias"): ("heads",),
    ("k", "bias"): ("heads",),
    ("v", "bias"): ("heads",),
    ("o", "kernel"): ("heads", "embed"),
    ("gate", "kernel"): ("embed", "mlp"),
    ("up", "kernel"): ("embed", "mlp"),
    ("down", "kernel"): ("mlp", "embed"),
    ("head", "kernel"): ("embed", "vocab"),
    ("head", "bias"): ("vocab",),
    ("ada", "kernel"): ("embed", None),
}


def check_strategy(strategy: str) -> None:
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown sharding strategy {strategy!r}; valid: {', '.join(STRATEGIES)}")


def make_mesh(data: int = -1, model: int = 1, devices: list | None = None) -> Mesh:
    """A ("data", "model") mesh over ``devices`` (all by default); ``data=-1`` takes what
    ``model`` leaves. Axes are in auto mode: the compiler propagates shardings."""
    devices = list(jax.devices() if devices is None else devices)
    n = len(devices)
    if model <= 0 or n % model:
        raise ValueError(f"{n} devices do not split into model axis {model}")
    data = n // model if data == -1 else data
    if data <= 0 or data * model != n:
        raise ValueError(f"a {data} x {model} mesh needs {max(data, 0) * model} devices, "
                         f"{n} given")
    return jax.make_mesh((data, model), AXES, axis_types=(AxisType.Auto,) * 2, devices=devices)


def initialize_distributed(coordinator: str | None = None, num_processes: int | None = None,
                           process_id: int | None = None) -> bool:
    """Joins a multi-host run through ``jax.distributed.initialize`` (before any other JAX
    work). ``coordinator="auto"`` lets JAX find the cluster (Cloud TPU, SLURM, Open MPI,
    ...); ``HOST:PORT`` with ``num_processes`` and ``process_id`` names it. Returns whether
    a multi-process run was joined (nothing given and no ``JAX_COORDINATOR_ADDRESS``: no)."""
    import os

    if coordinator is None and not os.environ.get("JAX_COORDINATOR_ADDRESS"):
        if num_processes is not None or process_id is not None:
            raise ValueError("--num-processes and --process-id need --coordinator HOST:PORT")
        return False
    if coordinator == "auto":
        jax.distributed.initialize()
    else:
        if coordinator is not None and (num_processes is None or process_id is None):
            raise ValueError("--coordinator HOST:PORT needs --num-processes and --process-id")
        if num_processes is not None and not 0 <= (process_id or 0) < num_processes:
            raise ValueError(f"--process-id {process_id} must lie in [0, {num_processes})")
        jax.distributed.initialize(coordinator, num_processes, process_id)
    return True


def data_sharding(mesh: Mesh) -> NamedSharding:
    """Leading (batch) axis split over "data"."""
    return NamedSharding(mesh, P("data"))


def replicated(mesh: Mesh) -> NamedSharding:
    return NamedSharding(mesh, P())


def _names(path) -> tuple[str, ...]:
    out = []
    for k in path:
        name = getattr(k, "key", getattr(k, "name", None))
        if isinstance(name, str) and name != "value":
            out.append(name)
    return tuple(out)


def logical_axes(path, ndim: int) -> tuple[str | None, ...]:
    """Logical names of an array's axes from its pytree path; unnamed axes are None."""
    names = _names(path)
    axes = _LOGICAL.get(names[-2:]) if len(names) >= 2 else None
    if axes is None and names and names[-1] == "scale":
        axes = (None,)  # norms: small, replicated
    if axes is None or len(axes) != ndim:
        return (None,) * ndim
    return axes


def partition_spec(path, shape: tuple[int, ...], mesh_shape: dict[str, int],
                   strategy: str) -> P:
    """The PartitionSpec of one array under ``strategy`` on a mesh of ``mesh_shape``."""
    check_strategy(strategy)
    rules = STRATEGIES[strategy]
    parts = []
    for size, name in zip(shape, logical_axes(path, len(shape)), strict=True):
        axis = rules.get(name) if name else None
        if axis is not None and (mesh_shape.get(axis, 1) == 1 or size % mesh_shape[axis]):
            axis = None
        parts.append(axis)
    return P(*parts)


def tree_shardings(tree: Any, mesh: Mesh, strategy: str = "fsdp") -> Any:
    """NamedShardings for every array of ``tree`` (params, a train state, its abstract
    form); scalars and keys are replicated."""
    check_strategy(strategy)
    mesh_shape = dict(mesh.shape)

    def one(path, x):
        shape = tuple(getattr(x, "shape", ()))
        return NamedSharding(mesh, partition_spec(path, shape, mesh_shape, strategy))

    return jax.tree_util.tree_map_with_path(one, tree)


def placed_shapes(tree: Any, shardings: Any) -> Any:
    """Shape/dtype structs of ``tree`` (arrays or structs) carrying ``shardings``: a
    target that lowers, compiles or restores onto a mesh without allocating anything."""
    shapes = jax.eval_shape(lambda: tree)
    return jax.tree.map(lambda s, sh: jax.ShapeDtypeStruct(s.shape, s.dtype, sharding=sh),
                        shapes, shardings)


def init_on_mesh(build, mesh: Mesh, strategy: str) -> tuple[Any, Any]:
    """``build()`` (a state pytree) created directly in its shards under ``strategy`` --
    nothing whole on one device first -- and its shardings."""
    shardings = tree_shardings(jax.eval_shape(build), mesh, strategy)
    return jax.jit(build, out_shardings=shardings)(), shardings


def param_shardings(params: Any, mesh: Mesh, strategy: str = "tp") -> Any:
    """Parameter shardings for sampling on a mesh: tensor parallel over "model" and
    replicated over "data" by default, so a step gathers no weights."""
    return tree_shardings(params, mesh, strategy)


def bytes_per_device(tree: Any, mesh_shape: dict[str, int], strategy: str) -> int:
    """Bytes one device holds of ``tree`` (arrays or shape structs) under ``strategy``."""
    total = 0
    for path, x in jax.tree_util.tree_flatten_with_path(tree)[0]:
        shape = tuple(x.shape)
        spec = partition_spec(path, shape, mesh_shape, strategy)
        split = int(np.prod([mesh_shape[a] for a in spec if a is not None]))
        total += int(np.prod(shape)) * np.dtype(x.dtype).itemsize // split
    return total


def constrain_batch(x: jax.Array) -> jax.Array:
    """Keeps an activation's batch axis split over "data" while a mesh is in scope (``in_mesh``).

    Without it the compiler may resolve an FSDP matmul (batch and weights both split over
    "data") by gathering the batch: every device then holds every row's activations. A
    no-op outside a mesh, or when the rows do not divide over "data".
    """
    mesh = jax.sharding.get_abstract_mesh()
    if mesh.empty or "data" not in mesh.axis_names:
        return x
    n = dict(mesh.shape)["data"]
    if n == 1 or x.shape[0] % n:
        return x
    return jax.lax.with_sharding_constraint(x, P("data"))


def in_mesh(fn, mesh: Mesh):
    """``fn`` traced with ``mesh`` in scope, so that ``constrain_batch`` applies inside it."""

    def wrapped(*args, **kwargs):
        with jax.sharding.use_abstract_mesh(mesh.abstract_mesh):
            return fn(*args, **kwargs)

    return wrapped


def shard_batch(batch: Any, mesh: Mesh) -> Any:
    """This process's rows of a batch -> global arrays with the batch axis over "data".

    On one host that is the whole batch; on several, each process passes only its share
    (``process_rows``) and the global batch is their concatenation in process order.
    """
    sharding = data_sharding(mesh)
    if jax.process_count() == 1:
        return jax.device_put(batch, sharding)
    return jax.tree.map(lambda x: jax.make_array_from_process_local_data(sharding, x), batch)


def process_rows(global_rows: int) -> slice:
    """The rows of a global batch that this process loads."""
    n, i = jax.process_count(), jax.process_index()
    if global_rows % n:
        raise ValueError(f"batch of {global_rows} rows does not split over {n} processes")
    share = global_rows // n
    return slice(i * share, (i + 1) * share)


def place_rows(params: Any, rows: Any) -> Any:
    """``rows`` (arrays with a batch axis) split over the "data" axis of the mesh that
    ``params`` live on, so that each data replica samples its own rows; unchanged off a
    mesh, with a data axis of 1, or when the rows do not divide over it."""
    leaf = jax.tree.leaves(params)[0]
    mesh = getattr(getattr(leaf, "sharding", None), "mesh", None)
    if not isinstance(mesh, Mesh) or mesh.shape.get("data", 1) == 1:
        return rows
    n = mesh.shape["data"]

    def one(x):
        return x if x is None or x.shape[0] % n else jax.device_put(x, data_sharding(mesh))

    return jax.tree.map(one, rows)


def check_batch(rows: int, mesh: Mesh) -> None:
    if rows % mesh.shape["data"]:
        raise ValueError(f"batch of {rows} rows does not split over the mesh's data axis "
                         f"({mesh.shape['data']} devices); use a multiple")
