"""The Python API: ``create_code_generation_api()`` and a thin stateful shell over the pure core.

Everything that computes is a pure function elsewhere (the jitted sampler, the ELBO step, the
rewards, the self-evolution loop's ``learn``); ``CodeGenerationAPI`` only holds what a
session accumulates: the loaded model, the validated config (``settings``), and an
``AdaptState`` (params, optimizer state, trajectory buffer, PRNG key, step) that
``adapt_code`` updates functionally and ``save_state``/``load_state`` persist (``state``).

Seeds: every call draws its sampling seed from the state's key and advances the key, so two
APIs built with the same ``seed`` give the same outputs call for call, and a state saved
after N calls and loaded again continues exactly where it left off.

    >>> api = create_code_generation_api(config={"batch_size": 2})  # doctest: +SKIP
    >>> print(api.generate_code("Return the sum of a list of numbers."))  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import jax
import numpy as np
from flax import nnx

from adjax.config import to_dict
from adjax.exported import ProgramStore
from adjax.nets import Transformer
from adjax.nets.functional import split_abstract
from adjax_adapt import evolve as loop
from adjax_adapt import mechanisms
from adjax_code.adapt import domain
from adjax_code.app import state as state_io
from adjax_code.app.profiling import Profile
from adjax_code.app.settings import APIConfig, check_text, load_config, resolve_device
from adjax_code.generate import likelihood, refine
from adjax_code.generate.generator import Generator, Request
from adjax_code.judge import rewards
from adjax_code.lang import languages
from adjax_code.model import model_store

__all__ = ["APIConfig", "CodeGenerationAPI", "create_code_generation_api", "load_config"]


def configure(base: Generator, cfg: APIConfig, device: jax.Device) -> Generator:
    """``base`` with the config's precision, sampler, reward weights and device."""
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
    sampler = cfg.decoding.sampler(base.cfg.sampler, cfg.max_length or base.default_length)
    gen = Generator(model, jax.device_put(base.params, device), base.tok,
                    base.cfg.replace(net=net, sampler=sampler), base.manifest)
    gen.reward_weights = cfg.reward_weights
    return gen


def describe(code: str) -> str:
    """A stand-in specification for code given without one: its first line."""
    return code.strip().split("\n", 1)[0][:200]


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
        self.base = generator  # the model as loaded
        self._gen = configure(generator, config, self.device)
        self._ctx: mechanisms.Context | None = None
        with jax.default_device(self.device):
            self._state = mechanisms.init_state(self._gen.params, self._context(False),
                                                jax.random.key(config.seed))
        self.last_result: dict | None = None
        self.last_profile: dict | None = None

    @property
    def length(self) -> int:
        """Output tokens per candidate."""
        return self.config.max_length or self._gen.default_length

    def _context(self, replay=None) -> mechanisms.Context:
        return domain.context(self._gen, self.config.adapt, self.length, replay=replay)

    @property
    def context(self) -> mechanisms.Context:
        """What adaptation needs besides the state (built on first use)."""
        if self._ctx is None:
            self._ctx = self._context()
        return self._ctx

    @property
    def state(self) -> mechanisms.AdaptState:
        """The adaptation state (params, optimizer state, buffer, key, step, metrics)."""
        return self._state

    @property
    def generator(self) -> Generator:
        """A generator over the state's (possibly adapted) params, with the config's
        precision and sampler; its ``stats`` are the API's."""
        model, params = mechanisms.policy(self._state, self._context(False))
        gen = Generator(model, params, self._gen.tok, self._gen.cfg, self._gen.manifest)
        gen.reward_weights, gen.stats = self._gen.reward_weights, self._gen.stats
        return gen

    def _language(self, language: str | None) -> str:
        return languages.get(language or self.config.default_language).name

    def _next_seed(self) -> int:
        key, sub = jax.random.split(self._state.key)
        self._state = self._state.replace(key=key)
        return int(jax.random.randint(sub, (), 0, 2**31 - 1))

    def _profile(self) -> Profile:
        return Profile(self.device, self._gen)

    # -- methods --------------------------------------------------------------------------

    def generate_code(self, specification: str, language: str | None = None, *,
                      prefix: str = "", tests: str | None = None) -> str:
        """The best of ``batch_size`` candidates for ``specification``.

        ``prefix`` is code the output starts with (kept exactly); ``tests`` adds the
        functional reward to the ranking. The adaptation mechanism picks the starting rows:
        with memory, a close buffered program is remasked and completed.
        """
        spec = check_text(specification, "specification")
        lang = self._language(language)
        gen, n = self.generator, self.config.batch_size
        with self._profile() as prof, jax.default_device(self.device):
            seed = self._next_seed()
            rows = gen.start_rows(Request(spec, lang, prefix), 1, self.length)
            cond = np.asarray(gen.condition_row(spec, lang), np.int32)
            init = mechanisms.get(self.config.adaptation_type).starts(
                self._state, self._context(False), cond, rows, n,
                gen.cfg.diffusion.mask_id, jax.random.key(seed))
            result = gen.generate_many([Request(spec, lang, prefix, tests, init)], samples=n,
                                       seed=seed, length=self.length,
                                       repair_rounds=self.config.repair_rounds)[0]
        self.last_profile = prof.result
        self.last_result = {
            "method": "generate_code", "specification": spec, "language": lang,
            "seed": seed, "steps": gen.cfg.sampler.num_steps,
            "candidates": [{**c.to_json(), "index": c.index} for c in result.candidates],
            "repair_rounds": [c.repair_rounds for c in result.candidates],
            "timings": result.timings}
        return result.best.code

    def generate_batch(self, rows, *, samples: int | None = None,
                       batch_size: int | str = "auto"):
        """Many requests through the configured, adapted model and decoding, as ``adjax
        generate --input`` runs them: ``rows`` are dicts (``{"id", "spec", "language"?,
        "prefix"?, "samples"?, "seed"?}`` or ``{"task_id", "prompt"}``); yields each row's
        ``adjax_code.generate.batch.RowResult`` (``row``, ``generation``) as its batch
        finishes. A sample depends only on its row, seed (default: the config's) and index;
        ``samples`` defaults to the config's ``batch_size``."""
        from adjax_code.generate import batch

        return batch.generate_batch(
            self.generator, rows, batch_size=batch_size, samples=samples or self.config.batch_size,
            seed=self.config.seed, language=self.config.default_language,
            length=self.length, repair_rounds=self.config.repair_rounds)

    def refine_code(self, code: str, language: str | None = None, iterations: int = 1, *,
                    specification: str = "", tests: str | None = None) -> str:
        """``code`` with its weakest spans remasked and resampled, ``iterations`` times; the
        result never scores lower than ``code`` (see ``adjax_code.generate.refine``)."""
        code = check_text(code, "code")
        lang = self._language(language)
        if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 0:
            raise ValueError(f"iterations must be an integer >= 0, got {iterations!r}")
        with self._profile() as prof, jax.default_device(self.device):
            out = refine.refine(self.generator, code, lang, spec=specification, tests=tests,
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
        code = check_text(code, "code")
        lang = self._language(language)
        with self._profile() as prof, jax.default_device(self.device):
            out = refine.improve(self.generator, code, feedback, lang, spec=specification,
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
        steps on the group (``adjax_adapt.grpo``). The learning step is the self-evolution
        loop's (``adjax_adapt.evolve.learn``)."""
        code = check_text(code, "code")
        lang = self._language(language)
        mech = mechanisms.get(mechanism or self.config.adaptation_type)
        with self._profile() as prof, jax.default_device(self.device):
            gen, seed = self.generator, self._next_seed()
            kwargs = dict(spec=specification, tests=tests, candidates=self.config.batch_size,
                          seed=seed)
            out = refine.improve(gen, code, feedback, lang, **kwargs) if feedback is not None \
                else refine.refine(gen, code, lang, **kwargs)
            scores = rewards.score([out.code], lang, spec=specification or None, tests=tests,
                                   weights=self.config.reward_weights)[0]
            spec = specification or describe(out.code)
            try:
                row, _ = likelihood.code_row(self._gen, out.code, self.length)
            except ValueError:  # longer than a row: nothing to learn from
                row = None
            before = int(self._state.metrics["updates"])
            if row is not None:
                cond = np.asarray([gen.condition_row(spec, lang)], np.int32)
                group = self._group(gen, spec, lang, tests, seed) \
                    if mech.learns_from_groups else None
                self._state = loop.learn(self._state, mech, self.context,
                                         (row[None], cond, np.asarray([scores["overall"]])),
                                         group)
        self.last_profile = prof.result
        self.last_result = {"method": "adapt_code", "language": lang, "scores": scores,
                            "stored": row is not None,
                            "updates": int(self._state.metrics["updates"]) - before,
                            "buffer_size": int(self._state.buffer.valid.sum()),
                            "history": out.history}
        return out.code

    def _group(self, gen: Generator, spec: str, lang: str, tests: str | None, seed: int
               ) -> tuple[loop.Candidates, np.ndarray]:
        """A rewarded group of fresh candidates for ``spec`` (what GRPO learns from)."""
        request = Request(spec, lang)
        result = gen.generate(spec, lang, samples=max(2, self.config.batch_size),
                              seed=seed + 1, tests=tests, length=self.length, repair_rounds=0)
        cands = domain.sampled_group(gen, request, result, self.length)
        key = "functional" if tests else "overall"
        return cands, np.asarray([[c.scores[key] for c in cands.outputs]], np.float32)

    def evaluate_code(self, code: str, language: str | None = None,
                      specification: str | None = None, tests: str | None = None) -> dict:
        """Rewards of ``code``: syntax, quality, relevance (with a specification), functional
        (with tests, run in the sandbox) and their weighted overall, each in [0, 1]."""
        code = check_text(code, "code")
        lang = self._language(language)
        if specification is not None:
            specification = check_text(specification, "specification")
        scores = rewards.score([code], lang, spec=specification, tests=tests,
                               weights=self.config.reward_weights)[0]
        self.last_result = {"method": "evaluate_code", "language": lang, "scores": scores}
        return scores

    # -- state ----------------------------------------------------------------------------

    def _identity(self) -> dict:
        out = {"net": to_dict(self.base.cfg.net), "diffusion": to_dict(self.base.cfg.diffusion),
               "output_length": self.length, "cond_len": self._gen.cfg.data.cond_len,
               "tokenizer_vocab": self._gen.tok.vocab_size}
        if self.config.lora_rank:  # adapters belong to one base's weights
            out["base_weights"] = self.base.manifest.get("files")
        return out

    def save_state(self, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
        """Writes params, optimizer state, buffer, key, config and tokenizer to ``path``
        (orbax for the arrays; with ``lora_rank`` the params are the adapters alone).
        Atomic: the state is written to a temporary sibling and renamed over ``path`` only
        when complete, so a crash leaves the previous state.

        A previous saved state at ``path`` is replaced; any other non-empty directory only
        with ``overwrite`` (a ``ValueError`` otherwise), and never one holding the current
        working directory."""
        return state_io.save(path, self._state, self.config, self._identity(), self._gen.tok,
                             overwrite=overwrite)

    def load_state(self, path: str | os.PathLike) -> None:
        """Restores a state written by ``save_state``; checks the files' sha256, the format
        and that the state fits this model, and explains any mismatch. Nothing changes when
        it fails."""
        config = state_io.read_config(path, self._identity(), self._gen.tok)
        target = self if config == self.config else CodeGenerationAPI(self.base, config)
        state = state_io.restore(path, target._state)
        if target is not self:
            self.config, self.device, self._gen = target.config, target.device, target._gen
            self._ctx = None
        self._state = jax.device_put(state, self.device)


def create_code_generation_api(diffusion_model: str | os.PathLike | Generator | None = None,
                               config: dict | APIConfig | None = None, *,
                               store: ProgramStore | None = None) -> CodeGenerationAPI:
    """A ``CodeGenerationAPI`` over a model; it changes no global setting.

    Args:
      diffusion_model: None for the shipped model, a model directory (packaged, or a
        training run), or a loaded ``Generator``.
      config: a dict of ``APIConfig`` keys; unknown keys and bad values raise ValueError
        naming the key and the valid choices.
      store: stored sampler programs for a packaged model (``adjax.exported``); None runs
        the jitted sampler.
    """
    cfg = APIConfig.from_dict(config)
    if isinstance(diffusion_model, Generator):
        gen = diffusion_model
    elif diffusion_model is None or isinstance(diffusion_model, str | os.PathLike):
        path = Path(diffusion_model) if diffusion_model is not None else \
            model_store.DEFAULT_DIR
        if not path.exists():
            raise FileNotFoundError(f"no model directory at {path}")
        gen = Generator.load(path, store=store)
    else:
        raise TypeError("diffusion_model must be None, a model directory or a Generator, "
                        f"got {type(diffusion_model).__name__}")
    return CodeGenerationAPI(gen, cfg)
