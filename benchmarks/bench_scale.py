"""Scale on a mesh: train-step tokens/s over 1-8 devices, compile time with and without scan
over layers, and the memory planner's table for public checkpoint shapes.

    uv run python benchmarks/bench_scale.py                 # all three parts
    uv run python benchmarks/bench_scale.py --part scaling  # or compile, plan

On a CPU the devices are faked (XLA_FLAGS=--xla_force_host_platform_device_count=N): they
share the same cores, so the scaling table shows the mesh's overhead, not a speed-up. The
plan part compiles every mesh on fake devices; its figures are the CPU compiler's.
"""

from __future__ import annotations

import os

if "--xla_force_host_platform_device_count" not in os.environ.get("XLA_FLAGS", ""):
    count = 64  # idle fake devices cost nothing; the plan part compiles 64-device meshes
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                               f" --xla_force_host_platform_device_count={count}")
    os.environ.setdefault("JAX_PLATFORMS", "cpu")

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import jax  # noqa: E402
from common import environment, write  # noqa: E402
from flax import nnx  # noqa: E402

from adjax import masked, plan, sharding, train  # noqa: E402
from adjax.nets import Transformer  # noqa: E402
from adjax.nets.functional import split, split_abstract  # noqa: E402
from adjax_code.model import configs

RESULTS = Path(__file__).parent / "results" / "scale.jsonl"


def _state_and_step(net, cfg, mesh, strategy):
    optimizer = train.make_optimizer(cfg.optim)
    model = split_abstract(lambda: Transformer(net, rngs=nnx.Rngs(0)))[0]

    def build():
        params = split(Transformer(net, rngs=nnx.Rngs(0)))[1]
        return train.init_state(params, optimizer, jax.random.key(0))

    def loss_fn(p, b, k):
        return masked.elbo_loss(p, b, k, model=model, cfg=cfg.diffusion)

    state, shardings = sharding.init_on_mesh(build, mesh, strategy)
    step = train.make_train_step(loss_fn, optimizer, state_shardings=shardings,
                                 batch_sharding=sharding.data_sharding(mesh))
    return state, step


def scaling(args) -> None:
    cfg = configs.load(args.config)
    net = dataclasses.replace(cfg.net, dtype=args.dtype)
    for strategy in ("dp", "fsdp"):
        for n in (1, 2, 4, 8):
            mesh = sharding.make_mesh(devices=jax.devices()[:n])
            state, step = _state_and_step(net, cfg, mesh, strategy)
            key = jax.random.key(1)
            batch = {"tokens": jax.random.randint(key, (args.batch, args.length), 0,
                                                  net.vocab_size - 1),
                     "cond": jax.random.randint(key, (args.batch, net.cond_max_len), 0,
                                                net.vocab_size - 1)}
            batch = sharding.shard_batch(batch, mesh)
            t0 = time.perf_counter()
            compiled = step.lower(state, batch).compile()
            compile_s = time.perf_counter() - t0
            state, _ = compiled(state, batch)  # warm-up
            times = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                state, m = compiled(state, batch)
                jax.block_until_ready(m["loss"])
                times.append(time.perf_counter() - t0)
            median = statistics.median(times)
            write(RESULTS, {"bench": "scale_train", "config": args.config, "strategy": strategy,
                            "devices": n, "dtype": args.dtype, "batch": args.batch,
                            "length": args.length,
                            "compile_s": compile_s, "median_s": median,
                            "min_s": min(times), "max_s": max(times),
                            "tokens_per_s": args.batch * args.length / median,
                            **environment()})


def compile_time(args) -> None:
    cfg = configs.load("large")
    mesh = sharding.make_mesh(devices=jax.devices()[:1])
    for layers in (4, 12, 24):
        for scan in (False, True):
            net = dataclasses.replace(cfg.net, n_layers=layers, scan_layers=scan)
            req = plan.Request(net=net, strategy="dp", batch=8, length=256,
                               cond_length=cfg.net.cond_max_len)
            t0 = time.perf_counter()
            out = plan.plan(req)
            write(RESULTS, {"bench": "scale_compile", "config": "large", "n_layers": layers,
                            "scan_layers": scan, "compile_s": time.perf_counter() - t0,
                            "temp_bytes": out["compiled"]["temp_bytes"],
                            "parameters": out["parameters"], "mesh": str(mesh.shape),
                            **environment()})


def planner(args) -> None:
    for name in ("qwen2.5-0.5b", "dream-7b", "llada-8b"):
        net = dataclasses.replace(plan.SHAPES[name], scan_layers=True, remat=True)
        for n in (1, 8, 64):
            req = plan.Request(net=net, data=n, strategy="fsdp", batch=max(n, 8),
                               length=args.plan_length)
            t0 = time.perf_counter()
            out = plan.plan(req, compile=n <= jax.device_count())
            write(RESULTS, {"bench": "scale_plan", "shape": name, **out,
                            "remat": True, "scan_layers": True,
                            "compile_s": time.perf_counter() - t0, **environment()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", choices=("scaling", "compile", "plan", "all"), default="all")
    parser.add_argument("--config", default="small")
    parser.add_argument("--dtype", default="float32", help="compute dtype (CPUs: float32)")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--length", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--plan-length", type=int, default=512)
    args = parser.parse_args()
    parts = {"scaling": scaling, "compile": compile_time, "plan": planner}
    for name, fn in parts.items():
        if args.part in (name, "all"):
            fn(args)


if __name__ == "__main__":
    main()
