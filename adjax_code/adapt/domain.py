"""Code as a domain of the self-evolution loop (``adjax_adapt.evolve``).

Items come from the task suite (reward: the fraction of a task's *example* tests passed;
passed: whether the program passes the *hidden* tests, never used as reward) or from a JSONL
file of ``{"spec", "language", "tests"?, "prefix"?}`` (reward: the functional reward when
tests are given, else the overall reward; passed: that reward reaching 1). The measurement
is bits per token on held-out original training rows, to watch forgetting.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from adjax import masked
from adjax_adapt import evolve as loop
from adjax_adapt import mechanisms
from adjax_code import tasks
from adjax_code.corpus import data
from adjax_code.generate.generator import Generator, Request
from adjax_code.judge import rewards
from adjax_code.lang import syntax
from adjax_code.tasks import render


@dataclasses.dataclass(frozen=True)
class Item:
    spec: str
    language: str
    prefix: str = ""
    task: tasks.Task | None = None
    tests: str | None = None


def task_items(split: str, langs=tasks.LANGS) -> list[Item]:
    return [Item(t.specs[0], lang, render.header(t, lang), task=t)
            for t in tasks.load(split) for lang in langs]


def jsonl_items(path: str | Path) -> list[Item]:
    items = []
    for number, row in data.iter_jsonl(path):
        if not {"spec", "language"} <= set(row):
            raise ValueError(f"{path}:{number}: needs 'spec' and 'language'")
        if row.get("tests") is not None:  # a policy never learns from a forgeable verdict
            try:
                rewards.check_trusted(row["language"])
            except ValueError as err:
                raise ValueError(f"{path}:{number}: {err}") from None
        items.append(Item(row["spec"], row["language"], row.get("prefix", ""),
                          tests=row.get("tests")))
    if not items:
        raise ValueError(f"{path} holds no items")
    return items


def score(items: list[Item], codes: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """(reward, passed) arrays [items, candidates] of each item's candidate programs."""
    n = len(codes[0])
    reward, passed = np.zeros((len(items), n)), np.zeros((len(items), n))
    suite = [(i, it) for i, it in enumerate(items) if it.task is not None]
    if suite:
        flat = [(it.task, it.language, c) for i, it in suite for c in codes[i]]
        runs = render.run_examples_and_hidden(flat)
        for k, (i, _) in enumerate(suite):
            for j in range(n):
                e, h = runs[k * n + j]
                reward[i, j] = e.tests_passed / max(e.tests_total, 1) if e.tests_total else 0.0
                passed[i, j] = h.status == "pass"
    for i, it in enumerate(items):
        if it.task is None:
            scores = rewards.score(codes[i], it.language, spec=it.spec, tests=it.tests,
                                   trusted_only=True)
            key = "functional" if it.tests else "overall"
            reward[i] = [s[key] for s in scores]
            passed[i] = [s[key] >= 1.0 for s in scores]
    return reward, passed


def generated_positions(tokens: np.ndarray, prefix_lens: list[int], pad_id: int
                        ) -> np.ndarray:
    """[I, G, L] mask of what the model wrote: after the clamped prefix, up to and including
    the end token (the PAD after it is fill, not a choice)."""
    positions = np.arange(tokens.shape[-1])
    after = positions[None, None, :] >= np.asarray(prefix_lens)[:, None, None]
    return after & (np.cumsum(tokens == pad_id, axis=-1) == 0)


def prefix_length(gen: Generator, request: Request, length: int) -> int:
    """Tokens the sampler clamps at the start of ``request``'s rows."""
    rows = gen.start_rows(request, 1, length)
    return int((rows[0] != gen.cfg.diffusion.mask_id).sum())


def heldout_rows(gen: Generator, length: int):
    """(replay rows, held-out rows) of the original training data (the task suite's train
    split, packed to ``length``); the held-out slice is the trainer's own hash split."""
    dcfg = gen.cfg.data
    train, held = data.heldout_split(data.task_pairs("train"), dcfg.heldout_fraction)
    left = gen.cfg.net.conditioning == "prefix"
    packed_train, _ = data.pack(train, gen.tok, buckets=(length,), cond_len=dcfg.cond_len,
                                pad_left=left)
    packed_held, _ = data.pack(held or train[:32], gen.tok, buckets=(length,),
                               cond_len=dcfg.cond_len, pad_left=left)
    return packed_train[length], packed_held[length]


def context(gen: Generator, acfg: mechanisms.AdaptConfig, length: int, *,
            replay=None, mesh=None) -> mechanisms.Context:
    """The mechanisms' context for ``gen``: the self-evolution loop's and the API's.

    ``replay`` (packed rows) defaults to the original training rows of ``heldout_rows``;
    ``replay=False`` gives none (enough for ``starts`` and a fresh state). ``mesh``: the
    device mesh the steps run on (``gen``'s weights already placed on it).
    """
    if replay is None:
        replay, _ = heldout_rows(gen, length)
    if replay is False:
        tokens = np.zeros((0, length), np.int32)
        cond = np.zeros((0, gen.cfg.data.cond_len), np.int32)
    else:
        tokens, cond = replay.tokens, replay.cond
    return mechanisms.Context(model=gen.model, diffusion=gen.cfg.diffusion, cfg=acfg,
                              pad_id=gen.tok.pad_id, replay_tokens=tokens, replay_cond=cond,
                              base_params=gen.params, mask_id=gen.cfg.diffusion.mask_id,
                              mesh=mesh)


def sampled_group(gen: Generator, request: Request, result, length: int) -> loop.Candidates:
    """One request's sampled candidates (``Generator.generate``'s result) as ``Candidates``
    of one item [1, G, L]; ``outputs`` holds the candidates, by index."""
    cands = sorted(result.candidates, key=lambda c: c.index)
    tokens = np.stack([c.row for c in cands])[None]
    prefix = prefix_length(gen, request, length)
    return loop.Candidates(
        tokens=tokens, gen_mask=generated_positions(tokens, [prefix], gen.tok.pad_id),
        cond=np.asarray([gen.condition_row(request.spec, request.language)], np.int32),
        valid=np.asarray([[syntax.is_valid(c.code, request.language) for c in cands]]),
        outputs=cands)


class CodeDomain:
    """Items to write programs for, sampled by a ``Generator`` over the state's params."""

    def __init__(self, gen: Generator, items: list[Item], *, steps: int | None = None,
                 repair_rounds: int = 1, chunk: int = 16, seed: int = 0, mesh=None):
        if chunk < 1:
            raise ValueError("chunk must be positive")
        self.gen, self.items = gen, items
        self.steps, self.repair_rounds, self.chunk, self.seed = steps, repair_rounds, chunk, seed
        self.mesh = mesh
        self._ctx: mechanisms.Context | None = None  # the last context made (for measure)
        self.size = len(items)
        self.length = gen.default_length
        self.conds = np.asarray([gen.condition_row(it.spec, it.language) for it in items],
                                np.int32) if items else None

    @functools.cached_property
    def _rows(self):
        return heldout_rows(self.gen, self.length)

    def context(self, acfg: mechanisms.AdaptConfig) -> mechanisms.Context:
        self._ctx = context(self.gen, acfg, self.length, replay=self._rows[0], mesh=self.mesh)
        return self._ctx

    def _policy(self, state: mechanisms.AdaptState):
        if self._ctx is None:
            return self.gen.model, state.params
        return mechanisms.policy(state, self._ctx)

    def generate(self, state: mechanisms.AdaptState, mech: mechanisms.Mechanism,
                 ctx: mechanisms.Context, cycle: int, key: jax.Array, candidates: int,
                 progress: Callable[[int], Any]) -> loop.Candidates:
        gen = self.gen
        current = Generator(*mechanisms.policy(state, ctx), gen.tok, gen.cfg)
        mask = gen.cfg.diffusion.mask_id
        tokens, valid, codes, prefix_lens = [], [], [], []
        for lo in range(0, self.size, self.chunk):
            batch = self.items[lo:lo + self.chunk]
            reqs = []
            for k, it in enumerate(batch):
                prefix_rows = current.start_rows(Request(it.spec, it.language, it.prefix),
                                                  1, self.length)
                prefix_lens.append(int((prefix_rows[0] != mask).sum()))
                init = mech.starts(state, ctx, self.conds[lo + k], prefix_rows, candidates,
                                   mask, jax.random.fold_in(key, lo + k))
                reqs.append(Request(it.spec, it.language, init=init))
            results = current.generate_many(reqs, samples=candidates, steps=self.steps,
                                            seed=int(cycle * 1000 + lo + self.seed),
                                            repair_rounds=self.repair_rounds,
                                            length=self.length)
            for it, res in zip(batch, results, strict=True):
                cands = sorted(res.candidates, key=lambda c: c.index)
                codes.append([c.code for c in cands])
                tokens.append(np.stack([c.row for c in cands]))
                valid.append([syntax.is_valid(c.code, it.language) for c in cands])
            progress(len(batch))
        tokens = np.stack(tokens)  # [I, G, L]
        return loop.Candidates(
            tokens=tokens, gen_mask=generated_positions(tokens, prefix_lens, gen.tok.pad_id),
            cond=self.conds, valid=np.asarray(valid), outputs=codes)

    def score(self, cands: loop.Candidates) -> tuple[np.ndarray, np.ndarray]:
        return score(self.items, cands.outputs)

    @functools.cached_property
    def _heldout(self) -> dict:
        held = self._rows[1]
        return {"tokens": jnp.asarray(held.tokens[:64]), "cond": jnp.asarray(held.cond[:64]),
                "cond_mask": jnp.asarray(held.cond_mask[:64])}

    def measure(self, state: mechanisms.AdaptState) -> dict[str, float]:
        model, params = self._policy(state)
        bits = _bits(params, self._heldout, jax.random.key(0), model=model,
                     cfg=self.gen.cfg.diffusion, num_samples=4)
        return {"heldout_bits_per_token": float(bits)}


_bits = jax.jit(masked.heldout_bits_per_token, static_argnames=("model", "cfg", "num_samples"))
