"""Parameter-efficient adaptation (LoRA) and float32 masters for low-precision weights.

LoRA adds ``scale * (x A) B`` to the output of each target projection ``x W`` (attention
``q k v o``, MLP ``gate up down``), ``scale = alpha / rank``, A [d_in, r] random, B [r, d_out]
zero: at the start the network computes exactly what the base computes. The base stays in
its stored dtype (bf16 for imported checkpoints) and is never copied or cast whole; A, B
and their optimizer moments are float32.

Everything is a function of pytrees. The adapters are a nested dict beside the base's
parameter state (``{"blocks": {"0": {"attn": {"q": {"a": A, "b": B}}}}}``);
``LoraFns`` is the base's ``ModelFns`` whose parameters are ``Adapted(base, lora)``: it
builds the network from the base inside the traced function and wraps each target
projection in a ``LoraLinear`` (no merged weight is ever made), so the one jitted sampler
and every loss run with adapters unchanged. ``merge`` folds them into a plain parameter
state for a model directory every command loads.

``Trainable`` says what an adaptation state trains and how the network sees it: the whole
parameter state (as stored), a float32 master of it (bf16 compute, float32 update), or
adapters over a frozen base. ``make_train_step`` is one jitted, state-donating step over
any loss, with the frozen base an argument (never a constant of the program), optionally
pinned to a mesh (``state_shardings``: adapters follow their base matrix's sharding, or
stay replicated when small).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import flax
import jax
import jax.numpy as jnp
import optax
from flax import nnx
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

from adjax import sharding
from adjax.nets.functional import ModelFns

TARGETS = ("q", "k", "v", "o", "gate", "up", "down")
_DROPOUT_SALT = 0x10A  # folded into a step's key for the adapters' dropout masks


@dataclasses.dataclass(frozen=True, kw_only=True)
class LoraConfig:
    """Rank, scale (``alpha / rank``), dropout on the adapters' input, and the projections
    adapted (any of ``TARGETS``, in every block and attention of the network)."""

    rank: int = 8
    alpha: float = 16.0
    dropout: float = 0.0
    targets: tuple[str, ...] = TARGETS

    def __post_init__(self):
        object.__setattr__(self, "targets", tuple(self.targets))
        if isinstance(self.rank, bool) or not isinstance(self.rank, int) or self.rank < 1:
            raise ValueError(f"LoRA rank must be a positive integer, got {self.rank!r}")
        if not self.alpha > 0:
            raise ValueError(f"LoRA alpha must be positive, got {self.alpha!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"LoRA dropout must lie in [0, 1), got {self.dropout!r}")
        bad = [t for t in self.targets if t not in TARGETS]
        if bad or not self.targets:
            raise ValueError(f"LoRA targets must be among {', '.join(TARGETS)}; got "
                             f"{', '.join(self.targets) or 'none'}")

    @property
    def scale(self) -> float:
        return self.alpha / self.rank


@flax.struct.dataclass
class Adapted:
    """The parameters ``LoraFns`` takes: the frozen base state, the adapters (None: the
    base alone) and a dropout key's data (None: no dropout, as in sampling)."""

    base: Any
    lora: Any = None
    dropout_key: Any = None


class LoraLinear(nnx.Module):
    """``base(x) + scale * (dropout(x) A) B`` in the base's compute dtype; B = 0 gives the
    base's output bit for bit."""

    def __init__(self, base: nnx.Module, a, b, scale: float, dropout: float = 0.0,
                 key_data=None):
        self.base = base
        self.lora_a, self.lora_b = nnx.LoRAParam(a), nnx.LoRAParam(b)
        self.scale, self.dropout = scale, dropout
        self.key_data = None if key_data is None else nnx.Variable(key_data)

    def __call__(self, x, **kwargs):
        y = self.base(x, **kwargs)
        if self.key_data is not None and self.dropout > 0:
            key = jax.random.wrap_key_data(self.key_data[...])
            keep = jax.random.bernoulli(key, 1.0 - self.dropout, x.shape)
            x = jnp.where(keep, x / (1.0 - self.dropout), 0.0).astype(x.dtype)
        dtype = y.dtype
        delta = (x.astype(dtype) @ self.lora_a[...].astype(dtype)) @ \
            self.lora_b[...].astype(dtype)
        return y + (self.scale * delta).astype(dtype)


def _keys(path) -> tuple:
    """A pytree path as plain keys (str, or int for list positions), Variable access left
    out."""
    out = []
    for k in path:
        if isinstance(k, jax.tree_util.DictKey):
            out.append(k.key)
        elif isinstance(k, jax.tree_util.SequenceKey):
            out.append(k.idx)
    return tuple(out)


def targets(base: Any, cfg: LoraConfig) -> list[tuple[tuple, tuple[int, int]]]:
    """(module path, kernel shape [d_in, d_out]) of every projection ``cfg`` adapts, in a
    fixed order."""
    found = []
    for path, x in jax.tree_util.tree_flatten_with_path(base)[0]:
        keys = _keys(path)
        if len(keys) >= 2 and keys[-1] == "kernel" and keys[-2] in cfg.targets \
                and len(x.shape) == 2:
            found.append((keys[:-1], tuple(x.shape)))
    return sorted(found, key=lambda t: tuple(map(str, t[0])))


def _put(tree: dict, path: tuple, value) -> None:
    for k in path[:-1]:
        tree = tree.setdefault(str(k), {})
    tree[str(path[-1])] = value


def _get(tree: dict, path: tuple):
    for k in path:
        tree = tree[str(k)]
    return tree


def init(base: Any, cfg: LoraConfig, key: jax.Array) -> dict:
    """Float32 adapters for ``base``: A uniform in +-1/sqrt(d_in) (Kaiming-uniform, as
    LoRA's reference), B zero."""
    out: dict = {}
    found = targets(base, cfg)
    if not found:
        raise ValueError(f"the network has none of the LoRA targets {', '.join(cfg.targets)}")
    for i, (path, (d_in, d_out)) in enumerate(found):
        bound = 1.0 / float(d_in) ** 0.5
        a = jax.random.uniform(jax.random.fold_in(key, i), (d_in, cfg.rank), jnp.float32,
                               -bound, bound)
        _put(out, path, {"a": a, "b": jnp.zeros((cfg.rank, d_out), jnp.float32)})
    return out


def _module_at(module, path):
    for k in path:
        module = module[k] if isinstance(k, int) else getattr(module, k)
    return module


def inject(module: nnx.Module, lora: dict, cfg: LoraConfig, dropout_key=None) -> None:
    """Wraps every target projection of ``module`` (a network just built from the base) in
    a ``LoraLinear`` reading ``lora``; with ``dropout_key`` (key data) each gets its own
    dropout mask."""
    found = targets(nnx.state(module), cfg)
    for i, (path, _) in enumerate(found):
        parent, name = _module_at(module, path[:-1]), path[-1]
        ab = _get(lora, path)
        key = None if dropout_key is None else jax.random.key_data(
            jax.random.fold_in(jax.random.wrap_key_data(dropout_key), i))
        setattr(parent, name, LoraLinear(getattr(parent, name), ab["a"], ab["b"], cfg.scale,
                                         cfg.dropout, key))


@dataclasses.dataclass(frozen=True)
class LoraFns(ModelFns):
    """A base network's functions over ``Adapted`` parameters: the adapters apply inside
    the traced function, the base's weights untouched."""

    lora: LoraConfig = LoraConfig()

    def merge(self, params: Adapted):
        module = nnx.merge(self.graphdef, params.base)
        if params.lora is not None:
            inject(module, params.lora, self.lora, params.dropout_key)
        return module


def merge(base: Any, lora: dict, cfg: LoraConfig) -> Any:
    """A plain parameter state with ``W + scale * A B`` in each target kernel (computed in
    float32, stored in the kernel's dtype): what ``LoraFns`` computes, within that dtype's
    rounding."""
    def one(path, w):
        keys = _keys(path)
        if len(keys) < 2 or keys[-1] != "kernel" or keys[-2] not in cfg.targets:
            return w
        ab = _get(lora, keys[:-1])
        delta = cfg.scale * (ab["a"].astype(jnp.float32) @ ab["b"].astype(jnp.float32))
        return (w.astype(jnp.float32) + delta).astype(w.dtype)

    return jax.tree_util.tree_map_with_path(one, base)


def cast(params: Any, dtype) -> Any:
    """Floating leaves of ``params`` in ``dtype`` (the others unchanged)."""
    dtype = jnp.dtype(dtype)
    return jax.tree.map(
        lambda x: x.astype(dtype) if jnp.issubdtype(x.dtype, jnp.floating) else x, params)


def stored_dtype(params: Any) -> str:
    """The dtype of a parameter state's floating leaves (the widest when they differ)."""
    dtypes = {jnp.dtype(x.dtype) for x in jax.tree.leaves(params)
              if jnp.issubdtype(x.dtype, jnp.floating)}
    return str(max(dtypes, key=lambda d: d.itemsize)) if dtypes else "float32"


def count(tree: Any) -> int:
    return int(sum(x.size for x in jax.tree.leaves(tree)))


@dataclasses.dataclass(frozen=True)
class Trainable:
    """What an adaptation state's ``params`` hold and how the network reads them.

    - plain (neither ``lora`` nor ``master_dtype``): the parameter state itself, updated in
      its own dtype;
    - ``master_dtype``: a float32 master of all weights; the network computes with it cast
      to ``master_dtype`` (the stored dtype), the optimizer updates the float32 copy;
    - ``lora``: adapters only; the network is ``LoraFns`` over ``Adapted(frozen, adapters)``.

    ``frozen`` is the base parameter state where a mode needs it (LoRA), else None.
    """

    model: ModelFns
    lora: LoraConfig | None = None
    master_dtype: str | None = None

    def __post_init__(self):
        if self.lora is not None and self.master_dtype is not None:
            raise ValueError("a float32 master is for full fine-tuning; LoRA keeps the base "
                             "frozen (choose one)")

    @property
    def forward(self) -> ModelFns:
        """The functions the network runs with: ``LoraFns`` under LoRA."""
        if self.lora is None:
            return self.model
        return LoraFns(self.model.graphdef, self.lora)

    def init(self, params: Any, key: jax.Array) -> Any:
        """The trainable part of a fresh state from the base's ``params`` (a copy: steps
        donate the state)."""
        if self.lora is not None:
            return init(params, self.lora, jax.random.fold_in(key, _DROPOUT_SALT))
        if self.master_dtype is not None:
            return cast(params, jnp.float32)
        return jax.tree.map(jnp.copy, params)

    def frozen(self, base: Any) -> Any:
        return base if self.lora is not None else None

    def full(self, trainable: Any, frozen: Any, dropout_key=None) -> Any:
        """The parameters ``forward`` takes. ``trainable=None`` under LoRA: the base alone."""
        if self.lora is not None:
            return Adapted(frozen, trainable, dropout_key if self.lora.dropout > 0 else None)
        if self.master_dtype is not None:
            return cast(trainable, self.master_dtype)
        return trainable

    def reference(self, base: Any, old: Any) -> Any:
        """The trainable-shaped value whose ``full`` is the model adaptation started from
        (GRPO's KL reference): None under LoRA (the base alone), else the base's params
        (``old`` when none are known)."""
        if self.lora is not None:
            return None
        return base if base is not None else old

    def sampling(self, trainable: Any, base: Any) -> tuple[ModelFns, Any]:
        """(model, params) to sample with: no merge under LoRA (``LoraFns``); a master
        cast once to the stored dtype."""
        return self.forward, self.full(trainable, self.frozen(base))

    def dropout_key(self, key: jax.Array):
        if self.lora is None or self.lora.dropout == 0:
            return None
        return jax.random.key_data(jax.random.fold_in(key, _DROPOUT_SALT))


# -- the step and its layout on a mesh ----------------------------------------------------

def adapter_spec(path, shape, mesh_shape: dict[str, int], strategy: str,
                 min_bytes: int = 1 << 20) -> P:
    """An adapter's PartitionSpec (also its optimizer moments', whose paths end alike): A
    [d_in, r] splits like its base kernel's input axis, B [r, d_out] like its output axis;
    replicated below ``min_bytes`` (float32) or when the path is no adapter's."""
    names = [k for k in _keys(path) if isinstance(k, str)]
    if len(names) < 2 or names[-1] not in ("a", "b") or names[-2] not in TARGETS \
            or len(shape) != 2 or 4 * shape[0] * shape[1] < min_bytes:
        return P(*([None] * len(shape)))
    d_in, d_out = (shape[0], None) if names[-1] == "a" else (None, shape[1])
    kernel_shape = (d_in or 1 << 30, d_out or 1 << 30)  # a size every axis divides
    kernel_path = (jax.tree_util.DictKey(names[-2]), jax.tree_util.DictKey("kernel"))
    spec = sharding.partition_spec(kernel_path, kernel_shape, mesh_shape, strategy)
    return P(spec[0], None) if names[-1] == "a" else P(None, spec[1])


def state_shardings(state: Any, mesh, strategy: str = "fsdp", *, lora: bool,
                    min_bytes: int = 1 << 20) -> Any:
    """NamedShardings of an adaptation state: adapters and their moments by
    ``adapter_spec``; a full parameter state and its moments by ``adjax.sharding``'s
    rules; the rest (buffer, key, step, metrics) replicated."""
    if not lora:
        return sharding.tree_shardings(state, mesh, strategy)
    mesh_shape = dict(mesh.shape)

    def one(path, x):
        spec = adapter_spec(path, tuple(getattr(x, "shape", ())), mesh_shape, strategy,
                            min_bytes)
        return NamedSharding(mesh, spec)

    return jax.tree_util.tree_map_with_path(one, state)


LossFn = Callable[..., tuple[jax.Array, dict]]


def make_train_step(view: Trainable, loss_fn: LossFn, optimizer: optax.GradientTransformation,
                    *, state_shardings: Any = None, frozen_shardings: Any = None,
                    mesh=None) -> Callable:
    """``step(state, frozen, batch) -> (state, metrics)``, jitted, state donated.

    ``loss_fn(params, batch, key, model=...) -> (loss, metrics)`` sees the parameters
    ``view.forward`` takes; gradients reach only the state's trainable ``params``. The key
    is ``fold_in(state.key, state.step)``. With ``mesh`` the state and the frozen base are
    pinned to their shardings and come back with them."""

    def step(state, frozen, batch):
        key = jax.random.fold_in(state.key, state.step)
        dkey = view.dropout_key(key)

        def loss(trainable):
            return loss_fn(view.full(trainable, frozen, dkey), batch, key, model=view.forward)

        (_, metrics), grads = jax.value_and_grad(loss, has_aux=True)(state.params)
        updates, opt_state = optimizer.update(grads, state.opt_state, state.params)
        params = optax.apply_updates(state.params, updates)
        metrics = dict(metrics, grad_norm=optax.tree.norm(grads))
        return state.replace(params=params, opt_state=opt_state, step=state.step + 1), metrics

    return jit_step(step, mesh, state_shardings, frozen_shardings)


def jit_step(step: Callable, mesh, state_shardings: Any, frozen_shardings: Any,
             n_args: int = 3, frozen_arg: int = 1) -> Callable:
    """``step`` jitted with its state (argument 0) donated; on ``mesh`` the state and the
    frozen base (argument ``frozen_arg``) pinned, the other arguments as they come."""
    if mesh is None:
        return jax.jit(step, donate_argnums=0)
    ins = [None] * n_args
    ins[0], ins[frozen_arg] = state_shardings, frozen_shardings
    return jax.jit(sharding.in_mesh(step, mesh), donate_argnums=0, in_shardings=tuple(ins),
                   out_shardings=(state_shardings, None))
