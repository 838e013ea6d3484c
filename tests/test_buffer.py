import jax
import jax.numpy as jnp
import numpy as np
import pytest

from adjax import buffer


def _items(rewards, length=3):
    n = len(rewards)
    tokens = jnp.arange(n)[:, None] * jnp.ones((1, length), jnp.int32)
    return tokens, tokens[:, :2] + 100, jnp.asarray(rewards, jnp.float32)


def test_fills_then_replaces_lowest():
    buf = buffer.init(3, 3, 2)
    buf = buffer.add(buf, *_items([0.5, 0.1, 0.9]))
    assert int(buffer.size(buf)) == 3
    # Full: 0.4 replaces 0.1; 0.05 is dropped (lower than everything stored).
    tokens, cond, _ = _items([0, 0, 0, 0, 0])
    buf = buffer.add(buf, tokens[3:5], cond[3:5], jnp.array([0.4, 0.05]))
    assert sorted(np.asarray(buf.reward).tolist()) == pytest.approx([0.4, 0.5, 0.9])
    slot = int(np.argmin(np.abs(np.asarray(buf.reward) - 0.4)))
    np.testing.assert_array_equal(buf.tokens[slot], [3, 3, 3])
    np.testing.assert_array_equal(buf.cond[slot], [103, 103])


def test_mask_skips_rows_and_add_is_jittable():
    buf = buffer.init(4, 3, 2)
    add = jax.jit(buffer.add)
    buf = add(buf, *_items([0.3, 0.7]), jnp.array([True, False]))
    assert int(buffer.size(buf)) == 1
    assert float(buf.reward[0]) == pytest.approx(0.3)


def test_top_k_and_sampling():
    buf = buffer.init(5, 3, 2)
    buf = buffer.add(buf, *_items([0.2, 0.9, 0.5]))
    idx, real = buffer.top_k(buf, 4)
    np.testing.assert_allclose(np.asarray(buf.reward)[np.asarray(idx[:3])], [0.9, 0.5, 0.2])
    np.testing.assert_array_equal(real, [True, True, True, False])
    draws = np.asarray(buffer.sample(buf, jax.random.key(0), 20000, temperature=0.25))
    freq = np.bincount(draws, minlength=5) / 20000
    expect = np.exp(np.array([0.2, 0.9, 0.5]) / 0.25)
    np.testing.assert_allclose(freq[:3], expect / expect.sum(), atol=0.02)
    assert freq[3:].sum() == 0, "never an empty slot"
    uniform = np.bincount(np.asarray(buffer.sample(buf, jax.random.key(1), 6000, 0.0)),
                          minlength=5) / 6000
    np.testing.assert_allclose(uniform[:3], 1 / 3, atol=0.03)
    batch = buffer.gather(buf, idx[:2])
    np.testing.assert_allclose(batch["reward"], [0.9, 0.5])


def test_bad_capacity():
    with pytest.raises(ValueError, match="capacity"):
        buffer.init(0, 3, 2)
