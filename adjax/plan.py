"""Memory planning: what one device holds to train a network on a mesh, before any run.

Parameters, gradients, Adam's moments and the EMA copy come from shapes alone
(``jax.eval_shape``: nothing is allocated, so a 7B or 8B network is planned on a laptop)
and the sharding rules of ``adjax.sharding``. Activations and the rest of the step's
working memory come from the compiled train step (``compiled.memory_analysis()``), which
needs as many devices as the mesh has; fake CPU devices
(``XLA_FLAGS=--xla_force_host_platform_device_count=N``) compile any mesh, and their figures
are the CPU compiler's (an accelerator's fusion differs somewhat).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from adjax import masked, sharding, train
from adjax.config import MaskedDiffusionConfig, NetConfig, OptimConfig
from adjax.nets import Transformer
from adjax.nets.functional import split, split_abstract


def _decoder(**kw) -> NetConfig:
    return NetConfig(conditioning="prefix", shared_prefix_embed=True, head_bias=False,
                     rope_base=1e6, **kw)


# Shapes of public diffusion checkpoints (their config.json files), for planning only. A
# tied head (Qwen2.5-0.5B) is counted twice: adjax keeps a separate head.
SHAPES: dict[str, NetConfig] = {
    "qwen2.5-0.5b": _decoder(vocab_size=151_936, d_model=896, n_layers=24, n_heads=14,
                             n_kv_heads=2, mlp_hidden=4864, qkv_bias=True, max_len=2048),
    "dream-7b": _decoder(vocab_size=152_064, d_model=3584, n_layers=28, n_heads=28,
                         n_kv_heads=4, mlp_hidden=18_944, qkv_bias=True, max_len=2048),
    "llada-8b": _decoder(vocab_size=126_464, d_model=4096, n_layers=32, n_heads=32,
                         n_kv_heads=32, mlp_hidden=12_288, max_len=2048),
}
SHAPES["diffucoder-7b"] = SHAPES["dream-7b"]


@dataclasses.dataclass(frozen=True)
class Request:
    """One planning question: a network, a mesh and the batch of one train step."""

    net: NetConfig
    data: int = 1
    model: int = 1
    strategy: str = "fsdp"
    batch: int = 8
    length: int = 512
    cond_length: int = 64
    ema: bool = False
    accum_steps: int = 1

    @property
    def devices(self) -> int:
        return self.data * self.model


def _state_builder(req: Request):
    optimizer = train.make_optimizer(OptimConfig())

    def build():
        params = split(Transformer(req.net, rngs=nnx.Rngs(0)))[1]
        return train.init_state(params, optimizer, jax.random.key(0), ema=req.ema)

    return build, optimizer


def _batch(req: Request) -> dict[str, jax.ShapeDtypeStruct]:
    out = {"tokens": jax.ShapeDtypeStruct((req.batch, req.length), jnp.int32)}
    if req.net.conditioning != "none":
        out["cond"] = jax.ShapeDtypeStruct((req.batch, req.cond_length), jnp.int32)
        out["cond_mask"] = jax.ShapeDtypeStruct((req.batch, req.cond_length), jnp.bool_)
    return out


def _count(tree) -> int:
    return int(sum(np.prod(x.shape) for x in jax.tree.leaves(tree)))


def parameter_count(net: NetConfig) -> int:
    return _count(split_abstract(lambda: Transformer(net, rngs=nnx.Rngs(0)))[1])


def plan(req: Request, *, compile: bool = True) -> dict[str, Any]:
    """Per-device bytes of one train step of ``req``; ``compiled`` holds the compiler's
    figures when this process has ``req.devices`` devices (None otherwise)."""
    sharding.check_strategy(req.strategy)
    if req.batch % req.data:
        raise ValueError(f"batch {req.batch} does not split over {req.data} data devices")
    build, optimizer = _state_builder(req)
    state = jax.eval_shape(build)
    mesh_shape = {"data": req.data, "model": req.model}

    def per_device(tree):
        return sharding.bytes_per_device(tree, mesh_shape, req.strategy) if tree else 0

    out = {"devices": req.devices, "data": req.data, "model": req.model,
           "strategy": req.strategy, "batch": req.batch, "length": req.length,
           "parameters": _count(state.params),
           "params_bytes": per_device(state.params),
           "grads_bytes": per_device(state.params),  # float32, sharded like the parameters
           "adam_bytes": per_device(state.opt_state),
           "ema_bytes": per_device(state.ema_params)}
    out["state_bytes"] = out["params_bytes"] + out["adam_bytes"] + out["ema_bytes"]
    out["compiled"] = None
    if compile and req.devices <= jax.device_count():
        out["compiled"] = _compiled(req, build, optimizer, state)
    return out


def _compiled(req: Request, build, optimizer, state) -> dict[str, int]:
    mesh = sharding.make_mesh(req.data, req.model, jax.devices()[:req.devices])
    shardings = sharding.tree_shardings(state, mesh, req.strategy)
    model = split_abstract(lambda: Transformer(req.net, rngs=nnx.Rngs(0)))[0]
    cfg = MaskedDiffusionConfig(mask_id=req.net.vocab_size - 1)

    def loss_fn(p, batch, key):
        return masked.elbo_loss(p, batch, key, model=model, cfg=cfg)

    batch_sharding = sharding.data_sharding(mesh)
    step = train.make_train_step(loss_fn, optimizer, accum_steps=req.accum_steps,
                                 state_shardings=shardings, batch_sharding=batch_sharding)
    batch = _batch(req)
    stats = step.lower(sharding.placed_shapes(state, shardings),
                       sharding.placed_shapes(batch, {k: batch_sharding for k in batch})
                       ).compile().memory_analysis()
    return {"argument_bytes": int(stats.argument_size_in_bytes),
            "output_bytes": int(stats.output_size_in_bytes),
            "alias_bytes": int(stats.alias_size_in_bytes),
            "temp_bytes": int(stats.temp_size_in_bytes),
            # arguments (donated state + batch) live through the step; temporaries are the
            # activations, gradients and update buffers; outputs not aliased to inputs add.
            "peak_bytes": int(stats.argument_size_in_bytes + stats.temp_size_in_bytes
                              + stats.output_size_in_bytes - stats.alias_size_in_bytes)}


def table(rows: list[dict[str, Any]]) -> str:
    """A plain-text table of ``plan`` results, in GiB per device."""
    gib = 1 << 30
    head = (f"{'devices':>8} {'mesh':>6} {'strategy':>8} {'params':>9} {'grads':>8} "
            f"{'adam':>8} {'ema':>6} {'state':>8} {'compiled':>9}")
    lines = [head]
    for r in rows:
        comp = r["compiled"]
        peak = f"{comp['peak_bytes'] / gib:9.2f}" if comp else f"{'-':>9}"
        lines.append(
            f"{r['devices']:>8} {r['data']}x{r['model']:<4} {r['strategy']:>8} "
            f"{r['params_bytes'] / gib:9.2f} {r['grads_bytes'] / gib:8.2f} "
            f"{r['adam_bytes'] / gib:8.2f} {r['ema_bytes'] / gib:6.2f} "
            f"{r['state_bytes'] / gib:8.2f} {peak}")
    return "\n".join(lines)
