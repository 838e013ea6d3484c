"""Masked diffusion learns a known Markov chain: ELBO near the true entropy, samples match."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from adjax import MaskedDiffusionConfig, OptimConfig, SamplerConfig, masked, sampling, train
from tests.conftest import make_model

K, L = 4, 8
INIT = np.array([0.4, 0.3, 0.2, 0.1])
TRANS = np.array([
    [0.7, 0.1, 0.1, 0.1],
    [0.1, 0.1, 0.7, 0.1],
    [0.05, 0.05, 0.1, 0.8],
    [0.6, 0.2, 0.1, 0.1],
])
MASK = K


def _entropy(p):
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


def _marginals():
    out = [INIT]
    for _ in range(L - 1):
        out.append(out[-1] @ TRANS)
    return out


def true_bits_per_token() -> float:
    rows = np.array([_entropy(r) for r in TRANS])
    return (_entropy(INIT) + sum(float(m @ rows) for m in _marginals()[:-1])) / L


def true_pair_distribution() -> np.ndarray:
    """Exact distribution of an adjacent pair (x_i, x_i+1), i uniform over positions."""
    return sum(m[:, None] * TRANS for m in _marginals()[:-1]) / (L - 1)


def draw(rng, n):
    x = np.zeros((n, L), np.int32)
    x[:, 0] = rng.choice(K, n, p=INIT)
    for i in range(1, L):
        cdf = np.cumsum(TRANS[x[:, i - 1]], axis=1)
        x[:, i] = (rng.random(n)[:, None] > cdf).sum(axis=1)
    return x


def pair_tv(samples):
    counts = np.zeros((K, K))
    for i in range(L - 1):
        np.add.at(counts, (samples[:, i], samples[:, i + 1]), 1)
    return 0.5 * np.abs(counts / counts.sum() - true_pair_distribution()).sum()


def fit(model, params, cfg, batches, warmup):
    """``params`` after one AdamW step (learning rate 3e-3, cosine) per batch."""
    opt = train.make_optimizer(OptimConfig(learning_rate=3e-3, warmup_steps=warmup,
                                           total_steps=len(batches)))
    state = train.init_state(params, opt, jax.random.key(0))
    step = train.make_train_step(
        lambda p, b, k: masked.elbo_loss(p, b, k, model=model, cfg=cfg), opt)
    for batch in batches:
        state, _ = step(state, batch)
    return state.params


@pytest.fixture(scope="module")
def trained():
    model, params = make_model(vocab_size=K + 1, d_model=64, n_layers=2, max_len=L)
    cfg = MaskedDiffusionConfig(mask_id=MASK)
    data = jnp.asarray(draw(np.random.default_rng(0), 900 * 128).reshape(900, 128, L))
    return model, fit(model, params, cfg, [{"tokens": x} for x in data], warmup=50), cfg


def test_heldout_elbo_near_true_entropy(trained):
    model, params, cfg = trained
    held = {"tokens": jnp.asarray(draw(np.random.default_rng(1), 2000))}
    bits = float(masked.heldout_bits_per_token(params, held, jax.random.key(1), model=model,
                                               cfg=cfg, num_samples=16))
    truth = true_bits_per_token()
    # The ELBO bounds the entropy from above (up to estimator noise) and is tight here.
    assert truth * 0.97 < bits < truth * 1.10, (bits, truth)


@pytest.mark.parametrize("rule", ["ancestral", "confidence"])
def test_samples_match_distribution(trained, rule):
    model, params, _ = trained
    scfg = SamplerConfig(num_steps=L, rule=rule, score="random")
    out = sampling.sample_jit(params, jax.random.key(2), jnp.full((3000, L), MASK, jnp.int32),
                              model=model, cfg=scfg, mask_id=MASK)
    tv = pair_tv(np.asarray(out))
    assert tv < 0.1, tv


def test_untrained_model_is_far_from_distribution():
    """The statistic discriminates: an untrained network's samples fail it."""
    model, params = make_model(vocab_size=K + 1, d_model=64, n_layers=2, max_len=L)
    out = sampling.sample_jit(params, jax.random.key(2), jnp.full((3000, L), MASK, jnp.int32),
                              model=model, cfg=SamplerConfig(num_steps=L, rule="ancestral"),
                              mask_id=MASK)
    assert pair_tv(np.asarray(out)) > 0.15


def test_corrupt_rate_and_maskable(key):
    x = jnp.zeros((4, 5000), jnp.int32)
    keep = jnp.array([1.0, 0.75, 0.25, 0.0])
    z = masked.corrupt(key, x, keep, mask_id=9)
    rates = np.asarray((z == 9).mean(axis=1))
    np.testing.assert_allclose(rates, 1 - np.asarray(keep), atol=0.02)
    maskable = jnp.arange(5000)[None, :] >= 2500
    maskable = jnp.broadcast_to(maskable, x.shape)
    z = masked.corrupt(key, x, jnp.zeros(4), mask_id=9, maskable=maskable)
    assert np.all(np.asarray(z[:, :2500]) == 0) and np.all(np.asarray(z[:, 2500:]) == 9)


def test_antithetic_times_are_stratified(key):
    t = np.sort(np.asarray(masked.sample_times(key, 8, antithetic=True, t_min=0.0)))
    gaps = np.diff(t)
    np.testing.assert_allclose(gaps, 1 / 8, atol=1e-5)
    t = masked.sample_times(key, 1000, antithetic=False, t_min=0.2)
    assert float(t.min()) >= 0.2


def test_discrete_time_bound_approaches_continuous(key):
    """With many steps the discrete-time bound matches the continuous one in expectation."""
    model, params = make_model(vocab_size=K + 1, max_len=L)
    tokens = {"tokens": jnp.asarray(draw(np.random.default_rng(3), 512))}
    cont = masked.heldout_bits_per_token(params, tokens, key, model=model,
                                         cfg=MaskedDiffusionConfig(mask_id=MASK, t_min=0.0),
                                         num_samples=64)
    disc = masked.heldout_bits_per_token(
        params, tokens, key, model=model,
        cfg=MaskedDiffusionConfig(mask_id=MASK, discrete_steps=1000), num_samples=64)
    assert float(disc) == pytest.approx(float(cont), rel=0.03)
    one = masked.heldout_bits_per_token(
        params, tokens, key, model=model,
        cfg=MaskedDiffusionConfig(mask_id=MASK, discrete_steps=1), num_samples=4)
    # One step: every token masked, weight 1: the bound is the mean cross-entropy.
    logits = masked.mask_logits(model.denoise(params, jnp.full((512, L), MASK), jnp.ones(512)),
                                MASK)
    ce = -jnp.take_along_axis(jax.nn.log_softmax(logits), tokens["tokens"][..., None], -1).mean()
    assert float(one) == pytest.approx(float(ce) / math.log(2), rel=1e-4)


def test_loss_mask_and_row_weights(key):
    model, params = make_model(vocab_size=K + 1, max_len=L)
    cfg = MaskedDiffusionConfig(mask_id=MASK)
    x = jnp.asarray(draw(np.random.default_rng(4), 16))
    nothing = {"tokens": x, "loss_mask": jnp.zeros_like(x, bool)}
    loss, _ = masked.elbo_loss(params, nothing, key, model=model, cfg=cfg)
    assert float(loss) == 0.0
    base, _ = masked.elbo_loss(params, {"tokens": x}, key, model=model, cfg=cfg)
    doubled, _ = masked.elbo_loss(params, {"tokens": x, "weight": 2 * jnp.ones(16)}, key,
                                  model=model, cfg=cfg)
    assert float(doubled) == pytest.approx(2 * float(base), rel=1e-5)


def test_config_errors():
    with pytest.raises(ValueError, match="mask_id"):
        MaskedDiffusionConfig(mask_id=-1)
    with pytest.raises(ValueError, match="t_min"):
        MaskedDiffusionConfig(mask_id=0, t_min=1.0)
    with pytest.raises(ValueError, match="discrete_steps"):
        MaskedDiffusionConfig(mask_id=0, discrete_steps=0)


def test_condition_dropout_masks_all_but_the_kept_tokens(key):
    """A dropped row keeps only its first ``cond_keep`` condition tokens; the loss with
    every row dropped is the loss of a batch whose condition is only those tokens."""
    model, params = make_model(conditioning="cross", cond_layers=1)
    cond = jnp.arange(40).reshape(8, 5) % 11
    batch = {"tokens": jnp.arange(64).reshape(8, 8) % 10, "cond": cond,
             "cond_mask": jnp.ones((8, 5), bool).at[:, 4].set(False)}
    half = MaskedDiffusionConfig(mask_id=11, cond_dropout=0.5, cond_keep=1)
    mask = masked.drop_condition(jax.random.key(3), batch, half)
    dropped = ~mask[:, 1:].any(axis=1)
    assert 0 < int(dropped.sum()) < 8 and bool(mask[:, 0].all())
    kept_rows = ~dropped
    np.testing.assert_array_equal(mask[kept_rows], batch["cond_mask"][kept_rows])
    always = MaskedDiffusionConfig(mask_id=11, cond_dropout=1.0, cond_keep=1)
    only_first = dict(batch, cond_mask=batch["cond_mask"].at[:, 1:].set(False))
    loss_a, _ = masked.elbo_loss(params, batch, key, model=model, cfg=always)
    loss_b, _ = masked.elbo_loss(params, only_first, key, model=model,
                                 cfg=MaskedDiffusionConfig(mask_id=11))
    np.testing.assert_allclose(loss_a, loss_b, rtol=1e-6)
    plain, _ = masked.elbo_loss(params, batch, key, model=model,
                                cfg=MaskedDiffusionConfig(mask_id=11))
    assert abs(float(plain) - float(loss_b)) > 1e-4  # the condition matters to the loss
    with pytest.raises(ValueError, match="cond_dropout"):
        MaskedDiffusionConfig(mask_id=1, cond_dropout=1.5)


# Classifier-free guidance on a task where the condition adds something the null condition
# lacks. Condition [tag, c], c in {1, 2}; every output token is c's own (c = 1: 0 or 1,
# c = 2: 2 or 3) or shared (4 or 5), half and half. Without c (dropped) own tokens are
# a quarter each side. Guidance p_c^(1+s) / p_null^s puts 2^s / (2^s + 1) on c's own
# tokens at the first step: 0.5 at s = 0, 0.8 at s = 2.
G_VOCAB, G_MASK, G_LEN = 7, 6, 8


def _guided_data(rng, n):
    c = rng.integers(1, 3, n)
    own = rng.random((n, G_LEN)) < 0.5
    pick = rng.integers(0, 2, (n, G_LEN))
    tokens = np.where(own, 2 * (c[:, None] - 1) + pick, 4 + pick).astype(np.int32)
    cond = np.stack([np.zeros(n, np.int32), c.astype(np.int32)], axis=1)
    return tokens, cond


def _own_share(tokens, cond):
    lo = 2 * (cond[:, 1:] - 1)
    return float(((tokens >= lo) & (tokens < lo + 2)).mean())


@pytest.fixture(scope="module")
def guided_model():
    model, params = make_model(vocab_size=G_VOCAB, d_model=32, n_layers=1, max_len=G_LEN,
                               conditioning="cross", cond_layers=1)
    cfg = MaskedDiffusionConfig(mask_id=G_MASK, cond_dropout=0.3, cond_keep=1)
    tokens, cond = _guided_data(np.random.default_rng(0), 300 * 64)
    batches = [{"tokens": jnp.asarray(t), "cond": jnp.asarray(c)} for t, c in
               zip(tokens.reshape(300, 64, G_LEN), cond.reshape(300, 64, 2), strict=True)]
    return model, fit(model, params, cfg, batches, warmup=20)


def test_guidance_raises_what_the_condition_adds(guided_model):
    """A network trained with condition dropout: a positive guidance scale raises the share
    of tokens only the condition explains (the property guidance exists for) to the known
    2^s / (2^s + 1) when every position is drawn at once (one step: later steps would see
    committed tokens, which reveal the condition to the null branch too)."""
    model, params = guided_model
    _, cond = _guided_data(np.random.default_rng(1), 1000)
    cond = jnp.asarray(cond)
    uncond = cond.at[:, 1:].set(0)
    uncond_mask = jnp.ones(cond.shape, bool).at[:, 1:].set(False)
    start = jnp.full((cond.shape[0], G_LEN), G_MASK, jnp.int32)

    def share(scale, steps):
        cfg = SamplerConfig(num_steps=steps, rule="confidence", guidance_scale=scale)
        out = sampling.sample_jit(params, jax.random.key(2), start, cond, None, uncond,
                                  model=model, cfg=cfg, mask_id=G_MASK, uncond_mask=uncond_mask)
        return _own_share(np.asarray(out), np.asarray(cond))

    for scale in (0.0, 1.0, 2.0):
        assert share(scale, 1) == pytest.approx(2**scale / (2**scale + 1), abs=0.03), scale


def test_nelbo_draws_average_to_the_exact_bound():
    """The Monte Carlo ELBO equals the bound computed exactly: every mask of a 4-token row
    enumerated, the integral over t by 64-point Gauss-Legendre quadrature (a network that
    reads its noise level, so the integrand varies with t)."""
    from adjax import schedules

    length, mask_id = 4, 11
    model, params = make_model(3, time_conditioning=True)
    cfg = MaskedDiffusionConfig(mask_id=mask_id, t_min=1e-3)
    x = np.array([3, 7, 1, 5], np.int32)
    masks = np.array([[(m >> i) & 1 for i in range(length)] for m in range(2 ** length)], bool)
    nodes, weights = np.polynomial.legendre.leggauss(64)
    t = cfg.t_min + (1 - cfg.t_min) * (nodes + 1) / 2  # on [t_min, 1]
    sched = schedules.get(cfg.schedule)
    alpha, dalpha = np.asarray(sched.alpha(t)), np.asarray(sched.dalpha(t))
    z = np.where(masks, mask_id, x)  # [M, L]
    rows = np.repeat(z[None], len(t), 0).reshape(-1, length)
    level = np.repeat(1 - alpha, len(masks))
    logits = masked.mask_logits(model.denoise(params, jnp.asarray(rows), jnp.asarray(level)),
                                mask_id)
    logp = np.asarray(jax.nn.log_softmax(logits.astype(jnp.float32), -1))
    nll = -np.take_along_axis(logp, np.broadcast_to(x, rows.shape)[..., None], -1)[..., 0]
    nll = nll.reshape(len(t), len(masks), length)
    n_masked = masks.sum(1)
    prob = (1 - alpha[:, None]) ** n_masked * alpha[:, None] ** (length - n_masked)  # [T, M]
    inner = (prob * (nll * masks).sum(-1)).sum(-1)  # E over masks of the masked NLL, [T]
    integrand = -dalpha / (1 - alpha) * inner
    exact = float((weights * integrand).sum() / 2)  # mean over t uniform on [t_min, 1]

    draws = masked.nelbo_draws(params, {"tokens": jnp.asarray(x[None])}, jax.random.key(0),
                               model=model, cfg=cfg, draws=4096)
    assert draws.shape == (4096, 1)
    values = np.asarray(draws[:, 0], np.float64)
    stderr = values.std(ddof=1) / math.sqrt(len(values))
    assert abs(values.mean() - exact) < 4 * stderr, (values.mean(), exact, stderr)
    assert stderr < 0.05 * exact
    # Rows are scored independently: a second row leaves the first one's draws unchanged
    # in distribution (its mean stays within the error).
    two = masked.nelbo_draws(params, {"tokens": jnp.asarray(np.stack([x, x[::-1]]))},
                             jax.random.key(1), model=model, cfg=cfg, draws=4096)
    assert abs(float(np.asarray(two[:, 0]).mean()) - exact) < 4 * stderr
