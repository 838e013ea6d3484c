"""GRPO: the coupled estimator against enumeration, a toy task with a known optimum, the KL
leash, leave-one-out advantages, state round trips, and the reward-hacking canary."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from conftest import make_model

from adjax import sampling
from adjax.config import SamplerConfig
from adjax_adapt import grpo

MASK = 4


def _exact_terms(model, params, x):
    """(a_i, q_i) by enumeration: a_i = log p(x_i | all masked); q_i = E_{r~U(0.2, 0.8)}
    E_{S~Bernoulli(r) over the other positions} log p(x_i | S and i masked)."""
    n = x.shape[0]

    def logp(masked_set, i):
        z = np.array(x)
        z[list(masked_set)] = MASK
        lp = grpo._token_logp(model, params, jnp.asarray(x)[None], jnp.asarray(z)[None], None,
                              None, MASK)
        return float(lp[0, i])

    def moment(k, m):  # E_{r~U(0.2,0.8)} r^k (1-r)^m, exactly
        poly = np.polynomial.Polynomial([0, 1]) ** k * np.polynomial.Polynomial([1, -1]) ** m
        anti = poly.integ()
        return (anti(0.8) - anti(0.2)) / 0.6

    a, q = np.zeros(n), np.zeros(n)
    for i in range(n):
        a[i] = logp(range(n), i)
        others = [j for j in range(n) if j != i]
        for size in range(len(others) + 1):
            for subset in itertools.combinations(others, size):
                q[i] += moment(size, len(others) - size) * logp({i, *subset}, i)
    return a, q


def test_the_coupled_estimate_is_unbiased_and_beats_single_masks():
    model, params = make_model(seed=2, vocab_size=5, max_len=8)
    x = np.array([0, 3, 1], np.int32)
    a, q = _exact_terms(model, params, x)
    n = 20_000
    batch = {"tokens": jnp.tile(jnp.asarray(x), (n, 1)), "gen_mask": jnp.ones((n, 3), bool)}
    cfg = grpo.GRPOConfig()
    est = np.asarray(grpo.token_estimates(params, batch, jax.random.key(0), model=model,
                                          mask_id=MASK, cfg=cfg))
    mean, se = est.mean(0), est.std(0) / np.sqrt(n)
    np.testing.assert_array_less(np.abs(mean - (0.5 * a + 0.5 * q)), 4 * se + 1e-4)
    # The partial-pass part, as an estimate of q: complementary masks against two
    # independent single masks (equal forward passes).
    coupled = 2.0 * (est - 0.5 * a)
    k1, k2, k3 = jax.random.split(jax.random.key(1), 3)
    singles = []
    for key in (k1, k2):
        kt, ku = jax.random.split(key)
        t = np.asarray(jax.random.uniform(kt, (n, 1), minval=0.2, maxval=0.8))
        hit = np.asarray(jax.random.uniform(ku, (n, 3))) < t
        z = np.where(hit, MASK, x[None])
        lp = np.asarray(grpo._token_logp(model, params, batch["tokens"], jnp.asarray(z), None,
                                         None, MASK))
        singles.append(np.where(hit, lp / t, 0.0))
    single = 0.5 * (singles[0] + singles[1])
    np.testing.assert_array_less(np.abs(single.mean(0) - q), 4 * single.std(0) / np.sqrt(n)
                                 + 1e-4)  # both estimate q
    assert np.all(coupled.var(0) < single.var(0))


def test_one_pass_estimate_is_the_fully_masked_log_probability():
    model, params = make_model(seed=2, vocab_size=5, max_len=8)
    x = np.array([0, 3, 1], np.int32)
    a, _ = _exact_terms(model, params, x)
    batch = {"tokens": jnp.asarray(x)[None], "gen_mask": jnp.asarray([[False, True, True]])}
    est = grpo.token_estimates(params, batch, jax.random.key(0), model=model, mask_id=MASK,
                               cfg=grpo.GRPOConfig(estimator="one_pass"))
    assert float(est[0, 0]) == 0.0  # a given position is never scored
    z = np.array([0, MASK, MASK])
    lp = grpo._token_logp(model, params, jnp.asarray(x)[None], jnp.asarray(z)[None], None,
                          None, MASK)
    np.testing.assert_allclose(np.asarray(est[0, 1:]), np.asarray(lp[0, 1:]), rtol=1e-6)


def test_leave_one_out_advantages():
    adv = grpo.leave_one_out(jnp.asarray([[1.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.5, 0.5]]))
    np.testing.assert_allclose(np.asarray(adv), [[1.0, -1 / 3, -1 / 3, -1 / 3], [0, 0, 0, 0]],
                               atol=1e-6)


def _toy(beta: float, steps: int = 80, seed: int = 0):
    """A reward for emitting token 3 everywhere (optimum 1; chance about 0.2)."""
    model, params = make_model(seed=seed, vocab_size=6, max_len=8, n_heads=2)
    opt = optax.adam(1e-2)
    cfg = grpo.GRPOConfig(beta=beta, inner_steps=1)
    state = grpo.init_state(params, opt, jax.random.key(seed))
    step = grpo.make_step(model, opt, cfg, mask_id=5)
    scfg = SamplerConfig(num_steps=4, rule="confidence", score="random")
    rewards, kls = [], []
    for s in range(steps):
        init = jnp.full((32, 4), 5, jnp.int32)
        toks = sampling.sample_jit(state.params, jax.random.key(1000 + s), init, model=model,
                                   cfg=scfg, mask_id=5)
        r = (toks == 3).mean(-1).reshape(4, 8)
        batch = {"tokens": toks, "gen_mask": jnp.ones_like(toks, bool),
                 "advantages": grpo.leave_one_out(r).reshape(-1)}
        state, m = grpo.update(state, step, batch, cfg)
        rewards.append(float(r.mean()))
        kls.append(m["kl"])
    return rewards, kls


def test_grpo_reaches_the_known_optimum_and_a_large_beta_holds_the_policy_near_its_reference():
    rewards, _ = _toy(beta=0.01)
    assert rewards[0] < 0.35 and np.mean(rewards[-10:]) > 0.9  # chance is 0.2
    leashed, kls = _toy(beta=5.0)
    assert np.mean(leashed[-10:]) < 0.5 and max(kls[-10:]) < 0.1


def test_state_round_trips_through_a_checkpoint(tmp_path):
    from adjax import checkpoint

    model, params = make_model(seed=1)
    opt = optax.adamw(1e-3)
    state = grpo.init_state(params, opt, jax.random.key(3))
    with checkpoint.Checkpointer(tmp_path / "ck") as ckpt:
        ckpt.save(1, state)
    with checkpoint.Checkpointer(tmp_path / "ck") as ckpt:
        back, _ = ckpt.restore(checkpoint.abstract(state))
    for field in ("params", "opt_state", "ref_params", "step"):
        jax.tree.map(lambda u, v: np.testing.assert_array_equal(np.asarray(u), np.asarray(v)),
                     getattr(state, field), getattr(back, field))
    np.testing.assert_array_equal(jax.random.key_data(state.key), jax.random.key_data(back.key))


def test_bad_configs_are_refused():
    with pytest.raises(ValueError, match="estimator"):
        grpo.GRPOConfig(estimator="exact")
    with pytest.raises(ValueError, match="t_low"):
        grpo.GRPOConfig(t_low=0.9, t_high=0.5)
    with pytest.raises(ValueError, match="inner_steps"):
        grpo.GRPOConfig(inner_steps=0)


def test_a_policy_gains_nothing_from_programs_that_exit_early():
    from adjax_code import tasks
    from adjax_code.adapt import domain

    task = tasks.get("add_two")
    forged = "import os\ndef add_two(a, b):\n    return -987654\nos._exit(0)\n"
    wrong = "def add_two(a, b):\n    return -987654\n"
    items = [domain.Item(task.specs[0], "python", "", task=task)]
    reward, passed = domain.score(items, [[forged, wrong, forged, wrong]])
    assert reward.max() == 0.0 and passed.max() == 0.0
    assert float(jnp.abs(grpo.leave_one_out(jnp.asarray(reward))).max()) == 0.0
