"""User-level decoding options and their one translation into a ``SamplerConfig``.

The CLI's flags (``--steps --threshold --block-size --cache --grow --temperature``) and the
API's config keys of the same names are read into one ``Decoding``; ``Decoding.sampler``
turns it into the sampler configuration the generator runs, so both surfaces decode alike.
"""

from __future__ import annotations

import dataclasses

from adjax.config import SamplerConfig

# As measured in benchmarks/bench_decode.py: with a threshold, end tokens predicted with at
# least this probability are committed at once and the masks after them filled.
END_THRESHOLD = 0.9
CACHES = ("prompt", "dual")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Decoding:
    """How to decode, in the words a user gives; None leaves the model's own setting.

    Attributes:
      steps: denoising steps; with ``threshold``, the cap on them (default: the length).
      threshold: commit every position whose confidence reaches it (at least one a step):
        Fast-dLLM's threshold rule, with the end handled inside the loop.
      block_size: semi-autoregressive blocks of this many tokens.
      cache: key/value cache between steps, ``prompt`` or ``dual`` (an approximation).
      temperature: sampling temperature (0: greedy).
      guidance_scale: classifier-free guidance against a language-only condition.
      grow: draft at the smallest length bucket and move only unfinished rows up.
    """

    steps: int | None = None
    threshold: float | None = None
    block_size: int | None = None
    cache: str | None = None
    temperature: float | None = None
    guidance_scale: float | None = None
    grow: bool = False

    def __post_init__(self):
        for name in ("steps", "block_size"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < 1):
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if self.threshold is not None and not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"threshold must lie in (0, 1], got {self.threshold!r}")
        if self.cache is not None and self.cache not in CACHES:
            raise ValueError(f"cache must be one of {', '.join(CACHES)}, got {self.cache!r}")
        for name in ("temperature", "guidance_scale"):
            value = getattr(self, name)
            if value is not None and not value >= 0.0:
                raise ValueError(f"{name} must be >= 0, got {value!r}")

    def sampler(self, base: SamplerConfig, length: int) -> SamplerConfig:
        """``base`` (the model's sampler) with these options applied, for ``length`` tokens."""
        cfg = base
        if self.threshold is not None:
            cfg = dataclasses.replace(cfg, rule="threshold", threshold=float(self.threshold),
                                      end_fill=True, end_threshold=END_THRESHOLD,
                                      num_steps=self.steps or length)
        elif self.steps is not None:
            cfg = dataclasses.replace(cfg, num_steps=self.steps)
        if self.block_size is not None or self.cache is not None:
            cfg = dataclasses.replace(cfg, cache=self.cache,
                                      block_size=self.block_size or cfg.block_size)
        if self.temperature is not None:
            cfg = dataclasses.replace(cfg, temperature=float(self.temperature))
        if self.guidance_scale is not None:
            cfg = dataclasses.replace(cfg, guidance_scale=float(self.guidance_scale))
        return cfg
