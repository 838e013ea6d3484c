"""One process of the two-process tests (tests/test_multihost.py): joins the run on
loopback, trains two FSDP steps (or, with ``adapters``, two gradient and two GRPO steps of
LoRA adapters) over every process's devices, prints what it saw."""

import json
import os
import sys


def train_steps(mesh, checkpoint_dir=None):
    """Two FSDP train steps of a tiny network on ``mesh``, each process feeding only its
    rows of a fixed global batch; returns the losses and a checksum of the weights."""
    import jax
    import jax.numpy as jnp

    from adjax import checkpoint, masked, sharding, train
    from adjax.config import MaskedDiffusionConfig, OptimConfig
    from tests.conftest import make_model

    model, _ = make_model(d_model=32, n_heads=4, vocab_size=12, n_layers=2)
    opt = train.make_optimizer(OptimConfig(learning_rate=1e-3, warmup_steps=0))

    def build():
        params = make_model(d_model=32, n_heads=4, vocab_size=12, n_layers=2)[1]
        return train.init_state(params, opt, jax.random.key(1))

    state, shardings = sharding.init_on_mesh(build, mesh, "fsdp")
    cfg = MaskedDiffusionConfig(mask_id=11)
    step = train.make_train_step(
        lambda p, b, k: masked.elbo_loss(p, b, k, model=model, cfg=cfg), opt,
        state_shardings=shardings, batch_sharding=sharding.data_sharding(mesh))
    tokens = jax.random.randint(jax.random.key(2), (16, 16), 0, 11)
    local = {"tokens": tokens[sharding.process_rows(16)]}
    losses = []
    for _ in range(2):
        state, metrics = step(state, sharding.shard_batch(local, mesh))
        losses.append(float(metrics["loss"]))
    total = jax.jit(lambda p: sum(jnp.sum(jnp.abs(x)) for x in jax.tree.leaves(p)),
                    out_shardings=sharding.replicated(mesh))
    out = {"losses": losses, "checksum": float(total(state.params)),
           "devices": jax.device_count(), "local_devices": jax.local_device_count()}
    if checkpoint_dir is not None:  # every process writes its shards; restore reads them
        with checkpoint.Checkpointer(checkpoint_dir) as ckpt:
            ckpt.save(2, state)
            restored, _ = ckpt.restore(state, shardings=shardings)
        out["restored_checksum"] = float(total(restored.params))
    return out


def adapter_steps(mesh):
    """Two gradient and two coupled-GRPO steps of LoRA adapters (rank 4, every target)
    over a frozen base split on ``mesh`` (FSDP x TP), every process passing the same global
    batch; returns the losses and checksums of the adapters and the base."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    from adjax import sharding
    from adjax.config import MaskedDiffusionConfig
    from adjax_adapt import adapters, mechanisms
    from tests.conftest import make_model

    shape = dict(seed=3, vocab_size=12, max_len=8, n_heads=2, n_layers=2, d_model=32)
    model, _ = make_model(**shape)
    params, _ = sharding.init_on_mesh(lambda: make_model(**shape)[1], mesh, "fsdp_tp")
    acfg = mechanisms.AdaptConfig(mechanism="grpo", buffer_capacity=8, steps_per_update=2,
                                  batch_size=8, learning_rate=1e-2,
                                  lora=adapters.LoraConfig(rank=4, alpha=8.0))
    ctx = mechanisms.Context(
        model=model, diffusion=MaskedDiffusionConfig(mask_id=11), cfg=acfg, pad_id=0,
        replay_tokens=np.zeros((0, 4), np.int32), replay_cond=np.zeros((0, 2), np.int32),
        base_params=params, mask_id=11, mesh=mesh, strategy="fsdp_tp", adapter_min_bytes=0)
    state = mechanisms.init_state(params, ctx, jax.random.key(0))
    total = jax.jit(lambda p: sum(jnp.sum(jnp.abs(x.astype(jnp.float32)))
                                  for x in jax.tree.leaves(p)),
                    out_shardings=sharding.replicated(mesh))
    initial = float(total(state.params))
    tokens = np.asarray(jax.random.randint(jax.random.key(1), (8, 4), 0, 11))
    losses = []
    for _ in range(2):
        state = ctx.train_step(state, {"tokens": jnp.asarray(tokens), "weight": jnp.ones(8)})
        losses.append(float(state.metrics["last_loss"]))
    reward = (tokens == 3).mean(-1) + np.arange(8) * 0.01
    groups = (tokens.reshape(2, 4, 4), np.ones((2, 4, 4), bool),
              np.zeros((2, 2), np.int32), reward.reshape(2, 4))
    state = mechanisms.get("grpo").learn_groups(state, ctx, *groups)
    losses.append(float(state.metrics["last_loss"]))
    return {"losses": losses, "initial": initial, "adapters": float(total(state.params)),
            "base": float(total(params)), "devices": jax.device_count(),
            "local_devices": jax.local_device_count()}


def main():
    port, process_id, ckpt_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=4"
    os.environ["JAX_PLATFORMS"] = "cpu"
    from adjax import sharding

    sharding.initialize_distributed(f"127.0.0.1:{port}", 2, process_id)
    if sys.argv[4:] == ["adapters"]:
        out = adapter_steps(sharding.make_mesh(4, 2))
    else:
        out = train_steps(sharding.make_mesh(), ckpt_dir)
    print("RESULT " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
