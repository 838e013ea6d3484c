"""The accelerator run: bf16 throughput and MFU, then a model trained in a wall budget.

On a machine with JAX (GPU or TPU) and the repository on PYTHONPATH, no install step::

    PYTHONPATH=. python benchmarks/device/run.py --data runs/export --out runs/device

Three phases, each bounded in wall time:

1. bench: the train step (masked-diffusion ELBO, AdamW, EMA) at a few model sizes and batch
   sizes, and the sampler (32 confidence steps) at the training size; compile time apart
   from run time; FLOPs from the compiled program's cost analysis; MFU against the device's
   bf16 peak (on an H100/H200 the 790 TFLOP/s measured for bf16 matrix products on random
   data on this project's lent H200; the datasheet's dense figure, 989, is recorded too).
2. train: the ``train`` size on the token set from ``adjax data export`` for ``--train-s``
   seconds (compilation excluded): learning rate warmed up and cosine-decayed over the
   wall budget, the last 20% of the time drawing 80% of batches from the task suite (the
   shipped model's anneal recipe), held-out bits per token measured along the way.
3. write: the EMA weights as bfloat16 safetensors shards of at most 16 MiB, the tokenizer, a
   manifest (a packaged model directory: ``adjax generate --model OUT`` loads it), the loss
   curve PNG and results.jsonl — never more than 8 files.

``--dry-run`` runs the same code on the CPU with a tiny size for a few seconds (CI runs it).
Imports only the numeric core (``adjax``): no tree-sitter, no orbax checkpoints.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402
from flax import nnx  # noqa: E402

from adjax import masked, sampling, tokendata, train, weights  # noqa: E402
from adjax.config import (  # noqa: E402
    MaskedDiffusionConfig,
    NetConfig,
    OptimConfig,
    SamplerConfig,
    TrainConfig,
)
from adjax.nets import Transformer  # noqa: E402
from adjax.nets.functional import split  # noqa: E402

MAX_FILES, MAX_FILE_BYTES = 8, 16 * 2**20
# Model shapes (vocabulary and lengths come from the token set). "train" is the model the
# run ships: 24.8M parameters at the exported 8192-token vocabulary.
SIZES = {
    "tiny": dict(d_model=64, n_layers=2, n_heads=4, cond_layers=1),
    "small": dict(d_model=256, n_layers=4, n_heads=4, cond_layers=2),
    "train": dict(d_model=384, n_layers=5, n_heads=6, cond_layers=2),
    "large": dict(d_model=768, n_layers=12, n_heads=12, n_kv_heads=4, cond_layers=4),
}
# bf16 dense peak FLOP/s by device kind: (the figure MFU uses, where it comes from).
PEAKS = {
    "H200": (790e12, "bf16 matmul measured on the lent H200 (datasheet dense: 989e12)"),
    "H100": (790e12, "as the H200: same chip (datasheet dense: 989e12)"),
    "A100": (312e12, "datasheet dense bf16"),
    "TPU v4": (275e12, "datasheet bf16"),
    "TPU v5 lite": (197e12, "datasheet bf16"),
    "TPU v5p": (459e12, "datasheet bf16"),
}


def peak_flops(kind: str) -> tuple[float | None, str]:
    for name, value in PEAKS.items():
        if name.lower() in kind.lower():
            return value
    return None, f"no peak known for {kind!r}: MFU not reported"


def compiled_flops(compiled) -> float | None:
    cost = compiled.cost_analysis()
    if isinstance(cost, list | tuple):  # older JAX: one dict per computation
        cost = cost[0] if cost else {}
    return float(cost["flops"]) if cost and "flops" in cost else None


def net_config(size: str, meta: dict, dtype: str) -> NetConfig:
    return NetConfig(vocab_size=meta["vocab_size"], cond_vocab_size=meta["vocab_size"],
                     max_len=meta["max_len"], conditioning="cross",
                     cond_max_len=meta["cond_len"], dtype=dtype, **SIZES[size])


def make_optimizer(cfg: OptimConfig) -> optax.GradientTransformation:
    """The project's AdamW (``adjax.train.make_optimizer``) with the learning rate as state,
    so that the host sets it from the wall clock without recompiling."""
    return train.adamw(0.0, clip_norm=cfg.clip_norm, b1=cfg.b1, b2=cfg.b2,
                       weight_decay=cfg.weight_decay, decay_mask=train.matrices, inject=True)


def set_lr(state, lr: float):
    clip, adam = state.opt_state
    hp = dict(adam.hyperparams, learning_rate=jnp.asarray(lr, jnp.float32))
    return state.replace(opt_state=(clip, adam._replace(hyperparams=hp)))


def lr_at(frac: float, peak: float, warmup: float = 0.03, end_ratio: float = 0.1) -> float:
    """Warmup over the first ``warmup`` of the budget, cosine to ``end_ratio`` at its end."""
    if frac < warmup:
        return peak * frac / warmup
    x = min(1.0, (frac - warmup) / (1 - warmup))
    return peak * (end_ratio + (1 - end_ratio) * 0.5 * (1 + math.cos(math.pi * x)))


def build(size: str, meta: dict, dtype: str, optim: OptimConfig, ema: float | None):
    net = net_config(size, meta, dtype)
    model, params = split(Transformer(net, rngs=nnx.Rngs(0)))
    opt = make_optimizer(optim)
    state = train.init_state(params, opt, jax.random.key(0), ema=ema is not None)
    diff = MaskedDiffusionConfig(mask_id=meta["mask_id"])

    def loss_fn(p, b, k):
        return masked.elbo_loss(p, b, k, model=model, cfg=diff)

    step = train.make_train_step(loss_fn, opt, ema_decay=ema)
    n_params = sum(int(np.prod(x.shape)) for x in jax.tree.leaves(params))
    return net, model, state, step, n_params


def random_batch(meta: dict, rows: int, length: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    v = meta["vocab_size"]
    return {"tokens": jnp.asarray(rng.integers(8, v, (rows, length)), jnp.int32),
            "cond": jnp.asarray(rng.integers(8, v, (rows, meta["cond_len"])), jnp.int32),
            "cond_mask": jnp.ones((rows, meta["cond_len"]), bool)}


def timed(fn, state, batch, repeats: int):
    """(state, median seconds per call, all times) for a donating step function."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        state, m = fn(state, batch)
        jax.block_until_ready(m["loss"])
        times.append(time.perf_counter() - t0)
    return state, statistics.median(times), times


def bench_train(size: str, tokens: int, length: int, meta: dict, args, peak) -> dict:
    net, _, state, step, n_params = build(size, meta, args.dtype, OptimConfig(), 0.999)
    batch = random_batch(meta, max(1, tokens // length), length)
    t0 = time.perf_counter()
    compiled = step.lower(state, batch).compile()
    compile_s = time.perf_counter() - t0
    flops = compiled_flops(compiled)
    state, _, _ = timed(compiled, state, batch, 2)  # warm-up
    state, med, times = timed(compiled, state, batch, args.repeats)
    rec = {"bench": "device_train", "size": size, "params": n_params, "dtype": args.dtype,
           "batch": batch["tokens"].shape[0], "length": length,
           "tokens_per_step": int(batch["tokens"].size), "compile_s": compile_s,
           "median_s": med, "min_s": min(times), "max_s": max(times),
           "tokens_per_s": batch["tokens"].size / med, "flops_per_step": flops,
           "tflops_per_s": flops / med / 1e12 if flops else None,
           "mfu": flops / med / peak[0] if flops and peak[0] else None}
    del state, compiled
    return rec


def bench_sampler(size: str, rows: int, length: int, meta: dict, args, peak) -> dict:
    net, model, state, _, n_params = build(size, meta, args.dtype, OptimConfig(), None)
    params = state.params
    cfg = SamplerConfig(num_steps=args.sample_steps, rule="confidence")
    b = random_batch(meta, rows, length)
    init = jnp.full((rows, length), meta["mask_id"], jnp.int32)
    fn = jax.jit(lambda p, k, x, c, cm: sampling.sample(p, k, x, c, cm, model=model, cfg=cfg,
                                                        mask_id=meta["mask_id"]))
    t0 = time.perf_counter()
    compiled = fn.lower(params, jax.random.key(0), init, b["cond"], b["cond_mask"]).compile()
    compile_s = time.perf_counter() - t0
    # XLA counts a loop body once, so FLOPs are those of one denoising pass times the steps
    # (plus the encoder, once).
    ctx = jax.jit(model.encode)(params, b["cond"], b["cond_mask"])
    one = jax.jit(model.denoise).lower(params, init, jnp.ones((rows,)), ctx).compile()
    enc = jax.jit(model.encode).lower(params, b["cond"], b["cond_mask"]).compile()
    f_one, f_enc = compiled_flops(one), compiled_flops(enc)
    flops = f_one * args.sample_steps + (f_enc or 0) if f_one else None
    times = []
    for i in range(args.repeats + 1):
        t0 = time.perf_counter()
        jax.block_until_ready(compiled(params, jax.random.key(i), init, b["cond"],
                                       b["cond_mask"]))
        times.append(time.perf_counter() - t0)
    med = statistics.median(times[1:])
    return {"bench": "device_sample", "size": size, "params": n_params, "dtype": args.dtype,
            "batch": rows, "length": length, "steps": args.sample_steps,
            "compile_s": compile_s, "median_s": med, "rows_per_s": rows / med,
            "tokens_per_s": rows * length / med,
            "forward_passes_per_s": args.sample_steps / med, "flops_per_call": flops,
            "tflops_per_s": flops / med / 1e12 if flops else None,
            "mfu": flops / med / peak[0] if flops and peak[0] else None}


def heldout_bits(eval_fn, params, held: dict) -> float:
    total, n = 0.0, 0
    for size, b in sorted(held.items()):
        rows = min(b.tokens.shape[0], 256)
        batch = {"tokens": jnp.asarray(b.tokens[:rows]), "cond": jnp.asarray(b.cond[:rows]),
                 "cond_mask": jnp.asarray(b.cond_mask[:rows])}
        total += float(eval_fn(params, batch, jax.random.key(size))) * rows * size
        n += rows * size
    return total / max(n, 1)


def train_run(ts: tokendata.TokenSet, args, log) -> tuple[dict, list[dict]]:
    meta = ts.meta
    buckets = tuple(b for b in args.buckets if b <= meta["max_len"]) or (meta["max_len"],)
    train_buckets, dropped = tokendata.pack(ts, ts.rows(split=tokendata.TRAIN),
                                            buckets=buckets, cond_len=meta["cond_len"])
    focus, _ = tokendata.pack(ts, ts.rows(split=tokendata.TRAIN, focus=True),
                              buckets=buckets, cond_len=meta["cond_len"])
    held, _ = tokendata.pack(ts, ts.rows(split=tokendata.HELDOUT), buckets=buckets,
                             cond_len=meta["cond_len"])
    optim = OptimConfig(learning_rate=args.lr, warmup_steps=0, total_steps=1,
                        ema_decay=args.ema)
    net, model, state, step, n_params = build(args.size, meta, args.dtype, optim, args.ema)
    diff = MaskedDiffusionConfig(mask_id=meta["mask_id"])
    eval_fn = jax.jit(lambda p, b, k: masked.heldout_bits_per_token(
        p, b, k, model=model, cfg=diff, num_samples=4))
    log(f"train: {args.size} ({n_params / 1e6:.1f}M parameters), buckets {buckets}, "
        f"{sum(b.tokens.shape[0] for b in train_buckets.values())} rows")
    # Compile every bucket's step before the clock starts (on a copy: steps donate).
    t0 = time.perf_counter()
    compiled = {}
    for size in sorted(train_buckets):
        b = tokendata.batch({size: train_buckets[size]}, args.tokens_per_batch, 0, 0)
        compiled[size] = step.lower(state, jax.tree.map(jnp.asarray, b)).compile()
    initial_bits = heldout_bits(eval_fn, state.params, held)  # also compiles the evaluation
    compile_s = time.perf_counter() - t0
    rows, curve = [], []
    t_start = time.perf_counter()
    last_log, seen, step_i, window_tokens, window_t = t_start, 0, 0, 0, t_start
    anneal_from = 1.0 - args.anneal
    while True:
        frac = (time.perf_counter() - t_start) / args.train_s
        if frac >= 1.0 or (args.max_steps and step_i >= args.max_steps):
            break
        b = tokendata.batch(train_buckets, args.tokens_per_batch, args.seed, step_i,
                            focus if frac >= anneal_from else None, 0.8)
        state = set_lr(state, lr_at(frac, args.lr))
        state, m = compiled[b["tokens"].shape[1]](state, jax.tree.map(jnp.asarray, b))
        step_i += 1
        seen += b["tokens"].size
        window_tokens += b["tokens"].size
        now = time.perf_counter()
        if now - last_log >= args.log_every_s:
            loss = float(m["loss"])
            if not math.isfinite(loss):
                raise FloatingPointError(f"the loss became {loss} at step {step_i}")
            now = time.perf_counter()
            rec = {"step": step_i, "wall_s": now - t_start, "loss": loss,
                   "bits_per_token": loss / math.log(2), "tokens_seen": seen,
                   "tokens_per_s": window_tokens / (now - window_t),
                   "lr": lr_at(frac, args.lr)}
            if len(curve) % args.eval_every == 0:
                rec["heldout_bits_per_token"] = heldout_bits(eval_fn, state.ema_params, held)
            curve.append(rec)
            log(json.dumps(rec))
            last_log, window_tokens, window_t = time.perf_counter(), 0, time.perf_counter()
    jax.block_until_ready(state.params)
    wall = time.perf_counter() - t_start
    final_bits = heldout_bits(eval_fn, state.ema_params, held)
    summary = {"bench": "device_train_run", "size": args.size, "params": n_params,
               "dtype": args.dtype, "steps": step_i, "tokens_seen": seen, "train_wall_s": wall,
               "compile_s": compile_s, "tokens_per_s": seen / wall,
               "epochs": seen / max(1, sum(b.tokens.size for b in train_buckets.values())),
               "final_loss": curve[-1]["loss"] if curve else None,
               "heldout_bits_per_token": final_bits, "initial_heldout_bits": initial_bits,
               "dropped_too_long": dropped,
               "buckets": list(buckets), "tokens_per_batch": args.tokens_per_batch,
               "rows": sum(b.tokens.shape[0] for b in train_buckets.values())}
    rows.append(summary)
    config = {
        # Inference defaults to float32 compute (bf16 is no faster on CPUs); the API's
        # `precision` chooses bfloat16 on an accelerator. Training's dtype is in "training".
        "net": dataclasses.asdict(dataclasses.replace(net, dtype="float32")),
        "diffusion": dataclasses.asdict(diff),
        "sampler": dataclasses.asdict(SamplerConfig(num_steps=32, rule="confidence")),
        "optim": dataclasses.asdict(dataclasses.replace(optim, total_steps=max(step_i, 1))),
        "train": dataclasses.asdict(TrainConfig(batch_size=max(
            1, args.tokens_per_batch // max(buckets)), steps=max(step_i, 1))),
        "data": {"vocab_size": meta["vocab_size"], "buckets": list(buckets),
                 "cond_len": meta["cond_len"], "max_files": 0},
    }
    return {"state": state, "config": config, "summary": summary, "curve": curve}, rows


def plot(curve: list[dict], png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot([r["tokens_seen"] / 1e6 for r in curve], [r["bits_per_token"] for r in curve],
            label="train (bits/token)")
    held = [r for r in curve if "heldout_bits_per_token" in r]
    ax.plot([r["tokens_seen"] / 1e6 for r in held], [r["heldout_bits_per_token"] for r in held],
            "o-", label="held-out ELBO (EMA)")
    ax.set_xlabel("tokens seen (millions)")
    ax.set_ylabel("bits per token")
    ax.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    plt.close(fig)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_model(out: Path, data_dir: Path, result: dict, env: dict, args) -> list[Path]:
    files = weights.save(result["state"].ema_params, out, dtype="bfloat16",
                         max_shard_bytes=MAX_FILE_BYTES,
                         metadata={"params": "ema", "dtype": "bfloat16"})
    (out / "tokenizer.json").write_bytes((data_dir / "tokenizer.json").read_bytes())
    listed = [p.name for p in files] + ["tokenizer.json"]
    if result["curve"]:
        plot(result["curve"], out / "loss.png")
        listed.append("loss.png")
    s = result["summary"]
    manifest = {
        "format": 1, "name": out.name,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "config": result["config"],
        "data": {"token_set": data_dir.name, "rows_packed": s["rows"],
                 "counts": json.loads((data_dir / "meta.json").read_text()).get("counts")},
        "training": {"steps": s["steps"], "wall_s": s["train_wall_s"],
                     "compile_s": s["compile_s"], "tokens_seen": s["tokens_seen"],
                     "tokens_per_s": s["tokens_per_s"], "epochs": s["epochs"],
                     "hardware": env, "params": "ema", "weights_dtype": "bfloat16",
                     "compute_dtype": s["dtype"],
                     "command": " ".join(["benchmarks/device/run.py", *sys.argv[1:]])},
        "heldout_bits_per_token": s["heldout_bits_per_token"],
        "versions": env["versions"],
        "files": {name: sha256(out / name) for name in listed},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return [out / n for n in listed] + [out / "manifest.json"]


def environment() -> dict:
    import flax

    dev = jax.devices()[0]
    return {"backend": jax.default_backend(), "device": dev.device_kind,
            "device_count": jax.device_count(), "cpu_count": os.cpu_count(),
            "machine": platform.machine(),
            "versions": {"jax": jax.__version__, "flax": flax.__version__,
                         "optax": optax.__version__, "numpy": np.__version__,
                         "python": platform.python_version()}}


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, required=True, help="a token set (adjax data export)")
    p.add_argument("--out", type=Path, default=Path(os.environ.get("OUT", "runs/device")))
    p.add_argument("--dry-run", action="store_true",
                   help="CPU, tiny sizes, seconds: checks that the whole path works")
    p.add_argument("--size", default="train", choices=sorted(SIZES))
    p.add_argument("--dtype", default="bfloat16", choices=("bfloat16", "float32"))
    p.add_argument("--bench-sizes", default="train,large,small",
                   help="model sizes to benchmark, most important first")
    p.add_argument("--bench-tokens", default="32768,131072",
                   help="tokens per train step to benchmark (comma-separated)")
    p.add_argument("--bench-length", type=int, default=256, help="sequence length benched")
    p.add_argument("--bench-s", type=float, default=100.0,
                   help="wall budget of the bench phase; later cases are skipped")
    p.add_argument("--sample-batch", default="64,256,1",
                   help="sampler rows per call; batch 1 against the largest is what a batch "
                        "job gains over one call per request (the sampler's share)")
    p.add_argument("--sample-steps", type=int, default=32)
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--train-s", type=float, default=210.0, help="training wall budget")
    p.add_argument("--max-steps", type=int, default=0, help="stop after N steps (0: none)")
    p.add_argument("--tokens-per-batch", type=int, default=131072)
    p.add_argument("--buckets", type=lambda s: tuple(int(x) for x in s.split(",")),
                   default=(128, 256, 512))
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--ema", type=float, default=0.999)
    p.add_argument("--anneal", type=float, default=0.2,
                   help="final share of the budget drawing mostly task-suite rows")
    p.add_argument("--log-every-s", type=float, default=10.0)
    p.add_argument("--eval-every", type=int, default=3, help="held-out ELBO every N logs")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if args.dry_run:
        args.size, args.bench_sizes, args.bench_tokens = "tiny", "tiny", "1024"
        args.sample_batch, args.sample_steps, args.repeats = "4,1", 4, 2
        args.train_s = min(args.train_s, 8.0)
        args.tokens_per_batch, args.buckets = 2048, (128,)
        args.bench_length = 64
        args.log_every_s, args.eval_every, args.dtype = 1.0, 2, "float32"
        args.bench_s = 60.0
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    t_all = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    if any(args.out.iterdir()):
        print(f"run.py: error: {args.out} is not empty", file=sys.stderr)
        return 1
    results = args.out / "results.jsonl"

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - t_all:6.1f}s] {msg}", flush=True)

    def record(rec: dict) -> None:
        rec = {**rec, "device": env["device"], "backend": env["backend"],
               "jax": env["versions"]["jax"], "dry_run": args.dry_run}
        with open(results, "a") as f:
            f.write(json.dumps(rec) + "\n")
        log(json.dumps(rec))

    env = environment()
    peak = peak_flops(env["device"])
    ts = tokendata.load(args.data)
    log(f"{env['device']} ({env['backend']}), peak {peak}; token set {ts.meta['rows']} rows")
    record({"bench": "device_env", **env, "peak_flops": peak[0], "peak_source": peak[1]})
    t_bench = time.perf_counter()
    # Most important first (later ones are skipped when the budget runs out): each size at
    # its largest batch, the sampler at the training size, then the smaller batches.
    tokens = sorted((int(t) for t in args.bench_tokens.split(",")), reverse=True)
    batches = sorted((int(b) for b in args.sample_batch.split(",")), reverse=True)
    sizes = args.bench_sizes.split(",")
    cases = [("train", sizes[0], tokens[0]), ("sample", args.size, batches[0])]
    cases += [("train", s, tokens[0]) for s in sizes[1:]]
    cases += [("train", s, t) for t in tokens[1:] for s in sizes]
    cases += [("sample", args.size, b) for b in batches[1:]]
    length = min(args.bench_length, ts.meta["max_len"])
    for kind, size, n in cases:
        if time.perf_counter() - t_bench > args.bench_s:
            record({"bench": f"device_{kind}", "size": size, "skipped": "bench budget spent"})
            continue
        try:
            if kind == "train":
                record(bench_train(size, n, length, ts.meta, args, peak))
            else:
                record(bench_sampler(size, n, length, ts.meta, args, peak))
        except Exception as err:  # out of memory at a size: record it and go on
            record({"bench": f"device_{kind}", "size": size, "n": n,
                    "error": f"{type(err).__name__}: {str(err)[:300]}"})
    result, rows = train_run(ts, args, log)
    for r in rows:
        record(r)
    files = write_model(args.out, args.data, result, env, args)
    for rec in result["curve"]:
        with open(results, "a") as f:
            f.write(json.dumps({"bench": "device_curve", **rec}) + "\n")
    written = sorted(p for p in args.out.iterdir())
    assert len(written) <= MAX_FILES, f"{len(written)} files: at most {MAX_FILES} come back"
    big = [p.name for p in written if p.stat().st_size > MAX_FILE_BYTES]
    assert not big, f"files over 16 MiB: {big}"
    log(f"done in {time.perf_counter() - t_all:.0f} s: {[p.name for p in files]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
