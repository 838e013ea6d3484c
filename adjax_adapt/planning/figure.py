"""Pictures: mazes with planned and executed trajectories, and success over cycles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from adjax_adapt.planning import execute, planner


def _axes(rows: int, cols: int, size: float = 2.6):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(rows, cols, figsize=(size * cols, size * rows), squeeze=False)
    return plt, fig, axes


def rollouts(params, model, cfg: planner.PlannerConfig, tasks: execute.Tasks, *,
             steps: int = 48, every: int = 15, seed: int = 0):
    """(first plans [B, H, 4], executed positions [B, steps + 1, 2], success [B]) as numpy;
    replanning every ``every`` steps (at most every ``horizon - 1``)."""
    ps, rs, plans = execute.execute(params, jax.random.key(seed), jnp.asarray(tasks.start),
                                    jnp.asarray(tasks.goal), jnp.asarray(tasks.walls),
                                    model=model, cfg=cfg, steps=steps,
                                    every=min(every, cfg.horizon - 1))
    return np.asarray(plans), np.asarray(ps), np.asarray(rs).sum(1) > 0


def maze_panel(ax, walls: np.ndarray, plan: np.ndarray | None, path: np.ndarray, goal,
               title: str = "") -> None:
    """One maze: walls, the first plan (dashed), the executed path, start and goal."""
    rows = np.nonzero(~walls.all(1))[0]
    cols = np.nonzero(~walls.all(0))[0]
    r0, r1 = rows.min() - 1, rows.max() + 2
    c0, c1 = cols.min() - 1, cols.max() + 2
    ax.imshow(walls[r0:r1, c0:c1], cmap="Greys", vmin=0, vmax=1.4,
              extent=(c0, c1, r1, r0), interpolation="nearest")
    if plan is not None:
        ax.plot(plan[:, 1], plan[:, 0], "--", color="tab:blue", lw=1.2, label="plan")
    ax.plot(path[:, 1], path[:, 0], "-", color="tab:orange", lw=1.6, label="executed")
    ax.plot(path[0, 1], path[0, 0], "o", color="tab:green", ms=6)
    ax.plot(goal[1], goal[0], "*", color="tab:red", ms=11)
    ax.set_xlim(c0, c1)
    ax.set_ylim(r1, r0)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=8)


def draw_plans(png: str | Path, params, model, cfg: planner.PlannerConfig,
               tasks: execute.Tasks, *, n: int = 6, title: str = "") -> None:
    """The first ``n`` tasks' plans and executions, one maze each."""
    sub = execute.Tasks(tasks.start[:n], tasks.goal[:n], tasks.walls[:n], tasks.names[:n])
    plans, paths, ok = rollouts(params, model, cfg, sub)
    plt, fig, axes = _axes(1, len(sub))
    for k, ax in enumerate(axes[0]):
        maze_panel(ax, sub.walls[k], plans[k], paths[k], sub.goal[k],
                   f"{title} {sub.names[k]}: {'reached' if ok[k] else 'missed'}")
    axes[0, 0].legend(fontsize=6, loc="lower left")
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)


def draw_evolution(png: str | Path, model, cfg: planner.PlannerConfig,
                   before: Any, after: Any, tasks: execute.Tasks,
                   curves: dict[str, list[list[dict]]], *, n: int = 4) -> None:
    """Top rows: plans and executions on ``n`` tasks before and after evolution. Bottom:
    success (%) on held-out tasks against cycle, mean and spread over seeds, per variant
    (``curves[variant]`` is a list over seeds of metric rows)."""
    sub = execute.Tasks(tasks.start[:n], tasks.goal[:n], tasks.walls[:n], tasks.names[:n])
    plt, fig, axes = _axes(3, n)
    for row, (label, params) in enumerate((("before", before), ("after", after))):
        plans, paths, ok = rollouts(params, model, cfg, sub)
        for k in range(n):
            maze_panel(axes[row, k], sub.walls[k], plans[k], paths[k], sub.goal[k],
                       f"{label}: {sub.names[k]} ({'reached' if ok[k] else 'missed'})")
    axes[0, 0].legend(fontsize=6, loc="lower left")
    for ax in axes[2]:
        ax.remove()
    for j, split in enumerate(("seen", "unseen")):
        ax = fig.add_subplot(3, 2, 5 + j)
        for name, runs in curves.items():
            values = np.array([[r[f"{split}_success"] for r in rows] for rows in runs])
            cycles = np.arange(values.shape[1])
            mean, std = values.mean(0), values.std(0)
            ax.plot(cycles, mean, marker="o", label=name)
            ax.fill_between(cycles, mean - std, mean + std, alpha=0.2)
        ax.set_xlabel("cycle")
        ax.set_xticks(cycles)
        ax.set_ylabel(f"success on {split} layouts (%)")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)
