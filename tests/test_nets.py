import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from adjax.config import NetConfig
from adjax.nets import Transformer
from adjax.nets.layers import rope
from tests.conftest import make_model, make_net_cfg

B, L, C = 2, 6, 5


@pytest.mark.parametrize("conditioning", ["none", "cross", "prefix"])
@pytest.mark.parametrize("time_conditioning", [False, True])
def test_shapes_and_dtypes(conditioning, time_conditioning):
    model, params = make_model(conditioning=conditioning, time_conditioning=time_conditioning,
                               cond_layers=1, dtype="bfloat16")
    for leaf in jax.tree.leaves(params):
        assert leaf.dtype == jnp.float32, "parameters stay float32"
    context = model.encode(params, jnp.ones((B, C), jnp.int32)) if conditioning != "none" else None
    out = model.denoise(params, jnp.zeros((B, L), jnp.int32), jnp.full((B,), 0.5), context)
    assert out.shape == (B, L, 12) and out.dtype == jnp.float32
    assert bool(jnp.isfinite(out).all())


@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "float16"])
def test_compute_dtype_close_to_float32(dtype):
    ref_model, params = make_model(dtype="float32")
    model, _ = make_model(dtype=dtype)
    x = jnp.arange(B * L).reshape(B, L) % 12
    ref = ref_model.denoise(params, x)
    out = model.denoise(params, x)
    np.testing.assert_allclose(out, ref, atol=0.1, rtol=0.05)


def test_condition_changes_output_and_padding_is_ignored():
    for conditioning in ("cross", "prefix"):
        model, params = make_model(conditioning=conditioning, cond_layers=1)
        x = jnp.zeros((1, L), jnp.int32)
        a = model.denoise(params, x, context=model.encode(params, jnp.array([[1, 2, 3, 0, 0]])))
        b = model.denoise(params, x, context=model.encode(params, jnp.array([[4, 5, 6, 0, 0]])))
        assert not np.allclose(a, b), conditioning
        mask = jnp.array([[True, True, True, False, False]])
        ctx_c = model.encode(params, jnp.array([[1, 2, 3, 7, 8]]), mask)
        ctx_d = model.encode(params, jnp.array([[1, 2, 3, 9, 1]]), mask)
        c = model.denoise(params, x, context=ctx_c)
        d = model.denoise(params, x, context=ctx_d)
        np.testing.assert_allclose(c, d, atol=1e-5, err_msg=conditioning)


def test_time_conditioning_starts_neutral_then_matters():
    model, params = make_model(time_conditioning=True)
    x = jnp.zeros((1, L), jnp.int32)
    # adaLN is zero-initialised: the level has no effect at first.
    np.testing.assert_allclose(model.denoise(params, x, jnp.array([0.1])),
                               model.denoise(params, x, jnp.array([0.9])), atol=1e-6)
    params = jax.tree.map(lambda p: p + 0.05, params)
    assert not np.allclose(model.denoise(params, x, jnp.array([0.1])),
                           model.denoise(params, x, jnp.array([0.9])))
    with pytest.raises(ValueError, match="noise level"):
        model.denoise(params, x)


def test_bidirectional_attention():
    """Changing the last token changes the output at the first position (no causal mask)."""
    model, params = make_model()
    a = model.denoise(params, jnp.array([[1, 2, 3, 4]]))
    b = model.denoise(params, jnp.array([[1, 2, 3, 5]]))
    assert not np.allclose(a[0, 0], b[0, 0])


def test_grouped_query_attention_has_fewer_params():
    def count(**kw):
        _, params = make_model(d_model=64, n_heads=8, **kw)
        return sum(p.size for p in jax.tree.leaves(params))
    assert count(n_kv_heads=2) < count(n_kv_heads=8)


def test_continuous_inputs():
    cfg = NetConfig(input_kind="continuous", in_features=3, d_model=32, n_heads=2, n_layers=1,
                    time_conditioning=True)
    net = Transformer(cfg, rngs=nnx.Rngs(0))
    out = net(jnp.ones((B, L, 3)), jnp.full((B,), 0.3))
    assert out.shape == (B, L, 3)


def test_rope_preserves_norm_and_is_relative():
    x = jax.random.normal(jax.random.key(0), (1, 4, 2, 8))
    pos = jnp.arange(4)[None]
    y = rope(x, pos, 10_000.0)
    np.testing.assert_allclose(jnp.linalg.norm(y, axis=-1), jnp.linalg.norm(x, axis=-1), rtol=1e-5)
    q, k = rope(x, pos, 1e4), rope(x, pos + 7, 1e4)
    # Dot products depend only on the offset between positions.
    np.testing.assert_allclose(jnp.einsum("bthd,bthd->bth", q, q),
                               jnp.einsum("bthd,bthd->bth", k, k), rtol=1e-4)


def test_missing_context_is_an_error():
    model, params = make_model(conditioning="cross", cond_layers=1)
    with pytest.raises(ValueError, match="encode"):
        model.denoise(params, jnp.zeros((1, L), jnp.int32))
    plain, plain_params = make_model()
    assert plain.encode(plain_params, jnp.ones((1, 3), jnp.int32)) is None


@pytest.mark.parametrize("kw,msg", [
    ({"vocab_size": 0}, "vocab_size"),
    ({"input_kind": "pixels"}, "input_kind"),
    ({"d_model": 30}, "n_heads"),
    ({"n_kv_heads": 3}, "n_kv_heads"),
    ({"conditioning": "film"}, "conditioning"),
    ({"dtype": "int8"}, "dtype"),
    ({"n_layers": 0}, "n_layers"),
    ({"d_model": 12, "n_heads": 4}, "even"),
    ({"conditioning": "cross", "cond_layers": 0}, "cond_layers"),
])
def test_config_errors(kw, msg):
    with pytest.raises(ValueError, match=msg):
        make_net_cfg(**kw)
    with pytest.raises(ValueError, match="in_features"):
        NetConfig(input_kind="continuous")


def test_split_abstract_matches_split_without_computing():
    from adjax.nets.functional import split, split_abstract

    cfg = make_net_cfg()
    model, params = split(Transformer(cfg, rngs=nnx.Rngs(0)))
    model2, shapes = split_abstract(lambda: Transformer(cfg, rngs=nnx.Rngs(0)))
    assert model == model2
    assert jax.tree.structure(params) == jax.tree.structure(shapes)
    for p, s in zip(jax.tree.leaves(params), jax.tree.leaves(shapes), strict=True):
        assert isinstance(s, jax.ShapeDtypeStruct) and (p.shape, p.dtype) == (s.shape, s.dtype)


@pytest.mark.parametrize("options", [{"remat": True}, {"scan_layers": True},
                                     {"scan_layers": True, "remat": True}])
def test_remat_and_scan_keep_logits_and_gradients(options):
    """The same weights give the same logits and gradients whether the blocks run in a
    loop, rematerialised, or as one scan (whose program holds one block, not three)."""
    base = dict(n_layers=3, conditioning="cross", cond_layers=1, time_conditioning=True)
    model, params = make_model(**base)
    other, _ = make_model(**base, **options)
    x = jnp.arange(16)[None] % 11
    cond = jnp.arange(5)[None]
    level = jnp.array([0.5])

    def loss(m, p):
        return jnp.sum(m.denoise(p, x, level, m.encode(p, cond)) ** 2)

    np.testing.assert_allclose(loss(other, params), loss(model, params), rtol=1e-5)
    grads = [jax.jit(jax.grad(functools.partial(loss, m)))(params) for m in (other, model)]
    for a, b in zip(*map(jax.tree.leaves, grads), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
    text = str(jax.make_jaxpr(lambda p: loss(other, p))(params))
    assert ("scan" in text) == options.get("scan_layers", False)
    assert ("remat" in text or "checkpoint" in text) == options.get("remat", False)


@pytest.mark.parametrize("scan", [False, True])
def test_cross_attention_keys_and_values_computed_once_give_the_same_logits(scan):
    model, params = make_model(n_layers=2, conditioning="cross", cond_layers=1, qk_norm=True,
                               scan_layers=scan)
    x = jnp.arange(16)[None] % 11
    context = model.encode(params, jnp.arange(5)[None], jnp.array([[1, 1, 1, 0, 0]], bool))
    cached = model.with_context_kv(params, context)
    assert len(cached) == 3 and len(cached[2]) == 2  # (context, mask, per-block (k, v))
    np.testing.assert_allclose(model.denoise(params, x, None, cached),
                               model.denoise(params, x, None, context), rtol=1e-5, atol=1e-5)
    prefix, pparams = make_model(conditioning="prefix")
    pctx = prefix.encode(pparams, jnp.arange(5)[None])
    assert prefix.with_context_kv(pparams, pctx) is pctx  # nothing to cache without cross
