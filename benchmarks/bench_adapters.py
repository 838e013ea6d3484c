"""One coupled-GRPO update with LoRA adapters against full fine-tuning with a float32
master, on a random Qwen2-shaped checkpoint stored in bf16: peak resident memory, step time
(compile apart, then the median of timed steps), checkpoint size; and the planner's table
for the 7-8B families on 1 and 8 H200-sized devices.

Each mode runs in its own process, so its peak RSS is its own. CPU, small by default:

    uv run python benchmarks/bench_adapters.py                  # 8 layers x 512
    uv run python benchmarks/bench_adapters.py --size 0.5b      # Qwen2.5-0.5B's shape
    uv run python benchmarks/bench_adapters.py --check-planner  # planner vs compiled

``--check-planner`` compiles one adapter GRPO update of a tiny network on 1 and 8 fake CPU
devices and sets the planner's per-device figures beside the compiled program's
``memory_analysis()`` (bf16 and float32 networks, with and without remat).

Writes ``benchmarks/results/adapters.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common  # noqa: E402

OUT = Path(__file__).parent / "results" / "adapters.jsonl"
SIZES = {  # Qwen2-shaped (prefix conditioning, GQA, qkv bias, rope 1e6)
    "small": dict(vocab_size=32_000, d_model=512, n_layers=8, n_heads=8, n_kv_heads=2,
                  mlp_hidden=1408),
    "0.5b": dict(vocab_size=151_936, d_model=896, n_layers=24, n_heads=14, n_kv_heads=2,
                 mlp_hidden=4864),
}


def net_config(size: str):
    from adjax.config import NetConfig

    return NetConfig(conditioning="prefix", shared_prefix_embed=True, head_bias=False,
                     qkv_bias=True, rope_base=1e6, max_len=1024, dtype="bfloat16",
                     **SIZES[size])


def one_mode(size: str, mode: str, rank: int, group: int, length: int, prompt: int,
             repeats: int) -> dict:
    """One mode's figures (run in a fresh process)."""
    import jax
    import jax.numpy as jnp
    import numpy as np
    from flax import nnx

    from adjax import checkpoint
    from adjax.config import MaskedDiffusionConfig
    from adjax.nets import Transformer
    from adjax.nets.functional import split
    from adjax_adapt import adapters, mechanisms

    net = net_config(size)
    model, params = split(Transformer(net, rngs=nnx.Rngs(0)))
    params = adapters.cast(params, jnp.bfloat16)  # stored bf16, as imported
    params = jax.block_until_ready(params)
    lora = adapters.LoraConfig(rank=rank, alpha=2.0 * rank) if mode == "lora" else None
    acfg = mechanisms.AdaptConfig(mechanism="grpo", lora=lora, master=mode == "master",
                                  buffer_capacity=16, batch_size=group, steps_per_update=1)
    mask = net.vocab_size - 1
    ctx = mechanisms.Context(
        model=model, diffusion=MaskedDiffusionConfig(mask_id=mask), cfg=acfg, pad_id=0,
        replay_tokens=np.zeros((0, length), np.int32),
        replay_cond=np.zeros((0, prompt), np.int32), base_params=params, mask_id=mask)
    state = mechanisms.init_state(params, ctx, jax.random.key(0))
    rng = np.random.default_rng(0)
    tokens = rng.integers(1, mask, (group, length)).astype(np.int32)
    batch = {"tokens": jnp.asarray(tokens), "gen_mask": jnp.ones((group, length), bool),
             "cond": jnp.asarray(rng.integers(1, mask, (group, prompt)).astype(np.int32)),
             "advantages": jnp.asarray(np.linspace(-1, 1, group), jnp.float32)}
    batch["cond_mask"] = batch["cond"] != 0
    old = jax.tree.map(jnp.copy, state.params)
    ref = ctx.view.reference(params, old)
    t0 = time.perf_counter()
    state, m = ctx.grpo_step(state, old, batch, ref, ctx.frozen)
    jax.block_until_ready(m["loss"])
    first_s = time.perf_counter() - t0  # compile + one step
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        state, m = ctx.grpo_step(state, old, batch, ref, ctx.frozen)
        jax.block_until_ready(m["loss"])
        times.append(time.perf_counter() - t0)
    with tempfile.TemporaryDirectory() as tmp:
        with checkpoint.Checkpointer(Path(tmp) / "ck") as ckpt:
            ckpt.save(1, state)
        ckpt_bytes = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
    return {"mode": mode, "size": size, "lora_rank": rank if lora else 0, "group": group,
            "length": length, "prompt": prompt, "parameters": adapters.count(params),
            "trainable": adapters.count(state.params),
            "first_step_s": first_s, "step_median_s": statistics.median(times),
            "step_min_s": min(times), "repeats": repeats, "checkpoint_bytes": ckpt_bytes,
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "loss": float(m["loss"])}


def planner_rows() -> list[dict]:
    from adjax import plan

    rows = []
    for name in ("dream-7b", "diffucoder-7b", "llada-8b"):
        for n in (1, 8):
            for rank in (128, 0):
                for remat in (False, True):
                    req = plan.GRPORequest(net=plan.SHAPES[name], lora_rank=rank, group=8,
                                           length=512, cond_length=256, devices=n,
                                           remat=remat)
                    rows.append({"workload": "adapters_plan", "model": name,
                                 **plan.plan_grpo(req),
                                 "largest_group": plan.largest_group(req)})
    return rows


def compiled_vs_planned(dtype: str, remat: bool, devices: int) -> dict:
    """The planner's figures and the compiled adapter GRPO update's ``memory_analysis()``
    for a tiny Qwen2-shaped network (vocabulary 2048, 2 layers x 128), group 8, prompt 32
    + 64 tokens, rank 8; the base split over ``devices`` data devices."""
    import dataclasses

    import jax
    import numpy as np
    from flax import nnx

    from adjax import plan, sharding
    from adjax.config import MaskedDiffusionConfig
    from adjax.nets import Transformer
    from adjax.nets.functional import split
    from adjax_adapt import adapters, mechanisms

    net = dataclasses.replace(net_config("small"), vocab_size=2048, d_model=128, n_layers=2,
                              n_heads=4, n_kv_heads=2, mlp_hidden=352, dtype=dtype,
                              remat=remat)
    group, length, prompt, rank = 8, 64, 32, 8
    model, params = split(Transformer(net, rngs=nnx.Rngs(0)))
    params = jax.tree.map(lambda x: x.astype(dtype), params)
    mesh = None if devices == 1 else sharding.make_mesh(devices, 1)
    if mesh is not None:
        params = jax.device_put(params, sharding.tree_shardings(params, mesh, "fsdp"))
    mask = net.vocab_size - 1
    acfg = mechanisms.AdaptConfig(mechanism="grpo", buffer_capacity=8, batch_size=group,
                                  lora=adapters.LoraConfig(rank=rank, alpha=2.0 * rank))
    ctx = mechanisms.Context(
        model=model, diffusion=MaskedDiffusionConfig(mask_id=mask), cfg=acfg, pad_id=0,
        replay_tokens=np.zeros((0, length), np.int32),
        replay_cond=np.zeros((0, prompt), np.int32), base_params=params, mask_id=mask,
        mesh=mesh, strategy="fsdp")
    state = jax.eval_shape(lambda: mechanisms.init_state(params, ctx, jax.random.key(0)))
    extra = {}
    if mesh is not None:
        state = sharding.placed_shapes(state, ctx.shardings[0])
        extra = {"sharding": sharding.data_sharding(mesh)}
    batch = {k: jax.ShapeDtypeStruct(shape, dt, **extra)
             for k, shape, dt in (("tokens", (group, length), np.int32),
                                  ("gen_mask", (group, length), bool),
                                  ("cond", (group, prompt), np.int32),
                                  ("cond_mask", (group, prompt), bool),
                                  ("advantages", (group,), np.float32))}
    stats = ctx.grpo_step.lower(state, state.params, batch, None, ctx.frozen).compile() \
        .memory_analysis()
    est = plan.plan_grpo(plan.GRPORequest(net=net, lora_rank=rank, group=group,
                                          length=length, cond_length=prompt,
                                          devices=devices, remat=remat, dtype=dtype))
    compiled = (stats.argument_size_in_bytes + stats.output_size_in_bytes
                + stats.temp_size_in_bytes)
    return {"workload": "adapters_plan_vs_compiled", "dtype": dtype, **est,
            "argument_bytes": stats.argument_size_in_bytes,
            "output_bytes": stats.output_size_in_bytes,
            "temp_bytes": stats.temp_size_in_bytes, "alias_bytes": stats.alias_size_in_bytes,
            "compiled_bytes": compiled, "planned_over_compiled": est["total_bytes"] / compiled,
            "resident_over_arguments": (est["base_bytes"] + est["state_bytes"])
            / stats.argument_size_in_bytes}


def check_planner(env: dict) -> None:
    """``compiled_vs_planned`` for every case, in a child with 8 fake CPU devices."""
    import os

    code = ("import json, bench_adapters as b\n"
            "for dtype in ('bfloat16', 'float32'):\n"
            "    for remat in (False, True):\n"
            "        for n in (1, 8):\n"
            "            print(json.dumps(b.compiled_vs_planned(dtype, remat, n)))\n")
    child = {**os.environ, "JAX_PLATFORMS": "cpu",
             "XLA_FLAGS": "--xla_force_host_platform_device_count=8"}
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, cwd=Path(__file__).parent, env=child).stdout
    for line in out.strip().splitlines():
        row = json.loads(line)
        common.write(OUT, {**row, "versions": env["versions"], "device": "cpu (fake)"})
        print(f"{row['dtype']:>9} remat={row['remat']!s:<5} devices={row['devices']}: "
              f"planned {row['total_bytes'] / 1e6:7.2f} MB, compiled "
              f"{row['compiled_bytes'] / 1e6:7.2f} MB ({row['planned_over_compiled']:.2f}); "
              f"resident / arguments {row['resident_over_arguments']:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", choices=sorted(SIZES), default="small")
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--group", type=int, default=4)
    ap.add_argument("--length", type=int, default=128)
    ap.add_argument("--prompt", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--mode", choices=("lora", "master"), default=None,
                    help="run one mode in this process and print its JSON (internal)")
    ap.add_argument("--no-plan", action="store_true")
    ap.add_argument("--check-planner", action="store_true",
                    help="only compare the planner with the compiled update's memory")
    args = ap.parse_args()
    if args.mode:
        print(json.dumps(one_mode(args.size, args.mode, args.rank, args.group, args.length,
                                  args.prompt, args.repeats)))
        return
    env = common.environment()
    if args.check_planner:
        check_planner(env)
        return
    results = {}
    for mode in ("lora", "master"):
        cmd = [sys.executable, __file__, "--mode", mode, "--size", args.size, "--rank",
               str(args.rank), "--group", str(args.group), "--length", str(args.length),
               "--prompt", str(args.prompt), "--repeats", str(args.repeats)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        results[mode] = json.loads(out.strip().splitlines()[-1])
        common.write(OUT, {"workload": "adapters_grpo_update", **env, **results[mode]})
    lo, ma = results["lora"], results["master"]
    common.write(OUT, {"workload": "adapters_ratio", "size": args.size,
                       "peak_rss_master_over_lora": ma["peak_rss_bytes"] / lo["peak_rss_bytes"],
                       "step_master_over_lora": ma["step_median_s"] / lo["step_median_s"],
                       "checkpoint_master_over_lora":
                       ma["checkpoint_bytes"] / lo["checkpoint_bytes"]})
    if not args.no_plan:
        for row in planner_rows():
            common.write(OUT, {**row, "versions": env["versions"]})


if __name__ == "__main__":
    main()
