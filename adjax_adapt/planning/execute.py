"""Tasks, and plans executed in the maze: track the plan's next state with inverse dynamics
(the velocity that reaches it, clipped), replanning from where the agent is every k steps.

A task is (layout, start, goal). Success: the agent comes within ``GOAL_RADIUS`` of the goal
during the episode; return: the steps spent there (Maze2D's sparse reward). The normalized
score is ``100 * (return - random) / (expert - random)`` with the mean returns of uniformly
random actions and of the noiseless waypoint controller (the offline data's planner) on the
same tasks.
"""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp
import numpy as np

from adjax_adapt.planning import data, maze, planner


@dataclasses.dataclass(frozen=True)
class Tasks:
    """``n`` tasks: start and goal [n, 2] (cell units), walls [n, GRID, GRID], and each
    one's layout name."""

    start: np.ndarray
    goal: np.ndarray
    walls: np.ndarray
    names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.start)

    def repeat(self, k: int) -> Tasks:
        """Each task ``k`` times in a row (``k`` candidates per task)."""
        return Tasks(np.repeat(self.start, k, 0), np.repeat(self.goal, k, 0),
                     np.repeat(self.walls, k, 0), tuple(n for n in self.names for _ in range(k)))

    @staticmethod
    def concat(parts: list[Tasks]) -> Tasks:
        return Tasks(np.concatenate([p.start for p in parts]),
                     np.concatenate([p.goal for p in parts]),
                     np.concatenate([p.walls for p in parts]),
                     tuple(n for p in parts for n in p.names))


def sample_tasks(names: tuple[str, ...], n: int, rng: np.random.Generator, *,
                 heldout_goals: bool, min_dist: int = 2, max_dist: int = 8) -> Tasks:
    """``n`` tasks spread evenly over the layouts ``names``: a goal at the centre of a goal
    cell (in the training layouts, the cells ``heldout_goals`` selects; in others any free
    cell) and a start near a free cell's centre ``min_dist`` to ``max_dist`` cells away."""
    starts, goals, walls, which = [], [], [], []
    for k in range(n):
        name = names[k % len(names)]
        lay = data.layout(name)
        cells = data.goal_cells(lay, heldout_goals) if name in maze.TRAIN \
            else maze.free_cells(lay.walls)
        g = cells[rng.integers(len(cells))]
        d = lay.dist[g[0] * maze.GRID + g[1]]
        near = np.argwhere((d >= min_dist) & (d <= max_dist) & ~lay.walls)
        if len(near) == 0:
            raise ValueError(f"no start {min_dist}-{max_dist} cells from a goal in {name}")
        starts.append(data.random_starts(lay, 1, rng, near)[0])
        goals.append(g.astype(np.float32) + 0.5)
        walls.append(lay.walls)
        which.append(name)
    return Tasks(np.stack(starts), np.stack(goals), np.stack(walls), tuple(which))


def execute(params, key, start, goal, walls, *, model, cfg: planner.PlannerConfig, steps: int,
            every: int, guide_scale: float | None = None):
    """Episodes [B] of ``steps`` steps, replanning every ``every`` steps: positions
    [B, steps + 1, 2], rewards [B, steps] and the first plans [B, H, 4]. Jitted; the
    guidance scale (default ``cfg.guide_scale``) is an argument, not a constant."""
    if not 1 <= every < cfg.horizon:
        raise ValueError(f"replan every 1 to {cfg.horizon - 1} steps, got {every}")
    scale = cfg.guide_scale if guide_scale is None else guide_scale
    return _execute(params, key, start, goal, walls, jnp.float32(scale), model=model, cfg=cfg,
                    steps=steps, every=every, guided=scale > 0)


@functools.partial(jax.jit, static_argnames=("model", "cfg", "steps", "every", "guided"))
def _execute(params, key, start, goal, walls, scale, *, model, cfg, steps, every, guided):
    rounds = -(-steps // every)

    def replan(pos, r):
        plan = planner.sample_plans(params, jax.random.fold_in(key, r), pos, goal, walls,
                                    model=model, cfg=cfg, guide_scale=scale if guided else 0.0)

        def track(p, j):
            action = (plan[:, j + 1, :2] - p) / maze.VMAX
            nxt = jax.vmap(maze.step)(walls, p, action)
            return nxt, (nxt, maze.reward(nxt, goal))

        pos, (ps, rs) = jax.lax.scan(track, pos, jnp.arange(every))
        return pos, (ps, rs, plan)

    _, (ps, rs, plans) = jax.lax.scan(replan, start, jnp.arange(rounds))
    ps = jnp.swapaxes(ps.reshape(rounds * every, *start.shape), 0, 1)[:, :steps]
    rs = jnp.swapaxes(rs.reshape(rounds * every, -1), 0, 1)[:, :steps]
    return jnp.concatenate([start[:, None], ps], axis=1), rs, plans[0]


@jax.jit
def track_plans(plans: jax.Array, walls: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Each plan [B, H, 4] executed open-loop from its first state by inverse dynamics:
    (positions [B, H, 2], return [B] at the plan's last state, its goal)."""

    def run(w, plan):
        def body(p, j):
            nxt = maze.step(w, p, (plan[j + 1, :2] - p) / maze.VMAX)
            return nxt, (nxt, maze.reward(nxt, plan[-1, :2]))

        _, (ps, rs) = jax.lax.scan(body, plan[0, :2], jnp.arange(plan.shape[0] - 1))
        return jnp.concatenate([plan[:1, :2], ps]), rs.sum()

    return jax.vmap(run)(walls, plans)


@jax.jit
def consistency(plans: jax.Array, walls: jax.Array) -> jax.Array:
    """The largest gap [B] between a plan's next state and where the maze takes the agent
    from its state with the inverse dynamics' action (the clipped velocity toward it): 0
    for a plan the maze can execute exactly; large where it passes a wall or speeds."""
    act = (plans[:, 1:, :2] - plans[:, :-1, :2]) / maze.VMAX
    nxt = jax.vmap(jax.vmap(maze.step, in_axes=(None, 0, 0)))(walls, plans[:, :-1, :2], act)
    return jnp.max(jnp.abs(nxt - plans[:, 1:, :2]), axis=(1, 2))


@dataclasses.dataclass(frozen=True)
class References:
    """Mean returns of random actions and of the expert (the data's planner) on tasks."""

    random: float
    expert: float
    expert_success: float

    def score(self, ret: float) -> float:
        return 100.0 * (ret - self.random) / max(self.expert - self.random, 1e-6)


def references(tasks: Tasks, steps: int, seed: int = 0) -> References:
    walls, start, goal = (jnp.asarray(x) for x in (tasks.walls, tasks.start, tasks.goal))
    dist = jnp.asarray(np.stack([data.layout(n).dist for n in tasks.names]))
    _, _, r_exp = maze.rollout_waypoint(walls, dist, start, goal, jax.random.key(seed),
                                        steps=steps)
    keys = jax.random.split(jax.random.key(seed + 1), 4)
    r_rand = np.mean([float(maze.rollout_random(walls, start, goal, k, steps=steps)[1]
                            .sum(1).mean()) for k in keys])
    return References(float(r_rand), float(r_exp.sum(1).mean()),
                      float((r_exp.sum(1) > 0).mean()))
