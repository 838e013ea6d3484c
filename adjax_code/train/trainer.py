"""``adjax train``: the code model's training run — corpus, tokenizer, packed buckets,
jitted steps, held-out ELBO, orbax checkpoints, resume, metrics JSONL and a loss plot.

The numeric work is the core's (``adjax.train``, ``adjax.masked``); this module only feeds
it batches and writes files.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from adjax import checkpoint, masked, sharding, train
from adjax.interrupt import deferred_sigint
from adjax.nets import Transformer
from adjax.nets.functional import split, split_abstract
from adjax_code.corpus import data
from adjax_code.lang.tokenizer import CodeTokenizer
from adjax_code.model import model_store
from adjax_code.model.configs import RunConfig


def resolve(cfg: RunConfig, tok: CodeTokenizer) -> RunConfig:
    """The config with the vocabulary and [MASK] id of the tokenizer filled in."""
    return cfg.replace(
        net=dataclasses.replace(cfg.net, vocab_size=tok.vocab_size,
                                cond_vocab_size=tok.vocab_size, conditioning="cross",
                                cond_max_len=cfg.data.cond_len, max_len=max(cfg.data.buckets)),
        diffusion=dataclasses.replace(cfg.diffusion, mask_id=tok.mask_id))


def _placement(cfg: RunConfig, build):
    """(state, step function's shardings) for ``build() -> TrainState``: on one device as
    built; on a mesh, every array created directly in its shard (nothing whole on one
    device first) and the step's layout pinned."""
    mcfg = cfg.mesh
    if mcfg.single_device:
        return build(), None, None
    mesh = sharding.make_mesh(mcfg.data, mcfg.model)
    sharding.check_batch(cfg.train.batch_size, mesh)
    state, shardings = sharding.init_on_mesh(build, mesh, mcfg.strategy)
    return state, shardings, mesh


def _batches(buckets: dict[int, data.Packed], batch_size: int, seed: int, step: int,
             focus: dict[int, data.Packed] | None = None, corpus_share: float = 0.0):
    """The batch for ``step``: a bucket chosen in proportion to its rows, then rows; a pure
    function of (seed, step) so that a resumed run sees the same data. With ``focus`` (the
    anneal phase) the rows come from ``focus`` except with probability ``corpus_share``."""
    rng = np.random.default_rng([seed, step])
    if focus is not None and rng.random() >= corpus_share:
        buckets = focus
    sizes = sorted(buckets)
    weights = np.array([buckets[s].tokens.shape[0] for s in sizes], float)
    size = sizes[rng.choice(len(sizes), p=weights / weights.sum())]
    b = buckets[size]
    idx = rng.integers(0, b.tokens.shape[0], batch_size)
    return {"tokens": b.tokens[idx], "cond": b.cond[idx], "cond_mask": b.cond_mask[idx]}


ESTIMATE_AFTER_S = 120.0  # say how long a run will take when it takes longer than this


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped training; the state after ``step`` steps is saved (resume continues)."""

    def __init__(self, step: int):
        super().__init__(f"interrupted at step {step}")
        self.step = step


class _Estimate:
    """Measures the steps after the first (which compiles) and says once, when the run will
    take longer than ``ESTIMATE_AFTER_S``, about how long it will take."""

    def __init__(self, start: int, steps: int, log, measure: int = 5):
        self.start, self.steps, self.log, self.measure = start, steps, log, measure
        self.t0, self.tokens, self.said = None, 0, False

    def step(self, done: int, tokens: int, loss) -> None:
        if self.said:
            return
        if done == self.start + 1:
            jax.block_until_ready(loss)
            self.t0 = time.perf_counter()
            return
        self.tokens += tokens
        if done < self.start + 1 + self.measure and done < self.steps:
            return
        jax.block_until_ready(loss)
        self.said = True
        per_step = (time.perf_counter() - self.t0) / max(done - self.start - 1, 1)
        left = per_step * (self.steps - done)
        if left >= ESTIMATE_AFTER_S:
            rate = self.tokens / max(time.perf_counter() - self.t0, 1e-9)
            self.log(f"expected: about {_duration(left)} for the remaining "
                     f"{self.steps - done} of {self.steps} steps ({rate:,.0f} tokens/s "
                     "measured); Ctrl-C saves a checkpoint, rerun the command to resume")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def run(cfg: RunConfig, out_dir: str | Path, *, progress: bool = True, log=print) -> dict:
    """Trains (or resumes) into ``out_dir``; returns a summary of the run."""
    from tqdm import tqdm

    if cfg.data.anneal_steps > cfg.train.steps:
        raise ValueError(f"data.anneal_steps ({cfg.data.anneal_steps}) exceeds "
                         f"train.steps ({cfg.train.steps})")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    train_pairs, held_pairs, counts = data.build_corpus(cfg.data)
    if not train_pairs:
        raise ValueError("the corpus is empty: enable the task suite, trees or a JSONL file")
    # Several processes (one per host) each build the same corpus and tokenizer, and read
    # only their rows of each batch; process 0 writes the files beside the checkpoints.
    primary = jax.process_index() == 0
    tok_file = out / "tokenizer.json"
    if tok_file.exists():
        tok = CodeTokenizer.load(tok_file)
    else:
        tok = CodeTokenizer.train((t for p in train_pairs for t in (p.spec, p.code)),
                                  vocab_size=cfg.data.vocab_size)
        if primary:
            tmp = tok.save(out / "tokenizer.tmp.json")  # a file: no directory is left
            tmp.replace(tok_file)
    cfg = resolve(cfg, tok)
    buckets, dropped = data.pack(train_pairs, tok, buckets=cfg.data.buckets,
                                 cond_len=cfg.data.cond_len)
    # No held-out rows (a corpus of one pair): no held-out figure, rather than one computed
    # on training rows.
    held, _ = data.pack(held_pairs, tok, buckets=cfg.data.buckets,
                        cond_len=cfg.data.cond_len) if held_pairs else ({}, 0)
    tcfg, dcfg = cfg.train, cfg.diffusion
    anneal_from = tcfg.steps - cfg.data.anneal_steps
    focus = None
    if cfg.data.anneal_steps:
        focus, _ = data.pack(data.focus_pairs(train_pairs), tok, buckets=cfg.data.buckets,
                             cond_len=cfg.data.cond_len)
        if not focus:
            raise ValueError("data.anneal_steps needs focus pairs (the task suite or a JSONL "
                             "file); the corpus has none")
    optimizer = train.make_optimizer(cfg.optim)
    model = split_abstract(lambda: Transformer(cfg.net, rngs=nnx.Rngs(0)))[0]

    def build():
        params = split(Transformer(cfg.net, rngs=nnx.Rngs(tcfg.seed)))[1]
        return train.init_state(params, optimizer, jax.random.key(tcfg.seed),
                                ema=cfg.optim.ema_decay is not None)

    state, shardings, mesh = _placement(cfg, build)
    ckpt = checkpoint.Checkpointer(out / "checkpoints", keep=tcfg.keep_checkpoints)
    if ckpt.latest_step() is not None:
        state, _ = ckpt.restore(state, shardings=shardings)
        log(f"resuming from step {int(state.step)}")

    def loss_fn(p, batch, key):
        return masked.elbo_loss(p, batch, key, model=model, cfg=dcfg)

    step_fn = train.make_train_step(
        loss_fn, optimizer, ema_decay=cfg.optim.ema_decay,
        accum_steps=cfg.mesh.accum_steps, state_shardings=shardings,
        batch_sharding=None if mesh is None else sharding.data_sharding(mesh))

    def place(batch):  # this process's rows of the step's global batch, on the mesh
        if mesh is None:
            return jax.tree.map(jnp.asarray, batch)
        rows = sharding.process_rows(tcfg.batch_size)
        return sharding.shard_batch({k: v[rows] for k, v in batch.items()}, mesh)
    eval_fn = jax.jit(lambda p, b, k: masked.heldout_bits_per_token(p, b, k, model=model,
                                                                    cfg=dcfg, num_samples=4))

    def heldout_bits(p) -> float:
        total, n = 0.0, 0
        for size, b in sorted(held.items()):
            rows = min(b.tokens.shape[0], 64)
            batch = {"tokens": b.tokens[:rows], "cond": b.cond[:rows],
                     "cond_mask": b.cond_mask[:rows]}
            total += float(eval_fn(p, batch, jax.random.key(size))) * rows * size
            n += rows * size
        return total / max(n, 1)

    meta = {"config": cfg.to_dict(), "corpus": counts,
            "hardware": model_store.hardware(),
            "dropped_too_long": dropped}
    metrics_path = out / "metrics.jsonl"
    start = int(state.step)
    bar = tqdm(total=tcfg.steps, initial=start, desc="train", unit="step",
               disable=not progress or not primary)
    tokens_done, t_last = 0, time.perf_counter()
    record = {}
    timer = _Estimate(start, tcfg.steps, log if primary else (lambda m: None))
    step = start
    with deferred_sigint() as pressed:
        for step in range(start, tcfg.steps):
            batch = _batches(buckets, tcfg.batch_size, tcfg.seed, step,
                             focus if step >= anneal_from else None, cfg.data.anneal_corpus)
            state, m = step_fn(state, place(batch))
            tokens_done += batch["tokens"].size
            done = step + 1
            timer.step(done, batch["tokens"].size, m["loss"])
            if done % tcfg.eval_every == 0 or done == tcfg.steps:
                loss = float(m["loss"])
                if not math.isfinite(loss):
                    raise FloatingPointError(f"the loss became {loss} at step {done}")
                elapsed = time.perf_counter() - t_last
                record = {"step": done, "loss": loss, "bits_per_token": loss / math.log(2),
                          **({"heldout_bits_per_token": heldout_bits(state.params)} if held
                             else {}),
                          "tokens_per_s": tokens_done / max(elapsed, 1e-9),
                          "wall_s": time.perf_counter() - t_start}
                if primary:
                    with open(metrics_path, "a") as f:
                        f.write(json.dumps(record) + "\n")
                bar.set_postfix(loss=f"{loss:.3f}", tok_s=f"{record['tokens_per_s']:.0f}")
                tokens_done, t_last = 0, time.perf_counter()
            if done % tcfg.checkpoint_every == 0 or done == tcfg.steps:
                ckpt.save(done, state, meta)
            bar.update(1)
            if pressed():  # Ctrl-C: save where we are and stop
                bar.close()
                if ckpt.latest_step() != done:
                    ckpt.save(done, state, meta)
                ckpt.close()
                if primary:
                    plot_metrics(metrics_path, out / "loss.png")
                raise Interrupted(done)
    bar.close()
    ckpt.close()
    if primary:
        plot_metrics(metrics_path, out / "loss.png")
    return {"steps": tcfg.steps, "resumed_from": start, "corpus": counts,
            "final": record, "wall_s": time.perf_counter() - t_start, "out": str(out)}


def read_metrics(path: str | Path) -> list[dict]:
    path = Path(path)
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    by_step = {r["step"]: r for r in rows}  # a resumed run may repeat steps: keep the last
    return [by_step[s] for s in sorted(by_step)]


def total_wall_s(rows: list[dict]) -> float | None:
    """Training wall time over all sessions of a run: each resumed session's clock starts at
    zero again, so the time is summed over the runs of rising ``wall_s`` (rows by step)."""
    total, last = 0.0, None
    for r in rows:
        w = r.get("wall_s")
        if w is None:
            continue
        if last is not None and w < last:
            total += last
        last = w
    return None if last is None else total + last


def plot_metrics(metrics_path: str | Path, png: str | Path) -> None:
    rows = read_metrics(metrics_path)
    if not rows:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [r["step"] for r in rows]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(steps, [r["bits_per_token"] for r in rows], label="train (bits/token)")
    if any("heldout_bits_per_token" in r for r in rows):
        ax.plot(steps, [r.get("heldout_bits_per_token", math.nan) for r in rows],
                label="held-out ELBO")
    ax.set_xlabel("step")
    ax.set_ylabel("bits per token")
    ax.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)
