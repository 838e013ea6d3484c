"""One masked-diffusion sampling loop, taking a step rule.

The loop is a ``lax.while_loop`` with ``fold_in(key, i)`` per step. At each step the network
predicts every position; a step rule decides which masked positions to commit. Positions that
are not [MASK] in the starting tokens are clamped: they never change (infilling, partial
code). Committed tokens are never remasked, so the loop ends with no mask left.

Scheduled rules (``ancestral``, ``confidence``) walk a static time grid of ``num_steps``
steps; threshold rules (``threshold``, ``factor``) commit as many positions as are confident
enough, so the number of steps depends on the model, up to ``num_steps``. Either way the loop
stops as soon as no mask is left, and with ``end_ids`` a row that commits an end token has
every masked position after it filled with ``fill_id`` in the same step: the remaining steps
are spent on the code before the end, and a finished row costs nothing more than its share
of the batch's forward pass.

With blocks, a step reads out (output projection, step rule) only each row's block. With
``cfg.cache`` the network keeps every layer's keys and values between steps: a full pass
at each block's start, then passes over the block (``"dual"``) or the output
(``"prompt"``) only, the rest read from the cache (see ``SamplerConfig``).

[MASK] is never drawn; the confidence it takes from the others counts in the ranking only
with ``SamplerConfig.mask_in_softmax`` (LLaDA's and Dream's reference rule).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from adjax import schedules
from adjax.config import SamplerConfig
from adjax.masked import mask_logits


class StepInputs(NamedTuple):
    """What a step rule sees at one step (all float32 where real-valued)."""

    key: jax.Array
    logits: jax.Array  # [B, L, V], [MASK] already -inf
    tokens: jax.Array  # [B, L] current tokens
    eligible: jax.Array  # [B, L] masked positions that may be committed at this step
    alpha_t: jax.Array  # scalar, alpha at the start of the step
    alpha_s: jax.Array  # scalar, alpha at the end of the step (1 at the last step)
    # [B, L, V] the logits confidence is ranked by when they differ from ``logits``: with
    # ``SamplerConfig.mask_in_softmax``, [MASK] kept (None: rank by ``logits``)
    score_logits: jax.Array | None = None


StepRule = Callable[[StepInputs, SamplerConfig], jax.Array]


def filter_logits(logits: jax.Array, temperature: float, top_p: float) -> jax.Array:
    """Temperature then nucleus (top-p) filtering, float32, static shapes."""
    logits = logits.astype(jnp.float32)
    if temperature > 0:
        logits = logits / temperature
    if top_p < 1.0:
        probs = jax.nn.softmax(logits, axis=-1)
        sorted_probs = jnp.sort(probs, axis=-1)[..., ::-1]
        before = jnp.cumsum(sorted_probs, axis=-1) - sorted_probs
        kept = jnp.where(before < top_p, sorted_probs, jnp.inf)
        threshold = jnp.min(kept, axis=-1, keepdims=True)  # smallest kept probability
        logits = jnp.where(probs >= threshold, logits, -jnp.inf)
    return logits


def draw_tokens(key: jax.Array, logits: jax.Array, temperature: float) -> jax.Array:
    """Gumbel-max sample of filtered logits; argmax when temperature is 0."""
    if temperature == 0:
        return jnp.argmax(logits, axis=-1).astype(jnp.int32)
    return jax.random.categorical(key, logits, axis=-1).astype(jnp.int32)


def _unmask_fraction(inp: StepInputs) -> jax.Array:
    """The reverse process's probability that a masked token is revealed in (s, t]."""
    return jnp.clip((inp.alpha_s - inp.alpha_t) / jnp.maximum(1.0 - inp.alpha_t, 1e-12), 0, 1)


def ancestral(inp: StepInputs, cfg: SamplerConfig) -> jax.Array:
    """MD4/MDLM ancestral step: each eligible token is revealed with the schedule's probability."""
    draw_key, u_key = jax.random.split(inp.key)
    logits = filter_logits(inp.logits, cfg.temperature, cfg.top_p)
    x0 = draw_tokens(draw_key, logits, cfg.temperature)
    reveal = inp.eligible & (jax.random.uniform(u_key, inp.tokens.shape) < _unmask_fraction(inp))
    return jnp.where(reveal, x0, inp.tokens)


def confidence_scores(kind: str, key: jax.Array, logits: jax.Array, x0: jax.Array) -> jax.Array:
    """Higher is more confident [B, L]."""
    probs = jax.nn.softmax(logits, axis=-1)
    if kind == "low_confidence":
        return jnp.take_along_axis(probs, x0[..., None], axis=-1)[..., 0]
    if kind == "margin":
        top2 = jax.lax.top_k(probs, 2)[0]
        return top2[..., 0] - top2[..., 1]
    if kind == "entropy":
        logp = jnp.where(probs > 0, jnp.log(jnp.where(probs > 0, probs, 1.0)), 0.0)
        return jnp.sum(probs * logp, axis=-1)
    return jax.random.uniform(key, x0.shape)


def confidence(inp: StepInputs, cfg: SamplerConfig) -> jax.Array:
    """Parallel unmasking: per row, commit the k most confident eligible positions.

    k is the row's eligible count times the schedule's reveal fraction, rounded, and at
    least one; at the last step the fraction is 1, so every eligible position is committed.
    The loop ends when no mask is left, so the steps a short program does not need (its
    tail filled once its end token is committed) are not run.
    """
    draw_key, score_key = jax.random.split(inp.key)
    logits = filter_logits(inp.logits, cfg.temperature, cfg.top_p)
    x0 = draw_tokens(draw_key, logits, cfg.temperature)
    ranked = logits if inp.score_logits is None else \
        filter_logits(inp.score_logits, cfg.temperature, cfg.top_p)
    score = confidence_scores(cfg.score, score_key, ranked, x0)
    score = jnp.where(inp.eligible, score, -jnp.inf)
    n_eligible = inp.eligible.sum(axis=-1)
    expected = n_eligible * _unmask_fraction(inp)
    # At least one: a step that commits nothing would cost a forward pass for nothing.
    k = jnp.maximum(_ROUNDING[cfg.rounding](expected).astype(jnp.int32), 1)  # [B]
    rank = jnp.argsort(jnp.argsort(-score, axis=-1, stable=True), axis=-1, stable=True)
    commit = inp.eligible & (rank < k[:, None])
    return jnp.where(commit, x0, inp.tokens)


def _commit_confident(inp: StepInputs, cfg: SamplerConfig, keep) -> jax.Array:
    """Draws predictions, scores them by the raw softmax probability of the drawn token (the
    reference rules' confidence, before temperature and top-p), and commits the eligible
    positions ``keep(sorted_confidence)`` selects by rank, always the most confident one."""
    x0 = draw_tokens(inp.key, filter_logits(inp.logits, cfg.temperature, cfg.top_p),
                     cfg.temperature)
    ranked = inp.logits if inp.score_logits is None else inp.score_logits
    probs = jax.nn.softmax(ranked.astype(jnp.float32), axis=-1)
    conf = jnp.take_along_axis(probs, x0[..., None], axis=-1)[..., 0]
    conf = jnp.where(inp.eligible, conf, -jnp.inf)
    ordered = jnp.sort(conf, axis=-1)[:, ::-1]  # [B, L] most confident first
    n = jnp.maximum(jnp.cumprod(keep(ordered), axis=-1).sum(axis=-1), 1)  # [B]
    n = jnp.where(inp.alpha_s >= 1.0, inp.tokens.shape[1], n)  # the last step: everything
    rank = jnp.argsort(jnp.argsort(-conf, axis=-1, stable=True), axis=-1, stable=True)
    commit = inp.eligible & (rank < n[:, None])
    return jnp.where(commit, x0, inp.tokens)


def threshold(inp: StepInputs, cfg: SamplerConfig) -> jax.Array:
    """Fast-dLLM's threshold parallel decoding: every eligible position whose confidence is
    at least ``cfg.threshold``, and always the most confident one."""
    return _commit_confident(inp, cfg, lambda c: c >= cfg.threshold)


def factor(inp: StepInputs, cfg: SamplerConfig) -> jax.Array:
    """The factor variant: the n most confident, while the i-th (from 1) has confidence at
    least 1 - ``cfg.factor`` / (i + 1)."""
    i = jnp.arange(1, inp.tokens.shape[1] + 1)
    return _commit_confident(inp, cfg, lambda c: c >= 1.0 - cfg.factor / (i + 1))


# ceil and floor with a tolerance: a count that is an integer up to float error stays it.
_ROUNDING = {"nearest": jnp.round, "up": lambda x: jnp.ceil(x - 1e-4),
             "down": lambda x: jnp.floor(x + 1e-4)}

_RULES: dict[str, StepRule] = {"ancestral": ancestral, "confidence": confidence,
                               "threshold": threshold, "factor": factor}
# Rules whose step count depends on the model: no time grid, each row's current block is the
# block of its first mask.
DYNAMIC = frozenset({"threshold", "factor"})


def register_rule(name: str, rule: StepRule) -> None:
    """Adds a step rule; ``SamplerConfig(rule=name)`` then uses it."""
    if name in _RULES:
        raise ValueError(f"step rule {name!r} is already registered")
    _RULES[name] = rule


def get_rule(name: str) -> StepRule:
    if name not in _RULES:
        raise ValueError(f"unknown step rule {name!r}; valid: {sorted(_RULES)}")
    return _RULES[name]


def _grid(cfg: SamplerConfig, length: int) -> tuple[int, int]:
    """(number of blocks, steps per block)."""
    if cfg.block_size is None or cfg.rule in DYNAMIC:
        return 1, cfg.num_steps
    n_blocks = -(-length // cfg.block_size)
    if cfg.num_steps % n_blocks:
        raise ValueError(
            f"num_steps={cfg.num_steps} must be a multiple of the {n_blocks} blocks of "
            f"{cfg.block_size} tokens in a length-{length} sequence"
        )
    return n_blocks, cfg.num_steps // n_blocks


def _rule_per_row(rule: StepRule, cfg: SamplerConfig, keys: jax.Array, i, logits, tokens,
                  eligible, alpha_t, alpha_s, score_logits=None) -> jax.Array:
    """``rule`` run on each row alone, with its own key ``keys[b]`` folded with step ``i``."""
    def one(key, logits, tokens, eligible, score):
        inp = StepInputs(key=jax.random.fold_in(key, i), logits=logits[None],
                         tokens=tokens[None], eligible=eligible[None], alpha_t=alpha_t,
                         alpha_s=alpha_s, score_logits=None if score is None else score[None])
        return rule(inp, cfg)[0]

    return jax.vmap(one)(keys, logits, tokens, eligible, score_logits)


def fill_after_end(tokens: jax.Array, mask_id: int, end_ids: tuple[int, ...],
                   fill_id: int) -> jax.Array:
    """Masked positions after each row's first end token become ``fill_id`` [B, L]."""
    is_end = jnp.isin(tokens, jnp.asarray(end_ids))
    after = (jnp.cumsum(is_end, axis=-1) - is_end) > 0
    return jnp.where(after & (tokens == mask_id), fill_id, tokens)


def sample(params: Any, key: jax.Array, tokens: jax.Array, cond: jax.Array | None = None,
           cond_mask: jax.Array | None = None, uncond: jax.Array | None = None, *,
           model: Any, cfg: SamplerConfig, mask_id: int, history: bool = False,
           stop_id: int | None = None, banned: tuple[int, ...] = (),
           min_length: jax.Array | None = None, end_ids: tuple[int, ...] = (),
           fill_id: int | None = None, count: bool = False,
           allowed: jax.Array | None = None, steps: jax.Array | None = None,
           uncond_mask: jax.Array | None = None):
    """Fills every [MASK] in ``tokens`` [B, L].

    Args:
      params: network parameters.
      key: a PRNG key; the same key gives the same output. Or a key per row [B]: each row's
        draws then come from its own key alone, so a row's tokens do not depend on the
        other rows of the batch (nor on its position in it).
      tokens: starting tokens [B, L] int32; non-[MASK] positions are clamped.
      cond, cond_mask: condition tokens [B, C] for the encoder, encoded once.
      uncond: condition tokens for the unconditional branch of classifier-free guidance;
        ``uncond_mask`` its padding mask (default ``cond_mask``). A network learns that
        branch only when trained with ``MaskedDiffusionConfig.cond_dropout`` > 0.
      model: an object with ``encode(params, cond, mask)`` and
        ``denoise(params, tokens, level, context)``.
      cfg: the sampler configuration.
      mask_id: the [MASK] token id.
      history: also return the tokens after every step [S, B, L] (S = ``num_steps``;
        steps the loop did not need repeat the final tokens).
      stop_id: an end token (EOS); shorthand for ``end_ids=(stop_id,)`` in the in-loop
        fill when ``end_ids`` is empty.
      banned: token ids never placed at a masked position (for example PAD and EOS once
        the output length is fixed).
      min_length, end_ids: the ``end_ids`` (EOS, PAD) are never placed before position
        ``min_length`` [B] of each row, so an output holds at least that many tokens. Once
        a row holds one of them, its masked positions after the first are set to
        ``fill_id`` (default ``stop_id``) in the same step.
      allowed: a boolean array over the vocabulary [V] (or per row [B, V]): only these ids
        are ever placed. An array, unlike ``banned``, is an argument of the compiled
        program, so every constrained vocabulary shares one compilation.
      steps: the step count as an array, in place of ``cfg.num_steps``: one compiled
        program then serves every count (with blocks it must divide by their number, as
        ``cfg.num_steps`` must). Not with ``history``.
      count: also return the number of network evaluations (forward passes; two per step
        with guidance) as an int32 scalar.

    Returns:
      tokens [B, L], then the history and the count when asked.
    """
    rule = get_rule(cfg.rule)
    per_row = jnp.ndim(key) == 1  # a key per row [B]
    dynamic = cfg.rule in DYNAMIC
    schedule = schedules.get(cfg.schedule)
    b, length = tokens.shape
    n_blocks, per_block = _grid(cfg, length)
    if steps is not None:
        if history:
            raise ValueError("history needs a static step count (cfg.num_steps)")
        per_block = jnp.maximum(jnp.asarray(steps, jnp.int32) // n_blocks, 1)
    cap = n_blocks * per_block
    guided = cfg.guidance_scale > 0
    if guided and uncond is None:
        raise ValueError("classifier-free guidance needs `uncond` condition tokens")
    context = None if cond is None else model.encode(params, cond, cond_mask)
    un_mask = cond_mask if uncond_mask is None else uncond_mask
    un_context = model.encode(params, uncond, un_mask) if guided else None
    if hasattr(model, "with_context_kv"):  # cross-attention keys and values: once a call
        context = None if context is None else model.with_context_kv(params, context)
        un_context = None if un_context is None else model.with_context_kv(params, un_context)
    maskable = jnp.maximum((tokens == mask_id).sum(axis=-1), 1).astype(jnp.float32)
    positions = jnp.arange(length)
    block = cfg.block_size or length
    stops = (end_ids or ((stop_id,) if stop_id is not None else ())) if cfg.end_fill else ()
    fill = stop_id if fill_id is None else fill_id
    span = 1.0 - cfg.t_min  # the grid runs from t = 1 down to t_min

    cached = cfg.cache is not None
    if cached and guided:
        raise ValueError("a key/value cache (cfg.cache) does not serve classifier-free "
                         "guidance; use one or the other")
    if cached and not hasattr(model, "denoise_window"):
        raise ValueError(f"cfg.cache={cfg.cache!r} needs a network with denoise_cached and "
                         "denoise_window (the transformer)")
    width = length if cfg.cache == "prompt" else min(block, length)  # positions a step reruns
    # Without a cache, block decoding still needs logits only in each row's block.
    windowed = not cached and block < length and hasattr(model, "denoise_at")

    def network(current, level, window=None):
        def run(ctx):
            if window is None:
                return model.denoise(params, current, level, ctx)
            return model.denoise_at(params, current, level, ctx, window)

        logits = run(context)
        if guided:
            un = run(un_context)
            logits = un + (1.0 + cfg.guidance_scale) * (logits - un)
        return logits

    def forward(current, i, eligible, alpha_t, alpha_s, logits, starts=None):
        """One step's commits, from logits over every position [B, L, V], or (``starts``
        [B]) over each row's window of W positions from ``starts`` [B, W, V]; the window
        must hold every eligible position. The rest of the row is read only for the end."""
        rows = jnp.arange(b)[:, None]
        if starts is None:
            pos, tokens, elig = positions[None, :], current, eligible
        else:
            pos = starts[:, None] + jnp.arange(logits.shape[1])
            tokens = jnp.take_along_axis(current, pos, axis=1)
            elig = jnp.take_along_axis(eligible, pos, axis=1)

        def put(full, part):
            return part if starts is None else full.at[rows, pos].set(part)

        raw = logits
        logits = mask_logits(logits, (mask_id, *banned))
        if allowed is not None:
            keep = allowed if allowed.ndim == 1 else allowed[:, None, :]
            logits = jnp.where(keep, logits, -jnp.inf)
        if min_length is not None and end_ids:
            early = (pos < min_length[:, None])[..., None]
            is_end = jnp.zeros(logits.shape[-1], bool).at[jnp.asarray(end_ids)].set(True)
            logits = jnp.where(early & is_end, -jnp.inf, logits)
        if stops and cfg.end_threshold is not None:
            # Padding the model is sure of is committed outside the step's budget, so the
            # budget is spread over the code still masked.
            probs = jax.nn.softmax(logits.astype(jnp.float32), axis=-1)
            top = jnp.argmax(probs, axis=-1).astype(current.dtype)
            sure = elig & jnp.isin(top, jnp.asarray(stops)) & \
                (jnp.max(probs, axis=-1) >= cfg.end_threshold)
            current = fill_after_end(put(current, jnp.where(sure, top, tokens)), mask_id,
                                     stops, fill)
            tokens = current if starts is None else jnp.take_along_axis(current, pos, axis=1)
            elig = elig & (tokens == mask_id)
        # The references' rule: [MASK]'s own logit back inside the softmax that ranks.
        ranked = logits.at[..., mask_id].set(raw[..., mask_id]) if cfg.mask_in_softmax \
            else None
        if per_row:
            new = put(current, _rule_per_row(rule, cfg, key, i, logits, tokens, elig,
                                             alpha_t, alpha_s, ranked))
        else:
            inp = StepInputs(key=jax.random.fold_in(key, i), logits=logits, tokens=tokens,
                             eligible=elig, alpha_t=alpha_t, alpha_s=alpha_s,
                             score_logits=ranked)
            new = put(current, rule(inp, cfg))
        return fill_after_end(new, mask_id, stops, fill) if stops and fill is not None else new

    def plan(current, i):
        """(eligible [B, L], alpha_t, alpha_s, whether to run the network, the next i, the
        block the step works on)."""
        masked = current == mask_id
        if dynamic:
            first = jnp.argmax(masked, axis=-1) // block  # each row's current block [B]
            if cached:  # the batch shares one block, so the cache is refreshed once a block
                first = jnp.min(jnp.where(masked.any(axis=-1), first, length))
                first = jnp.broadcast_to(first, (b,))
            eligible = masked & (positions[None, :] < (first[:, None] + 1) * block)
            last = i == cap - 1
            eligible = jnp.where(last, masked, eligible)
            return eligible, 0.0, jnp.where(last, 1.0, 0.0), masked.any(), i + 1, first
        j, blk = i % per_block, i // per_block
        alpha_t = schedule.alpha(1.0 - span * j / per_block)
        alpha_s = jnp.where(j == per_block - 1, 1.0,
                            schedule.alpha(1.0 - span * (j + 1) / per_block))
        eligible = masked & (positions < (blk + 1) * block)[None, :]
        run = eligible.any()  # a block every row has finished (or filled) is skipped
        if stop_id is not None and not stops and n_blocks > 1:
            # Without the in-loop fill: once every row holds the end token in an earlier
            # block, the later blocks cost nothing (their masks get the end token after).
            ended = ((current == stop_id) & (positions < blk * block)[None, :]).any(axis=-1)
            run = run & ~ended.all()
        return (eligible, alpha_t, alpha_s, run, jnp.where(run, i + 1, (blk + 1) * per_block),
                jnp.broadcast_to(blk, (b,)))

    steps_axis = jnp.arange(cap)[:, None, None] if history else None

    def step(args, i, eligible, alpha_t, alpha_s, blk):
        current, cache, seen = args
        level = (current == mask_id).sum(axis=-1) / maskable  # mask rate per row [B]
        run = functools.partial(forward, current, i, eligible, alpha_t, alpha_s)
        if not cached and not windowed:
            return run(network(current, level)), cache, seen

        def window_at(starts, size):
            """Each row's window [B, size] from ``starts`` [B], and whether any eligible
            position lies outside it (then the step needs every position's logits)."""
            lo, hi = starts[:, None], starts[:, None] + size
            outside = eligible & ((positions[None, :] < lo) | (positions[None, :] >= hi))
            return lo + jnp.arange(size), outside.any()

        if windowed:  # logits of each row's block only, unless a step may decode elsewhere
            starts = jnp.clip(blk * block, 0, length - block)
            window, outside = window_at(starts, block)
            new = jax.lax.cond(outside, lambda _: run(network(current, level)),
                               lambda _: run(network(current, level, window), starts), None)
            return new, cache, seen
        blk = blk[0]  # the batch's block
        start = jnp.clip(blk * block, 0, length - width) if cfg.cache == "dual" else 0
        starts = jnp.full((b,), start)
        window, outside = window_at(starts, width)
        # A full pass at each new block, and whenever a position outside the window must be
        # decoded (the dynamic rules' last step).
        refresh = (blk != seen) | outside

        def full(_):
            logits, new = model.denoise_cached(params, current, level, context)
            return run(logits), new

        def part(_):
            logits, new = model.denoise_window(params, current, level, context, cache, window)
            return run(logits, starts), new

        new, cache = jax.lax.cond(refresh, full, part, None)
        return new, cache, blk

    def body(state):
        current, i, evals, hist, cache, seen = state
        eligible, alpha_t, alpha_s, run, nxt, blk = plan(current, i)
        new, cache, seen = jax.lax.cond(
            run, lambda a: step(a, i, eligible, alpha_t, alpha_s, blk), lambda a: a,
            (current, cache, seen))
        if history:
            hist = jnp.where((steps_axis >= i) & (steps_axis < nxt), new[None], hist)
        return new, nxt, evals + run.astype(jnp.int32), hist, cache, seen

    def more(state):
        current, i = state[:2]
        return (i < cap) & (current == mask_id).any()

    cache0 = ()
    if cached:  # zeros of the cache's shapes; the first step fills them
        shapes = jax.eval_shape(model.denoise_cached, params, tokens,
                                jnp.ones(b, jnp.float32), context)[1]
        cache0 = jax.tree.map(lambda a: jnp.zeros(a.shape, a.dtype), shapes)
    hist0 = jnp.zeros((cap, b, length), tokens.dtype) if history else jnp.zeros((), tokens.dtype)
    out, i_end, evals, hist, _, _ = jax.lax.while_loop(
        more, body, (tokens, jnp.int32(0), jnp.int32(0), hist0, cache0, jnp.int32(-1)))
    if stop_id is not None and not cfg.end_fill:  # masks left in blocks after the end
        after_stop = jnp.cumsum(out == stop_id, axis=-1) > 0
        out = jnp.where(after_stop & (out == mask_id), stop_id, out)
    result = (out,)
    if history:
        result += (jnp.where(steps_axis >= i_end, out[None], hist),)
    if count:
        result += (evals * (2 if guided else 1),)
    return result[0] if len(result) == 1 else result


@functools.partial(jax.jit, static_argnames=("model", "cfg", "mask_id", "history", "stop_id",
                                             "banned", "end_ids", "fill_id", "count"))
def sample_jit(params, key, tokens, cond=None, cond_mask=None, uncond=None, *, model, cfg,
               mask_id, history=False, stop_id=None, banned=(), min_length=None, end_ids=(),
               fill_id=None, count=False, allowed=None, steps=None, uncond_mask=None):
    """``sample`` compiled once per (shapes, model graph, config)."""
    return sample(params, key, tokens, cond, cond_mask, uncond, model=model, cfg=cfg,
                  mask_id=mask_id, history=history, stop_id=stop_id, banned=banned,
                  min_length=min_length, end_ids=end_ids, fill_id=fill_id, count=count,
                  allowed=allowed, steps=steps, uncond_mask=uncond_mask)
