import jax
import jax.numpy as jnp
import numpy as np
import pytest

from adjax import sharding


def test_mesh_and_batch_sharding():
    n = len(jax.devices())
    assert n == 8, "conftest fakes eight CPU devices"
    mesh = sharding.make_mesh(model=2)
    assert mesh.shape == {"data": 4, "model": 2}
    batch = sharding.shard_batch(jnp.arange(16.0).reshape(8, 2), mesh)
    assert len(batch.addressable_shards) == 8
    assert batch.addressable_shards[0].data.shape == (2, 2)
    with pytest.raises(ValueError, match="do not split"):
        sharding.make_mesh(model=3)


def test_param_shardings_split_divisible_axes():
    mesh = sharding.make_mesh(model=2)
    params = {"kernel": jnp.ones((6, 4)), "bias": jnp.ones((3,)), "scalar": jnp.ones(())}
    specs = sharding.param_shardings(params, mesh)
    assert specs["kernel"].spec == jax.sharding.PartitionSpec("model", None)
    assert specs["bias"].spec == jax.sharding.PartitionSpec()
    placed = jax.device_put(params, specs)
    np.testing.assert_array_equal(placed["kernel"], params["kernel"])
    single = sharding.param_shardings(params, sharding.make_mesh(model=1))
    assert single["kernel"].spec == jax.sharding.PartitionSpec()


def test_data_parallel_step_matches_single_device():
    mesh = sharding.make_mesh()
    x = jnp.arange(32.0).reshape(8, 4)
    f = jax.jit(lambda a: jnp.sum(a**2, axis=0))
    np.testing.assert_allclose(f(sharding.shard_batch(x, mesh)), f(x))
    assert sharding.replicated(mesh).spec == jax.sharding.PartitionSpec()
