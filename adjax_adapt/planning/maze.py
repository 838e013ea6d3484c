"""A point mass in 2-D mazes, in pure JAX: layouts, dynamics with walls, the goal reward,
and the grid's shortest-path tables for the waypoint controller.

A layout is a grid of cells padded with walls to ``GRID x GRID``; a position ``(row, col)``
is in cell units (cell ``(i, j)`` covers ``[i, i + 1) x [j, j + 1)``). The agent is a square
of half-width ``RADIUS``. An action is a velocity command in ``[-1, 1]^2``; a step moves by
``VMAX * action`` in ``SUBSTEPS`` sub-moves, each axis separately, and a sub-move that would
overlap a wall is dropped (the agent slides along walls and never passes through one). The
reward is 1 while the agent is within ``GOAL_RADIUS`` of the goal (as in Maze2D).

Layouts: ``umaze``, ``medium`` and ``large`` have the shapes of D4RL's Maze2D mazes and are
the training layouts; ``spiral`` and ``rooms`` are held out (never in the offline data).
"""

from __future__ import annotations

import functools
from collections import deque

import jax
import jax.numpy as jnp
import numpy as np

GRID = 12
VMAX = 1.0
SUBSTEPS = 4
RADIUS = 0.2
GOAL_RADIUS = 0.5

LAYOUTS = {
    "umaze": """
#####
#...#
###.#
#...#
#####""",
    "medium": """
########
#..##..#
#..#...#
##...###
#..#...#
#.#..#.#
#...#..#
########""",
    "large": """
############
#....#.....#
#.##.#.#.#.#
#......#...#
#.####.###.#
#..#.#.....#
##.#.#.#.###
#..#...#...#
############""",
    "spiral": """
##########
#........#
#.######.#
#.#....#.#
#.#.##.#.#
#.#..#...#
#.##.#####
#....#...#
####...#.#
##########""",
    "rooms": """
###########
#...#.....#
#.#.#.###.#
#.#...#...#
#.#####.###
#...#.....#
###.#.#.#.#
#.....#...#
###########""",
}
TRAIN = ("umaze", "medium", "large")
UNSEEN = ("spiral", "rooms")


def walls_of(name_or_text: str) -> np.ndarray:
    """A layout (a name in ``LAYOUTS`` or its text) as walls [GRID, GRID] bool, padded."""
    text = LAYOUTS.get(name_or_text, name_or_text)
    rows = [r for r in text.strip().splitlines() if r.strip()]
    if len(rows) > GRID or max(map(len, rows)) > GRID:
        raise ValueError(f"a layout fits in {GRID}x{GRID} cells, got {len(rows)}x"
                         f"{max(map(len, rows))}")
    walls = np.ones((GRID, GRID), bool)
    for i, row in enumerate(rows):
        for j, ch in enumerate(row):
            if ch not in "#.":
                raise ValueError(f"a layout holds '#' and '.', got {ch!r}")
            walls[i, j] = ch == "#"
    return walls


def free_cells(walls: np.ndarray) -> np.ndarray:
    """[N, 2] int (row, col) of the free cells, in row-major order."""
    return np.argwhere(~walls)


def distances(walls: np.ndarray) -> np.ndarray:
    """Grid distances [GRID * GRID (goal cell), GRID, GRID] int32 by breadth-first search over
    4-neighbours; walls and unreachable cells are ``GRID * GRID``."""
    far = GRID * GRID
    out = np.full((GRID * GRID, GRID, GRID), far, np.int32)
    for gi, gj in free_cells(walls):
        d = out[gi * GRID + gj]
        d[gi, gj] = 0
        queue = deque([(gi, gj)])
        while queue:
            i, j = queue.popleft()
            for di, dj in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                a, b = i + di, j + dj
                if 0 <= a < GRID and 0 <= b < GRID and not walls[a, b] and d[a, b] == far:
                    d[a, b] = d[i, j] + 1
                    queue.append((a, b))
    return out


# -- dynamics (pure, jit- and vmap-able: one episode's walls [GRID, GRID]) ------------------

def cell_of(pos: jax.Array) -> jax.Array:
    """Integer cell [..., 2] of positions [..., 2], clipped to the grid."""
    return jnp.clip(jnp.floor(pos), 0, GRID - 1).astype(jnp.int32)


def is_free(walls: jax.Array, pos: jax.Array) -> jax.Array:
    """Whether the agent's square at ``pos`` [2] overlaps no wall (bool)."""
    corners = pos + RADIUS * jnp.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], jnp.float32)
    cells = cell_of(corners)
    inside = jnp.all((corners >= 0) & (corners < GRID))
    return inside & ~jnp.any(walls[cells[:, 0], cells[:, 1]])


def step(walls: jax.Array, pos: jax.Array, action: jax.Array) -> jax.Array:
    """The next position [2] after the velocity command ``action`` [2] (clipped to [-1, 1])."""
    delta = VMAX * jnp.clip(action, -1.0, 1.0) / SUBSTEPS
    for _ in range(SUBSTEPS):
        for axis in range(2):
            moved = pos.at[axis].add(delta[axis])
            pos = jnp.where(is_free(walls, moved), moved, pos)
    return pos


def reward(pos: jax.Array, goal: jax.Array) -> jax.Array:
    """1.0 within ``GOAL_RADIUS`` of the goal, else 0.0 (float32) [...]."""
    return (jnp.linalg.norm(pos - goal, axis=-1) < GOAL_RADIUS).astype(jnp.float32)


def waypoint_action(dist: jax.Array, pos: jax.Array, goal: jax.Array, gain: float = 1.0
                    ) -> jax.Array:
    """The waypoint controller: steer toward the centre of the neighbouring cell nearest the
    goal on the grid (the goal itself once in its cell). ``dist`` is ``distances``' table
    of the layout [GRID * GRID, GRID, GRID]."""
    here, target_cell = cell_of(pos), cell_of(goal)
    table = dist[target_cell[0] * GRID + target_cell[1]]
    moves = jnp.array([[0, 0], [1, 0], [-1, 0], [0, 1], [0, -1]], jnp.int32)
    nbrs = jnp.clip(here + moves, 0, GRID - 1)
    best = nbrs[jnp.argmin(table[nbrs[:, 0], nbrs[:, 1]])]
    at_goal_cell = jnp.all(here == target_cell)
    target = jnp.where(at_goal_cell, goal, best.astype(jnp.float32) + 0.5)
    return jnp.clip(gain * (target - pos) / VMAX, -1.0, 1.0)


@functools.partial(jax.jit, static_argnames=("steps",))
def rollout_waypoint(walls, dist, start, goal, key, *, steps: int, noise: float = 0.0):
    """Episodes [B] of the waypoint controller (with Gaussian action noise): positions
    [B, steps + 1, 2], actions [B, steps, 2] and rewards [B, steps]."""

    def episode(w, d, s, g, k):
        def body(pos, t):
            a = waypoint_action(d, pos, g)
            a = jnp.clip(a + noise * jax.random.normal(jax.random.fold_in(k, t), (2,)), -1, 1)
            nxt = step(w, pos, a)
            return nxt, (nxt, a, reward(nxt, g))

        _, (ps, acts, rs) = jax.lax.scan(body, s, jnp.arange(steps))
        return jnp.concatenate([s[None], ps]), acts, rs

    keys = jax.random.split(key, start.shape[0])
    return jax.vmap(episode)(walls, dist, start, goal, keys)


@functools.partial(jax.jit, static_argnames=("steps",))
def rollout_random(walls, start, goal, key, *, steps: int):
    """Episodes [B] of uniformly random actions: (positions [B, steps + 1, 2], rewards)."""

    def episode(w, s, g, k):
        def body(pos, t):
            a = jax.random.uniform(jax.random.fold_in(k, t), (2,), minval=-1.0, maxval=1.0)
            nxt = step(w, pos, a)
            return nxt, (nxt, reward(nxt, g))

        _, (ps, rs) = jax.lax.scan(body, s, jnp.arange(steps))
        return jnp.concatenate([s[None], ps]), rs

    keys = jax.random.split(key, start.shape[0])
    return jax.vmap(episode)(walls, start, goal, keys)
