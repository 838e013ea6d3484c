"""The Python API: ``create_code_generation_api()`` and a thin stateful shell over the pure core.

Everything that computes is a pure function elsewhere (the jitted sampler, the ELBO step, the
rewards); ``CodeGenerationAPI`` only holds what a session accumulates: the loaded model, the
validated config, and an ``AdaptState`` (params, optimizer state, trajectory buffer, PRNG key,
step) that ``adapt_code`` updates functionally and ``save_state``/``load_state`` persist.

Seeds: every call draws its sampling seed from the state's key and advances the key, so two
APIs built with the same ``seed`` give the same outputs call for call, and a state saved
after N calls and loaded again continues exactly where it left off.

    >>> api = create_code_generation_api(config={"batch_size": 2})  # doctest: +SKIP
    >>> print(api.generate_code("Return the sum of a list of numbers."))  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import jax
import numpy as np
from flax import nnx

from adjax.config import ConfigError, check_choice, check_integer, check_range, to_dict
from adjax.nets import Transformer
from adjax.nets.functional import split_abstract
from adjax_adapt import mechanisms
from adjax_code.adapt import evolve
from adjax_code.generate import refine
from adjax_code.generate.generator import Generator, Request
from adjax_code.judge import rewards
from adjax_code.lang import languages
from adjax_code.model import model_store, runtime

PRECISIONS = ("float32", "bfloat16", "float16")
DEVICES = ("cpu", "gpu", "cuda", "tpu")
STATE_FORMAT = 1
_STATE_FILE, _TOKENIZER = "api.json", "tokenizer.json"
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
      steps: denoising steps (None: the model's own).
      max_length: output tokens (None: the model's default).
      temperature: sampling temperature (0: greedy).
      guidance_scale: classifier-free guidance against a language-only condition (0: off);
        only for models trained with ``diffusion.cond_dropout`` > 0 (the shipped one is not).
      repair_rounds: rounds of remasking syntax errors after sampling.
      adapt_steps: optimizer steps per ``adapt_code`` call (gradient and hybrid).
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
    max_length: int | None = None
    temperature: float = 1.0
    guidance_scale: float = 0.0
    repair_rounds: int = 2
    adapt_steps: int = 4
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
            for name in ("repair_rounds", "adapt_steps", "seed"):
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
        if self.gradient_weight + self.memory_weight <= 0:
            raise ValueError("config keys gradient_weight and memory_weight: their sum must "
                             "be positive")

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
    def reward_weights(self) -> dict[str, float]:
        return {"syntax": self.syntax_weight, "quality": self.quality_weight,
                "relevance": self.relevance_weight, "functional": self.functional_weight}

    @property
    def adapt(self) -> mechanisms.AdaptConfig:
        return mechanisms.AdaptConfig(
            mechanism=self.adaptation_type, gradient_weight=self.gradient_weight,
            memory_weight=self.memory_weight, steps_per_update=max(self.adapt_steps, 1),
            batch_size=8, reward_mode="weighted", memory_threshold=0.9)


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


# -- profiling ----------------------------------------------------------------------------

_COMPILE = {"seconds": 0.0}
_LISTENING = False


def _on_duration(event: str, duration: float, **_: Any) -> None:
    if event.startswith("/jax/core/compile/") or event.startswith("/jax/compilation_cache/"):
        _COMPILE["seconds"] += duration


def _listen() -> None:
    global _LISTENING
    if not _LISTENING:
        jax.monitoring.register_event_duration_secs_listener(_on_duration)
        _LISTENING = True


def resident_bytes() -> tuple[int, int]:
    """(current, peak) resident memory of this process in bytes: XLA's host buffers count."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak *= 1 if sys.platform == "darwin" else 1024  # kilobytes on Linux
    try:
        with open("/proc/self/statm") as f:
            current = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # pragma: no cover - not Linux
        current = peak
    return current, max(peak, current)  # the kernel updates its peak lazily


class _Profile:
    """Measures one API call into a ``last_profile`` dict."""

    def __init__(self, device: jax.Device, gen: Generator):
        self.device, self.gen = device, gen

    def __enter__(self):
        _listen()
        self.t0 = time.perf_counter()
        self.compile0 = _COMPILE["seconds"]
        self.stats0 = dict(self.gen.stats)
        return self

    def __exit__(self, *exc):
        elapsed = time.perf_counter() - self.t0
        compile_s = _COMPILE["seconds"] - self.compile0
        delta = {k: self.gen.stats[k] - self.stats0.get(k, 0) for k in self.gen.stats}
        tokens, passes = delta["tokens"], delta["forward_passes"]
        current, peak = resident_bytes()
        stats = self.device.memory_stats() or {}
        self.result = {
            "elapsed_time_sec": elapsed,
            "compile_time_sec": compile_s,
            "run_time_sec": max(elapsed - compile_s, 0.0),
            "memory_current_bytes": current,
            "memory_peak_bytes": peak,
            "device": f"{self.device.platform}:{self.device.id}",
            "device_memory_bytes": stats.get("bytes_in_use"),
            "device_memory_peak_bytes": stats.get("peak_bytes_in_use"),
            # code tokens written before each output's end (padding excluded)
            "tokens_generated": tokens,
            "tokens_per_sec": tokens / max(elapsed - compile_s, 1e-9) if tokens else 0.0,
            "forward_passes": passes,
            "slots_filled": delta["slots"],  # masked positions filled, padding included
        }
        return False


# -- the API ------------------------------------------------------------------------------

def _check_text(value: Any, what: str, limit: int = MAX_SPEC_CHARS) -> str:
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


class CodeGenerationAPI:
    """Generate, evaluate, improve, refine and adapt code with one loaded model.

    Attributes:
      config: the validated ``APIConfig`` (frozen).
      last_result: details of the last call (candidates, rewards, steps, repair rounds, ...).
      last_profile: time, memory and throughput of the last generate/adapt/improve/refine.
    """

    def __init__(self, generator: Generator, config: APIConfig):
        self.config = config
        self.device = resolve_device(config.device)
        self._base = generator
        self._gen = self._configure(generator, config)
        self._ctx: mechanisms.Context | None = None
        self._state = self._fresh_state()
        self.last_result: dict | None = None
        self.last_profile: dict | None = None

    # -- setup ----------------------------------------------------------------------------

    def _configure(self, base: Generator, cfg: APIConfig) -> Generator:
        """The base generator with the config's precision, sampler, weights and device."""
        if cfg.guidance_scale > 0 and base.cfg.diffusion.cond_dropout == 0:
            raise ValueError(
                "guidance_scale needs a model trained with condition dropout (config "
                "diffusion.cond_dropout > 0, e.g. `adjax train --set diffusion.cond_dropout="
                "0.1`): it contrasts the specification with the language-only condition, "
                "which this model never learned; use guidance_scale=0")
        net = dataclasses.replace(base.cfg.net, dtype=cfg.precision)
        model = base.model
        if net != base.cfg.net:
            model, _ = split_abstract(lambda: Transformer(net, rngs=nnx.Rngs(0)))
        sampler = dataclasses.replace(
            base.cfg.sampler, temperature=float(cfg.temperature),
            guidance_scale=float(cfg.guidance_scale),
            num_steps=cfg.steps or base.cfg.sampler.num_steps)
        params = jax.device_put(base.params, self.device)
        gen = Generator(model, params, base.tok, base.cfg.replace(net=net, sampler=sampler),
                        base.manifest)
        gen.reward_weights = cfg.reward_weights
        return gen

    @property
    def _length(self) -> int:
        return self.config.max_length or self._gen.default_length

    @property
    def context(self) -> mechanisms.Context:
        """What adaptation needs besides the state (built on first use)."""
        if self._ctx is None:
            replay, _ = evolve.heldout_rows(self._gen, self._length)
            self._ctx = mechanisms.Context(
                model=self._gen.model, diffusion=self._gen.cfg.diffusion,
                cfg=self.config.adapt, pad_id=self._gen.tok.pad_id,
                replay_tokens=replay.tokens, replay_cond=replay.cond,
                base_params=self._gen.params, mask_id=self._gen.cfg.diffusion.mask_id)
        return self._ctx

    def _bare_context(self) -> mechanisms.Context:
        """A context without replay rows: enough for ``starts`` and for a fresh state."""
        return mechanisms.Context(
            model=self._gen.model, diffusion=self._gen.cfg.diffusion,
            cfg=self.config.adapt, pad_id=self._gen.tok.pad_id,
            replay_tokens=np.zeros((0, self._length), np.int32),
            replay_cond=np.zeros((0, self._gen.cfg.data.cond_len), np.int32))

    def _fresh_state(self) -> mechanisms.AdaptState:
        with jax.default_device(self.device):
            return mechanisms.init_state(self._gen.params, self._bare_context(),
                                         jax.random.key(self.config.seed))

    @property
    def state(self) -> mechanisms.AdaptState:
        """The adaptation state (params, optimizer state, buffer, key, step, metrics)."""
        return self._state

    def _language(self, language: str | None) -> str:
        name = language or self.config.default_language
        return languages.get(name).name

    def _next_seed(self) -> int:
        key, sub = jax.random.split(self._state.key)
        self._state = self._state.replace(key=key)
        return int(jax.random.randint(sub, (), 0, 2**31 - 1))

    def _current(self) -> Generator:
        """A generator over the state's (possibly adapted) params."""
        gen = Generator(self._gen.model, self._state.params, self._gen.tok, self._gen.cfg,
                        self._gen.manifest)
        gen.reward_weights, gen.stats = self._gen.reward_weights, self._gen.stats
        return gen

    def _profile(self) -> _Profile:
        return _Profile(self.device, self._gen)

    # -- methods --------------------------------------------------------------------------

    def generate_code(self, specification: str, language: str | None = None, *,
                      prefix: str = "", tests: str | None = None) -> str:
        """The best of ``batch_size`` candidates for ``specification``.

        ``prefix`` is code the output starts with (kept exactly); ``tests`` adds the
        functional reward to the ranking. The adaptation mechanism picks the starting rows:
        with memory, a close buffered program is remasked and completed.
        """
        spec = _check_text(specification, "specification")
        lang = self._language(language)
        gen, n = self._current(), self.config.batch_size
        with self._profile() as prof, jax.default_device(self.device):
            seed = self._next_seed()
            rows = gen.start_rows(Request(spec, lang, prefix), 1, self._length)
            cond = np.asarray(gen.condition_row(spec, lang), np.int32)
            init = mechanisms.get(self.config.adaptation_type).starts(
                self._state, self._bare_context(), cond, rows, n,
                gen.cfg.diffusion.mask_id, jax.random.key(seed))
            result = gen.generate_many([Request(spec, lang, prefix, tests, init)], samples=n,
                                       seed=seed, length=self._length,
                                       repair_rounds=self.config.repair_rounds)[0]
        self.last_profile = prof.result
        self.last_result = {
            "method": "generate_code", "specification": spec, "language": lang,
            "seed": seed, "steps": gen.cfg.sampler.num_steps,
            "candidates": [{**c.to_json(), "index": c.index} for c in result.candidates],
            "repair_rounds": [c.repair_rounds for c in result.candidates],
            "timings": result.timings}
        return result.best.code

    def refine_code(self, code: str, language: str | None = None, iterations: int = 1, *,
                    specification: str = "", tests: str | None = None) -> str:
        """``code`` with its weakest spans remasked and resampled, ``iterations`` times; the
        result never scores lower than ``code`` (see ``adjax_code.generate.refine``)."""
        code = _check_text(code, "code")
        lang = self._language(language)
        if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 0:
            raise ValueError(f"iterations must be an integer >= 0, got {iterations!r}")
        with self._profile() as prof, jax.default_device(self.device):
            out = refine.refine(self._current(), code, lang, spec=specification, tests=tests,
                                iterations=iterations, candidates=self.config.batch_size,
                                seed=self._next_seed())
        self.last_profile = prof.result
        self.last_result = {"method": "refine_code", "language": lang, "score": out.score,
                            "history": out.history}
        return out.code

    def improve_code(self, code: str, feedback: str | dict, language: str | None = None, *,
                     specification: str = "", tests: str | None = None,
                     iterations: int = 2) -> str:
        """``code`` changed as ``feedback`` asks ("Add a docstring", "Add type hints",
        "Handle the empty list", or a dict of such texts applied in turn). A candidate wins
        only if it scores higher, and for known feedback kinds only if it has the asked-for
        property; otherwise ``code`` comes back unchanged (``last_result`` says so)."""
        code = _check_text(code, "code")
        lang = self._language(language)
        with self._profile() as prof, jax.default_device(self.device):
            out = refine.improve(self._current(), code, feedback, lang, spec=specification,
                                 tests=tests, iterations=iterations,
                                 candidates=self.config.batch_size, seed=self._next_seed())
        checks = [refine.feedback_check(f) for f in
                  (feedback.values() if isinstance(feedback, dict) else [feedback])]
        self.last_profile = prof.result
        self.last_result = {"method": "improve_code", "language": lang, "feedback": feedback,
                            "score": out.score, "changed": out.code != code,
                            "satisfied": all(c(out.code, lang) for c in checks if c),
                            "history": out.history}
        return out.code

    def adapt_code(self, code: str, language: str | None = None, feedback: str | dict |
                   None = None, *, specification: str = "", tests: str | None = None,
                   mechanism: str | None = None) -> str:
        """Improves ``code`` (``improve_code`` with feedback, else ``refine_code``) and learns
        from the result: it goes into the trajectory buffer with its reward and the
        adaptation mechanism updates the state (gradient steps, memory, or both), so later
        ``generate_code`` calls for similar specifications benefit.

        ``mechanism`` overrides ``adaptation_type`` for this call. ``grpo`` also samples a
        group of ``batch_size`` fresh candidates for the specification, scores them (the
        tests' functional reward when given, else the overall reward) and takes coupled-GRPO
        steps on the group (``adjax_adapt.grpo``)."""
        code = _check_text(code, "code")
        lang = self._language(language)
        mech = mechanisms.get(mechanism or self.config.adaptation_type)
        with self._profile() as prof, jax.default_device(self.device):
            gen = self._current()
            seed = self._next_seed()
            if feedback is not None:
                out = refine.improve(gen, code, feedback, lang, spec=specification,
                                     tests=tests, candidates=self.config.batch_size,
                                     seed=seed)
            else:
                out = refine.refine(gen, code, lang, spec=specification, tests=tests,
                                    candidates=self.config.batch_size, seed=seed)
            scores = rewards.score([out.code], lang, spec=specification or None, tests=tests,
                                   weights=self.config.reward_weights)[0]
            ctx = self.context
            spec = specification or _describe(out.code)
            row = self._token_row(out.code)
            stored = row is not None
            if stored:
                cond = np.asarray([gen.condition_row(spec, lang)], np.int32)
                before = int(self._state.metrics["updates"])
                self._state = mechanisms.add(self._state, row[None], cond,
                                             np.asarray([scores["overall"]]))
                self._state = mech.update(self._state, ctx)
                if hasattr(mech, "learn_groups"):
                    self._state = self._learn_group(mech, gen, spec, lang, tests, cond, seed)
                updates = int(self._state.metrics["updates"]) - before
            else:
                updates = 0
        self.last_profile = prof.result
        self.last_result = {"method": "adapt_code", "language": lang, "scores": scores,
                            "stored": stored, "updates": updates,
                            "buffer_size": int(self._state.buffer.valid.sum()),
                            "history": out.history}
        return out.code

    def _learn_group(self, mech, gen: Generator, spec: str, lang: str, tests: str | None,
                     cond: np.ndarray, seed: int) -> mechanisms.AdaptState:
        """A group of fresh candidates for ``spec``, rewarded, for a group-learning
        mechanism (GRPO)."""
        samples = max(2, self.config.batch_size)
        result = gen.generate(spec, lang, samples=samples, seed=seed + 1, tests=tests,
                              length=self._length, repair_rounds=0)
        cands = sorted(result.candidates, key=lambda c: c.index)
        key = "functional" if tests else "overall"
        reward = np.asarray([[c.scores[key] for c in cands]], np.float32)
        tokens = np.stack([c.row for c in cands])[None]
        mask = gen.cfg.diffusion.mask_id
        prefix = int((gen.start_rows(Request(spec, lang), 1, self._length)[0] != mask).sum())
        gen_mask = evolve.generated_positions(tokens, [prefix], gen.tok.pad_id)
        return mech.learn_groups(self._state, self.context, tokens, gen_mask, cond, reward)

    def _token_row(self, code: str) -> np.ndarray | None:
        """``code`` as one output row (tokens, EOS, PAD), or None when it does not fit."""
        tok = self._gen.tok
        ids = tok.encode(code)
        if len(ids) + 1 > self._length:
            return None
        row = np.full(self._length, tok.pad_id, np.int32)
        row[:len(ids)] = ids
        row[len(ids)] = tok.eos_id
        return row

    def evaluate_code(self, code: str, language: str | None = None,
                      specification: str | None = None, tests: str | None = None) -> dict:
        """Rewards of ``code``: syntax, quality, relevance (with a specification), functional
        (with tests, run in the sandbox) and their weighted overall, each in [0, 1]."""
        code = _check_text(code, "code")
        lang = self._language(language)
        if specification is not None:
            specification = _check_text(specification, "specification")
        scores = rewards.score([code], lang, spec=specification, tests=tests,
                               weights=self.config.reward_weights)[0]
        self.last_result = {"method": "evaluate_code", "language": lang, "scores": scores}
        return scores

    # -- state ----------------------------------------------------------------------------

    def _identity(self) -> dict:
        return {"net": to_dict(self._base.cfg.net),
                "diffusion": to_dict(self._base.cfg.diffusion),
                "output_length": self._length,
                "cond_len": self._gen.cfg.data.cond_len,
                "tokenizer_vocab": self._gen.tok.vocab_size}

    def save_state(self, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
        """Writes params, optimizer state, buffer, key, config and tokenizer to ``path``
        (orbax for the arrays). Atomic: the state is written to a temporary sibling and
        renamed over ``path`` only when complete, so a crash leaves the previous state.

        A previous saved state at ``path`` is replaced; any other non-empty directory only
        with ``overwrite`` (a ``ValueError`` otherwise), and never one holding the current
        working directory."""
        from adjax import checkpoint

        path = Path(path)
        try:
            model_store.check_target(path, _STATE_FILE, force=overwrite, what="saved state")
        except model_store.ModelError as err:
            raise ValueError(str(err).replace("pass --force", "pass overwrite=True")) from None
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
        try:
            with checkpoint.Checkpointer(tmp / "state", keep=1) as ckpt:
                ckpt.save(0, self._state)
            self._gen.tok.save(tmp / _TOKENIZER)
            files = {str(p.relative_to(tmp)): model_store.sha256(p)
                     for p in sorted(tmp.rglob("*")) if p.is_file()}
            meta = {"format": STATE_FORMAT, "config": dataclasses.asdict(self.config),
                    "model": self._identity(), "files": files}
            (tmp / _STATE_FILE).write_text(json.dumps(meta, indent=2) + "\n")
            model_store.install_dir(tmp, path, marker=_STATE_FILE, force=overwrite,
                                    what="saved state")
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return path

    def load_state(self, path: str | os.PathLike) -> None:
        """Restores a state written by ``save_state``; checks the files' sha256, the format
        and that the state fits this model, and explains any mismatch. Nothing changes when
        it fails."""
        from adjax import checkpoint

        path = Path(path)
        meta_file = path / _STATE_FILE
        if not meta_file.is_file():
            raise ValueError(f"{path} holds no saved API state ({_STATE_FILE} is missing)")
        try:
            meta = json.loads(meta_file.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise ValueError(f"{meta_file} is corrupted: {err}") from None
        if not isinstance(meta, dict) or not all(
                isinstance(meta.get(k), dict) for k in ("model", "files", "config")):
            raise ValueError(f"{meta_file} is not a saved API state (it needs the objects "
                             "model, files and config)")
        if meta.get("format") != STATE_FORMAT:
            raise ValueError(f"{path} is a format-{meta.get('format')} state; this version "
                             f"reads format {STATE_FORMAT}")
        bad = [name for name, digest in meta.get("files", {}).items()
               if not (path / name).is_file() or model_store.sha256(path / name) != digest]
        if bad:
            raise ValueError(f"saved state {path} is corrupted or incomplete: "
                             f"{', '.join(bad[:3])}{' ...' if len(bad) > 3 else ''} missing or "
                             "altered")
        mine = self._identity()
        diffs = [f"{k}: saved {meta['model'].get(k)!r}, this model {v!r}"
                 for k, v in mine.items() if meta["model"].get(k) != v]
        if diffs:
            raise ValueError(f"saved state {path} belongs to a different model ("
                             f"{'; '.join(diffs)[:400]})")
        try:
            saved_tok = json.loads((path / _TOKENIZER).read_text())
        except (OSError, json.JSONDecodeError, UnicodeDecodeError) as err:
            raise ValueError(f"saved state {path}: {_TOKENIZER} is unreadable ({err})") from None
        if not isinstance(saved_tok, dict) or not isinstance(saved_tok.get("model"), dict):
            raise ValueError(f"saved state {path}: {_TOKENIZER} is not a tokenizer")
        from tokenizers import Tokenizer

        try:
            saved_vocab = Tokenizer.from_str(json.dumps(saved_tok)).get_vocab(
                with_added_tokens=True)
        except Exception:  # the library raises its own error types
            saved_vocab = None
        if saved_vocab != self._gen.tok.vocabulary():
            raise ValueError(f"saved state {path} was made with a different tokenizer")
        try:
            config = APIConfig.from_dict(meta["config"])
        except (ValueError, TypeError) as err:
            raise ValueError(f"saved state {path} has an invalid config: {err}") from None
        target = self if config == self.config else CodeGenerationAPI(self._base, config)
        try:
            with checkpoint.Checkpointer(path / "state", keep=1) as ckpt:
                state, _ = ckpt.restore(checkpoint.abstract(target._state))
        except Exception as err:  # orbax raises many kinds on a damaged directory
            raise ValueError(f"cannot read the saved state in {path}: {err}") from None
        if target is not self:
            self.config, self.device, self._gen = target.config, target.device, target._gen
            self._ctx = None
        self._state = jax.device_put(state, self.device)


def _describe(code: str) -> str:
    """A stand-in specification for code given without one: its first line."""
    return code.strip().split("\n", 1)[0][:200]


def create_code_generation_api(diffusion_model: str | os.PathLike | Generator | None = None,
                               config: dict | APIConfig | None = None) -> CodeGenerationAPI:
    """A ``CodeGenerationAPI`` over a model.

    Args:
      diffusion_model: None for the shipped model, a model directory (packaged, or a
        training run), or a loaded ``Generator``.
      config: a dict of ``APIConfig`` keys; unknown keys and bad values raise ValueError
        naming the key and the valid choices.
    """
    cfg = APIConfig.from_dict(config)
    if isinstance(diffusion_model, Generator):
        gen = diffusion_model
    elif diffusion_model is None or isinstance(diffusion_model, str | os.PathLike):
        runtime.enable_compilation_cache()
        path = Path(diffusion_model) if diffusion_model is not None else \
            model_store.DEFAULT_DIR
        if not path.exists():
            raise FileNotFoundError(f"no model directory at {path}")
        gen = Generator.load(path)
    else:
        raise TypeError("diffusion_model must be None, a model directory or a Generator, "
                        f"got {type(diffusion_model).__name__}")
    return CodeGenerationAPI(gen, cfg)


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
