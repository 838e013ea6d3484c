import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from adjax import OptimConfig, buffer, checkpoint, train
from tests.conftest import make_model


def _state():
    model, params = make_model()
    opt = train.make_optimizer(OptimConfig(total_steps=10, warmup_steps=1))
    state = train.init_state(params, opt, jax.random.key(7), ema=True)

    def loss(p, batch, key):
        out = model.denoise(p, batch)
        return jnp.mean(out**2), {}

    step = train.make_train_step(loss, opt, ema_decay=0.5)
    state, _ = step(state, jnp.ones((2, 4), jnp.int32))
    buf = buffer.add(buffer.init(4, 5, 3), jnp.ones((2, 5), jnp.int32), jnp.ones((2, 3), jnp.int32),
                     jnp.array([0.3, 0.8]))
    return {"train": state, "buffer": buf}


def _assert_bit_exact(a, b):
    leaves_a, tree_a = jax.tree.flatten(a)
    leaves_b, tree_b = jax.tree.flatten(b)
    assert tree_a == tree_b
    for x, y in zip(leaves_a, leaves_b, strict=True):
        if jnp.issubdtype(x.dtype, jax.dtypes.prng_key):
            x, y = jax.random.key_data(x), jax.random.key_data(y)
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


def test_round_trip_is_bit_exact(tmp_path):
    state = _state()
    with checkpoint.Checkpointer(tmp_path / "ckpt") as ckpt:
        ckpt.save(1, state, {"config": {"d_model": 32}})
        restored, meta = ckpt.restore(checkpoint.abstract(state))
    _assert_bit_exact(state, restored)
    assert meta["config"] == {"d_model": 32} and meta["step"] == 1
    assert meta["versions"]["jax"] == jax.__version__


def test_keeps_last_n_and_reads_meta(tmp_path):
    state = {"w": jnp.arange(3.0)}
    with checkpoint.Checkpointer(tmp_path, keep=2) as ckpt:
        for step in (1, 2, 3):
            ckpt.save(step, {"w": state["w"] * step}, {"note": step})
        assert ckpt.steps() == [2, 3] and ckpt.latest_step() == 3
        assert ckpt.read_meta(2)["note"] == 2
        old, _ = ckpt.restore(state, step=2)
        np.testing.assert_array_equal(old["w"], [0.0, 2.0, 4.0])


def test_empty_directory_is_a_clear_error(tmp_path):
    with checkpoint.Checkpointer(tmp_path) as ckpt:
        with pytest.raises(FileNotFoundError, match="no checkpoint"):
            ckpt.restore({"w": jnp.zeros(2)})
        with pytest.raises(FileNotFoundError, match="no checkpoint"):
            ckpt.read_meta()


def test_killed_save_keeps_last_good(tmp_path):
    """A process killed in the middle of a save leaves the previous step as the latest."""
    script = textwrap.dedent(f"""
        import os, jax.numpy as jnp
        from adjax import checkpoint
        ckpt = checkpoint.Checkpointer({str(tmp_path)!r})
        ckpt.save(1, {{"w": jnp.ones((4,))}})
        big = {{"w%d" % i: jnp.full((256, 1024), float(i)) for i in range(64)}}
        ckpt.save(2, big, wait=False)
        os._exit(3)  # dies while step 2 is being written
    """)
    env = dict(os.environ, XLA_FLAGS="")
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert proc.returncode == 3, proc.stderr
    with checkpoint.Checkpointer(tmp_path) as ckpt:
        assert ckpt.latest_step() == 1
        restored, _ = ckpt.restore({"w": jnp.zeros((4,))})
        np.testing.assert_array_equal(restored["w"], np.ones(4))
