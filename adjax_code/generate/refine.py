"""Recursive refinement and feedback-driven improvement of a given program.

``refine`` runs ``iterations`` rounds. Each round masks the weakest tokens of the current
program — every token inside a tree-sitter error span, then the tokens the model finds least
likely in context (each token scored with a quarter of the program masked around it, four
passes cover all; the first line, the signature, only when it fails to parse) up to
``remask_fraction`` of the program — samples ``candidates``
completions in one batch, and keeps the best by reward *only if it scores higher* than the
current program. The returned program therefore never scores lower than the input; the
history lists every round.

``improve`` puts the feedback text in front of the specification (it conditions the model).
For a known feedback kind (``FEEDBACK_CHECKS``: docstring, type hints, empty-input guard) it
first tries a *scaffolded edit* (``scaffold``): the structure of the change is written as
fixed text around masked slots — a docstring's quotes after the signature, ``if not xs:
return [MASK]`` at the top of the body, ``name: [MASK]`` for each parameter — and the model
fills only the slots, the rest of the program kept exactly. Candidates try different slot
lengths (masked diffusion fills a fixed number of tokens). Other feedback, and kinds with no
scaffold for the language, run ``refine`` with ``room`` masked tokens inserted after the
first line. Either way a candidate wins only if it parses, has the property asked for and
scores higher than the current program.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable

import jax
import jax.numpy as jnp
import numpy as np

from adjax_code.generate.generator import Generator, Request
from adjax_code.judge import rewards
from adjax_code.lang import syntax


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


@functools.partial(jax.jit, static_argnames=("model",))
def _token_logp(params, rows, targets, cond, cond_mask, *, model):
    """log P(targets | rows) at every position [R, L], the rows a quarter masked."""
    context = model.encode(params, cond, cond_mask)
    logits = model.denoise(params, rows, jnp.full((rows.shape[0],), 0.25), context)
    logp = jax.nn.log_softmax(logits.astype(jnp.float32), axis=-1)
    return jnp.take_along_axis(logp, targets[..., None], axis=-1)[..., 0]


def token_confidence(gen: Generator, ids: list[int], cond: jax.Array, cond_mask: jax.Array,
                     seed: int = 0) -> np.ndarray:
    """P(token | the rest, with a quarter of the program masked) for each token [len(ids)].

    The program is laid out as the model writes one, ``ids + [EOS] + [PAD]*`` in the
    largest length bucket, so every program is scored by one compiled program."""
    n = len(ids)
    length = max(gen.cfg.data.buckets)
    if n + 1 > length:
        raise ValueError(f"the code takes {n} tokens; the model holds {length - 1}")
    mask = gen.cfg.diffusion.mask_id
    groups = np.random.default_rng(seed).permutation(n) % 4
    target = np.full((4, length), gen.tok.pad_id, np.int32)
    target[:, :n] = np.asarray(ids, np.int32)
    target[:, n] = gen.tok.eos_id
    rows = target.copy()
    for g in range(4):
        rows[g, :n][groups == g] = mask
    picked = np.asarray(_token_logp(gen.params, jnp.asarray(rows), jnp.asarray(target),
                                    cond[:4], cond_mask[:4], model=gen.model))
    return np.exp(picked[groups, np.arange(n)])  # each token from the pass that masked it


def score(codes: list[str], language: str, spec: str, tests: str | None,
          check: Callable[[str, str], bool] | None,
          weights: dict[str, float] | None = None) -> list[float]:
    """The score refinement maximises, per program: the overall reward, plus 1 when
    ``check`` (a feedback's required property) holds and the program parses."""
    scores = rewards.score(codes, language, spec=spec or None, tests=tests, weights=weights)
    out = []
    for code, s in zip(codes, scores, strict=True):
        value = s["overall"]
        if check is not None:
            value += 1.0 if check(code, language) and syntax.is_valid(code, language) else 0.0
        out.append(value)
    return out


# -- scaffolded edits ---------------------------------------------------------------------

SLOT = None  # a masked slot in a scaffold; its length varies per candidate
_FUNCTION_LINE = {
    "python": r"^[ \t]*(async[ \t]+)?def \w+\s*\(",
    "javascript": r"^[ \t]*(export[ \t]+)?(async[ \t]+)?function\b",
    "typescript": r"^[ \t]*(export[ \t]+)?(async[ \t]+)?function\b",
    "java": r"^[ \t]*(public|private|protected|static)[^=;\n]*\([^;\n]*\)[^;\n]*\{\s*$",
    "go": r"^func\b",
}
_SLOT_SIZES = {"docstring": (8, 12, 16, 6), "empty": (1,), "type hint": (1,)}
# Constrained slots: the texts a slot may hold (those that are one token are allowed).
_SLOT_TEXTS = {
    ("type hint", "python"): (" int", " str", " float", " bool", " list", " dict", " tuple",
                              " set", " bytes", " object", " None"),
    ("empty", "python"): (" []", " 0", " None", " False", " True", ' ""', " {}", " -1"),
    ("empty", "javascript"): (" []", " 0", " null", " false", " true", ' ""', " {}", " -1"),
    ("empty", "typescript"): (" []", " 0", " null", " false", " true", ' ""', " {}", " -1"),
}


def _function_line(code: str, language: str) -> re.Match | None:
    pattern = _FUNCTION_LINE.get(language)
    return re.search(pattern, code, re.M) if pattern else None


def _python_signature(code: str) -> tuple[int, int, str, str] | None:
    """(start, end of the ``def ...:`` line(s), parameters text, body indent)."""
    m = re.search(r"^([ \t]*)(?:async[ \t]+)?def \w+\s*\(([^)]*)\)\s*(->[^:]*)?:[ \t]*\n",
                  code, re.M)
    if m is None:
        return None
    after = code[m.end():]
    body = re.match(r"([ \t]+)\S", after)
    indent = body.group(1) if body else m.group(1) + "    "
    return m.start(), m.end(), m.group(2), indent


def _params(text: str) -> list[str]:
    names = []
    for part in text.split(","):
        name = part.split(":")[0].split("=")[0].strip().lstrip("*")
        if name and name not in ("self", "cls", "/") and re.fullmatch(r"\w+", name):
            names.append(name)
    return names


def scaffold(code: str, kind: str, language: str) -> list[str | None] | None:
    """Fixed text pieces and ``SLOT`` markers for a feedback kind's edit of ``code``, or None
    when there is none for this kind and language (see the module docstring)."""
    if kind == "docstring":
        if language == "python":
            sig = _python_signature(code)
            if sig is None:
                return None
            _, end, _, indent = sig
            return [code[:end] + indent + '"""', SLOT, '"""\n' + code[end:]]
        m = _function_line(code, language)
        if m is None:
            return None
        indent = re.match(r"[ \t]*", code[m.start():]).group(0)
        opener, closer = ("// ", "\n") if language == "go" else ("/** ", " */\n")
        return [code[:m.start()] + indent + opener, SLOT, closer + code[m.start():]]
    if kind == "empty":
        if language == "python":
            sig = _python_signature(code)
            names = _params(sig[2]) if sig else []
            if not names:
                return None
            start, end, _, indent = sig
            step = indent[len(re.match(r"[ \t]*", code[start:]).group(0)):] or "    "
            return [code[:end] + f"{indent}if not {names[0]}:\n{indent}{step}return", SLOT,
                    "\n" + code[end:]]
        if language in ("javascript", "typescript"):
            m = re.search(r"^([ \t]*)(?:export[ \t]+)?(?:async[ \t]+)?function\s*\w*\s*"
                          r"\(\s*(\w+)[^)]*\)[^{\n]*\{[ \t]*\n", code, re.M)
            if m is None:
                return None
            body = re.match(r"([ \t]+)\S", code[m.end():])
            indent = body.group(1) if body else m.group(1) + "    "
            return [code[:m.end()] + f"{indent}if ({m.group(2)}.length === 0) return",
                    SLOT, ";\n" + code[m.end():]]
        return None
    if kind == "type hint" and language == "python":
        m = re.search(r"^([ \t]*(?:async[ \t]+)?def \w+\s*\()([^)]*)(\))(\s*->[^:]*)?:",
                      code, re.M)
        if m is None:
            return None
        pieces: list[str | None] = [code[:m.end(1)]]
        parts = [p for p in m.group(2).split(",")] if m.group(2).strip() else []
        for i, part in enumerate(parts):
            sep = "," if i < len(parts) - 1 else ""
            name = part.split("=")[0]
            if ":" in part or part.strip() in ("self", "cls", "/", "*") or \
                    part.strip().startswith("*"):
                pieces[-1] += part + sep
                continue
            default = part[len(name):]
            pieces[-1] += name.rstrip() + ":"
            pieces += [SLOT, default + sep]
        pieces[-1] += ")"
        if m.group(4):
            pieces[-1] += m.group(4) + ":"
        else:
            pieces[-1] += " ->"
            pieces += [SLOT, ":"]
        pieces[-1] += code[m.end():]
        return pieces
    return None


def _feedback_kind(feedback: str) -> str | None:
    text = feedback.lower()
    return next((key for key in FEEDBACK_CHECKS if key in text), None)


def scaffold_edit(gen: Generator, code: str, feedback: str, language: str, *, spec: str = "",
                  tests: str | None = None, candidates: int = 4, seed: int = 0
                  ) -> Refinement | None:
    """The scaffolded edit for ``feedback`` (None when it has no scaffold here): slots
    filled by the model, the best candidate kept only if it parses, has the property and
    scores higher than ``code``."""
    kind = _feedback_kind(feedback)
    pieces = scaffold(code, kind, language) if kind else None
    if pieces is None:
        return None
    check = FEEDBACK_CHECKS[kind]
    mask, pad, eos = gen.cfg.diffusion.mask_id, gen.tok.pad_id, gen.tok.eos_id
    length = max(gen.cfg.data.buckets)
    sizes = _SLOT_SIZES[kind]
    rows = np.full((candidates, length), pad, np.int32)
    for r in range(candidates):
        ids: list[int] = []
        for piece in pieces:
            ids += [mask] * sizes[r % len(sizes)] if piece is SLOT else gen.tok.encode(piece)
        if len(ids) + 1 > length:
            return None
        rows[r, :len(ids)] = ids
        rows[r, len(ids)] = eos
    texts = _SLOT_TEXTS.get((kind, language))
    allowed = None
    if texts:
        allowed = tuple(sorted({ids[0] for ids in map(gen.tok.encode, texts) if len(ids) == 1}
                               | {mask, pad, eos})) or None
    # The condition matches the edit pairs the model is trained on (``data.edit_pairs``).
    first = next((ln.strip() for ln in code.splitlines() if ln.strip()), "")
    cond_text = f"{feedback}. {spec}" if spec else f"{feedback}. {first}"
    res = gen.generate_many([Request(cond_text, language, init=rows)], samples=candidates,
                            seed=seed, length=length, repair_rounds=1, allowed=allowed)[0]
    codes = [c.code for c in res.candidates]
    best = score([code], language, spec, tests, check, gen.reward_weights)[0]
    scores = score(codes, language, spec, tests, check, gen.reward_weights)
    k = int(np.argmax(scores))
    accepted = scores[k] > best
    history = [{"iteration": 0, "score": best, "accepted": True, "code": code},
               {"iteration": 1, "score": scores[k], "accepted": accepted, "code": codes[k],
                "scaffold": kind}]
    return Refinement(codes[k] if accepted else code, max(best, scores[k]), history)


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
    length = max(gen.cfg.data.buckets)
    mask, pad, eos = gen.cfg.diffusion.mask_id, gen.tok.pad_id, gen.tok.eos_id
    current = code
    best = score([current], language, spec, tests, check, gen.reward_weights)[0]
    history = [{"iteration": 0, "score": best, "accepted": True, "code": current}]
    cond = jnp.asarray([gen.condition_row(cond_text, language)] * max(candidates, 4), jnp.int32)
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
        scores = score(codes, language, spec, tests, check, gen.reward_weights)
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
        current = result.code if history else code
        check = feedback_check(text)
        if check is not None and check(current, language) and \
                syntax.is_valid(current, language):
            history.append({"iteration": 0, "accepted": True, "code": current,
                            "feedback": text, "note": "already has the property"})
            continue
        edit = scaffold_edit(gen, current, text, language, spec=spec, tests=tests,
                             candidates=candidates, seed=seed)
        if edit is None or not edit.history[-1]["accepted"]:
            tried = edit.history[1:] if edit is not None else []
            edit = refine(gen, current, language, spec=spec, tests=tests,
                          iterations=iterations, candidates=candidates, seed=seed,
                          feedback=text, room=room)
            edit.history[1:1] = tried
        result = edit
        history += [{**h, "feedback": text} for h in edit.history]
    if not result.history:  # nothing edited: every property asked for already held
        result = Refinement(code, score([code], language, spec, tests, None,
                                         gen.reward_weights)[0], [])
    return Refinement(result.code, result.score, history)
