"""Masked-diffusion sampling throughput: compile time, then median generated tokens/s.

    uv run python benchmarks/bench_sample.py --configs tiny,small --dtype float32
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
from pathlib import Path

import jax
import jax.numpy as jnp
from common import config_record, environment, time_compiled, write
from flax import nnx

from adjax import sampling
from adjax.nets import Transformer
from adjax.nets.functional import split
from adjax_code import configs


def run(name: str, dtype: str, batch: int, length: int, repeats: int, out: Path) -> None:
    cfg = configs.load(name)
    net_cfg = dataclasses.replace(cfg["net"], dtype=dtype)
    model, params = split(Transformer(net_cfg, rngs=nnx.Rngs(0)))
    mask_id = cfg["diffusion"].mask_id
    scfg = cfg["sampler"]
    fn = jax.jit(functools.partial(sampling.sample, model=model, cfg=scfg, mask_id=mask_id))
    tokens = jnp.full((batch, length), mask_id, jnp.int32)
    cond = jnp.ones((batch, net_cfg.cond_max_len), jnp.int32)
    timing = time_compiled(fn, (params, jax.random.key(0), tokens, cond), repeats)
    write(out, {
        "bench": "sample", "config": name, "dtype": dtype, "batch": batch, "length": length,
        "steps": scfg.num_steps, **timing,
        "tokens_per_s": batch * length / timing["median_s"], **environment(),
        "net": config_record(cfg)["net"],
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--configs", default="tiny,small")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--length", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).parent / "results" / "sample.jsonl")
    args = parser.parse_args()
    for name in args.configs.split(","):
        run(name, args.dtype, args.batch, args.length, args.repeats, args.out)


if __name__ == "__main__":
    main()
