"""Frozen, validated configuration dataclasses for the numeric core."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

import jax.numpy as jnp

DTYPES = {"float32": jnp.float32, "bfloat16": jnp.bfloat16, "float16": jnp.float16}


class ConfigError(ValueError):
    """A bad config value; ``key`` names the field, ``message`` says what is wrong."""

    def __init__(self, key: str, message: str):
        super().__init__(f"{key} {message}")
        self.key, self.message = key, message


def check_choice(name: str, value: Any, choices) -> None:
    """``value`` must be one of ``choices`` (listed in the error in their given order)."""
    if value not in choices:
        shown = sorted(choices) if isinstance(choices, set | frozenset) else list(choices)
        raise ConfigError(name, f"{value!r} is not valid; valid choices: "
                          f"{', '.join(map(str, shown))}")


def check_positive(cfg: Any, *names: str) -> None:
    """Each field must be a number > 0."""
    for name in names:
        value = getattr(cfg, name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise ConfigError(name, f"must be positive, got {value!r}")


def check_range(cfg: Any, name: str, lo: float, hi: float) -> None:
    """The field must be a number in [lo, hi]."""
    value = getattr(cfg, name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise ConfigError(name, f"must lie in [{lo:g}, {hi:g}], got {value!r}")


def check_integer(cfg: Any, name: str, minimum: int) -> None:
    """The field must be an integer >= ``minimum`` (booleans are not integers here)."""
    value = getattr(cfg, name)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(name, f"must be an integer >= {minimum}, got {value!r}")


@dataclasses.dataclass(frozen=True, kw_only=True)
class NetConfig:
    """Shape of the transformer denoiser.

    ``conditioning`` picks how a condition reaches the denoiser: ``cross`` runs a separate
    bidirectional encoder once per sample and cross-attends to it, ``prefix`` prepends the
    condition tokens to the sequence (decoder-only), ``none`` ignores conditions.

    The options after ``rope_base`` describe imported checkpoints (``adjax_code.model.hf_import``)
    and default to the network adjax trains: ``head_size`` (per-head width when it is not
    ``d_model / n_heads``, as in Qwen3), ``qkv_bias`` (Qwen2, Dream, DiffuCoder),
    ``qk_norm`` (per-head RMSNorm on queries and keys before RoPE, Qwen3), ``norm_eps``,
    ``head_bias`` (a bias on the output projection), ``shared_prefix_embed`` (prefix tokens
    read the code embedding, as in one decoder-only vocabulary) and ``logit_shift`` (the
    prediction for position i is read from the hidden state at i-1, the first position
    keeping its own: Dream and DiffuCoder keep their autoregressive initialisation so).

    ``remat`` recomputes each block's activations in the backward pass instead of keeping
    them (less memory, about a third more compute); ``scan_layers`` runs the denoiser's
    blocks as one ``lax.scan`` over their stacked weights, so a deep network compiles one
    block instead of ``n_layers``. Neither changes the weights or their names.
    """

    input_kind: Literal["tokens", "continuous"] = "tokens"
    vocab_size: int = 0
    in_features: int = 0
    out_features: int | None = None
    d_model: int = 128
    n_layers: int = 2
    n_heads: int = 4
    n_kv_heads: int | None = None
    mlp_hidden: int | None = None
    max_len: int = 128
    conditioning: Literal["none", "cross", "prefix"] = "none"
    cond_vocab_size: int | None = None
    cond_layers: int = 2
    cond_max_len: int = 64
    time_conditioning: bool = False
    dtype: str = "float32"
    rope_base: float = 10_000.0
    head_size: int | None = None
    qkv_bias: bool = False
    qk_norm: bool = False
    norm_eps: float = 1e-6
    head_bias: bool = True
    shared_prefix_embed: bool = False
    logit_shift: bool = False
    remat: bool = False
    scan_layers: bool = False

    def __post_init__(self):
        check_choice("input_kind", self.input_kind, {"tokens", "continuous"})
        check_choice("conditioning", self.conditioning, {"none", "cross", "prefix"})
        check_choice("dtype", self.dtype, set(DTYPES))
        check_positive(self, "d_model", "n_layers", "n_heads", "max_len")
        if self.input_kind == "tokens" and self.vocab_size <= 0:
            raise ValueError("vocab_size must be positive for token inputs")
        if self.input_kind == "continuous" and self.in_features <= 0:
            raise ValueError("in_features must be positive for continuous inputs")
        if self.head_size is None and self.d_model % self.n_heads:
            raise ValueError(f"d_model={self.d_model} must divide by n_heads={self.n_heads}")
        if self.head_size is not None:
            check_integer(self, "head_size", 2)
        check_range(self, "norm_eps", 0.0, 1.0)
        if self.shared_prefix_embed and self.conditioning != "prefix":
            raise ValueError("shared_prefix_embed needs conditioning='prefix'")
        if self.kv_heads <= 0 or self.n_heads % self.kv_heads:
            raise ValueError(f"n_heads={self.n_heads} must divide by n_kv_heads={self.kv_heads}")
        if self.head_dim % 2:
            raise ValueError("the head dimension must be even for rotary embeddings")
        if self.conditioning == "cross" and self.cond_layers <= 0:
            raise ValueError("cross conditioning needs cond_layers >= 1")

    @property
    def kv_heads(self) -> int:
        return self.n_kv_heads or self.n_heads

    @property
    def head_dim(self) -> int:
        return self.head_size or self.d_model // self.n_heads

    @property
    def hidden(self) -> int:
        # SwiGLU keeps the parameter count of a 4x MLP with 2/3 of the width, rounded to 32.
        return self.mlp_hidden or max(32, (int(self.d_model * 8 / 3) + 31) // 32 * 32)

    @property
    def outputs(self) -> int:
        if self.out_features is not None:
            return self.out_features
        return self.vocab_size if self.input_kind == "tokens" else self.in_features

    @property
    def compute_dtype(self):
        return DTYPES[self.dtype]


@dataclasses.dataclass(frozen=True, kw_only=True)
class MaskedDiffusionConfig:
    """Absorbing-state diffusion: which id is [MASK], the schedule, and the ELBO estimator.

    ``discrete_steps=None`` uses the continuous-time ELBO; an integer T uses the T-step
    discrete-time bound. ``t_min`` keeps the 1/t-like weight finite near t = 0.

    ``cond_dropout``: the probability that a training row sees only the first
    ``cond_keep`` condition tokens (the rest masked out), so that one network also learns
    the unconditional branch classifier-free guidance contrasts with (in adjax_code the
    kept token is the language tag).
    """

    mask_id: int
    schedule: str = "linear"
    t_min: float = 1e-3
    antithetic: bool = True
    discrete_steps: int | None = None
    cond_dropout: float = 0.0
    cond_keep: int = 1

    def __post_init__(self):
        check_range(self, "cond_dropout", 0.0, 1.0)
        check_integer(self, "cond_keep", 0)
        if self.mask_id < 0:
            raise ValueError(f"mask_id must be a token id, got {self.mask_id}")
        if not 0.0 <= self.t_min < 1.0:
            raise ValueError(f"t_min must lie in [0, 1), got {self.t_min}")
        if self.discrete_steps is not None and self.discrete_steps < 1:
            raise ValueError(f"discrete_steps must be >= 1, got {self.discrete_steps}")


@dataclasses.dataclass(frozen=True, kw_only=True)
class SamplerConfig:
    """How the masked sampler moves from all-mask to text.

    ``rule`` names a registered step rule (see ``adjax.sampling``): ``ancestral`` unmasks
    each masked token with the schedule's reverse probability;
    ``confidence`` commits, per row, the k most confident predictions, with k set by the
    schedule. ``score`` ranks confidence: ``low_confidence`` (probability of the sampled
    token), ``margin`` (top-1 minus top-2 probability), ``entropy`` (negative entropy) or
    ``random``. ``block_size`` turns on semi-autoregressive blocks. ``guidance_scale`` s > 0
    mixes logits as ``uncond + (1 + s) * (cond - uncond)``.

    ``threshold`` and ``factor`` are dynamic rules (Fast-dLLM): each step commits every
    eligible position whose confidence reaches ``threshold`` (or, for ``factor``, the n most
    confident while the i-th reaches 1 - ``factor`` / (i + 1)), always at least one; the
    number of steps follows, at most ``num_steps`` (the last commits what is left).

    ``end_fill``: once a row commits an end token, the masks after it are filled at once
    (see ``adjax.sampling.sample``); off, they are decoded like any others.
    ``end_threshold``: end tokens (EOS, PAD) predicted with at least this probability are
    committed at once, outside the step's budget, which then goes to the code still masked;
    None decodes them like any other token. Both need the sampler's ``end_ids``.

    ``rounding`` turns the confidence rule's expected count into an integer: ``nearest``,
    ``up`` (with the linear schedule: LLaDA's even split, the remainder in the first steps)
    or ``down`` (Dream's). ``t_min`` ends the time grid at t_min instead of 0, as Dream's
    ``linspace(1, eps, steps + 1)`` does; the last step still commits everything.

    ``cache`` keeps every layer's self-attention keys and values between steps (Fast-dLLM's
    caches; a network with ``denoise_cached`` and ``denoise_window``): a full pass at the
    start of each block refreshes them, and the steps in between rerun only ``"dual"``: the
    current block (every other position read from the cache), or ``"prompt"``: every code
    position (only the prompt's read from the cache). In a bidirectional network the cached
    values go stale as tokens are committed: an approximation, measured in
    docs/decoding.md. With a dynamic rule the batch then shares its block (the earliest
    unfinished), so the cache is refreshed once a block.

    ``mask_in_softmax``: the confidence and threshold rules rank by a softmax over the whole
    vocabulary, [MASK] included, as LLaDA's and Dream's reference loops do (for parity
    runs); off, the default, [MASK] is left out of it, as it is out of the draw. Either
    way [MASK] is never placed.
    """

    num_steps: int = 32
    rule: str = "confidence"
    score: Literal["low_confidence", "margin", "entropy", "random"] = "low_confidence"
    schedule: str = "linear"
    block_size: int | None = None
    temperature: float = 1.0
    top_p: float = 1.0
    guidance_scale: float = 0.0
    rounding: Literal["nearest", "up", "down"] = "nearest"
    t_min: float = 0.0
    threshold: float = 0.9
    factor: float = 1.0
    end_fill: bool = False
    end_threshold: float | None = None
    cache: Literal["prompt", "dual"] | None = None
    mask_in_softmax: bool = False

    def __post_init__(self):
        check_choice("rounding", self.rounding, ("nearest", "up", "down"))
        if self.cache is not None:
            check_choice("cache", self.cache, ("prompt", "dual"))
        check_range(self, "t_min", 0.0, 0.5)
        check_range(self, "threshold", 0.0, 1.0)
        check_positive(self, "factor")
        if self.end_threshold is not None:
            check_range(self, "end_threshold", 0.0, 1.0)
        check_choice("score", self.score, {"low_confidence", "margin", "entropy", "random"})
        check_positive(self, "num_steps")
        if self.block_size is not None and self.block_size <= 0:
            raise ValueError(f"block_size must be positive, got {self.block_size}")
        if self.temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature}")
        if not 0.0 < self.top_p <= 1.0:
            raise ValueError(f"top_p must lie in (0, 1], got {self.top_p}")
        if self.guidance_scale < 0:
            raise ValueError(f"guidance_scale must be >= 0, got {self.guidance_scale}")


@dataclasses.dataclass(frozen=True, kw_only=True)
class GaussianConfig:
    """Gaussian diffusion on a grid of ``num_timesteps`` steps of the schedule's alpha_bar."""

    schedule: str = "cosine"
    num_timesteps: int = 1000
    prediction: Literal["eps", "x0", "v"] = "eps"

    def __post_init__(self):
        check_choice("prediction", self.prediction, {"eps", "x0", "v"})
        check_positive(self, "num_timesteps")


@dataclasses.dataclass(frozen=True, kw_only=True)
class OptimConfig:
    """AdamW with linear warmup then cosine decay, global-norm clipping and optional EMA."""

    learning_rate: float = 3e-4
    warmup_steps: int = 100
    total_steps: int = 10_000
    end_lr_ratio: float = 0.1
    weight_decay: float = 0.01
    b1: float = 0.9
    b2: float = 0.99
    clip_norm: float = 1.0
    ema_decay: float | None = None

    def __post_init__(self):
        check_positive(self, "learning_rate", "total_steps", "clip_norm")
        if not 0 <= self.warmup_steps <= self.total_steps:
            raise ValueError("warmup_steps must lie in [0, total_steps]")
        if self.ema_decay is not None and not 0.0 < self.ema_decay < 1.0:
            raise ValueError(f"ema_decay must lie in (0, 1), got {self.ema_decay}")


@dataclasses.dataclass(frozen=True, kw_only=True)
class TrainConfig:
    """The outer loop: batch shape, length of the run, checkpoint cadence."""

    batch_size: int = 32
    steps: int = 1000
    eval_every: int = 100
    checkpoint_every: int = 500
    keep_checkpoints: int = 3
    seed: int = 0

    def __post_init__(self):
        check_positive(self, "batch_size", "steps", "eval_every", "checkpoint_every")
        check_positive(self, "keep_checkpoints")


@dataclasses.dataclass(frozen=True, kw_only=True)
class MeshConfig:
    """Where a run places its arrays (``adjax.sharding``).

    ``data`` x ``model`` devices; ``data=-1`` takes every device ``model`` leaves (across
    all processes of a multi-host run). The default, 1 x 1, is one device and no mesh.
    ``strategy``: ``dp``, ``fsdp``, ``tp`` or ``fsdp_tp``. ``accum_steps`` splits each batch
    into that many micro-batches whose gradients make one update.
    """

    data: int = 1
    model: int = 1
    strategy: str = "dp"
    accum_steps: int = 1

    def __post_init__(self):
        check_choice("strategy", self.strategy, ("dp", "fsdp", "tp", "fsdp_tp"))
        if isinstance(self.data, bool) or not isinstance(self.data, int) or \
                (self.data != -1 and self.data < 1):
            raise ConfigError("data", f"must be -1 (every device) or >= 1, got {self.data!r}")
        check_integer(self, "model", 1)
        check_integer(self, "accum_steps", 1)

    @property
    def single_device(self) -> bool:
        return self.data == 1 and self.model == 1


def to_dict(cfg: Any) -> dict[str, Any]:
    """A JSON-ready dict of a config dataclass (for checkpoint metadata)."""
    return dataclasses.asdict(cfg)


def from_dict(cls: type, data: dict[str, Any]):
    """Rebuilds a config dataclass; unknown keys are an error naming the valid ones."""
    valid = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - valid
    if unknown:
        raise ValueError(
            f"unknown {cls.__name__} keys {sorted(unknown)}; valid keys: {sorted(valid)}"
        )
    return cls(**data)
