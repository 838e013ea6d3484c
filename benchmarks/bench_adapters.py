"""One coupled-GRPO update with LoRA adapters against full fine-tuning with a float32
master, on a random Qwen2-shaped checkpoint stored in bf16: peak resident memory, step time
(compile apart, then the median of timed steps), checkpoint size; and the planner's table
for the 7-8B families on 1 and 8 H200-sized devices.

Each mode runs in its own process, so its peak RSS is its own. CPU, small by default:

    uv run python benchmarks/bench_adapters.py                  # 8 layers x 512
    uv run python benchmarks/bench_adapters.py --size 0.5b      # Qwen2.5-0.5B's shape

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
    args = ap.parse_args()
    if args.mode:
        print(json.dumps(one_mode(args.size, args.mode, args.rank, args.group, args.length,
                                  args.prompt, args.repeats)))
        return
    env = common.environment()
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
