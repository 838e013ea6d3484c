"""A compact, tokenized training set on disk: (condition, target) token rows, packed flat.

The layout is what a training machine needs and nothing more (numpy only, no tokenizer and
no parser), so an accelerator with a bare Python environment can train from it::

    tokens.npz     target_tokens uint16 [T], target_offsets int64 [N + 1],
                   cond_tokens uint16 [C], cond_offsets int64 [N + 1],
                   language uint8 [N], source uint8 [N], split uint8 [N] (0 train, 1 held-out),
                   focus bool [N] (rows an anneal phase draws from)
    meta.json      vocab_size, special ids (pad, mask, eos), names of the language and source
                   codes, counts, and whatever the writer adds

Row i's target is ``target_tokens[target_offsets[i]:target_offsets[i + 1]]`` (no end token:
``pack`` adds it) and its condition likewise. Batches are a pure function of (seed, step).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ARRAYS, META = "tokens.npz", "meta.json"
TRAIN, HELDOUT = 0, 1


@dataclasses.dataclass(frozen=True)
class TokenSet:
    target_tokens: np.ndarray
    target_offsets: np.ndarray
    cond_tokens: np.ndarray
    cond_offsets: np.ndarray
    language: np.ndarray
    source: np.ndarray
    split: np.ndarray
    focus: np.ndarray
    meta: dict

    def __len__(self) -> int:
        return len(self.language)

    def target(self, i: int) -> np.ndarray:
        return self.target_tokens[self.target_offsets[i]:self.target_offsets[i + 1]]

    def cond(self, i: int) -> np.ndarray:
        return self.cond_tokens[self.cond_offsets[i]:self.cond_offsets[i + 1]]

    def rows(self, *, split: int | None = None, focus: bool | None = None) -> np.ndarray:
        """Indices of the rows in ``split`` (and with the given ``focus`` flag)."""
        keep = np.ones(len(self), bool)
        if split is not None:
            keep &= self.split == split
        if focus is not None:
            keep &= self.focus == focus
        return np.flatnonzero(keep)


def _flat(seqs: Sequence[Sequence[int]], vocab_size: int) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter((len(s) for s in seqs), np.int64, len(seqs))
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    flat = np.fromiter((t for s in seqs for t in s), np.int64, int(offsets[-1]))
    if flat.size and (flat.min() < 0 or flat.max() >= vocab_size):
        raise ValueError(f"token ids must lie in [0, {vocab_size}); got "
                         f"[{flat.min()}, {flat.max()}]")
    return flat.astype(np.uint16), offsets


def write(out_dir: str | Path, *, targets: Sequence[Sequence[int]],
          conds: Sequence[Sequence[int]], language: Sequence[int], source: Sequence[int],
          split: Sequence[int], focus: Sequence[bool], meta: dict) -> dict:
    """Writes a token set; ``meta`` must hold ``vocab_size``, ``pad_id``, ``mask_id`` and
    ``eos_id``. Returns the meta written (with row and token counts added)."""
    missing = {"vocab_size", "pad_id", "mask_id", "eos_id"} - set(meta)
    if missing:
        raise ValueError(f"meta lacks {sorted(missing)}")
    vocab = int(meta["vocab_size"])
    if vocab > 2**16:
        raise ValueError(f"vocab_size {vocab} does not fit uint16 tokens")
    n = len(targets)
    if not n == len(conds) == len(language) == len(source) == len(split) == len(focus):
        raise ValueError("targets, conds, language, source, split and focus differ in length")
    target_tokens, target_offsets = _flat(targets, vocab)
    cond_tokens, cond_offsets = _flat(conds, vocab)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    split_arr = np.asarray(split, np.uint8)
    np.savez(out / ARRAYS, target_tokens=target_tokens, target_offsets=target_offsets,
             cond_tokens=cond_tokens, cond_offsets=cond_offsets,
             language=np.asarray(language, np.uint8), source=np.asarray(source, np.uint8),
             split=split_arr, focus=np.asarray(focus, bool))
    meta = {**meta, "rows": n, "heldout_rows": int((split_arr == HELDOUT).sum()),
            "target_tokens": int(target_tokens.size), "cond_tokens": int(cond_tokens.size),
            "bytes": (out / ARRAYS).stat().st_size}
    (out / META).write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def load(path: str | Path) -> TokenSet:
    """Reads a token set written by ``write``; a missing or partial one is a clear error."""
    path = Path(path)
    if not (path / ARRAYS).is_file() or not (path / META).is_file():
        raise FileNotFoundError(f"{path} is not a token set: {ARRAYS} and {META} are needed "
                                "(write one with `adjax data export`)")
    meta = json.loads((path / META).read_text())
    with np.load(path / ARRAYS) as z:
        fields = {k: z[k] for k in z.files}
    names = [f.name for f in dataclasses.fields(TokenSet) if f.name != "meta"]
    missing = [k for k in names if k not in fields]
    if missing:
        raise ValueError(f"{path / ARRAYS} lacks arrays {missing}")
    return TokenSet(**{k: fields[k] for k in names}, meta=meta)


@dataclasses.dataclass(frozen=True)
class Bucket:
    """Rows of one length: targets [N, L] (tokens, end, then pad), conditions [N, C]."""

    tokens: np.ndarray
    cond: np.ndarray
    cond_mask: np.ndarray


def pack(ts: TokenSet, rows: np.ndarray, *, buckets: Sequence[int], cond_len: int
         ) -> tuple[dict[int, Bucket], int]:
    """Rows into the smallest bucket that holds target + end token; conditions cut or padded
    to ``cond_len``. Targets too long for the largest bucket are dropped (and counted)."""
    pad, eos = int(ts.meta["pad_id"]), int(ts.meta["eos_id"])
    buckets = sorted(buckets)
    lengths = ts.target_offsets[rows + 1] - ts.target_offsets[rows] + 1
    out, kept = {}, 0
    for i, size in enumerate(buckets):
        lo = buckets[i - 1] if i else 0
        sel = rows[(lengths > lo) & (lengths <= size)]
        if not len(sel):
            continue
        tokens = np.full((len(sel), size), pad, np.int32)
        cond = np.full((len(sel), cond_len), pad, np.int32)
        for j, r in enumerate(sel):
            t, c = ts.target(r), ts.cond(r)[:cond_len]
            tokens[j, :len(t)] = t
            tokens[j, len(t)] = eos
            cond[j, :len(c)] = c
        out[size] = Bucket(tokens, cond, cond != pad)
        kept += len(sel)
    return out, len(rows) - kept


def batch(buckets: dict[int, Bucket], tokens_per_batch: int, seed: int, step: int,
          focus: dict[int, Bucket] | None = None, focus_share: float = 0.0) -> dict:
    """The batch for ``step``, a pure function of (seed, step): a bucket chosen in proportion
    to its tokens, then ``tokens_per_batch // length`` rows of it. With ``focus``, rows come
    from ``focus`` with probability ``focus_share``."""
    rng = np.random.default_rng([seed, step])
    if focus and rng.random() < focus_share:
        buckets = focus
    sizes = sorted(buckets)
    weights = np.array([buckets[s].tokens.size for s in sizes], float)
    size = sizes[rng.choice(len(sizes), p=weights / weights.sum())]
    b = buckets[size]
    idx = rng.integers(0, b.tokens.shape[0], max(1, tokens_per_batch // size))
    return {"tokens": b.tokens[idx], "cond": b.cond[idx], "cond_mask": b.cond_mask[idx]}
