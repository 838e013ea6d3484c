"""Masked-diffusion training throughput: compile time, then median trained tokens/s.

    uv run python benchmarks/bench_train.py --configs tiny,small --dtype float32
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import jax
import jax.numpy as jnp
from common import config_record, environment, time_compiled, write
from flax import nnx

from adjax import masked, train
from adjax.nets import Transformer
from adjax.nets.functional import split
from adjax_code.model import configs


def run(name: str, dtype: str, batch: int, length: int, repeats: int, out: Path) -> None:
    cfg = configs.load(name)
    net_cfg = dataclasses.replace(cfg.net, dtype=dtype)
    model, params = split(Transformer(net_cfg, rngs=nnx.Rngs(0)))
    opt = train.make_optimizer(cfg.optim)

    def loss_fn(p, b, k):
        return masked.elbo_loss(p, b, k, model=model, cfg=cfg.diffusion)

    # Timing repeats one state many times, so this step does not donate its input.
    def step(state, b):
        key = jax.random.fold_in(state.key, state.step)
        (_, metrics), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.params, b, key)
        updates, opt_state = opt.update(grads, state.opt_state, state.params)
        return state.replace(params=jax.tree.map(jnp.add, state.params, updates),
                             opt_state=opt_state, step=state.step + 1), metrics

    state = train.init_state(params, opt, jax.random.key(0))
    data = {"tokens": jax.random.randint(jax.random.key(1), (batch, length), 0,
                                         net_cfg.vocab_size - 1),
            "cond": jnp.ones((batch, net_cfg.cond_max_len), jnp.int32)}
    timing = time_compiled(jax.jit(step), (state, data), repeats)
    n_params = sum(p.size for p in jax.tree.leaves(params))
    write(out, {
        "bench": "train", "config": name, "dtype": dtype, "batch": batch, "length": length,
        **timing, "tokens_per_s": batch * length / timing["median_s"], "params": n_params,
        **environment(), "net": config_record(cfg)["net"],
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--configs", default="tiny,small")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--length", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).parent / "results" / "train.jsonl")
    args = parser.parse_args()
    for name in args.configs.split(","):
        run(name, args.dtype, args.batch, args.length, args.repeats, args.out)


if __name__ == "__main__":
    main()
