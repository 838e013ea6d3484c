"""``adjax adapt``: the self-evolution loop (``adjax_adapt.evolve``) over code items.

Cycle c (0 .. cycles) samples ``candidates`` programs per item with the current state and
scores them (``adjax_code.adapt.domain``: task-suite items are rewarded by their example
tests and measured on their hidden tests). Per cycle: pass@1 (mean over candidates), mean
reward, buffer size and mean reward, held-out bits per token, KL and clip fraction; an orbax
checkpoint after every update; a rerun with the same output directory resumes.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from adjax_adapt import evolve as core
from adjax_adapt import mechanisms
from adjax_code.adapt.domain import CodeDomain, Item, jsonl_items, task_items
from adjax_code.generate.generator import Generator

__all__ = ["EvolveConfig", "Item", "evolve", "jsonl_items", "plot", "select", "task_items"]

plot = core.plot


@dataclasses.dataclass(frozen=True)
class EvolveConfig:
    """The loop's settings (``adjax_adapt.evolve.LoopConfig``) and the code sampler's."""

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
        if self.chunk < 1:
            raise ValueError("cycles, candidates and chunk must be positive")
        _ = self.loop  # validates the loop's share

    @property
    def loop(self) -> core.LoopConfig:
        return core.LoopConfig(cycles=self.cycles, candidates=self.candidates,
                               keep_threshold=self.keep_threshold, keep_top=self.keep_top,
                               require_valid=self.require_valid, seed=self.seed)


def select(reward, valid, ecfg: EvolveConfig):
    """Which candidates [items, candidates] go into the buffer (``adjax_adapt.evolve``)."""
    return core.select(reward, valid, ecfg.loop)


def evolve(gen: Generator, items: list[Item], acfg: mechanisms.AdaptConfig,
           ecfg: EvolveConfig, out_dir: str | Path | None = None, *, progress: bool = True,
           log=print, mesh=None) -> tuple[mechanisms.AdaptState, list[dict]]:
    """Runs (or resumes) the loop on code items; returns the final state and one metrics row
    per cycle. ``mesh``: the device mesh ``gen``'s weights are on (the steps run there)."""
    if not items:
        raise ValueError("no items to adapt on")
    domain = CodeDomain(gen, items, steps=ecfg.steps, repair_rounds=ecfg.repair_rounds,
                        chunk=ecfg.chunk, seed=ecfg.seed, mesh=mesh)
    return core.evolve(domain, acfg, ecfg.loop, out_dir, progress=progress, log=log)
