"""A small model: the CPU benchmark's upper shape, a quick accelerator run."""

from adjax.config import (
    MaskedDiffusionConfig,
    MeshConfig,
    NetConfig,
    OptimConfig,
    SamplerConfig,
    TrainConfig,
)


def get_config() -> dict:
    vocab = 4096
    return {
        "net": NetConfig(vocab_size=vocab, d_model=256, n_layers=4, n_heads=8, n_kv_heads=4,
                         max_len=256, conditioning="cross", cond_layers=2, cond_max_len=64,
                         dtype="bfloat16"),
        "diffusion": MaskedDiffusionConfig(mask_id=vocab - 1),
        "sampler": SamplerConfig(num_steps=64),
        "optim": OptimConfig(learning_rate=5e-4, warmup_steps=200, total_steps=20_000),
        "train": TrainConfig(batch_size=32, steps=20_000, eval_every=500, checkpoint_every=2000),
        "mesh": MeshConfig(data=-1, strategy="fsdp"),  # every device, FSDP
    }
