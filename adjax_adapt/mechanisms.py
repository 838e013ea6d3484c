"""Adaptation mechanisms: how a model gets better from its own rewarded samples.

State in, state out. ``AdaptState`` (params, optimizer state, trajectory buffer, key, step,
metrics) is a pytree that orbax saves and restores whole.

A mechanism does three things (``Mechanism``; its defaults sample fresh and learn nothing):

- ``starts(state, ctx, query_cond, prefix_rows, n, mask_id, key)``: the starting rows [n, L]
  of a request's n candidates. A row that is all [MASK] after its prefix is sampled fresh; a
  row with other tokens fixed is a draft to be completed (the memory path).
- ``update(state, ctx)``: learning once new rewarded samples are in the buffer.
- ``learn_groups(state, ctx, tokens, gen_mask, cond, reward)``: learning from whole rewarded
  groups of candidates (every candidate of an item, kept or not). ``learns_from_groups``
  says whether it does anything, so that a caller samples a group only when it is used.

Built in:

- ``gradient``: every candidate is sampled fresh; ``update`` takes optax steps on the masked
  diffusion ELBO of buffered samples — each row weighted by its reward (``reward_mode=
  "weighted"``, weights normalised to mean 1 over the batch) or kept only at or above
  ``reward_threshold`` (``"filtered"``) — with a ``replay_fraction`` of every batch drawn from
  the original training rows against forgetting. Jitted, state donated.
- ``memory``: ``starts`` embeds the request's condition and every buffered one (encoder
  output mean-pooled over real tokens, on device) and, when the best cosine similarity is at
  least ``memory_threshold``, starts candidates from that buffered sample with
  ``remask_fraction`` of its generated tokens (after the prefix) masked again, a fresh random
  choice per candidate. Below the threshold candidates are sampled fresh. ``update`` changes
  nothing: the buffer is the memory.
- ``hybrid``: of n candidates, ``round(n * memory_weight / (gradient_weight +
  memory_weight))`` come from the memory path and the rest are fresh; ``update`` is the
  gradient update with its learning rate multiplied by ``gradient_weight`` (no step at all at
  0); memory starts keep ``(1 - remask_fraction)`` of the retrieved tokens scaled by
  ``memory_weight`` clipped to 1. Weights (1, 0) reproduce ``gradient`` exactly and (0, 1)
  reproduce ``memory`` exactly.
- ``grpo``: every candidate is sampled fresh; after each cycle, ``learn_groups`` takes
  ``steps_per_update`` coupled-GRPO steps (``adjax_adapt.grpo``) on the cycle's groups — all
  candidates of an item, rewarded, with leave-one-out advantages — against the policy that
  sampled them, with a k3 KL to the model adaptation started from. The buffer is not used
  for learning. Groups whose candidates all scored the same carry no signal.

What ``params`` holds depends on ``AdaptConfig``: the whole parameter state (default); with
``master=True`` a float32 master of it, the network computing with it cast to the stored
dtype (bf16 compute, float32 update); with ``lora`` (an ``adapters.LoraConfig``) only the
float32 adapters, the base frozen in ``Context.base_params`` and never copied. Every
mechanism reads and trains the state through ``Context.view`` (``adapters.Trainable``), so
gradient, hybrid and grpo train adapters alone when a LoRA config is given, and ``policy``
gives the (model, params) to sample with (adapters applied inside the jitted sampler, no
merge). With ``Context.mesh`` the steps are jitted with the state, base and batch placed on
it (``adapters.state_shardings``).

A new mechanism subclasses ``Mechanism``, overrides what it changes and calls
``register(name, obj)``.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, Literal

import flax
import jax
import jax.numpy as jnp
import numpy as np
import optax

from adjax import buffer as buffer_lib
from adjax import masked, sharding, train
from adjax.config import check_choice, check_positive, check_range
from adjax_adapt import adapters
from adjax_adapt import grpo as grpo_lib


@dataclasses.dataclass(frozen=True)
class AdaptConfig:
    """How adaptation learns; see the module docstring for exact semantics."""

    mechanism: str = "hybrid"
    gradient_weight: float = 0.5
    memory_weight: float = 0.5
    learning_rate: float = 3e-4
    steps_per_update: int = 30
    batch_size: int = 16
    reward_mode: Literal["weighted", "filtered"] = "weighted"
    reward_threshold: float = 1.0
    replay_fraction: float = 0.25
    buffer_capacity: int = 512
    memory_threshold: float = 0.9
    remask_fraction: float = 0.3
    grpo: grpo_lib.GRPOConfig = dataclasses.field(default_factory=grpo_lib.GRPOConfig)
    lora: adapters.LoraConfig | None = None  # train adapters only, the base frozen
    master: bool = False  # full fine-tuning of a float32 master (bf16 compute)

    def __post_init__(self):
        if isinstance(self.lora, dict):  # as a checkpoint's metadata holds it
            object.__setattr__(self, "lora", adapters.LoraConfig(**self.lora))
        if isinstance(self.grpo, dict):
            object.__setattr__(self, "grpo", grpo_lib.GRPOConfig(**self.grpo))
        if self.lora is not None and self.master:
            raise ValueError("a float32 master is for full fine-tuning; LoRA keeps the base "
                             "frozen in its stored dtype (choose one)")
        check_choice("reward_mode", self.reward_mode, ("weighted", "filtered"))
        for name in ("gradient_weight", "memory_weight"):
            check_range(self, name, 0.0, float("inf"))
        if self.gradient_weight + self.memory_weight <= 0:
            raise ValueError("gradient_weight + memory_weight must be positive")
        for name in ("replay_fraction", "remask_fraction"):
            check_range(self, name, 0.0, 1.0)
        check_range(self, "memory_threshold", -1.0, 1.0)  # a cosine similarity
        check_positive(self, "learning_rate", "steps_per_update", "batch_size",
                       "buffer_capacity")

    @property
    def gradient_share(self) -> float:
        """The learning-rate multiplier: ``gradient_weight`` for hybrid, else 1."""
        return self.gradient_weight if self.mechanism == "hybrid" else 1.0


@flax.struct.dataclass
class AdaptState:
    params: Any
    opt_state: Any
    buffer: buffer_lib.Buffer
    key: jax.Array
    step: jax.Array
    metrics: dict[str, jax.Array]


@dataclasses.dataclass(frozen=True, eq=False)
class Context:
    """What mechanisms share and never change: the model functions, ids, replay rows."""

    model: Any
    diffusion: Any  # MaskedDiffusionConfig
    cfg: AdaptConfig
    pad_id: int
    replay_tokens: np.ndarray  # [R, L] original training rows, for replay
    replay_cond: np.ndarray  # [R, Lc]
    base_params: Any = None  # the model adaptation started from (GRPO's KL reference)
    mask_id: int = 0
    mesh: Any = None  # a jax.sharding.Mesh the steps run on (None: one device)
    strategy: str = "fsdp"  # how the base (and a full state) is split on ``mesh``
    adapter_min_bytes: int = 1 << 20  # adapters smaller than this stay replicated on a mesh

    @functools.cached_property
    def view(self) -> adapters.Trainable:
        """What the state trains (all weights, a float32 master, or adapters) and how the
        network reads it."""
        master = None
        if self.cfg.master:
            if self.base_params is None:
                raise ValueError("a float32 master needs the base parameters in the context")
            master = adapters.stored_dtype(self.base_params)
        return adapters.Trainable(self.model, lora=self.cfg.lora, master_dtype=master)

    @property
    def frozen(self) -> Any:
        """The frozen base the steps take as an argument (LoRA), else None."""
        return self.view.frozen(self.base_params)

    @functools.cached_property
    def optimizer(self) -> optax.GradientTransformation:
        """``adjax.train.adamw`` at a constant learning rate, without weight decay."""
        return train.adamw(self.cfg.learning_rate * self.cfg.gradient_share)

    @functools.cached_property
    def shardings(self) -> tuple[Any, Any]:
        """(state shardings, frozen base shardings) on ``mesh``; (None, None) without."""
        if self.mesh is None:
            return None, None
        shapes = jax.eval_shape(lambda: _fresh_state(self.base_params, self, jax.random.key(0)))
        state = adapters.state_shardings(shapes, self.mesh, self.strategy,
                                         lora=self.cfg.lora is not None,
                                         min_bytes=self.adapter_min_bytes)
        return state, _placed_like(self.frozen, self.mesh, self.strategy)

    def place_batch(self, batch: dict) -> dict:
        """A batch split over the mesh's data axis when its rows divide (else replicated)."""
        if self.mesh is None:
            return batch
        n = self.mesh.shape["data"]
        rows = next(iter(batch.values())).shape[0]
        target = sharding.data_sharding(self.mesh) if rows % n == 0 \
            else sharding.replicated(self.mesh)
        return place(batch, jax.tree.map(lambda _: target, batch))

    @functools.cached_property
    def train_step(self):
        """One gradient step on a batch of rows (``adapters.make_train_step``: jitted, state
        donated, the frozen base an argument), counted in the state's metrics."""
        dcfg = self.diffusion
        state_sh, frozen_sh = self.shardings
        base = adapters.make_train_step(
            self.view, lambda p, batch, key, model: masked.elbo_loss(p, batch, key,
                                                                     model=model, cfg=dcfg),
            self.optimizer, state_shardings=state_sh, frozen_shardings=frozen_sh,
            mesh=self.mesh)

        def step(state: AdaptState, batch) -> AdaptState:
            state, metrics = base(state, self.frozen, self.place_batch(batch))
            return state.replace(metrics={**state.metrics,
                                          "updates": state.metrics["updates"] + 1,
                                          "last_loss": metrics["loss"]})

        return step

    @functools.cached_property
    def grpo_step(self):
        """One coupled-GRPO step (``grpo.make_step``) on an ``AdaptState``:
        ``step(state, old, batch, ref, frozen)``."""
        state_sh, frozen_sh = self.shardings
        return grpo_lib.make_step(self.model, self.optimizer, self.cfg.grpo, self.mask_id,
                                  view=self.view, mesh=self.mesh, state_shardings=state_sh,
                                  frozen_shardings=frozen_sh)


def place(tree: Any, shardings: Any) -> Any:
    """``tree`` (the same value in every process) in ``shardings``: ``device_put`` where
    this process addresses every device of a sharding; on a mesh spanning processes each
    process builds the shards it holds from its copy."""
    def put(x, target):
        if target.is_fully_addressable:
            return jax.device_put(x, target)
        if jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key):
            return jax.random.wrap_key_data(put(jax.random.key_data(x), target))
        host = np.asarray(x)
        return jax.make_array_from_callback(host.shape, target, lambda index: host[index])

    return jax.tree.map(put, tree, shardings)


def _placed_like(tree: Any, mesh, strategy: str) -> Any:
    """The shardings ``tree`` has on ``mesh`` (a base loaded onto it keeps its layout), or
    ``strategy``'s where it is not there; None for None."""
    if tree is None:
        return None
    shardings = [getattr(x, "sharding", None) for x in jax.tree.leaves(tree)]
    if all(getattr(s, "mesh", None) == mesh for s in shardings):
        return jax.tree.map(lambda x: x.sharding, tree)
    return sharding.tree_shardings(tree, mesh, strategy)


def init_state(params: Any, ctx: Context, key: jax.Array) -> AdaptState:
    """A fresh state from the base's ``params``: a copy of them, their float32 master, or
    fresh adapters (B = 0: the base's outputs exactly), per ``ctx.view``. On ``ctx.mesh``
    the state is placed in its shards."""
    state = _fresh_state(params, ctx, key)
    return state if ctx.mesh is None else place(state, ctx.shardings[0])


def _fresh_state(params: Any, ctx: Context, key: jax.Array) -> AdaptState:
    length, cond_len = ctx.replay_tokens.shape[1], ctx.replay_cond.shape[1]
    trainable = ctx.view.init(params, key)
    return AdaptState(
        params=trainable, opt_state=ctx.optimizer.init(trainable),
        buffer=buffer_lib.init(ctx.cfg.buffer_capacity, length, cond_len, ctx.pad_id),
        key=key, step=jnp.zeros((), jnp.int32),
        metrics={"updates": jnp.zeros((), jnp.int32), "last_loss": jnp.zeros(()),
                 "kl": jnp.zeros(()), "clip_fraction": jnp.zeros(())})


def policy(state: AdaptState, ctx: Context) -> tuple[Any, Any]:
    """(model, params) that sample (and score) with ``state``: the state's params, a
    master cast to the stored dtype, or ``LoraFns`` over the base and the adapters (no
    merge: the adapters apply inside the jitted sampler)."""
    return ctx.view.sampling(state.params, ctx.base_params)


def add(state: AdaptState, tokens: np.ndarray, cond: np.ndarray, reward: np.ndarray
        ) -> AdaptState:
    """Rewarded samples into the buffer (the lowest-reward item goes when it is full)."""
    if len(tokens) == 0:
        return state
    buf = buffer_lib.add(state.buffer, jnp.asarray(tokens), jnp.asarray(cond),
                         jnp.asarray(reward, jnp.float32))
    return state.replace(buffer=buf)


# -- the two paths ------------------------------------------------------------------------

def _fresh(prefix_rows: np.ndarray, n: int) -> np.ndarray:
    return np.repeat(prefix_rows[:1], n, axis=0)


@functools.partial(jax.jit, static_argnames=("model",))
def _embed(params, cond, *, model, pad_id):
    """Unit-length mean-pooled encoder outputs [N, D] of condition rows."""
    mask = cond != pad_id
    h = model.encode(params, cond, mask)[0].astype(jnp.float32)
    pooled = (h * mask[..., None]).sum(1) / jnp.maximum(mask.sum(1, keepdims=True), 1)
    return pooled / jnp.maximum(jnp.linalg.norm(pooled, axis=-1, keepdims=True), 1e-6)


def retrieve(state: AdaptState, ctx: Context, query_cond: np.ndarray) -> tuple[int, float]:
    """(index, cosine similarity) of the buffered sample most similar to ``query_cond``
    [Lc], among the best-rewarded ones; (-1, -1.0) when the buffer is empty."""
    buf = state.buffer
    if not bool(buf.valid.any()):
        return -1, -1.0
    model, params = policy(state, ctx)
    emb = _embed(params, jnp.concatenate([jnp.asarray(query_cond)[None], buf.cond]),
                 model=model, pad_id=ctx.pad_id)
    sim = emb[1:] @ emb[0]
    # Prefer the most similar; among equally similar (the same spec), the best reward.
    score = jnp.where(buf.valid, jnp.round(sim, 4) * 1e3 + buf.reward, -jnp.inf)
    i = int(jnp.argmax(score))
    return i, float(sim[i])


def _memory_rows(state: AdaptState, ctx: Context, query_cond: np.ndarray,
                 prefix_rows: np.ndarray, n: int, mask_id: int, keep_scale: float,
                 key: jax.Array) -> np.ndarray:
    idx, sim = retrieve(state, ctx, query_cond)
    if idx < 0 or sim < ctx.cfg.memory_threshold:
        return _fresh(prefix_rows, n)
    draft = np.asarray(state.buffer.tokens[idx])
    prefix_len = int((prefix_rows[0] != mask_id).sum())
    keep = min(1.0, (1.0 - ctx.cfg.remask_fraction) * keep_scale)
    rng = np.random.default_rng(np.asarray(jax.random.key_data(key)).ravel().tolist())
    rows = np.repeat(draft[None], n, axis=0)
    code = np.nonzero((draft != ctx.pad_id) & (np.arange(len(draft)) >= prefix_len))[0]
    for row in rows:
        hit = code[rng.random(len(code)) >= keep]
        row[hit] = mask_id
    rows[:, :prefix_len] = prefix_rows[0, :prefix_len]
    return rows


def _batch(state: AdaptState, ctx: Context, rng: np.random.Generator) -> dict | None:
    cfg = ctx.cfg
    buf = state.buffer
    valid = np.asarray(buf.valid)
    reward = np.asarray(buf.reward)
    pool = np.nonzero(valid & (reward >= cfg.reward_threshold))[0] \
        if cfg.reward_mode == "filtered" else np.nonzero(valid)[0]
    if len(pool) == 0:
        return None
    n_replay = int(round(cfg.batch_size * cfg.replay_fraction)) if len(ctx.replay_tokens) else 0
    n_buf = cfg.batch_size - n_replay
    pick = rng.choice(pool, n_buf)
    weight = reward[pick] if cfg.reward_mode == "weighted" else np.ones(n_buf)
    weight = weight / max(weight.mean(), 1e-6)
    tokens, cond = np.asarray(buf.tokens)[pick], np.asarray(buf.cond)[pick]
    if n_replay:
        r = rng.integers(0, len(ctx.replay_tokens), n_replay)
        tokens = np.concatenate([tokens, ctx.replay_tokens[r]])
        cond = np.concatenate([cond, ctx.replay_cond[r]])
        weight = np.concatenate([weight, np.ones(n_replay)])
    return {"tokens": jnp.asarray(tokens), "cond": jnp.asarray(cond),
            "cond_mask": jnp.asarray(cond != ctx.pad_id),
            "weight": jnp.asarray(weight, jnp.float32)}


def gradient_update(state: AdaptState, ctx: Context) -> AdaptState:
    if ctx.cfg.gradient_share <= 0:
        return state
    step = ctx.train_step
    rng = np.random.default_rng(int(state.step) + 7919)
    for _ in range(ctx.cfg.steps_per_update):
        batch = _batch(state, ctx, rng)
        if batch is None:
            return state
        state = step(state, batch)
    return state


# -- the registry -------------------------------------------------------------------------

class Mechanism:
    """The base of every mechanism: fresh starts, and neither ``update`` nor
    ``learn_groups`` changes the state. Subclasses override what they change."""

    learns_from_groups: bool = False  # True where ``learn_groups`` is not a no-op

    def starts(self, state: AdaptState, ctx: Context, query_cond: np.ndarray,
               prefix_rows: np.ndarray, n: int, mask_id: int, key: jax.Array) -> np.ndarray:
        return _fresh(prefix_rows, n)

    def update(self, state: AdaptState, ctx: Context) -> AdaptState:
        return state

    def learn_groups(self, state: AdaptState, ctx: Context, tokens: np.ndarray,
                     gen_mask: np.ndarray, cond: np.ndarray, reward: np.ndarray
                     ) -> AdaptState:
        """``tokens``/``gen_mask`` [I, G, L], ``cond`` [I, Lc], ``reward`` [I, G]."""
        return state


class Gradient(Mechanism):
    def update(self, state, ctx):
        return gradient_update(state, ctx)


class Memory(Mechanism):
    def starts(self, state, ctx, query_cond, prefix_rows, n, mask_id, key):
        return _memory_rows(state, ctx, query_cond, prefix_rows, n, mask_id, 1.0, key)


class Hybrid(Mechanism):
    def starts(self, state, ctx, query_cond, prefix_rows, n, mask_id, key):
        cfg = ctx.cfg
        n_mem = int(round(n * cfg.memory_weight / (cfg.gradient_weight + cfg.memory_weight)))
        fresh = _fresh(prefix_rows, n - n_mem)
        if n_mem == 0:
            return fresh
        mem = _memory_rows(state, ctx, query_cond, prefix_rows, n_mem, mask_id,
                           cfg.memory_weight, key)
        return np.concatenate([mem, fresh]) if len(fresh) else mem

    def update(self, state, ctx):
        return gradient_update(state, ctx)


class GRPO(Mechanism):
    """Learns from whole groups (``learn_groups``), not from the buffer."""

    learns_from_groups = True

    def learn_groups(self, state, ctx, tokens, gen_mask, cond, reward):
        n_items, g, length = tokens.shape
        adv = np.asarray(grpo_lib.leave_one_out(jnp.asarray(reward, jnp.float32)))
        useful = np.nonzero(np.abs(adv).max(axis=1) > 0)[0]
        if len(useful) == 0:
            return state  # every group scored evenly: nothing to learn from
        old = jax.tree.map(jnp.copy, state.params)
        ref = ctx.view.reference(ctx.base_params, old)
        rng = np.random.default_rng(int(state.step) + 104729)
        per_batch = max(1, ctx.cfg.batch_size // g)
        sums = {"loss": 0.0, "kl": 0.0, "clip_fraction": 0.0}
        steps = ctx.cfg.steps_per_update
        for _ in range(steps):
            # Always per_batch groups (repeated when fewer carry a signal): one batch shape,
            # so the step compiles once for every update.
            pick = rng.choice(useful, per_batch, replace=len(useful) < per_batch)
            batch = {"tokens": jnp.asarray(tokens[pick].reshape(-1, length)),
                     "gen_mask": jnp.asarray(gen_mask[pick].reshape(-1, length)),
                     "cond": jnp.asarray(np.repeat(cond[pick], g, axis=0)),
                     "advantages": jnp.asarray(adv[pick].reshape(-1))}
            batch["cond_mask"] = batch["cond"] != ctx.pad_id
            state, m = ctx.grpo_step(state, old, ctx.place_batch(batch), ref, ctx.frozen)
            sums = {k: v + m[k] / steps for k, v in sums.items()}  # on the device: no sync
        metrics = {**state.metrics, "updates": state.metrics["updates"] + steps,
                   **{("last_loss" if k == "loss" else k): jnp.asarray(v, jnp.float32)
                      for k, v in sums.items()}}
        return state.replace(metrics=metrics)


_REGISTRY: dict[str, Mechanism] = {"gradient": Gradient(), "memory": Memory(),
                                   "hybrid": Hybrid(), "grpo": GRPO()}
_BUILT_IN = frozenset(_REGISTRY)


def register(name: str, mechanism: Mechanism) -> None:
    if name in _REGISTRY:
        raise ValueError(f"adaptation mechanism {name!r} is already registered")
    if not isinstance(mechanism, Mechanism):
        raise TypeError(f"a mechanism subclasses adjax_adapt.mechanisms.Mechanism (for its "
                        f"starts, update and learn_groups), got {type(mechanism).__name__}")
    _REGISTRY[name] = mechanism


def unregister(name: str) -> None:
    """Removes a name ``register`` added (the built-in mechanisms stay)."""
    if name in _BUILT_IN:
        raise ValueError(f"{name!r} is a built-in adaptation mechanism")
    if name not in _REGISTRY:
        raise ValueError(f"adaptation mechanism {name!r} is not registered")
    del _REGISTRY[name]


def names() -> list[str]:
    return sorted(_REGISTRY)


def get(name: str) -> Mechanism:
    if name not in _REGISTRY:
        raise ValueError(f"unknown adaptation mechanism {name!r}; valid: {', '.join(names())}")
    return _REGISTRY[name]
