"""Self-evolution: generate -> score -> keep the best -> learn -> repeat (AdaptDiffuser-style).

Cycle c (0 .. cycles) samples ``candidates`` programs per item with the current state and
scores them. Cycle 0 measures the starting model; every later cycle measures the state after
c updates. After each measurement except the last, candidates whose reward reaches
``keep_threshold`` (and parse) go into the trajectory buffer and the mechanism updates.

Items come from the task suite (reward: the fraction of a task's *example* tests passed;
measured: whether the program passes the *hidden* tests, never used as reward) or from a
JSONL file of ``{"spec", "language", "tests"?, "prefix"?}`` (reward: the functional reward
when tests are given, else the overall reward; measured: the same).

Per cycle: pass@1 (mean over candidates), mean reward, buffer size and mean reward, and
bits per token on held-out original training rows (to watch forgetting). A checkpoint
(orbax) after every update holds the whole ``AdaptState`` and the metrics so far; a rerun
with the same output directory resumes from it.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from adjax import checkpoint, masked
from adjax_adapt import mechanisms
from adjax_code import tasks
from adjax_code.corpus import data
from adjax_code.generate.generator import Generator, Request
from adjax_code.judge import rewards
from adjax_code.lang import syntax
from adjax_code.tasks import render


@dataclasses.dataclass(frozen=True)
class EvolveConfig:
    cycles: int = 3
    candidates: int = 4
    steps: int | None = None  # denoising steps (default: the model's)
    repair_rounds: int = 1
    keep_threshold: float = 1.0  # keep candidates whose reward reaches this ...
    keep_top: float = 0.0  # ... or, when > 0, the best fraction of each item's candidates
    require_valid: bool = True  # keep only programs that parse
    seed: int = 0
    chunk: int = 16  # requests per generation batch

    def __post_init__(self):
        if self.cycles < 1 or self.candidates < 1 or self.chunk < 1:
            raise ValueError("cycles, candidates and chunk must be positive")
        if not 0.0 <= self.keep_top <= 1.0:
            raise ValueError(f"keep_top must lie in [0, 1], got {self.keep_top}")


@dataclasses.dataclass(frozen=True)
class Item:
    spec: str
    language: str
    prefix: str = ""
    task: tasks.Task | None = None
    tests: str | None = None


def task_items(split: str, langs=tasks.LANGS) -> list[Item]:
    return [Item(t.specs[0], lang, render.header(t, lang), task=t)
            for t in tasks.load(split) for lang in langs]


def jsonl_items(path: str | Path) -> list[Item]:
    items = []
    for number, row in data.iter_jsonl(path):
        if not {"spec", "language"} <= set(row):
            raise ValueError(f"{path}:{number}: needs 'spec' and 'language'")
        items.append(Item(row["spec"], row["language"], row.get("prefix", ""),
                          tests=row.get("tests")))
    if not items:
        raise ValueError(f"{path} holds no items")
    return items


def _score(items: list[Item], codes: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """(reward, measured pass) arrays [items, candidates]."""
    n = len(codes[0])
    reward, passed = np.zeros((len(items), n)), np.zeros((len(items), n))
    suite = [(i, it) for i, it in enumerate(items) if it.task is not None]
    if suite:
        flat = [(it.task, it.language, c) for i, it in suite for c in codes[i]]
        ex = render.run_batched(flat, which="examples")
        hid = render.run_batched(flat, which="hidden")
        for k, (i, _) in enumerate(suite):
            for j in range(n):
                e, h = ex[k * n + j], hid[k * n + j]
                reward[i, j] = e.tests_passed / max(e.tests_total, 1) if e.tests_total else 0.0
                passed[i, j] = h.status == "pass"
    for i, it in enumerate(items):
        if it.task is None:
            scores = rewards.score(codes[i], it.language, spec=it.spec, tests=it.tests)
            key = "functional" if it.tests else "overall"
            reward[i] = [s[key] for s in scores]
            passed[i] = [s[key] >= 1.0 for s in scores]
    return reward, passed


def generated_positions(tokens: np.ndarray, prefix_lens: list[int], pad_id: int
                        ) -> np.ndarray:
    """[I, G, L] mask of what the model wrote: after the clamped prefix, up to and including
    the end token (the PAD after it is fill, not a choice)."""
    positions = np.arange(tokens.shape[-1])
    after = positions[None, None, :] >= np.asarray(prefix_lens)[:, None, None]
    return after & (np.cumsum(tokens == pad_id, axis=-1) == 0)


def select(reward: np.ndarray, valid: np.ndarray, ecfg: EvolveConfig) -> np.ndarray:
    """Which candidates [items, candidates] go into the buffer."""
    if ecfg.keep_top > 0:
        k = max(1, int(np.ceil(ecfg.keep_top * reward.shape[1])))
        order = np.argsort(-reward, axis=1, kind="stable")[:, :k]
        keep = np.zeros_like(reward, bool)
        np.put_along_axis(keep, order, True, axis=1)
    else:
        keep = reward >= ecfg.keep_threshold
    return keep & valid if ecfg.require_valid else keep


def heldout_rows(gen: Generator, length: int):
    """(replay rows, held-out rows) of the original training data (the task suite's train
    split, packed to ``length``); the held-out slice is the trainer's own hash split."""
    dcfg = gen.cfg.data
    train, held = data.heldout_split(data.task_pairs("train"), dcfg.heldout_fraction)
    left = gen.cfg.net.conditioning == "prefix"
    packed_train, _ = data.pack(train, gen.tok, buckets=(length,), cond_len=dcfg.cond_len,
                                pad_left=left)
    packed_held, _ = data.pack(held or train[:32], gen.tok, buckets=(length,),
                               cond_len=dcfg.cond_len, pad_left=left)
    return packed_train[length], packed_held[length]


def evolve(gen: Generator, items: list[Item], acfg: mechanisms.AdaptConfig,
           ecfg: EvolveConfig, out_dir: str | Path | None = None, *, progress: bool = True,
           log=print) -> tuple[mechanisms.AdaptState, list[dict]]:
    """Runs (or resumes) the loop; returns the final state and one metrics row per cycle."""
    from tqdm import tqdm

    if not items:
        raise ValueError("no items to adapt on")
    mech = mechanisms.get(acfg.mechanism)
    length = gen.default_length
    replay, held = heldout_rows(gen, length)
    ctx = mechanisms.Context(model=gen.model, diffusion=gen.cfg.diffusion, cfg=acfg,
                             pad_id=gen.tok.pad_id, replay_tokens=replay.tokens,
                             replay_cond=replay.cond, base_params=gen.params,
                             mask_id=gen.cfg.diffusion.mask_id)
    state = mechanisms.init_state(gen.params, ctx, jax.random.key(ecfg.seed))
    rows: list[dict] = []
    start = 0
    ckpt = checkpoint.Checkpointer(Path(out_dir) / "checkpoints") if out_dir else None
    if ckpt is not None and ckpt.latest_step() is not None:
        state, meta = ckpt.restore(checkpoint.abstract(state))
        rows, start = meta["metrics"], int(meta["cycle"])
        log(f"resuming after cycle {start - 1}")
    held_batch = {"tokens": jnp.asarray(held.tokens[:64]), "cond": jnp.asarray(held.cond[:64]),
                  "cond_mask": jnp.asarray(held.cond_mask[:64])}
    bits = jax.jit(lambda p, b, k: masked.heldout_bits_per_token(
        p, b, k, model=gen.model, cfg=gen.cfg.diffusion, num_samples=4))
    mask = gen.cfg.diffusion.mask_id
    conds = np.asarray([gen.condition_row(it.spec, it.language) for it in items], np.int32)
    bar = tqdm(total=(ecfg.cycles + 1) * len(items), initial=start * len(items), unit="item",
               desc=f"adapt[{acfg.mechanism}]", disable=not progress)
    for cycle in range(start, ecfg.cycles + 1):
        current = Generator(gen.model, state.params, gen.tok, gen.cfg)
        key = jax.random.fold_in(jax.random.key(ecfg.seed), cycle)
        codes, token_rows, valid, prefix_lens = [], [], [], []
        for lo in range(0, len(items), ecfg.chunk):
            group = items[lo:lo + ecfg.chunk]
            reqs = []
            for k, it in enumerate(group):
                prefix_rows = current.start_rows(Request(it.spec, it.language, it.prefix),
                                                  1, length)
                prefix_lens.append(int((prefix_rows[0] != mask).sum()))
                init = mech.starts(state, ctx, conds[lo + k], prefix_rows, ecfg.candidates,
                                   mask, jax.random.fold_in(key, lo + k))
                reqs.append(Request(it.spec, it.language, init=init))
            results = current.generate_many(reqs, samples=ecfg.candidates, steps=ecfg.steps,
                                            seed=int(cycle * 1000 + lo + ecfg.seed),
                                            repair_rounds=ecfg.repair_rounds, length=length)
            for it, res in zip(group, results, strict=True):
                cands = sorted(res.candidates, key=lambda c: c.index)
                codes.append([c.code for c in cands])
                token_rows.append([c.row for c in cands])
                valid.append([syntax.is_valid(c.code, it.language) for c in cands])
            bar.update(len(group))
        reward, passed = _score(items, codes)
        buf = state.buffer
        n_buf = int(buf.valid.sum())
        row = {"cycle": cycle, "mechanism": acfg.mechanism,
               "pass_at_1": float(passed.mean()) * 100, "mean_reward": float(reward.mean()),
               "buffer_size": n_buf,
               "buffer_mean_reward": float(np.asarray(buf.reward)[np.asarray(buf.valid)].mean())
               if n_buf else 0.0,
               "heldout_bits_per_token": float(bits(state.params, held_batch,
                                                    jax.random.key(0))),
               # items whose candidates scored unevenly: the only ones GRPO learns from
               "groups_with_signal": float((reward.max(1) > reward.min(1)).mean()),
               "kl": float(state.metrics["kl"]),
               "clip_fraction": float(state.metrics["clip_fraction"])}
        rows.append(row)
        bar.set_postfix(pass1=f"{row['pass_at_1']:.1f}", reward=f"{row['mean_reward']:.2f}",
                        kl=f"{row['kl']:.3f}", clip=f"{row['clip_fraction']:.2f}")
        if cycle == ecfg.cycles:
            break
        keep = select(reward, np.asarray(valid), ecfg)
        i_idx, j_idx = np.nonzero(keep)
        if len(i_idx):
            state = mechanisms.add(
                state, np.stack([token_rows[i][j] for i, j in zip(i_idx, j_idx, strict=True)]),
                conds[i_idx], reward[i_idx, j_idx])
        state = mech.update(state, ctx)
        if hasattr(mech, "learn_groups"):
            tokens = np.stack([np.stack(r) for r in token_rows])  # [I, G, L]
            state = mech.learn_groups(state, ctx, tokens,
                                      generated_positions(tokens, prefix_lens, gen.tok.pad_id),
                                      conds, reward)
        if ckpt is not None:
            ckpt.save(cycle + 1, state, {"metrics": rows, "cycle": cycle + 1,
                                         "config": dataclasses.asdict(acfg)})
    bar.close()
    if ckpt is not None:
        ckpt.close()
        write_metrics(rows, Path(out_dir))
    return state, rows


def write_metrics(rows: list[dict], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "metrics.jsonl", "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    plot({rows[0]["mechanism"]: rows} if rows else {}, out_dir / "adapt.png")


def plot(runs: dict[str, list[dict]], png: str | Path) -> None:
    """pass@1, mean reward, held-out bits per token, and (where a mechanism reports them)
    KL to the reference and clip fraction, against cycle; one line per mechanism."""
    if not runs:
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(9, 6.5))
    (a, c), (b, d) = axes
    for name, rows in runs.items():
        cycles = [r["cycle"] for r in rows]
        a.plot(cycles, [r["pass_at_1"] for r in rows], marker="o", label=name)
        c.plot(cycles, [r["mean_reward"] for r in rows], marker="o", label=name)
        b.plot(cycles, [r["heldout_bits_per_token"] for r in rows], marker="o", label=name)
        if any(r.get("kl") for r in rows):
            d.plot(cycles, [r.get("kl", 0.0) for r in rows], marker="o", label=f"{name} KL")
            d.plot(cycles, [r.get("clip_fraction", 0.0) for r in rows], marker="x",
                   linestyle="--", label=f"{name} clip fraction")
    a.set_xlabel("cycle")
    a.set_ylabel("pass@1 on hidden tests (%)")
    c.set_xlabel("cycle")
    c.set_ylabel("mean reward")
    b.set_xlabel("cycle")
    b.set_ylabel("held-out bits/token (original data)")
    d.set_xlabel("cycle")
    d.set_ylabel("KL to reference / clip fraction")
    a.legend()
    if d.lines:
        d.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)
