"""The API's settings: ``APIConfig`` (validated, frozen), its TOML file and its device."""

from __future__ import annotations

import dataclasses
import difflib
import os
from pathlib import Path
from typing import Any

import jax

from adjax.config import ConfigError, check_choice, check_integer, check_range
from adjax_adapt import mechanisms
from adjax_code.generate.decoding import Decoding
from adjax_code.judge import rewards
from adjax_code.lang import languages

PRECISIONS = ("float32", "bfloat16", "float16")
DEVICES = ("cpu", "gpu", "cuda", "tpu")
MAX_SPEC_CHARS = 100_000  # a specification longer than this is a mistake, not a spec


@dataclasses.dataclass(frozen=True)
class APIConfig:
    """Settings of a ``CodeGenerationAPI``; build one from a dict with ``from_dict``.

    Attributes:
      default_language: the language when a call names none.
      adaptation_type: the adaptation mechanism (gradient, memory, hybrid, or a registered
        name); see ``adjax_adapt.mechanisms``.
      gradient_weight, memory_weight: the hybrid mechanism's shares (exact semantics in
        ``adjax_adapt.mechanisms``).
      batch_size: candidates sampled in parallel per call; the best by reward is returned.
      precision: the computation dtype (parameters stay float32).
      device: cpu, gpu (cuda is a synonym) or tpu; None takes JAX's default backend.
      seed: the seed of the API's PRNG key.
      steps: denoising steps (None: the model's own); with ``threshold``, their cap.
      threshold: commit every position whose confidence reaches it, at least one a step
        (None: the model's step rule); as ``adjax generate --threshold``.
      block_size: semi-autoregressive blocks of this many tokens (None: the model's).
      cache: key/value cache between denoising steps, ``prompt`` or ``dual`` (None: off).
      max_length: output tokens (None: the model's default).
      temperature: sampling temperature (0: greedy).
      guidance_scale: classifier-free guidance against a language-only condition (0: off);
        only for models trained with ``diffusion.cond_dropout`` > 0 (the shipped one is not).
      repair_rounds: rounds of remasking syntax errors after sampling.
      adapt_steps: optimizer steps per ``adapt_code`` call (gradient and hybrid).
      lora_rank: > 0 trains LoRA adapters of this rank only, the base frozen in its stored
        dtype (0: all weights); lora_alpha (default 2 x rank), lora_dropout and lora_targets
        (of q k v o gate up down; default all) as ``adjax adapt --lora-*``.
      master: full fine-tuning of a float32 master of low-precision weights.
      syntax_weight, quality_weight, relevance_weight, functional_weight: the weights of the
        overall reward.
    """

    default_language: str = "python"
    adaptation_type: str = "hybrid"
    gradient_weight: float = 0.5
    memory_weight: float = 0.5
    batch_size: int = 4
    precision: str = "float32"
    device: str | None = None
    seed: int = 0
    steps: int | None = None
    threshold: float | None = None
    block_size: int | None = None
    cache: str | None = None
    max_length: int | None = None
    temperature: float = 1.0
    guidance_scale: float = 0.0
    repair_rounds: int = 2
    adapt_steps: int = 4
    lora_rank: int = 0
    lora_alpha: float | None = None
    lora_dropout: float = 0.0
    lora_targets: tuple[str, ...] | None = None
    master: bool = False
    syntax_weight: float = rewards.DEFAULT_WEIGHTS["syntax"]
    quality_weight: float = rewards.DEFAULT_WEIGHTS["quality"]
    relevance_weight: float = rewards.DEFAULT_WEIGHTS["relevance"]
    functional_weight: float = rewards.DEFAULT_WEIGHTS["functional"]

    def __post_init__(self):
        try:
            check_choice("default_language", self.default_language, languages.names())
            check_choice("adaptation_type", self.adaptation_type, mechanisms.names())
            check_choice("precision", self.precision, PRECISIONS)
            if self.device is not None:
                check_choice("device", self.device, DEVICES)
            check_integer(self, "batch_size", 1)
            for name in ("repair_rounds", "adapt_steps", "seed", "lora_rank"):
                check_integer(self, name, 0)
            for name in ("steps", "max_length"):
                if getattr(self, name) is not None:
                    check_integer(self, name, 1)
            for name in ("gradient_weight", "memory_weight", "temperature", "guidance_scale",
                         "syntax_weight", "quality_weight", "relevance_weight",
                         "functional_weight"):
                check_range(self, name, 0.0, float("inf"))
        except ConfigError as err:
            raise ValueError(f"config key {err.key!r}: {err.message}") from None
        try:
            self.decoding  # noqa: B018 - validates the decoding options
        except ValueError as err:
            key = str(err).split(" ", 1)[0]
            raise ValueError(f"config key {key!r}: {err}") from None
        if self.gradient_weight + self.memory_weight <= 0:
            raise ValueError("config keys gradient_weight and memory_weight: their sum must "
                             "be positive")
        if self.lora_targets is not None:
            object.__setattr__(self, "lora_targets", tuple(self.lora_targets))
        try:
            self.adapt  # noqa: B018 - validates the adapter options
        except (ValueError, TypeError) as err:
            raise ValueError(f"config key 'lora_rank': {err}") from None

    @classmethod
    def from_dict(cls, values: dict | None) -> APIConfig:
        """A validated config; an unknown key or a bad value raises ValueError naming it."""
        if values is None:
            return cls()
        if isinstance(values, APIConfig):
            return values
        if not isinstance(values, dict):
            raise ValueError(f"config must be a dict, got {type(values).__name__}")
        valid = [f.name for f in dataclasses.fields(cls)]
        for key in values:
            if key not in valid:
                near = difflib.get_close_matches(str(key), valid, n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                raise ValueError(f"unknown config key {key!r}{hint}; valid keys: "
                                 f"{', '.join(valid)}")
        return cls(**values)

    @property
    def decoding(self) -> Decoding:
        """The decoding options, translated into the sampler as the CLI's are."""
        return Decoding(steps=self.steps, threshold=self.threshold, block_size=self.block_size,
                        cache=self.cache, temperature=float(self.temperature),
                        guidance_scale=float(self.guidance_scale))

    @property
    def reward_weights(self) -> dict[str, float]:
        return {"syntax": self.syntax_weight, "quality": self.quality_weight,
                "relevance": self.relevance_weight, "functional": self.functional_weight}

    @property
    def adapt(self) -> mechanisms.AdaptConfig:
        return mechanisms.AdaptConfig(
            mechanism=self.adaptation_type, gradient_weight=self.gradient_weight,
            memory_weight=self.memory_weight, steps_per_update=max(self.adapt_steps, 1),
            batch_size=8, reward_mode="weighted", memory_threshold=0.9, lora=self.lora,
            master=self.master)

    @property
    def lora(self):
        """The ``adjax_adapt.adapters.LoraConfig`` of the lora_* keys (None at rank 0)."""
        given = [k for k in ("lora_alpha", "lora_targets") if getattr(self, k) is not None]
        given += ["lora_dropout"] if self.lora_dropout else []
        if not self.lora_rank:
            if given:
                raise ValueError(f"{', '.join(given)} need lora_rank > 0")
            return None
        from adjax_adapt import adapters

        return adapters.LoraConfig(
            rank=self.lora_rank,
            alpha=2.0 * self.lora_rank if self.lora_alpha is None else self.lora_alpha,
            dropout=self.lora_dropout, targets=self.lora_targets or adapters.TARGETS)


def resolve_device(name: str | None) -> jax.Device:
    """The first JAX device of a config ``device`` name; a clear error when absent."""
    if name is None:
        return jax.devices()[0]
    platform = {"cuda": "gpu"}.get(name, name)
    try:
        return jax.devices(platform)[0]
    except RuntimeError:
        have = sorted({d.platform for d in jax.devices()})
        raise ValueError(f"config key 'device': no {name} device is present (JAX sees: "
                         f"{', '.join(have)}); install the jax build for it (for example "
                         "`pip install -U 'jax[cuda12]'`) or use device='cpu'") from None


def load_config(path: str | os.PathLike) -> APIConfig:
    """An ``APIConfig`` from a TOML file (``adjax init`` writes one); keys as in the dict."""
    import tomllib

    path = Path(path)
    if path.is_dir():
        raise ValueError(f"config file {path} is a directory, not a TOML file")
    try:
        values = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(f"config file {path} does not exist") from None
    except PermissionError:
        raise ValueError(f"config file {path} is not readable") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"config file {path} is not valid TOML: {err}") from None
    return APIConfig.from_dict(values)


def check_text(value: Any, what: str, limit: int = MAX_SPEC_CHARS) -> str:
    """``value`` as text (bytes decoded as UTF-8); a clear ValueError when it is not text,
    is blank or is longer than ``limit``."""
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError as err:
            raise ValueError(f"the {what} is not UTF-8 text (bad byte at offset {err.start})"
                             ) from None
    if not isinstance(value, str):
        raise ValueError(f"the {what} must be text, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"the {what} is empty")
    if len(value) > limit:
        raise ValueError(f"the {what} has {len(value):,} characters; at most {limit:,} are "
                         "accepted")
    return value
