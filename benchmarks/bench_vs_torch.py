"""adjax's sampler side by side with PyTorch loops written from LLaDA's and Fast-dLLM's
published algorithms, on one LLaMA-style bidirectional network with the same weights.

The network: d 256, 6 layers, 4 heads, SwiGLU, RMSNorm, rotary positions, vocabulary 8192,
no biases; a prompt of 32 tokens, 128 generated. Its weights are random, so ``--head-scale``
multiplies the output projection to make the predictions confident enough that threshold
decoding commits several tokens a step (as a trained network's do); both sides get the same
weights. The [MASK] id is never predicted on either side (its logit is -inf, as in adjax's
sampler).

- ``llada``: LLaDA's generate(): semi-autoregressive blocks, greedy predictions, per block
  an even split of its masks over the block's steps (the remainder in the first steps),
  each step committing the most probable predictions of the current block; every step a
  full forward pass over prompt and output.
- ``fastdllm``: Fast-dLLM's dual cache with threshold decoding: at each block's start a full
  pass that keeps every layer's keys and values and decodes a step; the block's further
  steps run only its positions against the cache; each step commits every masked position
  of the block whose probability reaches tau, and always the most probable one.
- ``adjax``: ``adjax.sampling.sample_jit`` in prefix mode with the ``confidence`` rule
  (rounding up: the same even split) for the first, and the ``threshold`` rule with
  ``cache="dual"`` for the second.

First the tokens are compared (greedy, same rule, same weights: they should agree, up to
floating-point ties); then each loop is timed, torch on ``--threads`` threads.
Writes benchmarks/results/vs_torch.jsonl.

    uv run --group bench python benchmarks/bench_vs_torch.py
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from common import environment, write

from adjax import sampling
from adjax.config import NetConfig, SamplerConfig
from adjax.nets import transformer
from adjax.nets.functional import split, split_abstract

ROOT = Path(__file__).resolve().parents[1]

VOCAB, D, LAYERS, HEADS, PROMPT, GEN, STEPS = 8192, 256, 6, 4, 32, 128, 32
MASK = VOCAB - 1


def net_config(dtype: str) -> NetConfig:
    return NetConfig(vocab_size=VOCAB, d_model=D, n_layers=LAYERS, n_heads=HEADS,
                     conditioning="prefix", shared_prefix_embed=True, head_bias=False,
                     time_conditioning=False, dtype=dtype, max_len=GEN, cond_max_len=PROMPT,
                     norm_eps=1e-5)


def build_params(head_scale: float):
    fns, params = split(transformer.create(net_config("float32"), seed=0))
    params["head"]["kernel"][...] = params["head"]["kernel"][...] * head_scale
    return params


def numpy_weights(params) -> dict:
    """The weights as named numpy arrays, torch's [out, in] layout for linear maps."""
    p = params
    out = {"embed": np.asarray(p["embed"]["embedding"][...]), "norm": np.asarray(
        p["norm"]["scale"][...]), "head": np.asarray(p["head"]["kernel"][...]).T}
    for i in range(LAYERS):
        blk = p["blocks"][i]
        for name in ("q", "k", "v", "o"):
            out[f"{i}.{name}"] = np.asarray(blk["attn"][name]["kernel"][...]).T
        for name in ("gate", "up", "down"):
            out[f"{i}.{name}"] = np.asarray(blk["mlp"][name]["kernel"][...]).T
        out[f"{i}.attn_norm"] = np.asarray(blk["attn_norm"]["scale"][...])
        out[f"{i}.mlp_norm"] = np.asarray(blk["mlp_norm"]["scale"][...])
    return out


# ---------------------------------------------------------------- PyTorch side

def torch_side():
    import torch
    import torch.nn.functional as F

    class Net:
        """The same network in eager PyTorch; ``forward`` over the whole sequence keeps
        every layer's keys and values, ``forward_window`` recomputes only the positions
        ``lo:hi`` against them."""

        def __init__(self, weights: dict, dtype):
            self.w = {k: torch.from_numpy(np.array(v)).to(dtype) for k, v in weights.items()}
            half = D // HEADS // 2
            self.freqs = 10_000.0 ** (-torch.arange(half, dtype=torch.float32) / half)

        def rope(self, x, pos):  # x [B, H, T, hd]
            ang = pos[:, None].float() * self.freqs[None, :]  # [T, hd/2]
            sin, cos = ang.sin().to(x.dtype), ang.cos().to(x.dtype)
            x1, x2 = x.chunk(2, dim=-1)
            return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)

        def norm(self, x, w):
            xf = x.float()
            return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + 1e-5)).to(x.dtype) * w

        def run(self, ids, lo, cache):
            """Hidden states of positions lo:lo+T of the sequence; ``cache`` a list of
            [k, v] per layer over the whole sequence (written at lo:lo+T), or None."""
            b, t = ids.shape
            w = self.w
            pos = torch.arange(lo, lo + t)
            h = w["embed"][ids]
            kept = []
            for i in range(LAYERS):
                x = self.norm(h, w[f"{i}.attn_norm"])
                q, k, v = (F.linear(x, w[f"{i}.{n}"]).view(b, t, HEADS, -1).transpose(1, 2)
                           for n in ("q", "k", "v"))
                q, k = self.rope(q, pos), self.rope(k, pos)
                if cache is not None:
                    ck, cv = cache[i]
                    ck[:, :, lo:lo + t], cv[:, :, lo:lo + t] = k, v
                    k, v = ck, cv
                kept.append([k, v])
                a = F.scaled_dot_product_attention(q, k, v)
                h = h + F.linear(a.transpose(1, 2).reshape(b, t, D), w[f"{i}.o"])
                x = self.norm(h, w[f"{i}.mlp_norm"])
                h = h + F.linear(F.silu(F.linear(x, w[f"{i}.gate"])) * F.linear(x, w[f"{i}.up"]),
                                 w[f"{i}.down"])
            logits = F.linear(self.norm(h, w["norm"]), w["head"]).float()
            logits[..., MASK] = -torch.inf
            return logits, kept

    def greedy(logits):
        x0 = logits.argmax(-1)
        conf = torch.softmax(logits, -1).gather(-1, x0[..., None])[..., 0]
        return x0, conf

    def llada(net, prompt, block):
        """LLaDA's generate(): greedy, low-confidence remasking, an even split per block."""
        b = prompt.shape[0]
        x = torch.cat([prompt, torch.full((b, GEN), MASK)], dim=1)
        n_blocks = GEN // block
        per_block = STEPS // n_blocks
        passes = 0
        for blk in range(n_blocks):
            lo, hi = PROMPT + blk * block, PROMPT + (blk + 1) * block
            n_masked = (x[:, lo:hi] == MASK).sum(1)
            base, rem = n_masked // per_block, n_masked % per_block
            for step in range(per_block):
                k = base + (step < rem).long()
                logits, _ = net.run(x, 0, None)
                passes += 1
                x0, conf = greedy(logits)
                masked = x == MASK
                conf = torch.where(masked, conf, -torch.inf)
                conf[:, hi:] = -torch.inf
                for r in range(b):
                    if k[r] > 0:
                        top = conf[r].topk(int(k[r])).indices
                        x[r, top] = x0[r, top]
        return x[:, PROMPT:], passes

    def fastdllm(net, prompt, block, tau):
        """Fast-dLLM's dual cache with threshold parallel decoding."""
        b = prompt.shape[0]
        x = torch.cat([prompt, torch.full((b, GEN), MASK)], dim=1)
        passes = 0

        def commit(logits, lo, hi, off):
            x0, conf = greedy(logits)
            masked = x[:, lo:hi] == MASK
            conf = torch.where(masked, conf[:, lo - off:hi - off], -torch.inf)
            x0 = x0[:, lo - off:hi - off]
            for r in range(b):
                if not masked[r].any():
                    continue
                n = max(int((conf[r] >= tau).sum()), 1)
                top = conf[r].topk(n).indices
                x[r, lo + top] = x0[r, top]

        for blk in range(GEN // block):
            lo, hi = PROMPT + blk * block, PROMPT + (blk + 1) * block
            logits, kept = net.run(x, 0, None)  # refresh: the whole sequence
            passes += 1
            cache = [[k.clone(), v.clone()] for k, v in kept]
            commit(logits, lo, hi, 0)
            while (x[:, lo:hi] == MASK).any():
                logits, _ = net.run(x[:, lo:hi], lo, cache)
                passes += 1
                commit(logits, lo, hi, lo)
        return x[:, PROMPT:], passes

    return torch, Net, llada, fastdllm


# ---------------------------------------------------------------- adjax side

def adjax_loop(params, dtype: str, block: int, kind: str, tau: float, cache: str | None):
    fns, _ = split_abstract(lambda: transformer.create(net_config(dtype)))
    one = block >= GEN
    if kind == "llada":
        cfg = SamplerConfig(num_steps=STEPS, rule="confidence", rounding="up", temperature=0.0,
                            block_size=None if one else block, cache=cache)
    else:
        cfg = SamplerConfig(num_steps=GEN, rule="threshold", threshold=tau, temperature=0.0,
                            block_size=None if one else block, cache=cache)

    def run(prompt):
        tokens = jnp.full((prompt.shape[0], GEN), MASK, jnp.int32)
        out, n = sampling.sample_jit(params, jax.random.key(0), tokens, prompt, None,
                                     model=fns, cfg=cfg, mask_id=MASK, count=True)
        return np.asarray(out), int(n)

    return run


def timed(fn, repeats: int):
    times, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return result, statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batches", default="1,16")
    ap.add_argument("--dtypes", default="float32,bfloat16")
    ap.add_argument("--blocks", default="128,32", help="block lengths (128: one block)")
    ap.add_argument("--tau", type=float, default=0.9)
    ap.add_argument("--head-scale", type=float, default=8.0)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/vs_torch.jsonl")
    args = ap.parse_args()
    torch, Net, llada, fastdllm = torch_side()
    torch.set_num_threads(args.threads)
    params32 = build_params(args.head_scale)
    weights = numpy_weights(params32)
    env = {**environment(), "torch": torch.__version__, "threads": args.threads}
    rng = np.random.default_rng(0)
    for dtype in args.dtypes.split(","):
        tdtype = {"float32": torch.float32, "bfloat16": torch.bfloat16}[dtype]
        net = Net(weights, tdtype)
        for batch in map(int, args.batches.split(",")):
            prompt = rng.integers(0, MASK, (batch, PROMPT)).astype(np.int32)
            for block in map(int, args.blocks.split(",")):
                for kind in ("llada", "fastdllm"):
                    tp = torch.from_numpy(prompt.astype(np.int64))
                    with torch.inference_mode():
                        if kind == "llada":
                            (t_tok, t_passes), t_s = timed(
                                functools.partial(llada, net, tp, block), args.repeats)
                        else:
                            (t_tok, t_passes), t_s = timed(functools.partial(
                                fastdllm, net, tp, block, args.tau), args.repeats)
                    t_tok = t_tok.numpy()
                    # LLaDA's loop: adjax exactly (no cache), and with the dual cache at the
                    # same steps; Fast-dLLM's: adjax with the dual cache, as it does.
                    for cache in ((None, "dual") if kind == "llada" else ("dual",)):
                        ours = adjax_loop(params32, dtype, block, kind, args.tau, cache)
                        t0 = time.perf_counter()
                        ours(jnp.asarray(prompt))  # compile
                        compile_s = time.perf_counter() - t0
                        (a_tok, a_passes), a_s = timed(
                            functools.partial(ours, jnp.asarray(prompt)), args.repeats)
                        rec = {"bench": "vs_torch", **env, "loop": kind, "adjax_cache": cache,
                               "dtype": dtype, "batch": batch, "block": block,
                               "tau": args.tau if kind == "fastdllm" else None,
                               "head_scale": args.head_scale,
                               "same_tokens": float((a_tok == t_tok).mean()),
                               "rows_identical": int((a_tok == t_tok).all(axis=1).sum()),
                               "forward_passes": {"adjax": a_passes, "torch": t_passes},
                               "seconds": {"adjax": round(a_s, 4), "torch": round(t_s, 4)},
                               "tokens_per_s": {"adjax": round(batch * GEN / a_s, 1),
                                                "torch": round(batch * GEN / t_s, 1)},
                               "speedup": round(t_s / a_s, 2),
                               "adjax_compile_s": round(compile_s, 2),
                               "repeats": args.repeats,
                               "command": "uv run --group bench python "
                               "benchmarks/bench_vs_torch.py " + " ".join(sys.argv[1:])}
                        write(args.out, rec)


if __name__ == "__main__":
    main()
