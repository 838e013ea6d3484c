"""Trajectory buffer: fixed-capacity arrays of (tokens, condition, reward), pure and jit-able.

Items are token rows by default; any fixed shape and dtype works (a plan [H, F] float32).

When the buffer is full a new item replaces the lowest-reward item, and only if it scores
higher; an item that scores no higher than everything stored is dropped. Empty slots fill
first, in order.
"""

from __future__ import annotations

import flax
import jax
import jax.numpy as jnp


@flax.struct.dataclass
class Buffer:
    tokens: jax.Array  # [C, L] int32 (or [C, *shape] of any dtype)
    cond: jax.Array  # [C, Lc] int32 (likewise)
    reward: jax.Array  # [C] float32
    valid: jax.Array  # [C] bool

    @property
    def capacity(self) -> int:
        return self.reward.shape[0]


def init(capacity: int, token_len: int | tuple[int, ...], cond_len: int | tuple[int, ...],
         pad_id: int = 0, *, dtype=jnp.int32, cond_dtype=jnp.int32) -> Buffer:
    """An empty buffer; ``token_len`` and ``cond_len`` are an item's length or shape."""
    if capacity <= 0:
        raise ValueError(f"buffer capacity must be positive, got {capacity}")

    def shape(n):
        return (capacity, *((n,) if isinstance(n, int) else n))

    return Buffer(
        tokens=jnp.full(shape(token_len), pad_id, dtype),
        cond=jnp.full(shape(cond_len), pad_id, cond_dtype),
        reward=jnp.zeros((capacity,), jnp.float32),
        valid=jnp.zeros((capacity,), bool),
    )


def add(buf: Buffer, tokens: jax.Array, cond: jax.Array, reward: jax.Array,
        mask: jax.Array | None = None) -> Buffer:
    """Adds a batch [N, ...] one item at a time; ``mask`` [N] skips padded rows."""
    if mask is None:
        mask = jnp.ones(reward.shape, bool)

    def one(b: Buffer, item):
        tok, cnd, r, keep = item
        # Empty slots rank below every stored reward; the first empty one wins ties.
        rank = jnp.where(b.valid, b.reward, -jnp.inf)
        slot = jnp.argmin(rank)
        take = keep & (~b.valid[slot] | (r > b.reward[slot]))
        b = b.replace(
            tokens=b.tokens.at[slot].set(jnp.where(take, tok, b.tokens[slot])),
            cond=b.cond.at[slot].set(jnp.where(take, cnd, b.cond[slot])),
            reward=b.reward.at[slot].set(jnp.where(take, r, b.reward[slot])),
            valid=b.valid.at[slot].set(b.valid[slot] | take),
        )
        return b, None

    items = (tokens.astype(buf.tokens.dtype), cond.astype(buf.cond.dtype),
             reward.astype(jnp.float32), mask)
    buf, _ = jax.lax.scan(one, buf, items)
    return buf


def size(buf: Buffer) -> jax.Array:
    return buf.valid.sum()


def top_k(buf: Buffer, k: int) -> tuple[jax.Array, jax.Array]:
    """Indices [k] of the k best valid items and a mask [k] of which are real."""
    rank = jnp.where(buf.valid, buf.reward, -jnp.inf)
    values, idx = jax.lax.top_k(rank, k)
    return idx, jnp.isfinite(values)


def sample(buf: Buffer, key: jax.Array, n: int, temperature: float = 1.0) -> jax.Array:
    """Indices [n] drawn with replacement, probability proportional to exp(reward / T).

    Temperature 0 draws uniformly among valid items. An empty buffer is an error the
    caller must avoid (checked with ``size`` first): all indices are then 0.
    """
    if temperature > 0:
        logits = buf.reward / temperature
    else:
        logits = jnp.zeros_like(buf.reward)
    logits = jnp.where(buf.valid, logits, -jnp.inf)
    logits = jnp.where(buf.valid.any(), logits, 0.0)
    return jax.random.categorical(key, logits, shape=(n,))


def gather(buf: Buffer, idx: jax.Array) -> dict[str, jax.Array]:
    return {"tokens": buf.tokens[idx], "cond": buf.cond[idx], "reward": buf.reward[idx],
            "valid": buf.valid[idx]}
