"""A Diffuser-style planner on the Gaussian core: a plan is an array [H, 4] of states (row,
col) and actions over a horizon, diffused whole; the start and the goal are inpainted; a
differentiable reward guides DDIM; sampling is jitted and batched over
many (start, goal, layout) at once.

The guide rewards being near the goal early (a smooth Maze2D return) and penalises walls and
speeding. The denoiser is ``adjax.nets.Transformer`` over the horizon (continuous inputs, time
conditioning by adaLN), cross-attending to the layout: one token per 2x2 block of cells
(its centre and its four wall bits). Positions enter with a few Fourier features, so that
attention can compare where a state is with where a wall is.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

from adjax import gaussian
from adjax.config import GaussianConfig, NetConfig, check_positive
from adjax.nets import Transformer
from adjax.nets.functional import split
from adjax_adapt.planning import maze

PATCH = 2
FEATURES = 4  # row, col, action row, action col


@dataclasses.dataclass(frozen=True, kw_only=True)
class PlannerConfig:
    """The planner's network, diffusion and sampler."""

    horizon: int = 16
    d_model: int = 64
    n_layers: int = 2
    n_heads: int = 4
    fourier: int = 3  # octaves of sin/cos position features
    timesteps: int = 100
    prediction: str = "v"  # what the denoiser predicts: v, eps or x0 (as Diffuser)
    sample_steps: int = 20  # DDIM steps per plan
    guide_scale: float = 3.0  # reward-gradient guidance (0: none) ...
    guide_max_level: float = 0.6  # ... on the steps at noise levels up to this
    penalty_weight: float = 1.0  # the guide's infeasibility penalty against its progress

    def __post_init__(self):
        check_positive(self, "horizon", "d_model", "n_layers", "n_heads", "timesteps",
                       "sample_steps")
        if self.horizon < 2:
            raise ValueError("a plan needs a horizon of at least 2 (start and goal)")
        if self.sample_steps > self.timesteps:
            raise ValueError("sample_steps must not exceed timesteps")
        if self.guide_scale < 0 or self.penalty_weight < 0:
            raise ValueError("guide_scale and penalty_weight must be >= 0")

    @property
    def diffusion(self) -> GaussianConfig:
        return GaussianConfig(schedule="cosine", num_timesteps=self.timesteps,
                              prediction=self.prediction)

    @property
    def net(self) -> NetConfig:
        return NetConfig(input_kind="continuous", in_features=FEATURES + 4 + 4 * self.fourier,
                         out_features=FEATURES, d_model=self.d_model, n_layers=self.n_layers,
                         n_heads=self.n_heads, max_len=self.horizon, conditioning="cross",
                         cond_layers=1, cond_vocab_size=1, time_conditioning=True)


# -- coordinates ----------------------------------------------------------------------------

HALF = maze.GRID / 2


def normalize(plan: jax.Array) -> jax.Array:
    """Cell units -> the model's space (positions in [-1, 1]; actions unchanged) [..., 4]."""
    return jnp.concatenate([plan[..., :2] / HALF - 1.0, plan[..., 2:]], axis=-1)


def denormalize(x: jax.Array) -> jax.Array:
    return jnp.concatenate([(x[..., :2] + 1.0) * HALF, x[..., 2:]], axis=-1)


def fourier(pos: jax.Array, octaves: int) -> jax.Array:
    """sin/cos features [..., 4 * octaves] of normalised positions [..., 2]."""
    freqs = jnp.pi * 2.0 ** jnp.arange(octaves, dtype=jnp.float32)  # [O]
    ang = (pos[..., None, :] * freqs[:, None]).reshape(*pos.shape[:-1], -1)
    return jnp.concatenate([jnp.sin(ang), jnp.cos(ang)], axis=-1)


def layout_tokens(walls: jax.Array) -> jax.Array:
    """Walls [B, GRID, GRID] -> tokens [B, (GRID / 2)^2, 6]: each 2x2 block's normalised
    centre and its four wall bits."""
    b, n = walls.shape[0], maze.GRID // PATCH
    bits = walls.astype(jnp.float32).reshape(b, n, PATCH, n, PATCH)
    bits = bits.transpose(0, 1, 3, 2, 4).reshape(b, n * n, PATCH * PATCH)
    centre = (jnp.stack(jnp.meshgrid(jnp.arange(n), jnp.arange(n), indexing="ij"), -1)
              .reshape(n * n, 2).astype(jnp.float32) * PATCH + PATCH / 2) / HALF - 1.0
    return jnp.concatenate([jnp.broadcast_to(centre, (b, n * n, 2)), bits], axis=-1)


class PlannerNet(nnx.Module):
    """Plans [B, H, 4] (model space), noise level [B] and a context -> x0 [B, H, 4]."""

    def __init__(self, cfg: PlannerConfig, *, rngs: nnx.Rngs):
        self.octaves = cfg.fourier
        self.net = Transformer(cfg.net, rngs=rngs)
        d = cfg.d_model
        self.cell_in = nnx.Linear(6 + 4 * cfg.fourier, d, rngs=rngs)
        self.cell_out = nnx.Linear(d, d, rngs=rngs)

    def context(self, walls: jax.Array):
        """The layout as the denoiser's cross-attention context, keys and values included:
        computed once per plan, not per step."""
        tok = layout_tokens(walls)
        h = jnp.concatenate([tok, fourier(tok[..., :2], self.octaves)], axis=-1)
        h = self.cell_out(jax.nn.silu(self.cell_in(h)))
        ctx = (h, jnp.ones(h.shape[:2], bool))
        return self.net.with_context_kv(ctx)

    def __call__(self, x, level, context):
        # Every step also sees the start and the goal (clean in x's first and last rows).
        ends = jnp.broadcast_to(jnp.concatenate([x[:, :1, :2], x[:, -1:, :2]], axis=-1),
                                (*x.shape[:2], 4))
        feats = jnp.concatenate([x, ends, fourier(x[..., :2], self.octaves)], axis=-1)
        return self.net(feats, level, context)


def create(cfg: PlannerConfig, seed: int = 0) -> tuple[Any, Any]:
    """(model functions, params): ``model.merge(params)`` is the ``PlannerNet``."""
    return split(PlannerNet(cfg, rngs=nnx.Rngs(seed)))


def with_ends(x: jax.Array, ends: jax.Array) -> jax.Array:
    """``x`` [B, H, 4] (model space) with its first and last positions set to ``ends``
    [B, 2, 2] (start, goal; model space): the denoiser always sees them clean, in training
    and in sampling (Diffuser's conditioning)."""
    return x.at[:, 0, :2].set(ends[:, 0]).at[:, -1, :2].set(ends[:, 1])


def loss_model_fn(model):
    """``gaussian.loss``'s ``model_fn``: the condition is (walls [B, GRID, GRID], ends)."""

    def fn(params, x, level, cond):
        walls, ends = cond
        net = model.merge(params)
        return net(with_ends(x, ends), level, net.context(walls))

    return fn


def loss(params, batch, key, *, model, cfg: PlannerConfig):
    """The denoising loss of plans ``batch["x"]`` [B, H, 4] (cell units) in ``batch["cond"]``'s
    layouts [B, GRID, GRID], conditioned on each plan's own first and last position."""
    x = normalize(batch["x"])
    ends = jnp.stack([x[:, 0, :2], x[:, -1, :2]], axis=1)
    return gaussian.loss(params, {"x": x, "cond": (batch["cond"], ends)}, key,
                         model_fn=loss_model_fn(model), cfg=cfg.diffusion)


# -- the cost that guides sampling ----------------------------------------------------------

def wall_overlap(walls: jax.Array, pos: jax.Array) -> jax.Array:
    """How deep the agent's square at positions [P, 2] sits in walls: the summed overlap
    area with the 3x3 cells around each point [P] (differentiable in ``pos``)."""
    offsets = jnp.stack(jnp.meshgrid(jnp.arange(-1, 2), jnp.arange(-1, 2), indexing="ij"),
                        -1).reshape(9, 2)
    cells = jnp.floor(pos)[:, None, :] + offsets  # [P, 9, 2]
    idx = jnp.clip(cells, 0, maze.GRID - 1).astype(jnp.int32)
    wall = walls[idx[..., 0], idx[..., 1]].astype(jnp.float32)
    wall = jnp.where(jnp.all((cells >= 0) & (cells < maze.GRID), -1), wall, 1.0)
    d = jnp.abs(pos[:, None, :] - (jax.lax.stop_gradient(cells) + 0.5))
    overlap = jnp.prod(jax.nn.relu(0.5 + maze.RADIUS - d), axis=-1)  # [P, 9]
    return jnp.sum(overlap * wall, axis=-1)


def penalty(plan: jax.Array, walls: jax.Array) -> jax.Array:
    """What makes a plan [B, H, 4] (cell units) infeasible, per step [B]: its overlap with
    walls at every state and halfway between states, the excess of its speed over ``VMAX``,
    and (at a tenth) the gap between each move and its action. Each term grows linearly
    (bounded gradients: guidance stays stable on wild early predictions)."""
    pos, act = plan[..., :2], plan[..., 2:]
    pts = jnp.concatenate([pos, 0.5 * (pos[:, 1:] + pos[:, :-1])], axis=1)
    coll = jax.vmap(lambda w, p: wall_overlap(w, p).sum())(walls, pts)
    move = pos[:, 1:] - pos[:, :-1]
    fast = jnp.sum(jax.nn.relu(jnp.abs(move) - maze.VMAX), axis=(1, 2))
    gap = jnp.sum(jnp.abs(move - maze.VMAX * jnp.clip(act[:, :-1], -1, 1)), axis=(1, 2))
    return (coll + fast + 0.1 * gap) / plan.shape[1]


def progress(plan: jax.Array, goal: jax.Array) -> jax.Array:
    """A smooth Maze2D return per step [B]: the mean over the plan's states of
    ``exp(-d^2 / (2 r^2))``, d the distance to the goal [B, 2], r ``GOAL_RADIUS``."""
    d2 = jnp.sum((plan[..., :2] - goal[:, None]) ** 2, axis=-1)
    return jnp.mean(jnp.exp(-d2 / (2 * maze.GOAL_RADIUS**2)), axis=1)


def guide_reward(plan: jax.Array, goal: jax.Array, walls: jax.Array,
                 penalty_weight: float) -> jax.Array:
    """The reward whose gradient guides sampling [B]: ``progress - penalty_weight *
    penalty`` (reach the goal early and stay; through no wall, no faster than allowed)."""
    return progress(plan, goal) - penalty_weight * penalty(plan, walls)


# -- sampling -------------------------------------------------------------------------------

def known(start: jax.Array, goal: jax.Array, horizon: int) -> tuple[jax.Array, jax.Array]:
    """The inpainting (values [B, H, 4], mask [H, 4]) that fixes the first and the last
    position (model space)."""
    b = start.shape[0]
    values = jnp.zeros((b, horizon, FEATURES), jnp.float32)
    values = values.at[:, 0, :2].set(start / HALF - 1.0).at[:, -1, :2].set(goal / HALF - 1.0)
    mask = jnp.zeros((horizon, FEATURES), bool).at[0, :2].set(True).at[-1, :2].set(True)
    return values, mask


def sample_plans(params, key, start, goal, walls, *, model, cfg: PlannerConfig,
                 guide_scale: float | jax.Array | None = None):
    """Plans [B, H, 4] (cell units) from ``start`` [B, 2] to ``goal`` [B, 2] in ``walls``
    [B, GRID, GRID]: DDIM over ``cfg.sample_steps`` steps, start and goal inpainted (exact),
    guided by ``guide_reward`` at ``guide_scale`` (default ``cfg.guide_scale``; a traced
    scale is guided, a Python 0 is not)."""
    scale = cfg.guide_scale if guide_scale is None else guide_scale
    guided = not (isinstance(scale, int | float) and scale == 0)
    net = model.merge(params)
    ctx = net.context(walls)

    ends = jnp.stack([start, goal], axis=1) / HALF - 1.0

    def model_fn(p, x, level, c):
        return model.merge(p)(with_ends(x, ends), level, c)

    def reward_fn(x0):  # the scale rides in the reward: one program for every scale
        return scale * guide_reward(denormalize(x0), goal, walls, cfg.penalty_weight)

    x = gaussian.sample(params, key, (start.shape[0], cfg.horizon, FEATURES),
                        model_fn=model_fn, cfg=cfg.diffusion, num_steps=cfg.sample_steps,
                        cond=ctx, reward_fn=reward_fn if guided else None, reward_scale=1.0,
                        reward_max_level=cfg.guide_max_level,
                        known=known(start, goal, cfg.horizon))
    return denormalize(x)


@functools.partial(jax.jit, static_argnames=("model", "cfg", "guided"))
def _plan(params, key, start, goal, walls, scale, *, model, cfg, guided):
    return sample_plans(params, key, start, goal, walls, model=model, cfg=cfg,
                        guide_scale=scale if guided else 0.0)


def plan(params, key, start, goal, walls, *, model, cfg: PlannerConfig,
         guide_scale: float | None = None):
    """``sample_plans``, jitted: one compile per batch size with guidance and one without
    (the scale is an argument, not a constant)."""
    scale = cfg.guide_scale if guide_scale is None else guide_scale
    return _plan(params, key, start, goal, walls, jnp.float32(scale), model=model, cfg=cfg,
                 guided=scale > 0)
