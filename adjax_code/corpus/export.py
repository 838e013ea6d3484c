"""``adjax data export``: the code model's training rows as a compact token set
(``adjax.tokendata``) plus its tokenizer, for training on another machine (an accelerator
with no parser, no corpus and no network).

Rows: (language tag + specification, code) pairs from the task suite's train split, feedback
edit pairs, and doc-comment -> function pairs from every source tree on this machine — the
Python standard library and the project's own installed packages, Go's standard library, the
JDK's src.zip, the JavaScript under the global node_modules. Pairs equal (whitespace aside) to
a held-out task's specification or reference solution never enter it. The task suite and its
edit pairs are marked ``focus`` (what an anneal phase draws from). When the arrays would
exceed ``max_mb``, machine-corpus rows are left out in a fixed hash order until they fit;
task rows are always kept.
"""

from __future__ import annotations

import glob
import hashlib
import json
import sysconfig
from collections.abc import Callable
from pathlib import Path

from adjax import tokendata
from adjax_code import tasks
from adjax_code.corpus import data
from adjax_code.lang import languages
from adjax_code.lang.tokenizer import CodeTokenizer

LANGS = tuple(tasks.LANGS)


def source_trees() -> dict[str, tuple[str, list[str]]]:
    """``{source name: (language, roots)}`` of the trees this machine has."""
    stdlib = sysconfig.get_paths()["stdlib"]
    purelib = sysconfig.get_paths()["purelib"]
    jdk = [z for z in sorted(glob.glob("/usr/lib/jvm/*/lib/src.zip")) if Path(z).is_file()]
    trees = {
        "python-stdlib": ("python", [stdlib]),
        "python-packages": ("python", [purelib] if purelib != stdlib else []),
        "go-stdlib": ("go", ["/usr/lib/go/src"]),
        "jdk": ("java", jdk[-1:]),
        "node-modules": ("javascript", ["/usr/lib/node_modules"]),
        "typescript": ("typescript", ["/usr/lib/node_modules", "/usr/share/nodejs"]),
    }
    return {k: (lang, [r for r in roots if Path(r).exists()]) for k, (lang, roots) in
            trees.items()}


def _key(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def heldout_keys() -> tuple[set[str], set[str]]:
    """Whitespace-insensitive keys of the held-out tasks' specifications and solutions."""
    held = tasks.load("heldout")
    return ({_key(s) for t in held for s in t.specs},
            {_key(t.solutions[lang]) for t in held for lang in LANGS})


def collect(*, max_files: int, trees: dict | None = None, edit_fraction: float = 0.25,
            jsonl: tuple[str, ...] = (), progress: Callable[[str], None] | None = None
            ) -> tuple[list[data.Pair], list[str], dict]:
    """(pairs, the source name of each, counts) — deduplicated and held-out-free."""
    pairs, names = [], []
    for name, (lang, roots) in (trees if trees is not None else source_trees()).items():
        for root in roots:
            for path, blob in data.iter_tree(root, lang, max_files or None):
                found = data.extract_pairs(blob, lang, source=path)
                pairs += found
                names += [name] * len(found)
            if progress:
                progress(f"{name}: {sum(n == name for n in names)} pairs")
    task_rows = data.task_pairs("train")
    pairs += task_rows
    names += ["tasks"] * len(task_rows)
    for path in jsonl:
        rows = data.read_pairs(path)
        pairs += rows
        names += ["jsonl"] * len(rows)
    held_specs, held_codes = heldout_keys()
    seen, kept, kept_names = set(), [], []
    removed_heldout = 0
    for p, name in zip(pairs, names, strict=True):
        k = (p.language, _key(p.code), _key(p.spec))
        if k in seen:
            continue
        seen.add(k)
        if k[1] in held_codes or k[2] in held_specs:
            removed_heldout += 1
            continue
        kept.append(p)
        kept_names.append(name)
    edits = data.edit_pairs(kept, edit_fraction) if edit_fraction > 0 else []
    edit_names = ["edits-tasks" if e.source.startswith("edit:tasks:") else "edits"
                  for e in edits]
    counts = {"raw": len(pairs), "deduplicated": len(kept), "removed_as_heldout":
              removed_heldout, "edit_pairs": len(edits)}
    return kept + edits, kept_names + edit_names, counts


def export(out_dir: str | Path, *, max_mb: float = 40.0, vocab_size: int = 8192,
           max_files: int = 20_000, max_len: int = 512, cond_len: int = 96,
           heldout_fraction: float = 0.02, edit_fraction: float = 0.25,
           jsonl: tuple[str, ...] = (), trees: dict | None = None,
           log: Callable[[str], None] | None = None) -> dict:
    """Writes ``out_dir``/{tokens.npz, meta.json, tokenizer.json}; returns the meta."""
    if max_mb <= 0 or vocab_size > 2**16 or max_len < 2 or cond_len < 2:
        raise ValueError("max_mb must be > 0, vocab_size at most 65536, max_len and cond_len "
                         "at least 2")
    pairs, names, counts = collect(max_files=max_files, trees=trees,
                                   edit_fraction=edit_fraction, jsonl=jsonl, progress=log)
    if not pairs:
        raise ValueError("no training rows found")
    if log:
        log(f"training a {vocab_size}-token BPE on {len(pairs)} pairs")
    tok = CodeTokenizer.train((t for p in pairs for t in (p.spec, p.code)),
                              vocab_size=vocab_size)
    codes = tok.encode_batch([p.code for p in pairs])
    specs = tok.encode_batch([p.spec for p in pairs])
    focus_names = {"tasks", "jsonl", "edits-tasks"}
    rows, too_long = [], 0
    for i, (p, code, spec, name) in enumerate(zip(pairs, codes, specs, names, strict=True)):
        if len(code) + 1 > max_len:  # the end token must fit
            too_long += 1
            continue
        cond = ([tok.language_id(p.language)] + spec)[:cond_len]
        rows.append((i, code, cond, name in focus_names))
    # Fit the byte budget: focus rows first, then corpus rows in a fixed hash order.
    budget = int(max_mb * 2**20)
    order = sorted(rows, key=lambda r: (not r[3], _key(pairs[r[0]].code)))
    chosen, used, left_out = [], 0, 0
    for r in order:
        size = 2 * (len(r[1]) + len(r[2])) + 20  # uint16 tokens, two offsets, four flags
        if used + size > budget:
            left_out += 1
            continue
        chosen.append(r)
        used += size
    chosen.sort(key=lambda r: r[0])
    _, held = data.heldout_split([pairs[r[0]] for r in chosen], heldout_fraction)
    held_ids = {id(p) for p in held}
    source_names = sorted(set(names))
    by_language: dict[str, int] = {}
    by_source: dict[str, int] = {}
    tokens_by_language: dict[str, int] = {}
    for r in chosen:
        p = pairs[r[0]]
        by_language[p.language] = by_language.get(p.language, 0) + 1
        by_source[names[r[0]]] = by_source.get(names[r[0]], 0) + 1
        tokens_by_language[p.language] = tokens_by_language.get(p.language, 0) + len(r[1])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tok.save(out / "tokenizer.json")
    meta = {
        "kind": "adjax code token set",
        "vocab_size": tok.vocab_size, "pad_id": tok.pad_id, "mask_id": tok.mask_id,
        "eos_id": tok.eos_id, "max_len": max_len, "cond_len": cond_len,
        "languages": list(LANGS), "sources": source_names,
        "language_ids": {lang: tok.language_id(lang) for lang in LANGS},
        "counts": {**counts, "too_long": too_long, "left_out_for_size": left_out,
                   "by_language": by_language, "by_source": by_source,
                   "target_tokens_by_language": tokens_by_language},
        "tokenizer_sha256": hashlib.sha256((out / "tokenizer.json").read_bytes()).hexdigest(),
        "heldout_tasks_excluded": True,
    }
    return tokendata.write(
        out, targets=[r[1] for r in chosen], conds=[r[2] for r in chosen],
        language=[LANGS.index(languages.get(pairs[r[0]].language).name) for r in chosen],
        source=[source_names.index(names[r[0]]) for r in chosen],
        split=[tokendata.HELDOUT if id(pairs[r[0]]) in held_ids else tokendata.TRAIN
               for r in chosen],
        focus=[r[3] for r in chosen], meta=meta)


def summary(meta: dict) -> str:
    """A few lines for the terminal: rows, tokens, bytes and counts per language."""
    c = meta["counts"]
    lines = [f"{meta['rows']} rows ({meta['heldout_rows']} held out for the ELBO), "
             f"{meta['target_tokens']} code + {meta['cond_tokens']} condition tokens, "
             f"{meta['bytes'] / 2**20:.1f} MiB",
             f"removed as held-out tasks: {c['removed_as_heldout']}; too long: "
             f"{c['too_long']}; left out for size: {c['left_out_for_size']}"]
    for lang, n in sorted(c["by_language"].items()):
        lines.append(f"  {lang:<11} {n:>8} rows {c['target_tokens_by_language'][lang]:>10} "
                     "code tokens")
    lines.append("  by source: " + json.dumps(c["by_source"]))
    return "\n".join(lines)
