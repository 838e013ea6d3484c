"""TrainState and one jitted, state-donating train step over any loss function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flax
import jax
import jax.numpy as jnp
import optax

from adjax import sharding
from adjax.config import OptimConfig

LossFn = Callable[[Any, Any, jax.Array], tuple[jax.Array, dict[str, jax.Array]]]


@flax.struct.dataclass
class TrainState:
    step: jax.Array
    params: Any
    opt_state: Any
    ema_params: Any
    key: jax.Array


def learning_rate(cfg: OptimConfig) -> optax.Schedule:
    """Linear warmup to the peak, then cosine decay to ``end_lr_ratio`` of it."""
    return optax.warmup_cosine_decay_schedule(
        init_value=0.0, peak_value=cfg.learning_rate, warmup_steps=cfg.warmup_steps,
        decay_steps=cfg.total_steps, end_value=cfg.learning_rate * cfg.end_lr_ratio,
    )


def matrices(params: Any) -> Any:
    """The weight-decay mask of ``make_optimizer``: matrices decay, vectors and scalars not."""
    return jax.tree.map(lambda p: p.ndim >= 2, params)


def adamw(learning_rate: float | optax.Schedule, *, clip_norm: float = 1.0, b1: float = 0.9,
          b2: float = 0.999, weight_decay: float = 0.0, decay_mask: Any = None,
          inject: bool = False) -> optax.GradientTransformation:
    """The project's one optimizer: AdamW after global-norm clipping.

    Training uses it through ``make_optimizer``; adaptation with a constant learning rate
    and no decay. ``inject`` keeps the hyperparameters in the optimizer state (a host can
    then set the learning rate without recompiling)."""
    adam = optax.inject_hyperparams(optax.adamw, static_args=("mask",)) if inject \
        else optax.adamw
    return optax.chain(optax.clip_by_global_norm(clip_norm),
                       adam(learning_rate, b1=b1, b2=b2, weight_decay=weight_decay,
                            mask=decay_mask))


def make_optimizer(cfg: OptimConfig) -> optax.GradientTransformation:
    """``adamw`` with the warmup-cosine schedule; decay on matrices only."""
    return adamw(learning_rate(cfg), clip_norm=cfg.clip_norm, b1=cfg.b1, b2=cfg.b2,
                 weight_decay=cfg.weight_decay, decay_mask=matrices)


def init_state(params: Any, optimizer: optax.GradientTransformation, key: jax.Array, *,
               ema: bool = False) -> TrainState:
    return TrainState(
        step=jnp.zeros((), jnp.int32), params=params, opt_state=optimizer.init(params),
        ema_params=jax.tree.map(jnp.copy, params) if ema else None, key=key,
    )


def make_train_step(loss_fn: LossFn, optimizer: optax.GradientTransformation, *,
                    ema_decay: float | None = None, accum_steps: int = 1,
                    state_shardings: Any = None,
                    batch_sharding: Any = None) -> Callable[[TrainState, Any], Any]:
    """Returns ``step(state, batch) -> (state, metrics)``, jitted with the state donated.

    ``loss_fn(params, batch, key) -> (loss, metrics)``; its key is
    ``fold_in(state.key, state.step)``, so a resumed run draws the same noise. Any state
    with ``params``, ``opt_state``, ``key``, ``step`` and ``replace`` works (a ``TrainState``,
    an adaptation state); ``ema_params`` is kept only where the state has it.

    ``accum_steps`` > 1 splits the batch into that many micro-batches (rows ``i``,
    ``i + accum_steps``, ... so that each stays spread over the data axis), averages their
    gradients and metrics in a ``lax.scan`` and applies one update: the memory of one
    micro-batch for the update of the whole. ``state_shardings`` (``adjax.sharding.
    tree_shardings`` of the state) and ``batch_sharding`` pin the step's layout on a mesh;
    the updated state comes back with the same shardings.
    """
    if accum_steps < 1:
        raise ValueError(f"accum_steps must be >= 1, got {accum_steps}")
    grad_fn = jax.value_and_grad(loss_fn, has_aux=True)

    def gradients(params, batch, key):
        def micro_grads(micro, k):
            (_, metrics), grads = grad_fn(params, micro, k)
            return grads, metrics

        if accum_steps == 1:
            return micro_grads(batch, key)

        def split(x):  # [B, ...] -> [accum, B / accum, ...], micro-batch i = rows i::accum
            if x.shape[0] % accum_steps:
                raise ValueError(f"batch of {x.shape[0]} rows does not split into "
                                 f"{accum_steps} micro-batches")
            x = x.reshape(x.shape[0] // accum_steps, accum_steps, *x.shape[1:])
            return jnp.swapaxes(x, 0, 1)

        def body(total, i_micro):
            i, micro = i_micro
            out = micro_grads(micro, jax.random.fold_in(key, i))
            return jax.tree.map(jnp.add, total, out), None

        micro = jax.tree.map(split, batch)
        shapes = jax.eval_shape(micro_grads, jax.tree.map(lambda x: x[0], micro), key)
        zeros = jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), shapes)
        total, _ = jax.lax.scan(body, zeros, (jnp.arange(accum_steps), micro))
        return jax.tree.map(lambda x: x / accum_steps, total)

    def step(state: Any, batch: Any):
        key = jax.random.fold_in(state.key, state.step)
        grads, metrics = gradients(state.params, batch, key)
        updates, opt_state = optimizer.update(grads, state.opt_state, state.params)
        params = optax.apply_updates(state.params, updates)
        fields = {"step": state.step + 1, "params": params, "opt_state": opt_state}
        if hasattr(state, "ema_params"):
            ema = state.ema_params
            if ema is not None and ema_decay is not None:
                ema = jax.tree.map(lambda e, p: ema_decay * e + (1.0 - ema_decay) * p, ema,
                                   params)
            fields["ema_params"] = ema
        metrics = dict(metrics, grad_norm=optax.tree.norm(grads))
        return state.replace(**fields), metrics

    if state_shardings is None and batch_sharding is None:
        return jax.jit(step, donate_argnums=0)
    mesh = jax.tree.leaves(batch_sharding if batch_sharding is not None else state_shardings,
                           is_leaf=lambda x: hasattr(x, "mesh"))[0].mesh
    return jax.jit(sharding.in_mesh(step, mesh), donate_argnums=0,
                   in_shardings=(state_shardings, batch_sharding),
                   out_shardings=(state_shardings, None))
