"""safetensors weights: stable names, exact round trips, shards, and clear errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import make_model
from flax import nnx

from adjax import weights
from adjax.nets import Transformer
from adjax.nets.functional import split_abstract


def _template(**kw):
    from conftest import make_net_cfg

    return split_abstract(lambda: Transformer(make_net_cfg(**kw), rngs=nnx.Rngs(0)))[1]


def test_names_are_dotted_paths_without_flax_internals():
    _, params = make_model(conditioning="cross", cond_layers=1)
    names = list(weights.named(params))
    assert "blocks.0.attn.q.kernel" in names
    assert "encoder.blocks.0.mlp.up.kernel" in names and "head.bias" in names
    assert not any("value" in n or "[" in n for n in names)


def test_float32_round_trip_is_exact_and_bfloat16_is_close(tmp_path):
    _, params = make_model(seed=3)
    weights.save(params, tmp_path / "f32")
    back = weights.load(tmp_path / "f32", _template())
    jax.tree.map(lambda a, b: np.testing.assert_array_equal(np.asarray(a), np.asarray(b)),
                 params, back)
    weights.save(params, tmp_path / "bf16", dtype="bfloat16")
    half = weights.load(tmp_path / "bf16", _template())
    for a, b in zip(jax.tree.leaves(params), jax.tree.leaves(half), strict=True):
        assert b.dtype == jnp.float32
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-2, atol=1e-2)
    assert (tmp_path / "bf16" / "model.safetensors").stat().st_size < \
        (tmp_path / "f32" / "model.safetensors").stat().st_size * 0.6


def test_shards_stay_under_the_limit_and_load_back(tmp_path):
    _, params = make_model(seed=1)
    files = weights.save(params, tmp_path, max_shard_bytes=20_000)
    assert len(files) > 2 and all(f.stat().st_size < 20_000 + 2048 for f in files)
    assert files[0].name == f"model-00001-of-{len(files):05d}.safetensors"
    back = weights.load(tmp_path, _template())
    jax.tree.map(lambda a, b: np.testing.assert_array_equal(np.asarray(a), np.asarray(b)),
                 params, back)
    weights.save(params, tmp_path)  # a later save replaces the shards
    assert [f.name for f in weights.files(tmp_path)] == ["model.safetensors"]


def test_missing_misshapen_and_damaged_weights_are_named(tmp_path):
    from safetensors.numpy import save_file

    _, params = make_model()
    named = {k: np.asarray(v) for k, v in weights.named(params).items()}
    with pytest.raises(weights.WeightsError, match="holds no"):
        weights.load(tmp_path, _template())
    save_file({k: v for k, v in named.items() if k != "head.bias"},
              str(tmp_path / "model.safetensors"))
    with pytest.raises(weights.WeightsError, match="tensor head.bias is missing"):
        weights.load(tmp_path, _template())
    save_file({**named, "head.bias": np.zeros(3, np.float32)}, str(tmp_path / "model.safetensors"))
    with pytest.raises(weights.WeightsError, match=r"head.bias has shape \(3,\)"):
        weights.load(tmp_path, _template())
    save_file({**named, "stray": np.zeros(3, np.float32)}, str(tmp_path / "model.safetensors"))
    with pytest.raises(weights.WeightsError, match="does not have.*stray"):
        weights.load(tmp_path, _template())
    data = (tmp_path / "model.safetensors").read_bytes()
    (tmp_path / "model.safetensors").write_bytes(data[:len(data) // 2])
    with pytest.raises(weights.WeightsError, match="model.safetensors is truncated"):
        weights.load(tmp_path, _template())
    shards = tmp_path / "shards"
    files = weights.save(params, shards, max_shard_bytes=20_000)
    files[1].unlink()
    with pytest.raises(weights.WeightsError, match="missing or mixed"):
        weights.load(shards, _template())
    with pytest.raises(weights.WeightsError, match="exceeds the shard size"):
        weights.save(params, tmp_path / "x", max_shard_bytes=16)
    with pytest.raises(ValueError, match="dtype"):
        weights.save(params, tmp_path / "x", dtype="int8")
