"""Sampler invariants for every step rule, score, block mode and guidance."""

import dataclasses
import functools

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from adjax import SamplerConfig, sampling, schedules
from tests.conftest import make_model

V, MASK, L, B = 12, 11, 16, 4

CONFIGS = [
    SamplerConfig(num_steps=8, rule="ancestral"),
    SamplerConfig(num_steps=8, rule="ancestral", schedule="cosine", top_p=0.9),
    SamplerConfig(num_steps=8, rule="confidence", score="low_confidence"),
    SamplerConfig(num_steps=8, rule="confidence", score="margin", temperature=0.0),
    SamplerConfig(num_steps=8, rule="confidence", score="entropy", temperature=0.7),
    SamplerConfig(num_steps=8, rule="confidence", score="random"),
    SamplerConfig(num_steps=8, rule="confidence", block_size=4),
    SamplerConfig(num_steps=4, rule="ancestral", block_size=8),
]


@pytest.fixture(scope="module")
def cond_model():
    return make_model(conditioning="cross", cond_layers=1, time_conditioning=True)


def _start(rng):
    """Rows with some given (clamped) tokens and the rest masked."""
    tokens = np.full((B, L), MASK, np.int32)
    fixed = rng.random((B, L)) < 0.3
    tokens[fixed] = rng.integers(0, MASK, fixed.sum())
    return jnp.asarray(tokens), fixed


def _run(model, params, cfg, tokens, key, history=False, **kw):
    cond = jnp.ones((B, 5), jnp.int32)
    return sampling.sample_jit(params, key, tokens, cond, model=model, cfg=cfg, mask_id=MASK,
                               history=history, **kw)


@pytest.mark.parametrize("cfg", CONFIGS, ids=lambda c: f"{c.rule}-{c.score}-{c.block_size}")
def test_invariants(cond_model, cfg):
    model, params = cond_model
    tokens, fixed = _start(np.random.default_rng(0))
    out, hist = _run(model, params, cfg, tokens, jax.random.key(1), history=True)
    out, hist = np.asarray(out), np.asarray(hist)
    assert not (out == MASK).any(), "a mask is left at the end"
    assert np.array_equal(out[fixed], np.asarray(tokens)[fixed]), "a clamped token changed"
    assert hist.shape == (cfg.num_steps, B, L)
    # Once committed, a token never changes.
    for prev, nxt in zip(hist[:-1], hist[1:], strict=True):
        committed = prev != MASK
        assert np.array_equal(prev[committed], nxt[committed])
    # Progress is monotone: the number of masks never grows.
    assert np.all(np.diff((hist == MASK).sum(axis=(1, 2))) <= 0)
    same = np.asarray(_run(model, params, cfg, tokens, jax.random.key(1)))
    assert np.array_equal(out, same), "same key must give the same output"


@pytest.mark.parametrize("cfg", [CONFIGS[0], CONFIGS[2]], ids=["ancestral", "confidence"])
def test_different_key_differs(cond_model, cfg):
    model, params = cond_model
    tokens = jnp.full((B, L), MASK, jnp.int32)
    a = np.asarray(_run(model, params, cfg, tokens, jax.random.key(1)))
    b = np.asarray(_run(model, params, cfg, tokens, jax.random.key(2)))
    assert not np.array_equal(a, b)


def test_confidence_spreads_commits_evenly(cond_model):
    model, params = cond_model
    cfg = SamplerConfig(num_steps=4, rule="confidence")
    _, hist = _run(model, params, cfg, jnp.full((B, L), MASK, jnp.int32), jax.random.key(0),
                   history=True)
    left = (np.asarray(hist) == MASK).sum(axis=2)  # [S, B]
    np.testing.assert_array_equal(left, np.tile([[12], [8], [4], [0]], (1, B)))


def test_blocks_fill_left_to_right(cond_model):
    model, params = cond_model
    cfg = SamplerConfig(num_steps=8, rule="confidence", block_size=4)
    _, hist = _run(model, params, cfg, jnp.full((B, L), MASK, jnp.int32), jax.random.key(0),
                   history=True)
    hist = np.asarray(hist)
    for step in range(8):
        block = step // 2
        assert (hist[step][:, (block + 1) * 4:] == MASK).all(), "a later block was touched"
        if step % 2 == 1:
            assert not (hist[step][:, : (block + 1) * 4] == MASK).any()


def test_block_steps_must_divide():
    model, params = make_model()
    with pytest.raises(ValueError, match="multiple of the 3 blocks"):
        sampling.sample(params, jax.random.key(0), jnp.full((1, 12), MASK, jnp.int32),
                        model=model, cfg=SamplerConfig(num_steps=4, block_size=4), mask_id=MASK)


def test_classifier_free_guidance(cond_model):
    model, params = cond_model
    tokens = jnp.full((B, L), MASK, jnp.int32)
    cfg = SamplerConfig(num_steps=8, rule="confidence", guidance_scale=1.5)
    with pytest.raises(ValueError, match="uncond"):
        _run(model, params, cfg, tokens, jax.random.key(0))
    uncond = jnp.full((B, 5), MASK, jnp.int32)
    guided = np.asarray(_run(model, params, cfg, tokens, jax.random.key(0), uncond=uncond))
    assert not (guided == MASK).any()


class _TwoWay:
    """Logits that depend on the condition: token 1 scores 2.0 always; token 2 scores 1.9
    with the condition and 0 without it."""

    def encode(self, params, cond, mask):
        return cond[:, :1].astype(jnp.float32)  # 1 for the condition, 0 for the null one

    def denoise(self, params, tokens, level, context):
        flag = context[:, :, None]  # [B, 1, 1]
        ids = jnp.arange(V)[None, None, :]
        return jnp.where(ids == 1, 2.0, jnp.where(ids == 2, 1.9 * flag, 0.0)) \
            * jnp.ones(tokens.shape + (V,))


def test_guidance_amplifies_what_the_condition_adds():
    """uncond + (1 + s)(cond - uncond): token 2's margin from the condition (1.9) doubles at
    s = 1 and overtakes token 1 (2.0), which wins without guidance."""
    tokens = jnp.full((B, L), MASK, jnp.int32)
    cond, uncond = jnp.ones((B, 3), jnp.int32), jnp.zeros((B, 3), jnp.int32)
    run = functools.partial(sampling.sample_jit, None, jax.random.key(0), tokens, cond, None,
                            uncond, model=_TwoWay(), mask_id=MASK)
    plain = SamplerConfig(num_steps=4, rule="confidence", temperature=0.0)
    assert (np.asarray(run(cfg=plain)) == 1).all()
    for scale, want in ((0.02, 1), (1.0, 2)):  # 1.9 * 1.02 < 2.0 < 1.9 * 2
        guided = dataclasses.replace(plain, guidance_scale=scale)
        assert (np.asarray(run(cfg=guided)) == want).all(), scale


def test_greedy_confidence_is_argmax_of_model(cond_model):
    """With temperature 0 and one step, every position takes the network's argmax."""
    model, params = cond_model
    tokens = jnp.full((B, L), MASK, jnp.int32)
    out = _run(model, params, SamplerConfig(num_steps=1, temperature=0.0), tokens,
               jax.random.key(0))
    ctx = model.encode(params, jnp.ones((B, 5), jnp.int32))
    logits = model.denoise(params, tokens, jnp.ones(B), ctx).at[..., MASK].set(-jnp.inf)
    np.testing.assert_array_equal(out, jnp.argmax(logits, -1))


def test_top_p_keeps_the_nucleus():
    logits = jnp.log(jnp.array([[0.5, 0.3, 0.15, 0.05]]))
    kept = np.isfinite(np.asarray(sampling.filter_logits(logits, 1.0, 0.7)))
    np.testing.assert_array_equal(kept, [[True, True, False, False]])
    kept = np.isfinite(np.asarray(sampling.filter_logits(logits, 1.0, 0.85)))
    np.testing.assert_array_equal(kept, [[True, True, True, False]])
    draws = jax.vmap(lambda k: sampling.draw_tokens(k, sampling.filter_logits(logits, 1, 0.7), 1))(
        jax.random.split(jax.random.key(0), 2000))
    freq = np.bincount(np.asarray(draws).ravel(), minlength=4) / 2000
    np.testing.assert_allclose(freq, [0.625, 0.375, 0, 0], atol=0.04)


def test_scores_rank_confidence():
    probs = jnp.array([[[0.9, 0.05, 0.05], [0.4, 0.35, 0.25]]])
    logits = jnp.log(probs)
    x0 = jnp.array([[0, 0]])
    for kind in ("low_confidence", "margin", "entropy"):
        s = np.asarray(sampling.confidence_scores(kind, jax.random.key(0), logits, x0))
        assert s[0, 0] > s[0, 1], kind


def test_compiles_once_per_shape():
    model, params = make_model()
    cfg = SamplerConfig(num_steps=4)

    @jax.jit
    @chex.assert_max_traces(n=1)
    def run(params, key, tokens):
        return sampling.sample(params, key, tokens, model=model, cfg=cfg, mask_id=MASK)

    tokens = jnp.full((2, 8), MASK, jnp.int32)
    for seed in range(3):
        run(params, jax.random.key(seed), tokens)
    chex.clear_trace_counter()


def test_vmap_over_keys(tiny_model):
    model, params = tiny_model
    cfg = SamplerConfig(num_steps=4)
    tokens = jnp.full((2, 8), MASK, jnp.int32)
    keys = jax.random.split(jax.random.key(0), 3)
    out = jax.vmap(lambda k: sampling.sample(params, k, tokens, model=model, cfg=cfg,
                                             mask_id=MASK))(keys)
    assert out.shape == (3, 2, 8)
    single = sampling.sample(params, keys[1], tokens, model=model, cfg=cfg, mask_id=MASK)
    np.testing.assert_array_equal(out[1], single)


@pytest.fixture
def registries():
    """The step-rule and schedule registries as they were before the test, put back after it
    (in place: a module holding either dict sees the restored one), so what a test registers
    leaks into no other test and the test can run again in the same process."""
    saved = [(registry, dict(registry)) for registry in (sampling._RULES, schedules._REGISTRY)]
    yield
    for registry, before in saved:
        registry.clear()
        registry.update(before)


def test_rule_registry(tiny_model, registries):
    model, params = tiny_model

    def leftmost(inp, cfg):
        """Commits only the leftmost eligible position, with the argmax token."""
        first = jnp.cumsum(inp.eligible, axis=-1) == 1
        pick = inp.eligible & first
        if_last = inp.alpha_s >= 1.0
        pick = jnp.where(if_last, inp.eligible, pick)
        return jnp.where(pick, jnp.argmax(inp.logits, -1), inp.tokens)

    sampling.register_rule("leftmost_test", leftmost)
    with pytest.raises(ValueError, match="already registered"):
        sampling.register_rule("leftmost_test", leftmost)
    out, hist = sampling.sample(params, jax.random.key(0), jnp.full((1, 6), MASK, jnp.int32),
                                model=model, cfg=SamplerConfig(num_steps=3, rule="leftmost_test"),
                                mask_id=MASK, history=True)
    assert (np.asarray(hist[0]) == MASK).sum() == 5
    with pytest.raises(ValueError, match="unknown step rule"):
        sampling.get_rule("nope")


def test_sampler_config_errors():
    for kw, msg in [({"num_steps": 0}, "num_steps"), ({"score": "x"}, "score"),
                    ({"block_size": 0}, "block_size"), ({"temperature": -1}, "temperature"),
                    ({"top_p": 0.0}, "top_p"), ({"guidance_scale": -1}, "guidance_scale")]:
        with pytest.raises(ValueError, match=msg):
            SamplerConfig(**kw)


class _FixedLogits:
    """A stand-in denoiser: token ``first`` is likely in the first ``block`` positions and
    ``rest`` everywhere else, whatever the input."""

    def __init__(self, first, rest, block):
        self.first, self.rest, self.block = first, rest, block

    def encode(self, params, cond, mask):
        return None

    def denoise(self, params, tokens, level, context):
        pos = jnp.arange(tokens.shape[1])[None, :, None]
        ids = jnp.arange(V)[None, None, :]
        want = jnp.where(pos < self.block, self.first, self.rest)
        return jnp.where(ids == want, 5.0, 0.0) * jnp.ones(tokens.shape + (V,))


@pytest.mark.parametrize("first", [3, 7])
def test_blocks_stop_once_every_row_has_ended(first):
    stop, block = 3, 4
    cfg = SamplerConfig(num_steps=8, rule="confidence", block_size=block, temperature=0.0)
    tokens = jnp.full((B, L), MASK, jnp.int32)
    out = sampling.sample_jit(None, jax.random.key(0), tokens, model=_FixedLogits(first, 5, block),
                              cfg=cfg, mask_id=MASK, stop_id=stop)
    out = np.asarray(out)
    assert (out[:, :block] == first).all()
    # After an all-ended first block the network is not consulted again: the rest is
    # filled with the end token instead of the 5s the network would have chosen.
    assert (out[:, block:] == (stop if first == stop else 5)).all()
    assert not (out == MASK).any()


DYNAMIC = [SamplerConfig(num_steps=16, rule="threshold", threshold=0.5),
           SamplerConfig(num_steps=16, rule="factor", factor=1.0, temperature=0.0),
           SamplerConfig(num_steps=16, rule="threshold", threshold=0.3, block_size=4)]


@pytest.mark.parametrize("cfg", DYNAMIC, ids=lambda c: f"{c.rule}-{c.block_size}")
def test_dynamic_rules_keep_the_invariants(cond_model, cfg):
    model, params = cond_model
    tokens, fixed = _start(np.random.default_rng(3))
    out, hist, evals = _run(model, params, cfg, tokens, jax.random.key(1), history=True,
                            count=True)
    out, hist = np.asarray(out), np.asarray(hist)
    assert not (out == MASK).any()
    assert np.array_equal(out[fixed], np.asarray(tokens)[fixed])
    left = (hist == MASK).sum(axis=2)  # [S, B]
    # every step that ran committed at least one position in every unfinished row
    ran = int(evals)
    assert 1 <= ran <= cfg.num_steps
    before = np.concatenate([[(np.asarray(tokens) == MASK).sum(1)], left[:ran - 1]])
    assert ((left[:ran] < before) | (before == 0)).all()
    assert (left[ran - 1] == 0).all() and (hist[ran:] == out).all()
    for prev, nxt in zip(hist[:-1], hist[1:], strict=True):
        assert np.array_equal(prev[prev != MASK], nxt[prev != MASK])
    if cfg.block_size:  # a step commits only in each row's block of its first mask
        for prev, nxt in zip(hist[:-1], hist[1:], strict=True):
            for p_row, n_row in zip(prev == MASK, nxt == MASK, strict=True):
                new = np.nonzero(p_row & ~n_row)[0]
                if len(new):
                    assert (new // 4 == np.argmax(p_row) // 4).all()


class _Confident:
    """Token ``want[i]`` at position i with probability ``p`` (the rest spread evenly)."""

    def __init__(self, want, p):
        self.want, self.p = jnp.asarray(want), p

    def encode(self, params, cond, mask):
        return None

    def denoise(self, params, tokens, level, context):
        other = jnp.log((1 - self.p) / (V - 2))
        logits = jnp.full(tokens.shape + (V,), other)
        logits = logits.at[..., MASK].set(-jnp.inf)
        hot = jax.nn.one_hot(self.want, V, dtype=bool)[None]
        return jnp.where(hot, jnp.log(self.p), logits)


def test_threshold_commits_all_confident_positions_at_once():
    want = np.arange(L) % 5
    tokens = jnp.full((B, L), MASK, jnp.int32)
    run = functools.partial(sampling.sample_jit, None, jax.random.key(0), tokens,
                            mask_id=MASK, count=True)
    out, evals = run(model=_Confident(want, 0.95),
                     cfg=SamplerConfig(num_steps=L, rule="threshold", threshold=0.9,
                                       temperature=0.0))
    assert int(evals) == 1 and (np.asarray(out) == want).all()
    # below the threshold: one position a step, the most confident first
    out, evals = run(model=_Confident(want, 0.5),
                     cfg=SamplerConfig(num_steps=L, rule="threshold", threshold=0.9,
                                       temperature=0.0))
    assert int(evals) == L and (np.asarray(out) == want).all()
    # a cap below the need: the last allowed step commits the rest
    out, evals = run(model=_Confident(want, 0.5),
                     cfg=SamplerConfig(num_steps=4, rule="threshold", temperature=0.0))
    assert int(evals) == 4 and not (np.asarray(out) == MASK).any()
    # factor 1: the i-th most confident needs 1 - 1/(i+1): p = 0.8 passes for i <= 4
    out, hist, evals = run(model=_Confident(want, 0.8), history=True,
                           cfg=SamplerConfig(num_steps=L, rule="factor", factor=1.0,
                                             temperature=0.0))
    committed = L - (np.asarray(hist[0]) == MASK).sum(axis=1)
    assert (committed == 4).all() and int(evals) == L // 4


def test_the_end_token_fills_the_rest_inside_the_loop():
    """Once a row commits its end token, the masks after it become the fill token in the
    same step, the remaining steps go to the code before it, and the loop ends when every
    row is done."""
    stop, pad = 3, 4
    tokens = jnp.full((B, L), MASK, jnp.int32)
    cfg = SamplerConfig(num_steps=8, rule="confidence", temperature=0.0, end_fill=True)
    run = functools.partial(sampling.sample_jit, None, jax.random.key(0), tokens, cfg=cfg,
                            mask_id=MASK, end_ids=(stop, pad), fill_id=pad, history=True,
                            count=True)
    out, hist, evals = run(model=_EndFirst(stop, 5))
    out, hist = np.asarray(out), np.asarray(hist)
    assert (out[:, 5] == stop).all() and (out[:, 6:] == pad).all() and (out[:, :5] == 7).all()
    assert (hist[0][:, 6:] == pad).all(), "the tail is filled in the step the end appears"
    assert ((hist[1:, :, :5] == MASK).sum(axis=(1, 2)) < (hist[0, :, :5] == MASK).sum()).any()
    # an end after one code token: both committed in the first step, nothing left to do
    out, hist, evals = run(model=_EndFirst(stop, 1))
    assert int(evals) == 1 and (np.asarray(out)[:, :2] == [7, stop]).all()
    # without the fill (the default) every step is spent, most of them on the tail
    off = dataclasses.replace(cfg, end_fill=False)
    _, _, evals = sampling.sample_jit(None, jax.random.key(0), tokens, cfg=off, mask_id=MASK,
                                      end_ids=(stop, pad), fill_id=pad, model=_EndFirst(stop, 1),
                                      history=True, count=True)
    assert int(evals) == cfg.num_steps


class _EndFirst:
    """The end token at position ``at`` is near certain; code (7) elsewhere 40% likely."""

    def __init__(self, stop, at):
        self.stop, self.at = stop, at

    def encode(self, params, cond, mask):
        return None

    def denoise(self, params, tokens, level, context):
        pos = jnp.arange(tokens.shape[1])[None, :, None]
        ids = jnp.arange(V)[None, None, :]
        want = jnp.where(pos == self.at, self.stop, 7)
        strength = jnp.where(pos == self.at, 9.0, 2.0)
        logits = jnp.where(ids == want, strength, 0.0) * jnp.ones(tokens.shape + (V,))
        return logits.at[..., MASK].set(-jnp.inf)


def test_guidance_counts_two_passes_a_step(cond_model):
    model, params = cond_model
    cfg = SamplerConfig(num_steps=4, rule="confidence", guidance_scale=1.0)
    cond = jnp.ones((B, 5), jnp.int32)
    _, evals = sampling.sample_jit(params, jax.random.key(0), jnp.full((B, L), MASK, jnp.int32),
                                   cond, None, jnp.zeros((B, 5), jnp.int32), model=model,
                                   cfg=cfg, mask_id=MASK, count=True)
    assert int(evals) == 8


@pytest.mark.parametrize("block_size", [None, 4])
def test_step_count_as_an_argument_matches_the_static_one(cond_model, block_size):
    """``steps=`` gives the tokens of ``cfg.num_steps`` with the same key, and every count
    runs the same compiled program."""
    model, params = cond_model
    tokens = jnp.full((3, 8), MASK, jnp.int32)
    cond = jnp.arange(15).reshape(3, 5) % 7
    key = jax.random.key(4)
    base = SamplerConfig(num_steps=8, block_size=block_size)
    sampling.sample_jit.clear_cache()
    for n in (2, 4, 8):
        want = sampling.sample_jit(params, key, tokens, cond, model=model, mask_id=MASK,
                                   cfg=dataclasses.replace(base, num_steps=n))
        got = sampling.sample_jit(params, key, tokens, cond, model=model, mask_id=MASK,
                                  cfg=base, steps=jnp.int32(n))
        np.testing.assert_array_equal(got, want)
    assert sampling.sample_jit._cache_size() == 3 + 1  # three static counts, one dynamic
    with pytest.raises(ValueError, match="history"):
        sampling.sample(params, key, tokens, cond, model=model, mask_id=MASK, cfg=base,
                        steps=jnp.int32(4), history=True)


# ------------------------------------------------------------------ key/value caches

def _prefix_model(layers, shift=True):
    return make_model(seed=3, conditioning="prefix", shared_prefix_embed=True, n_layers=layers,
                      logit_shift=shift, time_conditioning=False)


@pytest.mark.parametrize("shift", [True, False])
def test_a_window_pass_over_its_own_cache_is_the_full_pass(shift):
    """Rerunning only some code positions against the keys and values of the same tokens
    gives the full pass's logits there, with a left-padded prompt and the logit shift's
    first position (which reads the prompt's last real token)."""
    fns, params = _prefix_model(2, shift)
    tokens = jax.random.randint(jax.random.key(0), (2, 12), 0, V)
    cond = jax.random.randint(jax.random.key(1), (2, 5), 0, V)
    cond_mask = jnp.asarray([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]], bool)
    context = fns.encode(params, cond, cond_mask)
    full = fns.denoise(params, tokens, None, context)
    logits, cache = fns.denoise_cached(params, tokens, None, context)
    np.testing.assert_allclose(logits, full, atol=1e-6)
    assert cache[0][0].shape == (2, 17, 4, 8)  # prompt + code, every layer
    for start in (0, 5, 8):
        window = jnp.broadcast_to(start + jnp.arange(4), (2, 4))
        part, new = fns.denoise_window(params, tokens, None, context, cache, window)
        np.testing.assert_allclose(part, full[:, start:start + 4], atol=1e-5)
        read = fns.denoise_at(params, tokens, None, context, window)  # readout only there
        np.testing.assert_allclose(read, full[:, start:start + 4], atol=1e-5)
        for (k, v), (k2, v2) in zip(cache, new, strict=True):
            np.testing.assert_allclose(k2, k, atol=1e-5)
            np.testing.assert_allclose(v2, v, atol=1e-5)


@pytest.mark.parametrize("cache", ["dual", "prompt"])
@pytest.mark.parametrize("cfg", [
    SamplerConfig(num_steps=12, block_size=8, temperature=0.0, rounding="up"),
    SamplerConfig(num_steps=12, temperature=0.0),
    SamplerConfig(num_steps=24, rule="threshold", threshold=0.2, block_size=8, temperature=0.0),
], ids=["blocks", "one-block", "threshold"])
def test_caches_are_exact_in_a_one_layer_network(cache, cfg):
    """With one block the cached keys and values of unchanged tokens are exact (they depend
    on the token and its position only), so a cached sampler must give the uncached
    sampler's tokens with as many forward passes; a window put at the wrong positions, or
    a cache not refreshed, would not. (Batch 1: a cache makes the threshold rule's rows
    share their block.)"""
    fns, params = _prefix_model(1)
    cond = jax.random.randint(jax.random.key(1), (1, 6), 0, V)
    tokens = jnp.full((1, 24), MASK, jnp.int32).at[0, 3].set(7)
    run = functools.partial(sampling.sample_jit, params, jax.random.key(0), tokens, cond,
                            model=fns, mask_id=MASK, count=True)
    ref, n_ref = run(cfg=cfg)
    out, n = run(cfg=dataclasses.replace(cfg, cache=cache))
    np.testing.assert_array_equal(out, ref)
    assert int(n) == int(n_ref)


def test_cached_sampling_leaves_no_mask_and_refuses_guidance():
    """Two layers (the cache is an approximation): still every mask is filled, clamped
    tokens are kept, and the dynamic rules' last step decodes outside the block."""
    fns, params = _prefix_model(2)
    cond = jax.random.randint(jax.random.key(1), (3, 6), 0, V)
    tokens = jnp.full((3, 24), MASK, jnp.int32).at[1, 3].set(7)
    for cfg in (SamplerConfig(num_steps=3, rule="threshold", threshold=0.99, block_size=8,
                              cache="dual"),
                SamplerConfig(num_steps=6, block_size=8, cache="prompt", end_fill=True)):
        out = sampling.sample_jit(params, jax.random.key(0), tokens, cond, model=fns, cfg=cfg,
                                  mask_id=MASK, stop_id=0)
        assert not (out == MASK).any() and int(out[1, 3]) == 7
    # The batch shares its block: a row that finished it waits, unchanged, so each row
    # comes out as it does alone (a finished row must not hold the others back). A sharper
    # head makes the rows commit at different paces.
    params["head"]["kernel"][...] = params["head"]["kernel"][...] * 8
    cfg = SamplerConfig(num_steps=48, rule="threshold", threshold=0.9, block_size=8,
                        cache="dual", temperature=0.0)
    together = sampling.sample_jit(params, jax.random.key(0), tokens, cond, model=fns,
                                   cfg=cfg, mask_id=MASK)
    for r in range(3):
        alone = sampling.sample_jit(params, jax.random.key(0), tokens[r:r + 1],
                                    cond[r:r + 1], model=fns, cfg=cfg, mask_id=MASK)
        np.testing.assert_array_equal(alone[0], together[r])
    with pytest.raises(ValueError, match="guidance"):
        sampling.sample(params, jax.random.key(0), tokens, cond, uncond=cond, model=fns,
                        cfg=SamplerConfig(guidance_scale=1.0, cache="dual"), mask_id=MASK)
    with pytest.raises(ValueError, match="cache"):
        SamplerConfig(cache="both")


@dataclasses.dataclass(frozen=True)
class _FullReadout:
    """The same network without ``denoise_at``: logits at every position, every step."""

    inner: object

    def encode(self, params, cond, cond_mask=None):
        return self.inner.encode(params, cond, cond_mask)

    def denoise(self, params, x, level=None, context=None):
        return self.inner.denoise(params, x, level, context)


@pytest.mark.parametrize("cfg", [
    SamplerConfig(num_steps=8, block_size=4, temperature=0.0),
    SamplerConfig(num_steps=6, block_size=6, temperature=0.0, end_fill=True),
    SamplerConfig(num_steps=16, rule="threshold", threshold=0.3, block_size=4, temperature=0.0),
], ids=["blocks", "partial-last-block", "threshold"])
def test_block_decoding_reads_out_only_the_block(cond_model, cfg):
    """With blocks the output projection runs on each row's block only; the tokens are the
    full readout's (the dynamic rule's last step, which may decode anywhere, reads out
    everything)."""
    fns, params = cond_model
    tokens, _ = _start(np.random.default_rng(5))
    cond = jax.random.randint(jax.random.key(2), (B, 5), 0, V)
    run = functools.partial(sampling.sample_jit, params, jax.random.key(1), tokens, cond,
                            cfg=cfg, mask_id=MASK, stop_id=0, count=True)
    out, n = run(model=fns)
    ref, n_ref = run(model=_FullReadout(fns))
    np.testing.assert_array_equal(out, ref)
    assert int(n) == int(n_ref)


class _Fixed:
    """The same logits [L, V] at every step, whatever the tokens."""

    def __init__(self, logits):
        self.logits = jnp.asarray(logits, jnp.float32)

    def encode(self, params, cond, mask):
        return None

    def denoise(self, params, tokens, level, context):
        return jnp.broadcast_to(self.logits, tokens.shape + self.logits.shape[-1:])


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@pytest.mark.parametrize("score,rule", [("low_confidence", "confidence"),
                                        ("entropy", "confidence"),
                                        ("margin", "confidence"),
                                        ("low_confidence", "threshold")])
def test_mask_in_softmax_ranks_by_the_full_vocabulary(score, rule):
    """With ``mask_in_softmax`` the first step commits the positions most confident under a
    softmax over all V ids, [MASK] included; by default under one over the V - 1 others.
    Either way the committed tokens are the argmax without [MASK]."""
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(L, V)) * 2
    logits[:, MASK] = rng.normal(size=L) * 3 + 2  # [MASK]'s share differs between positions
    x0 = np.where(np.arange(V) == MASK, -np.inf, logits).argmax(-1)

    def scores(full):
        p = _softmax(np.where(np.arange(V) == MASK, -np.inf, logits) if not full else logits)
        top2 = np.sort(p, -1)[:, ::-1][:, :2]
        logp = np.log(np.where(p > 0, p, 1.0))
        return {"low_confidence": p[np.arange(L), x0], "margin": top2[:, 0] - top2[:, 1],
                "entropy": (p * logp).sum(-1)}[score]

    base = SamplerConfig(num_steps=4, rule=rule, score=score, temperature=0.0,
                         threshold=0.25)
    first = {}
    for full in (False, True):
        cfg = dataclasses.replace(base, mask_in_softmax=full)
        _, hist = sampling.sample(None, jax.random.key(0), jnp.full((1, L), MASK, jnp.int32),
                                  model=_Fixed(logits), cfg=cfg, mask_id=MASK, history=True)
        step = np.asarray(hist[0, 0])
        done = step != MASK
        assert (step[done] == x0[done]).all()
        s = scores(full)
        if rule == "confidence":  # the k = L/4 most confident
            assert done.sum() == L // 4
            want = np.zeros(L, bool)
            want[np.argsort(-s, kind="stable")[:L // 4]] = True
        else:  # every position at least as confident as the threshold, at least one
            want = s >= 0.25 if (s >= 0.25).any() else s == s.max()
        np.testing.assert_array_equal(done, want)
        first[full] = done
    assert not np.array_equal(first[False], first[True])  # the fixture tells them apart


def test_mask_in_softmax_off_is_the_default_bit_for_bit(cond_model):
    model, params = cond_model
    tokens, _ = _start(np.random.default_rng(1))
    for cfg in (CONFIGS[2], CONFIGS[4], SamplerConfig(num_steps=8, rule="threshold")):
        default = np.asarray(_run(model, params, cfg, tokens, jax.random.key(4)))
        off = dataclasses.replace(cfg, mask_in_softmax=False)
        on = dataclasses.replace(cfg, mask_in_softmax=True)
        assert off == cfg and not cfg.mask_in_softmax
        np.testing.assert_array_equal(np.asarray(_run(model, params, off, tokens,
                                                      jax.random.key(4))), default)
        out = np.asarray(_run(model, params, on, tokens, jax.random.key(4)))
        assert not (out == MASK).any()
