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
from adjax_code.model import configs


@dataclasses.dataclass(frozen=True)
class _PerStepContext:
    """The same network without ``with_context_kv``: cross-attention keys and values are
    recomputed at every step and layer (the sampler before they were cached)."""

    inner: object

    def encode(self, params, cond, cond_mask=None):
        return self.inner.encode(params, cond, cond_mask)

    def denoise(self, params, x, level=None, context=None):
        return self.inner.denoise(params, x, level, context)


def run(name: str, dtype: str, batch: int, length: int, repeats: int, out: Path) -> None:
    cfg = configs.load(name)
    net_cfg = dataclasses.replace(cfg.net, dtype=dtype)
    model, params = split(Transformer(net_cfg, rngs=nnx.Rngs(0)))
    mask_id = cfg.diffusion.mask_id
    scfg = cfg.sampler
    tokens = jnp.full((batch, length), mask_id, jnp.int32)
    cond = jnp.ones((batch, net_cfg.cond_max_len), jnp.int32)
    variants = {"context_kv_once": model}
    if net_cfg.conditioning == "cross":
        variants["context_kv_per_step"] = _PerStepContext(model)
    results = {}
    for variant, m in variants.items():
        fn = jax.jit(functools.partial(sampling.sample, model=m, cfg=scfg, mask_id=mask_id))
        timing = time_compiled(fn, (params, jax.random.key(0), tokens, cond), repeats)
        results[variant] = timing["median_s"]
        write(out, {
            "bench": "sample", "config": name, "variant": variant, "dtype": dtype,
            "batch": batch, "length": length, "steps": scfg.num_steps, **timing,
            "tokens_per_s": batch * length / timing["median_s"], **environment(),
            "net": config_record(cfg)["net"],
        })
    if len(results) == 2:
        ratio = results["context_kv_per_step"] / results["context_kv_once"]
        print(f"{name}: context K/V once a call runs {ratio:.2f}x the per-step speed")


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
