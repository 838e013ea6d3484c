"""Offline data as D4RL's maze2d data was made: a waypoint planner over the grid drives a noisy
controller from goal to goal; the stream is cut into fixed-length windows of (state, action).

Goals are drawn from the training goal cells only (``goal_cells(..., heldout=False)``); the
held-out goal cells are for evaluation and for the tasks self-evolution synthesises. After
reaching a goal the agent stays a random number of steps before the next goal is drawn, so
windows also hold "arrive, then wait" segments that plans to near goals need.
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from adjax_adapt.planning import maze


@dataclasses.dataclass(frozen=True)
class Layout:
    """One maze with its shortest-path table: the host and device views."""

    name: str
    walls: np.ndarray  # [GRID, GRID] bool
    dist: np.ndarray  # [GRID * GRID, GRID, GRID] int32

    @classmethod
    def load(cls, name: str) -> Layout:
        walls = maze.walls_of(name)
        return cls(name, walls, maze.distances(walls))


@functools.cache
def layout(name: str) -> Layout:
    return Layout.load(name)


def goal_cells(lay: Layout, heldout: bool) -> np.ndarray:
    """The free cells [N, 2] that serve as goals in the offline data (``heldout=False``) or
    are held out of it (``True``: about a quarter of them, fixed by position)."""
    cells = maze.free_cells(lay.walls)
    out = (cells[:, 0] * 7 + cells[:, 1] * 3) % 4 == 0
    return cells[out] if heldout else cells[~out]


@dataclasses.dataclass(frozen=True)
class Windows:
    """Training windows: plans [N, H, 4] (row, col, action row, action col; positions in
    cell units) and the index of each one's layout [N] into ``names``."""

    plans: np.ndarray
    layout: np.ndarray
    names: tuple[str, ...]

    def walls(self) -> np.ndarray:
        """[N, GRID, GRID] bool: each window's walls."""
        table = np.stack([layout(n).walls for n in self.names])
        return table[self.layout]

    def save(self, path: str | Path) -> None:
        np.savez_compressed(path, plans=self.plans, layout=self.layout,
                            names=np.asarray(self.names))

    @classmethod
    def load(cls, path: str | Path) -> Windows:
        with np.load(path) as f:
            return cls(f["plans"], f["layout"], tuple(str(n) for n in f["names"]))


@functools.partial(jax.jit, static_argnames=("steps", "horizon"))
def _stream(walls, dist, goals, n_goals, start, key, *, steps: int, horizon: int,
            noise: float):
    """One layout's episodes [B]: positions [B, steps + 1, 2] and actions [B, steps, 2]."""

    def episode(s, k):
        def draw(kk):
            g = goals[jax.random.randint(kk, (), 0, n_goals)].astype(jnp.float32)
            return g + 0.5 + jax.random.uniform(jax.random.fold_in(kk, 1), (2,), minval=-0.2,
                                                maxval=0.2)

        def body(carry, t):
            pos, goal, wait = carry
            kt = jax.random.fold_in(k, t)
            a = maze.waypoint_action(dist, pos, goal)
            a = jnp.clip(a + noise * jax.random.normal(kt, (2,)), -1.0, 1.0)
            nxt = maze.step(walls, pos, a)
            reached = maze.reward(nxt, goal) > 0
            # Half the goals are left at once, half after up to horizon / 4 steps.
            stay = jax.random.randint(jax.random.fold_in(kt, 1), (), -horizon // 4,
                                      horizon // 4)
            wait = jnp.where(reached & (wait < 0), jnp.maximum(stay, 0), wait - reached)
            done = reached & (wait == 0)
            goal = jnp.where(done, draw(jax.random.fold_in(kt, 2)), goal)
            wait = jnp.where(done, -1, wait)
            return (nxt, goal, wait), (nxt, a)

        init = (s, draw(jax.random.fold_in(k, steps + 1)), jnp.asarray(-1))
        _, (ps, acts) = jax.lax.scan(body, init, jnp.arange(steps))
        return jnp.concatenate([s[None], ps]), acts

    return jax.vmap(episode)(start, jax.random.split(key, start.shape[0]))


def random_starts(lay: Layout, n: int, rng: np.random.Generator,
                  cells: np.ndarray | None = None) -> np.ndarray:
    """[n, 2] float32 positions near the centres of random free cells (or of ``cells``)."""
    cells = maze.free_cells(lay.walls) if cells is None else cells
    pick = cells[rng.integers(0, len(cells), n)]
    return (pick + 0.5 + rng.uniform(-0.2, 0.2, (n, 2))).astype(np.float32)


def generate(names: tuple[str, ...], episodes: int, steps: int, horizon: int, *,
             seed: int = 0, stride: int = 4, noise: float = 0.1) -> Windows:
    """Windows [N, horizon, 4] from ``episodes`` noisy waypoint episodes of ``steps`` per
    layout, one window every ``stride`` steps."""
    if steps < horizon:
        raise ValueError(f"episodes of {steps} steps hold no window of {horizon}")
    rng = np.random.default_rng(seed)
    plans, index = [], []
    for li, name in enumerate(names):
        lay = layout(name)
        goals = goal_cells(lay, heldout=False)
        padded = np.zeros((maze.GRID * maze.GRID, 2), np.int32)  # one shape: one compile
        padded[:len(goals)] = goals
        start = random_starts(lay, episodes, rng)
        pos, act = _stream(jnp.asarray(lay.walls), jnp.asarray(lay.dist), jnp.asarray(padded),
                           len(goals), jnp.asarray(start), jax.random.key(seed * 1009 + li),
                           steps=steps, horizon=horizon, noise=noise)
        traj = np.concatenate([np.asarray(pos[:, :-1]), np.asarray(act)], axis=-1)  # [B, T, 4]
        starts = np.arange(0, steps - horizon + 1, stride)
        win = np.stack([traj[:, s:s + horizon] for s in starts], axis=1)  # [B, W, H, 4]
        plans.append(win.reshape(-1, horizon, 4))
        index.append(np.full(len(plans[-1]), li, np.int32))
    return Windows(np.concatenate(plans).astype(np.float32), np.concatenate(index), names)
