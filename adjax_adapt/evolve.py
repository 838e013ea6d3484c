"""Self-evolution: generate -> score -> keep the best -> learn -> repeat (AdaptDiffuser-style),
generic over a domain.

Cycle c (0 .. cycles) samples ``candidates`` per item with the current state and scores them.
Cycle 0 measures the starting model; every later cycle measures the state after c updates.
After each measurement except the last, ``learn`` puts the kept candidates (reward reaching
``keep_threshold``, or the best ``keep_top`` fraction of each item's; valid ones only with
``require_valid``) into the trajectory buffer, runs the mechanism's ``update`` and hands it
the whole rewarded groups (``learn_groups``).

A ``Domain`` says what an item is: it samples ``Candidates`` (token arrays, or any arrays such
as plans; the loop never decodes them), scores them and measures the state (held-out bits per
token, success in a maze). The learner is a registered mechanism (``acfg.mechanism``, over
token rows) unless the caller passes its own ``mechanism``: an object with ``update``,
``learn_groups`` and ``init_state(ctx, key)`` (an array domain's denoising learner).
Per cycle one metrics row: pass rate, mean reward, buffer size and mean reward, the domain's
measurements, the share of groups with a reward signal, and the mechanism's KL and clip
fraction. An orbax checkpoint after every update holds the whole ``AdaptState`` and the rows
so far; a rerun with the same output directory resumes from it and ends by writing
``metrics.jsonl`` and ``adapt.png``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import jax
import numpy as np

from adjax import checkpoint
from adjax.interrupt import deferred_sigint
from adjax_adapt import mechanisms


@dataclasses.dataclass(frozen=True, kw_only=True)
class LoopConfig:
    """The domain-free settings of the loop."""

    cycles: int = 3
    candidates: int = 4  # the group size: candidates per item and cycle
    keep_threshold: float = 1.0  # keep candidates whose reward reaches this ...
    keep_top: float = 0.0  # ... or, when > 0, the best fraction of each item's candidates
    require_valid: bool = True  # keep only valid candidates (programs that parse)
    seed: int = 0

    def __post_init__(self):
        if self.cycles < 1 or self.candidates < 1:
            raise ValueError("cycles and candidates must be positive")
        if not 0.0 <= self.keep_top <= 1.0:
            raise ValueError(f"keep_top must lie in [0, 1], got {self.keep_top}")


@dataclasses.dataclass(frozen=True)
class Candidates:
    """One cycle's samples: ``G`` candidates for each of ``I`` items."""

    tokens: np.ndarray  # [I, G, L] the rows as the model holds them (or [I, G, ...] arrays)
    gen_mask: np.ndarray  # [I, G, L] the positions the model chose (not given, not fill)
    cond: np.ndarray  # [I, Lc] each item's condition row (or [I, ...])
    valid: np.ndarray  # [I, G] bool: well-formed (a program that parses, a feasible plan)
    outputs: Any = None  # what the domain's ``score`` reads besides tokens (e.g. code text)


class Domain(Protocol):
    """What the loop needs from a domain (code, planning, ...)."""

    size: int  # items per cycle (for progress)

    def context(self, acfg: mechanisms.AdaptConfig) -> mechanisms.Context:
        """The mechanisms' context; its ``base_params`` are where adaptation starts."""
        ...

    def generate(self, state: mechanisms.AdaptState, mech: mechanisms.Mechanism,
                 ctx: mechanisms.Context, cycle: int, key: jax.Array, candidates: int,
                 progress: Callable[[int], Any]) -> Candidates:
        """``candidates`` samples per item from ``state`` (starting rows from
        ``mech.starts``); calls ``progress(n)`` as n items finish."""
        ...

    def score(self, cands: Candidates) -> tuple[np.ndarray, np.ndarray]:
        """(reward [I, G] that learning sees, passed [I, G] bool that is reported)."""
        ...

    def measure(self, state: mechanisms.AdaptState) -> dict[str, float]:
        """Extra metrics of a state (e.g. ``heldout_bits_per_token``)."""
        ...


def select(reward: np.ndarray, valid: np.ndarray, cfg: LoopConfig) -> np.ndarray:
    """Which candidates [items, candidates] go into the buffer."""
    if cfg.keep_top > 0:
        k = max(1, int(np.ceil(cfg.keep_top * reward.shape[1])))
        order = np.argsort(-reward, axis=1, kind="stable")[:, :k]
        keep = np.zeros_like(reward, bool)
        np.put_along_axis(keep, order, True, axis=1)
    else:
        keep = reward >= cfg.keep_threshold
    return keep & valid if cfg.require_valid else keep


def learn(state: mechanisms.AdaptState, mech: mechanisms.Mechanism, ctx: mechanisms.Context,
          kept: tuple[np.ndarray, np.ndarray, np.ndarray],
          groups: tuple[Candidates, np.ndarray] | None) -> mechanisms.AdaptState:
    """The one learning step of the loop (and of the API's ``adapt_code``).

    Args:
      kept: (tokens [K, L], cond [K, Lc], reward [K]) into the buffer, then ``mech.update``.
      groups: (candidates, reward [I, G]) for ``mech.learn_groups``; None when no group was
        sampled (a mechanism whose ``learns_from_groups`` is False ignores them anyway).
    """
    state = mechanisms.add(state, *kept)
    state = mech.update(state, ctx)
    if groups is not None:
        cands, reward = groups
        state = mech.learn_groups(state, ctx, cands.tokens, cands.gen_mask, cands.cond, reward)
    return state


def kept_rows(cands: Candidates, reward: np.ndarray, keep: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (tokens, cond, reward) of the candidates ``keep`` [I, G] selects."""
    i_idx, j_idx = np.nonzero(keep)
    return cands.tokens[i_idx, j_idx], cands.cond[i_idx], reward[i_idx, j_idx]


def metrics_row(cycle: int, mechanism: str, state: mechanisms.AdaptState, reward: np.ndarray,
                passed: np.ndarray, measured: dict[str, float]) -> dict:
    buf = state.buffer
    n_buf = int(buf.valid.sum())
    return {"cycle": cycle, "mechanism": mechanism,
            "pass_at_1": float(passed.mean()) * 100, "mean_reward": float(reward.mean()),
            "buffer_size": n_buf,
            "buffer_mean_reward": float(np.asarray(buf.reward)[np.asarray(buf.valid)].mean())
            if n_buf else 0.0,
            **measured,
            # items whose candidates scored unevenly: the only ones GRPO learns from
            "groups_with_signal": float((reward.max(1) > reward.min(1)).mean()),
            "kl": float(state.metrics["kl"]),
            "clip_fraction": float(state.metrics["clip_fraction"])}


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped the loop; the state so far is saved as ``cycle`` (resume continues)."""

    def __init__(self, cycle: int, saved: bool):
        super().__init__(f"interrupted in cycle {cycle}")
        self.cycle, self.saved = cycle, saved


class _Stop(Exception):
    pass


def read_metrics(out_dir: str | Path) -> list[dict]:
    """The rows of a run's ``metrics.jsonl`` (empty when there is none)."""
    path = Path(out_dir) / "metrics.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def evolve(domain: Domain, acfg: mechanisms.AdaptConfig, cfg: LoopConfig,
           out_dir: str | Path | None = None, *, progress: bool = True, log=print,
           mechanism: Any = None) -> tuple[mechanisms.AdaptState, list[dict]]:
    """Runs (or resumes) the loop; returns the final state and one metrics row per cycle.

    A run whose ``cycles`` are all done says so and does nothing (more ``cycles`` continue
    it). Ctrl-C stops at the next clean point (a chunk of generation, or the end of an
    update), saves the state as a checkpoint and raises ``Interrupted``. ``mechanism``: the
    learner when the domain brings its own (see the module docstring); its ``init_state``
    makes the starting state."""
    from tqdm import tqdm

    if domain.size == 0:
        raise ValueError("no items to adapt on")
    mech = mechanisms.get(acfg.mechanism) if mechanism is None else mechanism
    ctx = domain.context(acfg)
    key = jax.random.key(cfg.seed)
    state = mechanisms.init_state(ctx.base_params, ctx, key) if mechanism is None \
        else mechanism.init_state(ctx, key)
    rows: list[dict] = []
    start = 0
    # Every cycle's state is kept: each is a model (``--model RUN --cycle N``).
    ckpt = checkpoint.Checkpointer(Path(out_dir) / "checkpoints", keep=None) \
        if out_dir else None
    if ckpt is not None and ckpt.latest_step() is not None:
        state, meta = ckpt.restore(checkpoint.abstract(state))
        rows, start = meta["metrics"], int(meta["cycle"])
        done = read_metrics(out_dir)
        if start >= cfg.cycles and len(done) > start and done[start]["cycle"] == start:
            ckpt.close()
            log(f"already finished {start} cycles; pass --cycles N with N > {start} for more")
            return state, done[:start + 1]
        if start > cfg.cycles:
            ckpt.close()
            raise ValueError(f"{out_dir} holds {start} cycles, more than --cycles "
                             f"{cfg.cycles}")
        log(f"resuming after cycle {start - 1}" if start else "resuming at cycle 0")
    bar = tqdm(total=(cfg.cycles + 1) * domain.size, initial=start * domain.size,
               unit="item", desc=f"adapt[{acfg.mechanism}]", disable=not progress)
    saved = start  # the cycle whose state the latest checkpoint holds (0: the start)
    cycle = start
    with deferred_sigint() as pressed:
        def advance(n: int) -> None:
            bar.update(n)
            if pressed():
                raise _Stop

        try:
            for cycle in range(start, cfg.cycles + 1):
                key = jax.random.fold_in(jax.random.key(cfg.seed), cycle)
                cands = domain.generate(state, mech, ctx, cycle, key, cfg.candidates, advance)
                if pressed():
                    raise _Stop
                reward, passed = domain.score(cands)
                row = metrics_row(cycle, acfg.mechanism, state, reward, passed,
                                  domain.measure(state))
                rows.append(row)
                bar.set_postfix(pass1=f"{row['pass_at_1']:.1f}",
                                reward=f"{row['mean_reward']:.2f}",
                                kl=f"{row['kl']:.3f}", clip=f"{row['clip_fraction']:.2f}")
                if cycle == cfg.cycles:
                    break
                keep = select(reward, cands.valid, cfg)
                state = learn(state, mech, ctx, kept_rows(cands, reward, keep), (cands, reward))
                if ckpt is not None:
                    ckpt.save(cycle + 1, state, {"metrics": rows, "cycle": cycle + 1,
                                                 "config": dataclasses.asdict(acfg)})
                    saved = cycle + 1
                if pressed():
                    cycle += 1
                    raise _Stop
        except _Stop:
            bar.close()
            rows = rows[:cycle]  # the rows of the cycles before the one interrupted
            if ckpt is not None:
                if saved != cycle or ckpt.latest_step() is None:
                    ckpt.save(cycle, state, {"metrics": rows, "cycle": cycle,
                                             "config": dataclasses.asdict(acfg)})
                ckpt.close()
                write_metrics(rows, Path(out_dir))
            raise Interrupted(cycle, ckpt is not None) from None
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
        b.plot(cycles, [r.get("heldout_bits_per_token", np.nan) for r in rows], marker="o",
               label=name)
        if any(r.get("kl") for r in rows):
            d.plot(cycles, [r.get("kl", 0.0) for r in rows], marker="o", label=f"{name} KL")
            d.plot(cycles, [r.get("clip_fraction", 0.0) for r in rows], marker="x",
                   linestyle="--", label=f"{name} clip fraction")
    a.set_xlabel("cycle")
    a.set_ylabel("pass rate (%)")
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
