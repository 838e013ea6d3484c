"""Specification -> code: encode the spec once, sample with the jitted masked sampler, cut
at EOS, repair syntax by remasking tree-sitter error spans, rerank candidates by reward.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from adjax import checkpoint, sampling, train
from adjax.config import (
    MaskedDiffusionConfig,
    NetConfig,
    OptimConfig,
    SamplerConfig,
    TrainConfig,
    from_dict,
)
from adjax.nets import Transformer
from adjax.nets.functional import split
from adjax_code import rewards, syntax
from adjax_code.data import DataConfig
from adjax_code.tokenizer import CodeTokenizer


@dataclasses.dataclass
class Candidate:
    code: str
    scores: dict
    repair_rounds: int


@dataclasses.dataclass
class Generation:
    candidates: list[Candidate]
    timings: dict

    @property
    def best(self) -> Candidate:
        return max(self.candidates, key=lambda c: c.scores["overall"])


class Generator:
    """Holds a loaded model; every call is pure given (spec, language, seed)."""

    def __init__(self, model, params, tokenizer: CodeTokenizer, cfg: dict):
        self.model, self.params, self.tok, self.cfg = model, params, tokenizer, cfg

    @classmethod
    def load(cls, run_dir: str | Path) -> Generator:
        """Loads a training run directory (tokenizer.json + checkpoints/)."""
        run_dir = Path(run_dir)
        tok = CodeTokenizer.load(run_dir / "tokenizer.json")
        with checkpoint.Checkpointer(run_dir / "checkpoints") as ckpt:
            meta = ckpt.read_meta()
            saved = meta["config"]
            cfg = {
                "net": from_dict(NetConfig, saved["net"]),
                "diffusion": from_dict(MaskedDiffusionConfig, saved["diffusion"]),
                "sampler": from_dict(SamplerConfig, saved["sampler"]),
                "optim": from_dict(OptimConfig, saved["optim"]),
                "train": from_dict(TrainConfig, saved["train"]),
                "data": from_dict(DataConfig, {**saved["data"],
                                               "buckets": tuple(saved["data"]["buckets"])}),
            }
            model, params = split(Transformer(cfg["net"], rngs=nnx.Rngs(0)))
            opt = train.make_optimizer(cfg["optim"])
            template = train.init_state(params, opt, jax.random.key(0),
                                        ema=cfg["optim"].ema_decay is not None)
            state, _ = ckpt.restore(checkpoint.abstract(template))
        params = state.ema_params if state.ema_params is not None else state.params
        return cls(model, params, tok, cfg)

    def _cond(self, spec: str, language: str, n: int) -> tuple[jax.Array, jax.Array]:
        length = self.cfg["data"].cond_len
        ids = ([self.tok.language_id(language)] + self.tok.encode(spec))[:length]
        row = ids + [self.tok.pad_id] * (length - len(ids))
        cond = jnp.asarray([row] * n, jnp.int32)
        return cond, cond != self.tok.pad_id

    def _decode(self, row: np.ndarray) -> tuple[str, list[int]]:
        ids = [int(t) for t in row]
        if self.tok.eos_id in ids:
            ids = ids[:ids.index(self.tok.eos_id)]
        ids = [t for t in ids if t != self.tok.pad_id]
        return self.tok.decode(ids), ids

    def generate(self, spec: str, language: str, *, samples: int = 4, seed: int = 0,
                 steps: int | None = None, length: int | None = None, prefix: str = "",
                 repair_rounds: int = 2, tests: str | None = None) -> Generation:
        """Candidates for ``spec``, best first by overall reward.

        Args:
          length: the token bucket (default: the largest the model was trained with).
          prefix: code the output must start with; its tokens are clamped.
          repair_rounds: rounds of remasking tree-sitter error spans and resampling.
          tests: test code in the language, to add the functional reward.
        """
        if not spec.strip():
            raise ValueError("the specification is empty")
        buckets = self.cfg["data"].buckets
        length = length or max(buckets)
        scfg = self.cfg["sampler"]
        if steps:
            scfg = dataclasses.replace(scfg, num_steps=steps)
        mask = self.cfg["diffusion"].mask_id
        prefix_ids = self.tok.encode(prefix) if prefix else []
        if len(prefix_ids) >= length:
            raise ValueError(f"the prefix takes {len(prefix_ids)} tokens; the output holds "
                             f"{length}")
        tokens = np.full((samples, length), mask, np.int32)
        tokens[:, :len(prefix_ids)] = prefix_ids
        cond, cond_mask = self._cond(spec, language, samples)
        key = jax.random.key(seed)
        t0 = time.perf_counter()
        out = np.asarray(sampling.sample_jit(self.params, key, jnp.asarray(tokens), cond,
                                             cond_mask, model=self.model, cfg=scfg,
                                             mask_id=mask))
        t_sample = time.perf_counter() - t0
        rounds = np.zeros(samples, int)
        t0 = time.perf_counter()
        for r in range(repair_rounds):
            remask = np.asarray(out).copy()
            todo = False
            for i, row in enumerate(out):
                code, ids = self._decode(row)
                spans = syntax.error_spans(code, language)
                if not spans:
                    continue
                hit = syntax.spans_to_tokens(spans, self.tok.byte_offsets(ids), margin=1)
                hit = [h for h in hit if h >= len(prefix_ids)]
                if hit:
                    remask[i, hit] = mask
                    rounds[i] += 1
                    todo = True
            if not todo:
                break
            out = np.asarray(sampling.sample_jit(
                self.params, jax.random.fold_in(key, r + 1), jnp.asarray(remask), cond,
                cond_mask, model=self.model, cfg=scfg, mask_id=mask))
        t_repair = time.perf_counter() - t0
        codes = [self._decode(row)[0] for row in out]
        scores = rewards.score(codes, language, spec=spec, tests=tests)
        cands = [Candidate(c, s, int(n)) for c, s, n in zip(codes, scores, rounds, strict=True)]
        cands.sort(key=lambda c: -c.scores["overall"])
        n_tokens = samples * length
        return Generation(cands, {"sample_s": t_sample, "repair_s": t_repair,
                                  "tokens": n_tokens,
                                  "tokens_per_s": n_tokens / max(t_sample, 1e-9)})
