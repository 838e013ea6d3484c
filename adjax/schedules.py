"""Noise schedules as pure functions of t in [0, 1].

Masked diffusion uses ``alpha(t)``: the probability that a token is still unmasked at time t,
with ``alpha(0) = 1`` and ``alpha(1) = 0``, and its derivative ``alpha'(t)`` for the ELBO weight.
Gaussian diffusion uses ``alpha_bar(t)``: the signal variance, with ``alpha_bar(0) = 1`` and
``alpha_bar(1)`` close to 0. Both come from one :class:`Schedule`, resolved once by name.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np

Fn = Callable[[jax.Array], jax.Array]

# alpha_bar never reaches exactly 0 so that x0 and v parameterisations stay finite at t = 1.
_MIN_ALPHA_BAR = 1e-5


@dataclasses.dataclass(frozen=True)
class Schedule:
    """A resolved schedule: masking rate ``alpha``, its derivative, and Gaussian ``alpha_bar``."""

    name: str
    alpha: Fn
    dalpha: Fn
    alpha_bar: Fn


def _from_alpha(name: str, alpha: Fn) -> Schedule:
    """Builds a schedule whose derivative comes from autodiff and alpha_bar from alpha."""

    def dalpha(t):
        t = jnp.asarray(t, jnp.float32)
        return jnp.vectorize(jax.grad(lambda s: alpha(s)))(t)

    def alpha_bar(t):
        return jnp.clip(alpha(jnp.asarray(t, jnp.float32)), _MIN_ALPHA_BAR, 1.0)

    return Schedule(name=name, alpha=alpha, dalpha=dalpha, alpha_bar=alpha_bar)


def linear() -> Schedule:
    return Schedule(
        name="linear",
        alpha=lambda t: 1.0 - jnp.asarray(t, jnp.float32),
        dalpha=lambda t: -jnp.ones_like(jnp.asarray(t, jnp.float32)),
        alpha_bar=lambda t: jnp.clip(1.0 - jnp.asarray(t, jnp.float32), _MIN_ALPHA_BAR, 1.0),
    )


def cosine() -> Schedule:
    half_pi = jnp.pi / 2

    def alpha(t):
        return jnp.cos(half_pi * jnp.asarray(t, jnp.float32)) ** 2

    def dalpha(t):
        t = jnp.asarray(t, jnp.float32)
        return -half_pi * jnp.sin(jnp.pi * t)

    def alpha_bar(t):
        return jnp.clip(alpha(t), _MIN_ALPHA_BAR, 1.0)

    return Schedule(name="cosine", alpha=alpha, dalpha=dalpha, alpha_bar=alpha_bar)


def loglinear(eps: float = 1e-3) -> Schedule:
    """alpha(t) = 1 - (1 - eps) t: sigma(t) = -log(1 - (1 - eps) t) is linear in log space."""

    def alpha(t):
        return 1.0 - (1.0 - eps) * jnp.asarray(t, jnp.float32)

    def dalpha(t):
        return jnp.full_like(jnp.asarray(t, jnp.float32), -(1.0 - eps))

    def alpha_bar(t):
        return jnp.clip(alpha(t), _MIN_ALPHA_BAR, 1.0)

    return Schedule(name="loglinear", alpha=alpha, dalpha=dalpha, alpha_bar=alpha_bar)


def poly(n: float) -> Schedule:
    """alpha(t) = 1 - t**n."""
    if n <= 0:
        raise ValueError(f"poly schedule needs a positive power, got {n}")

    def alpha(t):
        return 1.0 - jnp.asarray(t, jnp.float32) ** n

    def dalpha(t):
        t = jnp.asarray(t, jnp.float32)
        return -n * t ** (n - 1)

    def alpha_bar(t):
        return jnp.clip(alpha(t), _MIN_ALPHA_BAR, 1.0)

    return Schedule(name=f"poly{n:g}", alpha=alpha, dalpha=dalpha, alpha_bar=alpha_bar)


def from_table(values: Sequence[float], name: str = "table") -> Schedule:
    """A schedule from alpha sampled on an even grid over [0, 1], linearly interpolated.

    The table must start at 1, end at 0 and never increase.
    """
    table = np.asarray(values, np.float32)
    if table.ndim != 1 or table.size < 2:
        raise ValueError("a schedule table needs at least two values in one dimension")
    if not np.isclose(table[0], 1.0) or not np.isclose(table[-1], 0.0):
        raise ValueError(f"a schedule table must run from 1 to 0, got {table[0]} .. {table[-1]}")
    if np.any(np.diff(table) > 0):
        raise ValueError("a schedule table must never increase")
    grid = jnp.linspace(0.0, 1.0, table.size)
    ys = jnp.asarray(table)
    slopes = jnp.diff(ys) * (table.size - 1)

    def alpha(t):
        return jnp.interp(jnp.asarray(t, jnp.float32), grid, ys)

    def dalpha(t):
        t = jnp.asarray(t, jnp.float32)
        idx = jnp.clip((t * (table.size - 1)).astype(jnp.int32), 0, table.size - 2)
        return slopes[idx]

    def alpha_bar(t):
        return jnp.clip(alpha(t), _MIN_ALPHA_BAR, 1.0)

    return Schedule(name=name, alpha=alpha, dalpha=dalpha, alpha_bar=alpha_bar)


def from_callable(alpha: Fn, name: str = "custom") -> Schedule:
    """A schedule from any differentiable ``alpha(t)``; the derivative comes from autodiff."""
    return _from_alpha(name, alpha)


_REGISTRY: dict[str, Callable[[], Schedule]] = {
    "linear": linear,
    "cosine": cosine,
    "loglinear": loglinear,
}


def register(name: str, factory: Callable[[], Schedule]) -> None:
    """Adds a named schedule; ``get(name)`` then resolves it."""
    if name in _REGISTRY or re.fullmatch(r"poly[0-9.]+", name):
        raise ValueError(f"schedule {name!r} is already registered")
    _REGISTRY[name] = factory


def names() -> list[str]:
    return sorted(_REGISTRY) + ["polyN (e.g. poly2)"]


def get(name: str | Schedule) -> Schedule:
    """Resolves a schedule name (``linear``, ``cosine``, ``loglinear``, ``polyN``) once."""
    if isinstance(name, Schedule):
        return name
    if name in _REGISTRY:
        return _REGISTRY[name]()
    match = re.fullmatch(r"poly([0-9]*\.?[0-9]+)", name)
    if match:
        return poly(float(match.group(1)))
    raise ValueError(f"unknown schedule {name!r}; valid: {', '.join(names())}")
