"""A larger code model for one accelerator (GPU/TPU): bf16 compute, longer functions.

    uv run adjax train --config large --out runs/large

About 68M parameters. Not trained by this project yet (no accelerator was available);
its shapes follow small.py scaled by width, depth and vocabulary.
"""

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
    return {
        "net": NetConfig(vocab_size=8192, d_model=512, n_layers=12, n_heads=8, n_kv_heads=4,
                         max_len=512, conditioning="cross", cond_layers=4, cond_max_len=96,
                         dtype="bfloat16"),
        "diffusion": MaskedDiffusionConfig(mask_id=1),
        "sampler": SamplerConfig(num_steps=64, rule="confidence"),
        "optim": OptimConfig(learning_rate=6e-4, warmup_steps=1000, total_steps=60_000,
                             ema_decay=0.9995),
        "train": TrainConfig(batch_size=128, steps=60_000, eval_every=1000,
                             checkpoint_every=5000),
        "data": DataConfig(vocab_size=8192, buckets=(128, 256, 512), cond_len=96,
                           max_files=20_000, task_repeat=2),
        "mesh": MeshConfig(data=-1, strategy="fsdp"),  # every device, FSDP
    }
