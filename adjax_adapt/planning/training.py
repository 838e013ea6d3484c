"""Training the planner on offline windows, and saving and loading a trained planner
(orbax parameters beside ``planner.json``: the config)."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from adjax import checkpoint, train
from adjax.config import OptimConfig, check_positive
from adjax.interrupt import deferred_sigint
from adjax_adapt.planning import data, planner


@dataclasses.dataclass(frozen=True, kw_only=True)
class FitConfig:
    steps: int = 1500
    batch_size: int = 64
    learning_rate: float = 2e-3
    warmup_steps: int = 100
    seed: int = 0

    def __post_init__(self):
        check_positive(self, "steps", "batch_size", "learning_rate")


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped training at ``step``; the parameters so far were saved."""

    def __init__(self, step: int, params: Any):
        super().__init__(f"interrupted at step {step}")
        self.step, self.params = step, params


def batch_of(windows: data.Windows, walls: np.ndarray, idx: np.ndarray) -> dict:
    return {"x": jnp.asarray(windows.plans[idx]), "cond": jnp.asarray(walls[idx])}


@functools.lru_cache(maxsize=8)
def train_step(model, cfg: planner.PlannerConfig, ocfg: OptimConfig | float):
    """(optimizer, the jitted, state-donating step on the denoising loss), cached per model,
    config and optimizer settings (an ``OptimConfig``, or a constant learning rate) so that
    a second run reuses the compiled step."""
    optimizer = train.make_optimizer(ocfg) if isinstance(ocfg, OptimConfig) \
        else train.adamw(ocfg)
    step = train.make_train_step(functools.partial(planner.loss, model=model, cfg=cfg),
                                 optimizer)
    return optimizer, step


def fit(cfg: planner.PlannerConfig, windows: data.Windows, fcfg: FitConfig, *,
        params: Any = None, progress: Callable[[int, float], Any] | None = None
        ) -> tuple[Any, Any, list[float]]:
    """Trains from scratch (or from ``params``): (model, params, loss per 100 steps).
    ``progress(step, loss)`` is called every step. Ctrl-C stops at a step boundary and
    raises ``Interrupted`` holding the parameters."""
    model, init = planner.create(cfg, fcfg.seed)
    params = init if params is None else params
    ocfg = OptimConfig(learning_rate=fcfg.learning_rate,
                       warmup_steps=min(fcfg.warmup_steps, fcfg.steps // 10),
                       total_steps=fcfg.steps, weight_decay=0.0)
    optimizer, step = train_step(model, cfg, ocfg)
    state = train.init_state(params, optimizer, jax.random.key(fcfg.seed))
    walls = windows.walls()
    rng = np.random.default_rng(fcfg.seed)
    losses, total = [], 0.0
    with deferred_sigint() as pressed:
        for i in range(fcfg.steps):
            idx = rng.integers(0, len(windows.plans), fcfg.batch_size)
            state, metrics = step(state, batch_of(windows, walls, idx))
            total += metrics["loss"]  # stays on the device: no sync per step
            if (i + 1) % 100 == 0 or i + 1 == fcfg.steps:
                losses.append(float(total) / ((i % 100) + 1))
                total = 0.0
            if progress is not None:
                progress(i + 1, losses[-1] if losses else float("nan"))
            if pressed():
                raise Interrupted(i + 1, state.params)
    return model, state.params, losses


def save(directory: str | Path, cfg: planner.PlannerConfig, params: Any,
         meta: dict | None = None) -> None:
    """The planner as ``directory/planner.json`` and ``directory/params`` (orbax); a planner
    saved there before is replaced."""
    import shutil

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(directory / "params", ignore_errors=True)
    (directory / "planner.json").write_text(json.dumps(
        {"config": dataclasses.asdict(cfg), **(meta or {})}, indent=2) + "\n")
    with checkpoint.Checkpointer(directory / "params", keep=1) as ckpt:
        ckpt.save(0, params, meta)


def read_config(directory: str | Path) -> planner.PlannerConfig:
    path = Path(directory) / "planner.json"
    if not path.is_file():
        raise FileNotFoundError(f"{directory} holds no trained planner (no planner.json)")
    return planner.PlannerConfig(**json.loads(path.read_text())["config"])


def load(directory: str | Path) -> tuple[planner.PlannerConfig, Any, Any]:
    """(config, model, params) of a planner ``save`` wrote."""
    cfg = read_config(directory)
    model, params = planner.create(cfg)
    with checkpoint.Checkpointer(Path(directory) / "params", keep=1) as ckpt:
        params, _ = ckpt.restore(checkpoint.abstract(params))
    return cfg, model, params
