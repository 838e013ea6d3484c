import jax.numpy as jnp
import numpy as np
import pytest

from adjax import schedules

NAMES = ["linear", "cosine", "loglinear", "poly2", "poly0.5", "poly3"]
T = jnp.linspace(0.0, 1.0, 201)


def _all():
    out = [schedules.get(n) for n in NAMES]
    out.append(schedules.from_table([1.0, 0.8, 0.5, 0.1, 0.0]))
    out.append(schedules.from_callable(lambda t: (1.0 - t) ** 1.5))
    return out


@pytest.mark.parametrize("sched", _all(), ids=lambda s: s.name)
def test_endpoints_and_monotone(sched):
    alpha = np.asarray(sched.alpha(T))
    assert alpha[0] == pytest.approx(1.0, abs=1e-6)
    # loglinear stops just short of zero by design (eps = 1e-3).
    assert alpha[-1] == pytest.approx(0.0, abs=1.1e-3)
    assert np.all(np.diff(alpha) <= 1e-7)
    ab = np.asarray(sched.alpha_bar(T))
    assert ab[0] == pytest.approx(1.0) and 0 < ab[-1] < 2e-3
    assert np.all(np.diff(ab) <= 1e-7)


@pytest.mark.parametrize("sched", _all(), ids=lambda s: s.name)
def test_derivative_matches_finite_difference(sched):
    t = jnp.linspace(0.03, 0.93, 19)  # off the table knots
    h = 1e-3
    fd = (sched.alpha(t + h) - sched.alpha(t - h)) / (2 * h)
    np.testing.assert_allclose(sched.dalpha(t), fd, atol=2e-2)
    assert np.all(np.asarray(sched.dalpha(t)) <= 0)


def test_registry_and_errors():
    assert schedules.get("linear").name == "linear"
    s = schedules.get("cosine")
    assert schedules.get(s) is s
    with pytest.raises(ValueError, match="unknown schedule 'nope'.*linear"):
        schedules.get("nope")
    with pytest.raises(ValueError, match="positive"):
        schedules.poly(0)
    with pytest.raises(ValueError, match="from 1 to 0"):
        schedules.from_table([1.0, 0.5])
    with pytest.raises(ValueError, match="never increase"):
        schedules.from_table([1.0, 0.2, 0.5, 0.0])
    with pytest.raises(ValueError, match="at least two"):
        schedules.from_table([1.0])
    schedules.register("square_test", lambda: schedules.poly(2))
    assert schedules.get("square_test").name == "poly2"
    with pytest.raises(ValueError, match="already registered"):
        schedules.register("linear", schedules.linear)
