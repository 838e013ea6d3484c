"""The shipped model: sized to train in about 90 minutes on 2 CPU cores.

Reproduce: ``uv run adjax train --config default --out runs/default`` then
``uv run adjax model package runs/default --out adjax_code/models/default --evaluate``.

About 4.4M parameters; about 3k trained tokens/s on 2 cores (benchmarks/bench_train.py).
Task-suite train pairs are repeated so that short, tested functions weigh as much as the
standard-library corpus; a quarter of the pairs also appear as feedback edit pairs ("Add a
docstring", "Add type hints", "Handle the empty list"; see ``data.edit_pairs``). The last
1500 steps anneal on the task suite: the cosine schedule has reached its final learning rate
at step 3000 (``optim.total_steps``) and stays there.
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
    # vocab_size, mask_id, max_len and cond_max_len are filled in from the tokenizer and data.
    return {
        "net": NetConfig(vocab_size=2048, d_model=192, n_layers=4, n_heads=4, max_len=256,
                         conditioning="cross", cond_layers=2, cond_max_len=48),
        "diffusion": MaskedDiffusionConfig(mask_id=1),
        "sampler": SamplerConfig(num_steps=32, rule="confidence"),
        "optim": OptimConfig(learning_rate=1e-3, warmup_steps=200, total_steps=3000,
                             ema_decay=0.998),
        # 3000 steps on everything, then 1500 anneal steps at the schedule's final learning
        # rate, 80% of their batches from the task suite (and its edit pairs).
        "train": TrainConfig(batch_size=32, steps=4500, eval_every=250, checkpoint_every=250),
        "data": DataConfig(vocab_size=2048, buckets=(64, 128, 256), cond_len=48,
                           max_files=800, task_repeat=3, edit_fraction=0.25,
                           anneal_steps=1500, anneal_corpus=0.2),
        "mesh": MeshConfig(),  # one device; e.g. --set mesh.data=-1 mesh.strategy=fsdp
    }
