"""Tiny shapes for tests and CPU smoke benchmarks."""

from adjax.config import (
    MaskedDiffusionConfig,
    MeshConfig,
    NetConfig,
    OptimConfig,
    SamplerConfig,
    TrainConfig,
)
from adjax_code.corpus.data import DataConfig


def get_config() -> dict:
    vocab = 64
    return {
        "net": NetConfig(vocab_size=vocab, d_model=64, n_layers=2, n_heads=4, max_len=64,
                         conditioning="cross", cond_layers=1, cond_max_len=32),
        "diffusion": MaskedDiffusionConfig(mask_id=vocab - 1),
        "sampler": SamplerConfig(num_steps=16),
        "optim": OptimConfig(learning_rate=1e-3, warmup_steps=10, total_steps=200),
        "train": TrainConfig(batch_size=16, steps=200, eval_every=50, checkpoint_every=100),
        # For code training the vocabulary and [MASK] id come from the trained tokenizer.
        "data": DataConfig(vocab_size=512, buckets=(64, 128), cond_len=32, max_files=10),
        "mesh": MeshConfig(),  # one device; e.g. --set mesh.data=-1 mesh.strategy=fsdp
    }
