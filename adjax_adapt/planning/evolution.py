"""AdaptDiffuser's self-evolution of the maze planner, through the one loop of
``adjax_adapt.evolve``.

Each cycle synthesises tasks (new goals in the training layouts, then tasks in the unseen
layouts), plans ``candidates`` per task with reward guidance, and the discriminator judges
them: a plan is *valid* when the maze can execute it (``execute.consistency`` within
``tolerance``: no wall crossed, no speeding) and its *reward* is the Maze2D return of
executing it by inverse dynamics, per step (``passed``: it reaches its goal). The loop keeps
the valid plans whose reward reaches its threshold in the trajectory buffer, and the
learner (``PlanLearner``) fine-tunes the denoiser on them mixed with offline windows.
``measure`` executes the planner, replanning, on fixed held-out tasks.

Two ablations use the same loop at equal compute: ``filter=False`` keeps every plan (no
discriminator); ``source="offline"`` fine-tunes on fresh offline windows from the data's
planner instead of synthetic plans.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import jax
import jax.numpy as jnp
import numpy as np
import optax

from adjax import buffer as buffer_lib
from adjax import checkpoint
from adjax.config import check_choice, check_positive, check_range
from adjax_adapt import evolve as loop
from adjax_adapt import mechanisms
from adjax_adapt.planning import data, execute, maze, planner, training


@dataclasses.dataclass(frozen=True, kw_only=True)
class EvolveConfig:
    """The maze domain's side of self-evolution (the loop's own is ``loop.LoopConfig``)."""

    cycles: int = 3
    items: int = 32  # tasks synthesised per cycle
    candidates: int = 8  # plans per task
    unseen_share: float = 0.5  # of the tasks, those in the unseen layouts
    max_dist: int = 8  # synthesised tasks' farthest start from the goal (grid cells)
    fresh_tasks: bool = True  # new tasks every cycle (False: the same ones, to master them)
    tolerance: float = 1.0  # the discriminator's largest dynamics gap (cells)
    keep_reward: float = 0.05  # ... and the least return per step it keeps
    filter: bool = True  # False: keep every plan (the ablation without discriminator)
    source: Literal["synthetic", "offline"] = "synthetic"  # offline: the data ablation
    eval_tasks: int = 48  # per split (training layouts, unseen layouts)
    eval_steps: int = 48
    replan_every: int = 15  # (at most the horizon - 1: the whole plan)
    learning_rate: float = 5e-4
    update_steps: int = 150
    batch_size: int = 64
    replay_fraction: float = 0.5  # of each batch, offline windows (against forgetting)
    seed: int = 0

    def __post_init__(self):
        check_positive(self, "cycles", "items", "candidates", "max_dist", "eval_tasks",
                       "eval_steps",
                       "replan_every", "update_steps", "batch_size", "learning_rate")
        check_range(self, "unseen_share", 0.0, 1.0)
        check_range(self, "replay_fraction", 0.0, 1.0)
        check_choice("source", self.source, ("synthetic", "offline"))

    @property
    def loop(self) -> loop.LoopConfig:
        if self.filter:
            return loop.LoopConfig(cycles=self.cycles, candidates=self.candidates,
                                   keep_threshold=self.keep_reward, require_valid=True,
                                   seed=self.seed)
        return loop.LoopConfig(cycles=self.cycles, candidates=self.candidates, keep_top=1.0,
                               require_valid=False, seed=self.seed)

    @property
    def adapt(self) -> mechanisms.AdaptConfig:
        """The loop's record of how learning runs (``mechanism`` names the variant)."""
        name = "offline-data" if self.source == "offline" else \
            "evolve" if self.filter else "evolve-no-filter"
        return mechanisms.AdaptConfig(
            mechanism=name, learning_rate=self.learning_rate,
            steps_per_update=self.update_steps, batch_size=self.batch_size,
            reward_mode="filtered", reward_threshold=-1.0,
            replay_fraction=self.replay_fraction,
            buffer_capacity=self.cycles * self.items * self.candidates)


@dataclasses.dataclass(frozen=True, eq=False)
class PlanContext:
    """What the learner shares and never changes."""

    model: Any
    cfg: planner.PlannerConfig
    acfg: mechanisms.AdaptConfig
    replay: data.Windows
    base_params: Any

    @functools.cached_property
    def replay_walls(self) -> np.ndarray:
        return self.replay.walls()

    @property
    def optimizer(self) -> optax.GradientTransformation:
        """``adjax.train.adamw`` at a constant learning rate, without weight decay."""
        return training.train_step(self.model, self.cfg, self.acfg.learning_rate)[0]

    @property
    def train_step(self):
        return training.train_step(self.model, self.cfg, self.acfg.learning_rate)[1]


class PlanLearner(mechanisms.Mechanism):
    """Fine-tunes the denoiser on buffered plans: ``update`` takes ``steps_per_update``
    optax steps on the denoising loss, each batch a ``replay_fraction`` of offline windows
    and the rest drawn uniformly from the buffer (the discriminator already chose)."""

    def init_state(self, ctx: PlanContext, key: jax.Array) -> mechanisms.AdaptState:
        params = jax.tree.map(jnp.copy, ctx.base_params)
        h = ctx.cfg.horizon
        buf = buffer_lib.init(ctx.acfg.buffer_capacity, (h, planner.FEATURES),
                              (maze.GRID, maze.GRID), dtype=jnp.float32, cond_dtype=bool)
        return mechanisms.AdaptState(  # distinct arrays: the train step donates them all
            params=params, opt_state=ctx.optimizer.init(params), buffer=buf, key=key,
            step=jnp.zeros((), jnp.int32),
            metrics={"updates": jnp.zeros((), jnp.int32), "last_loss": jnp.zeros(()),
                     "kl": jnp.zeros(()), "clip_fraction": jnp.zeros(())})

    def update(self, state, ctx: PlanContext):
        acfg = ctx.acfg
        valid = np.nonzero(np.asarray(state.buffer.valid))[0]
        if len(valid) == 0:
            return state
        plans, walls = np.asarray(state.buffer.tokens), np.asarray(state.buffer.cond)
        n_replay = int(round(acfg.batch_size * acfg.replay_fraction))
        rng = np.random.default_rng(int(state.step) + 7919)
        for _ in range(acfg.steps_per_update):
            pick = rng.choice(valid, acfg.batch_size - n_replay)
            r = rng.integers(0, len(ctx.replay.plans), n_replay)
            batch = {"x": jnp.asarray(np.concatenate([plans[pick], ctx.replay.plans[r]])),
                     "cond": jnp.asarray(np.concatenate([walls[pick], ctx.replay_walls[r]]))}
            state, metrics = ctx.train_step(state, batch)
        return state.replace(metrics={**state.metrics,
                                      "updates": state.metrics["updates"] +
                                      acfg.steps_per_update,
                                      "last_loss": metrics["loss"]})


def eval_tasks(n: int, seed: int) -> tuple[execute.Tasks, execute.Tasks]:
    """The held-out evaluation tasks: (training layouts with held-out goals, unseen
    layouts), fixed by ``seed``."""
    rng = np.random.default_rng(10_000 + seed)
    return (execute.sample_tasks(maze.TRAIN, n, rng, heldout_goals=True),
            execute.sample_tasks(maze.UNSEEN, n, rng, heldout_goals=True))


def evaluate(params, model, cfg: planner.PlannerConfig, tasks: execute.Tasks,
             refs: execute.References, *, steps: int, every: int, seed: int = 0) -> dict:
    """Success rate (%), mean return and normalized score of the planner on ``tasks``,
    replanning every ``every`` steps (at most every ``horizon - 1``)."""
    _, rs, _ = execute.execute(params, jax.random.key(seed), jnp.asarray(tasks.start),
                               jnp.asarray(tasks.goal), jnp.asarray(tasks.walls), model=model,
                               cfg=cfg, steps=steps, every=min(every, cfg.horizon - 1))
    ret = np.asarray(rs).sum(1)
    return {"success": float((ret > 0).mean()) * 100, "return": float(ret.mean()),
            "score": refs.score(float(ret.mean()))}


class MazeDomain:
    """Mazes as a domain of ``adjax_adapt.evolve``: items are synthesised tasks."""

    def __init__(self, cfg: planner.PlannerConfig, model, params, offline: data.Windows,
                 ecfg: EvolveConfig):
        self.cfg, self.model, self.params, self.offline, self.ecfg = \
            cfg, model, params, offline, ecfg
        self.size = ecfg.items
        self.tasks = eval_tasks(ecfg.eval_tasks, ecfg.seed)
        self.refs = tuple(execute.references(t, ecfg.eval_steps, ecfg.seed) for t in self.tasks)

    def context(self, acfg: mechanisms.AdaptConfig) -> PlanContext:
        return PlanContext(self.model, self.cfg, acfg, self.offline, self.params)

    def synthesise(self, cycle: int) -> execute.Tasks:
        """This cycle's tasks: new goals in the training layouts, then unseen layouts."""
        ecfg = self.ecfg
        rng = np.random.default_rng([ecfg.seed, cycle if ecfg.fresh_tasks else 0, 7])
        n_unseen = int(round(ecfg.items * ecfg.unseen_share))
        parts = []
        if ecfg.items - n_unseen:
            parts.append(execute.sample_tasks(maze.TRAIN, ecfg.items - n_unseen, rng,
                                              heldout_goals=True, max_dist=ecfg.max_dist))
        if n_unseen:
            parts.append(execute.sample_tasks(maze.UNSEEN, n_unseen, rng, heldout_goals=True,
                                              max_dist=ecfg.max_dist))
        return execute.Tasks.concat(parts)

    def generate(self, state, mech, ctx, cycle: int, key: jax.Array, candidates: int,
                 progress: Callable[[int], Any]) -> loop.Candidates:
        n, h = self.size, self.cfg.horizon
        if self.ecfg.source == "offline":
            per_episode = len(maze.TRAIN) * (h // 4 + 1)  # windows of a 2h-step episode
            win = data.generate(maze.TRAIN, -(-n * candidates // per_episode), 2 * h, h,
                                seed=1_000 + 100 * self.ecfg.seed + cycle, stride=4)
            pick = np.random.default_rng([self.ecfg.seed, cycle]).choice(
                len(win.plans), n * candidates, replace=len(win.plans) < n * candidates)
            plans, walls = win.plans[pick], win.walls()[pick]
        else:
            tasks = self.synthesise(cycle).repeat(candidates)
            walls = tasks.walls
            plans = np.asarray(planner.plan(state.params, key, jnp.asarray(tasks.start),
                                            jnp.asarray(tasks.goal), jnp.asarray(walls),
                                            model=self.model, cfg=self.cfg))
        gap = np.asarray(execute.consistency(jnp.asarray(plans), jnp.asarray(walls)))
        progress(n)
        gen_mask = np.ones((n, candidates, h), bool)
        gen_mask[:, :, [0, -1]] = False  # start and goal were given
        return loop.Candidates(
            tokens=plans.reshape(n, candidates, h, planner.FEATURES), gen_mask=gen_mask,
            cond=walls.reshape(n, candidates, maze.GRID, maze.GRID)[:, 0],
            valid=(gap <= self.ecfg.tolerance).reshape(n, candidates),
            outputs=walls)

    def score(self, cands: loop.Candidates) -> tuple[np.ndarray, np.ndarray]:
        n, g = cands.valid.shape
        plans = cands.tokens.reshape(n * g, *cands.tokens.shape[2:])
        _, ret = execute.track_plans(jnp.asarray(plans), jnp.asarray(cands.outputs))
        ret = np.asarray(ret).reshape(n, g)
        return ret / (self.cfg.horizon - 1), ret > 0

    def measure(self, state) -> dict[str, float]:
        out = {}
        for split, tasks, refs in zip(("seen", "unseen"), self.tasks, self.refs, strict=True):
            m = evaluate(state.params, self.model, self.cfg, tasks, refs,
                         steps=self.ecfg.eval_steps, every=self.ecfg.replan_every,
                         seed=self.ecfg.seed)
            out.update({f"{split}_{k}": v for k, v in m.items()})
        return out


def run(planner_dir: str | Path | None, ecfg: EvolveConfig, out_dir: str | Path | None = None,
        *, trained: tuple[planner.PlannerConfig, Any, Any] | None = None,
        offline: data.Windows | None = None, progress: bool = True, log=print
        ) -> tuple[mechanisms.AdaptState, list[dict]]:
    """Self-evolves the planner saved in ``planner_dir`` (or ``trained``: config, model,
    params) through ``adjax_adapt.evolve``; ``offline`` windows are replayed (default: the
    planner directory's ``data.npz``). Checkpoints per cycle in ``out_dir`` and resumes."""
    if trained is None:
        trained = training.load(planner_dir)
    if offline is None:
        path = Path(planner_dir) / "data.npz"
        if not path.is_file():
            raise FileNotFoundError(f"{planner_dir} holds no offline data (data.npz)")
        offline = data.Windows.load(path)
    cfg, model, params = trained
    domain = MazeDomain(cfg, model, params, offline, ecfg)
    return loop.evolve(domain, ecfg.adapt, ecfg.loop, out_dir, progress=progress, log=log,
                       mechanism=PlanLearner())


def restore_params(run_dir: str | Path, cycle: int | None = None,
                   trained: tuple[planner.PlannerConfig, Any, Any] | None = None,
                   planner_dir: str | Path | None = None):
    """The planner parameters an evolution run saved after ``cycle`` updates (default: the
    latest; 0: the planner it started from), restored into the shapes of ``trained`` (or of
    the planner in ``planner_dir``)."""
    cfg, model, params = trained if trained is not None else training.load(planner_dir)
    if cycle == 0:
        return params
    with checkpoint.Checkpointer(Path(run_dir) / "checkpoints", keep=None) as ckpt:
        steps = ckpt.steps()
        if not steps:
            raise FileNotFoundError(f"{run_dir} holds no evolution checkpoints")
        if cycle is not None and cycle not in steps:
            raise ValueError(f"{run_dir} holds cycles {sorted(steps)}, not {cycle}")
        meta = ckpt.read_meta(cycle)
        acfg = mechanisms.AdaptConfig(**{k: v for k, v in meta["config"].items()
                                         if k != "grpo"})
        ctx = PlanContext(model, cfg, acfg, None, params)
        target = PlanLearner().init_state(ctx, jax.random.key(0))
        state, _ = ckpt.restore(checkpoint.abstract(target), cycle)
    return state.params
