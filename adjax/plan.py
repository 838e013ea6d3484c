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
import functools
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


@functools.lru_cache(maxsize=32)
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


# -- one GRPO update with adapters (or a float32 master) ----------------------------------

LORA_TARGETS = ("q", "k", "v", "o", "gate", "up", "down")
H200_BYTES = 141 * 10**9  # one H200's memory, as sold (GB)


@dataclasses.dataclass(frozen=True)
class GRPORequest:
    """One coupled-GRPO update: ``group`` candidates of ``length`` tokens after a prompt of
    ``cond_length``, three passes each (fully masked, mask, complement) differentiated, and
    the old policy's and reference's passes forward only. ``lora_rank`` 0: full fine-tuning
    of a float32 master (bf16 compute copy)."""

    net: NetConfig
    lora_rank: int = 128
    targets: tuple[str, ...] = LORA_TARGETS
    group: int = 8
    length: int = 512
    cond_length: int = 256
    devices: int = 1
    remat: bool = False
    passes: int = 3
    dtype: str = "bfloat16"  # the stored base's and the activations' dtype
    flash: bool = True  # a fused attention kernel (no [T, T] scores kept)


@functools.lru_cache(maxsize=32)
def _target_shapes(net: NetConfig, targets) -> list[tuple[int, int]]:
    """[d_in, d_out] of every adapted projection of ``net``."""
    template = split_abstract(lambda: Transformer(net, rngs=nnx.Rngs(0)))[1]
    out = []
    for path, x in jax.tree_util.tree_flatten_with_path(template)[0]:
        names = [k.key for k in path if isinstance(k, jax.tree_util.DictKey)]
        if len(names) >= 2 and names[-1] == "kernel" and names[-2] in targets:
            out.append(tuple(x.shape))
    return out


def activation_bytes(net: NetConfig, rows: int, tokens: int, *, remat: bool,
                     lora_rank: int = 0, flash: bool = True, itemsize: int = 2) -> int:
    """Bytes kept for the backward pass of ``rows`` x ``tokens`` through ``net``
    (activations of ``itemsize`` bytes: 2 for bf16): without remat each block keeps its
    norm inputs and outputs, q/k/v, the attention output, the MLP's gate, up and product,
    and the adapters' ``x A`` (plus the [T, T] attention weights per head without a fused
    kernel); with remat only each block's input, and one block's whole set while it is
    recomputed."""
    d, hidden, heads = net.d_model, net.hidden, net.n_heads
    kv = net.kv_heads * net.head_dim
    per_token = itemsize * (7 * d + 2 * kv + 3 * hidden + 7 * lora_rank)
    if not flash:
        per_token += itemsize * heads * tokens
    block = rows * tokens * per_token
    if remat:
        return rows * tokens * itemsize * d * net.n_layers + block
    return block * net.n_layers


def plan_grpo(req: GRPORequest) -> dict[str, Any]:
    """Per-device bytes of one GRPO update (``req.devices`` data-parallel devices, the base
    and the master split FSDP-style, adapters replicated: an upper bound)."""
    net, n = req.net, req.devices
    size = jnp.dtype(req.dtype).itemsize
    params = parameter_count(net)
    base = size * params // n  # frozen in its stored dtype (or a master's compute copy)
    if req.lora_rank:
        trainable = sum(req.lora_rank * (a + b) for a, b in _target_shapes(net, req.targets))
        state = 4 * trainable * 4  # f32 adapters, gradients, Adam's two moments
    else:
        trainable = params
        state = 16 * params // n  # f32 master, gradients, two moments
    rows = -(-req.group * req.passes // n)  # the differentiated rows on one device
    tokens = req.cond_length + req.length
    acts = activation_bytes(net, rows, tokens, remat=req.remat, lora_rank=req.lora_rank,
                            flash=req.flash, itemsize=size)
    # float32 logits of the code positions: the logits, their log-softmax and its gradient
    # for the differentiated passes; one forward-only copy for the old policy and reference
    logits = 4 * net.outputs * req.length * (3 * rows + rows)
    total = base + state + acts + logits
    return {"devices": n, "group": req.group, "length": req.length, "remat": req.remat,
            "lora_rank": req.lora_rank, "parameters": params, "trainable": trainable,
            "base_bytes": base, "state_bytes": state, "activation_bytes": acts,
            "logit_bytes": logits, "total_bytes": total}


def largest_group(req: GRPORequest, budget: int = H200_BYTES, limit: int = 4096) -> int:
    """The largest group whose update fits ``budget`` bytes per device (0: none)."""
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if plan_grpo(dataclasses.replace(req, group=mid))["total_bytes"] <= budget:
            lo = mid
        else:
            hi = mid - 1
    return lo


def grpo_table(rows: list[dict[str, Any]]) -> str:
    """A plain-text table of ``plan_grpo`` results, in GiB per device."""
    gib = 1 << 30
    lines = [f"{'devices':>7} {'rank':>5} {'group':>5} {'remat':>5} {'base':>7} {'state':>7} "
             f"{'activ':>8} {'logits':>7} {'total':>8} {'fits':>5} {'max G':>6}"]
    for r in rows:
        lines.append(
            f"{r['devices']:>7} {r['lora_rank'] or 'full':>5} {r['group']:>5} "
            f"{'yes' if r['remat'] else 'no':>5} {r['base_bytes'] / gib:7.1f} "
            f"{r['state_bytes'] / gib:7.1f} {r['activation_bytes'] / gib:8.1f} "
            f"{r['logit_bytes'] / gib:7.1f} {r['total_bytes'] / gib:8.1f} "
            f"{'yes' if r['total_bytes'] <= H200_BYTES else 'no':>5} {r['largest_group']:>6}")
    return "\n".join(lines)
