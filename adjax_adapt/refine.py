"""Recursive refinement and feedback-driven improvement of a given program.

``refine`` runs ``iterations`` rounds. Each round masks the weakest tokens of the current
program — every token inside a tree-sitter error span, then the tokens the model finds least
likely in context (each token scored with a quarter of the program masked around it, four
passes cover all; the first line, the signature, only when it fails to parse) up to
``remask_fraction`` of the program — samples ``candidates``
completions in one batch, and keeps the best by reward *only if it scores higher* than the
current program. The returned program therefore never scores lower than the input; the
history lists every round.

``improve`` is ``refine`` with the feedback text put in front of the specification (it
conditions the model) and with room to add code: ``room`` masked tokens are inserted after
the first line (the signature) in every candidate. Known feedback kinds add a check to the
reward (``FEEDBACK_CHECKS``): the property asked for must hold for a candidate to win.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from adjax_code import rewards, syntax
from adjax_code.generator import Generator, Request


@dataclasses.dataclass
class Refinement:
    code: str
    score: float
    history: list[dict]


def _has_docstring(code: str, language: str) -> bool:
    if language == "python":
        return bool(re.search(r'^\s*def [^\n]*:\s*\n\s*("""|\'\'\'|")', code, re.M))
    return bool(re.search(r"/\*\*[\s\S]*?\*/|^\s*//", code, re.M))


def _has_type_hints(code: str, language: str) -> bool:
    if language == "python":
        return bool(re.search(r"def \w+\([^)]*:\s*\w[^)]*\)|\)\s*->", code))
    return language in ("typescript", "java", "go")


def _handles_empty(code: str, language: str) -> bool:
    return bool(re.search(r"if not \w+|len\(\w+\) == 0|\.length ===? 0|isEmpty\(\)", code))


FEEDBACK_CHECKS: dict[str, Callable[[str, str], bool]] = {
    "docstring": _has_docstring, "type hint": _has_type_hints, "empty": _handles_empty,
}


def feedback_check(feedback: str) -> Callable[[str, str], bool] | None:
    """The property check for a feedback text, or None when it names no known kind."""
    text = feedback.lower()
    for key, check in FEEDBACK_CHECKS.items():
        if key in text:
            return check
    return None


def token_confidence(gen: Generator, ids: list[int], cond: jax.Array, cond_mask: jax.Array,
                     seed: int = 0) -> np.ndarray:
    """P(token | the rest, with a quarter of the program masked) for each token [len(ids)]."""
    n = len(ids)
    mask = gen.cfg["diffusion"].mask_id
    groups = np.random.default_rng(seed).permutation(n) % 4
    rows = np.tile(np.asarray(ids, np.int32), (4, 1))
    for g in range(4):
        rows[g, groups == g] = mask
    logits = gen.model.denoise(gen.params, jnp.asarray(rows), jnp.full((4,), 0.25),
                               gen.model.encode(gen.params, cond[:4], cond_mask[:4]))
    logp = jax.nn.log_softmax(logits.astype(jnp.float32), axis=-1)
    target = jnp.asarray(np.tile(np.asarray(ids, np.int32), (4, 1)))
    picked = np.asarray(jnp.take_along_axis(logp, target[..., None], axis=-1)[..., 0])
    return np.exp(picked[groups, np.arange(n)])  # each token from the pass that masked it


def _score(codes: list[str], language: str, spec: str, tests: str | None,
           check: Callable[[str, str], bool] | None,
           weights: dict[str, float] | None = None) -> list[float]:
    scores = rewards.score(codes, language, spec=spec or None, tests=tests, weights=weights)
    out = []
    for code, s in zip(codes, scores, strict=True):
        value = s["overall"]
        if check is not None:
            value += 1.0 if check(code, language) else 0.0
        out.append(value)
    return out


def refine(gen: Generator, code: str, language: str, *, spec: str = "",
           tests: str | None = None, iterations: int = 1, candidates: int = 4, seed: int = 0,
           remask_fraction: float = 0.25, feedback: str = "", room: int = 0) -> Refinement:
    """Improves ``code`` by remasking and resampling its weakest spans; never returns a
    lower-scoring program than ``code``. See the module docstring."""
    if not code.strip():
        raise ValueError("the code to refine is empty")
    if iterations < 0 or candidates < 1:
        raise ValueError("iterations must be >= 0 and candidates >= 1")
    if not 0.0 <= remask_fraction <= 1.0:
        raise ValueError(f"remask_fraction must lie in [0, 1], got {remask_fraction}")
    check = feedback_check(feedback) if feedback else None
    cond_text = (f"{feedback}. {spec}" if feedback else spec) or code.split("\n", 1)[0]
    length = max(gen.cfg["data"].buckets)
    mask, pad, eos = gen.cfg["diffusion"].mask_id, gen.tok.pad_id, gen.tok.eos_id
    current = code
    best = _score([current], language, spec, tests, check, gen.reward_weights)[0]
    history = [{"iteration": 0, "score": best, "accepted": True, "code": current}]
    cond = jnp.asarray([gen._cond_row(cond_text, language)] * max(candidates, 4), jnp.int32)
    cond_mask = cond != pad
    for it in range(1, iterations + 1):
        first, _, rest = current.partition("\n")
        head = gen.tok.encode(first + "\n")  # the signature: kept unless it fails to parse
        ids = head + [mask] * room + gen.tok.encode(rest)
        if len(ids) + 1 > length:
            raise ValueError(f"the code takes {len(ids)} tokens; the model holds {length - 1}")
        weak = set(int(i) for i in np.nonzero(np.asarray(ids) == mask)[0])
        real = [i for i, t in enumerate(ids) if t != mask]
        text_ids = [t for t in ids if t != mask]
        spans = syntax.error_spans(gen.tok.decode(text_ids), language)
        if spans:
            hit = syntax.spans_to_tokens(spans, gen.tok.byte_offsets(text_ids), margin=1)
            weak |= {real[h] for h in hit if h < len(real)}
        conf = token_confidence(gen, [t if t != mask else pad for t in ids], cond, cond_mask,
                                seed + it)
        budget = int(remask_fraction * len(real))
        for i in np.argsort(conf[real]):
            if len(weak) >= budget + room:
                break
            if real[int(i)] >= len(head):
                weak.add(real[int(i)])
        row = np.full(length, pad, np.int32)
        row[:len(ids)] = ids
        row[len(ids)] = eos
        row[sorted(weak)] = mask
        init = np.repeat(row[None], candidates, axis=0)
        res = gen.generate_many([Request(cond_text, language, init=init)], samples=candidates,
                                seed=seed + it, length=length, repair_rounds=1)[0]
        codes = [c.code for c in res.candidates]
        scores = _score(codes, language, spec, tests, check, gen.reward_weights)
        k = int(np.argmax(scores))
        accepted = scores[k] > best
        if accepted:
            current, best = codes[k], scores[k]
        history.append({"iteration": it, "score": scores[k], "accepted": accepted,
                        "code": codes[k], "remasked": len(weak)})
    return Refinement(current, best, history)


def improve(gen: Generator, code: str, feedback: str | dict, language: str, *,
            spec: str = "", tests: str | None = None, iterations: int = 2,
            candidates: int = 4, seed: int = 0, room: int = 16) -> Refinement:
    """``refine`` conditioned on feedback text (a dict applies its values in turn)."""
    items = list(feedback.values()) if isinstance(feedback, dict) else [feedback]
    if not items or not all(isinstance(f, str) and f.strip() for f in items):
        raise ValueError("feedback must be a non-empty text or a dict of texts")
    history: list[dict] = []
    result = Refinement(code, 0.0, [])
    for text in items:
        result = refine(gen, result.code if history else code, language, spec=spec,
                        tests=tests, iterations=iterations, candidates=candidates, seed=seed,
                        feedback=text, room=room)
        history += [{**h, "feedback": text} for h in result.history]
    return Refinement(result.code, result.score, history)
