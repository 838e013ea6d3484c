"""Corpora for the code model: (specification, code) pairs, deduplicated, bucketed, packed.

Sources:
- doc comment -> function pairs extracted with tree-sitter from source trees on the machine
  (the Python standard library, Go's standard library, the JDK's src.zip, the JavaScript
  that ships with npm; TypeScript comes from the task suite only: no TypeScript sources with
  function bodies ship on a Debian machine);
- the task suite's train split (never the held-out split): every paraphrase x language;
- JSONL files of ``{"spec", "language", "code"}`` that users bring.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from adjax_code import tasks
from adjax_code.lang import languages, syntax


@dataclass(frozen=True, kw_only=True)
class DataConfig:
    """What the code model trains on and in which shapes."""

    vocab_size: int = 4096
    buckets: tuple[int, ...] = (64, 128, 256)
    cond_len: int = 64
    max_files: int = 400  # per source tree; 0 leaves the machine's trees out
    include_tasks: bool = True
    task_repeat: int = 1  # times each task-suite train pair appears in the training rows
    jsonl: str = ""  # comma-separated JSONL files of {"spec", "language", "code"}
    heldout_fraction: float = 0.02
    edit_fraction: float = 0.0  # share of train pairs also used as feedback edit pairs
    # The last ``anneal_steps`` training steps draw their batches from the focus pairs (the
    # task suite, the user's JSONL and their edit pairs) except for a share ``anneal_corpus``
    # drawn from all rows as before: a short, high-quality final phase.
    anneal_steps: int = 0
    anneal_corpus: float = 0.2

    def __post_init__(self):
        if self.vocab_size < 512:
            raise ValueError(f"vocab_size must be at least 512, got {self.vocab_size}")
        if not self.buckets or any(b <= 1 for b in self.buckets):
            raise ValueError(f"buckets must be lengths > 1, got {self.buckets}")
        if self.cond_len <= 1 or self.max_files < 0:
            raise ValueError("cond_len must be > 1 and max_files >= 0")
        if self.task_repeat < 1:
            raise ValueError(f"task_repeat must be at least 1, got {self.task_repeat}")
        if not 0 < self.heldout_fraction < 1:
            raise ValueError(f"heldout_fraction must lie in (0, 1), got {self.heldout_fraction}")
        if not 0 <= self.edit_fraction <= 1:
            raise ValueError(f"edit_fraction must lie in [0, 1], got {self.edit_fraction}")
        if self.anneal_steps < 0:
            raise ValueError(f"anneal_steps must be >= 0, got {self.anneal_steps}")
        if not 0 <= self.anneal_corpus < 1:
            raise ValueError(f"anneal_corpus must lie in [0, 1), got {self.anneal_corpus}")


def build_corpus(cfg: DataConfig) -> tuple[list[Pair], list[Pair], dict]:
    """(train pairs, held-out pairs, counts by source and language)."""
    pairs: list[Pair] = []
    if cfg.max_files:
        pairs += corpus_from_trees(default_trees(), max_files=cfg.max_files)
    if cfg.include_tasks:
        pairs += task_pairs("train")
    files = [p for p in (p.strip() for p in cfg.jsonl.split(",")) if p]
    per_file = {}
    for path in files:
        if not Path(path).is_file():
            raise ValueError(f"data.jsonl: {path} does not exist"
                             if not Path(path).exists() else f"data.jsonl: {path} is not a file")
        per_file[path] = read_pairs(path)
        pairs += per_file[path]
    unique = deduplicate(pairs)
    train, held = heldout_split(unique, cfg.heldout_fraction)
    # Each JSONL file (the user's data) of two pairs or more keeps at least one held-out
    # pair, the one with the lowest hash, so that the held-out figure measures its rows.
    for rows in map(set, per_file.values()):
        mine = [p for p in train if p in rows]
        if len(mine) >= 2 and not any(p in rows for p in held):
            pick = min(mine, key=lambda p: _key(p.code))
            train.remove(pick)
            held.append(pick)
    counts: dict = {"raw": len(pairs), "deduplicated": len(unique), "train": len(train),
                    "heldout": len(held), "by_language": {}, "by_source": {}}
    roots = _tree_roots()
    for p in unique:
        source = _source_name(p.source, roots)
        counts["by_source"][source] = counts["by_source"].get(source, 0) + 1
    if cfg.edit_fraction > 0:
        edits = edit_pairs(train, cfg.edit_fraction)
        counts["edit_pairs"] = {}
        for p in edits:
            kind = p.spec.split(".", 1)[0]
            counts["edit_pairs"][kind] = counts["edit_pairs"].get(kind, 0) + 1
        train += edits
    if cfg.task_repeat > 1 or cfg.edit_fraction > 0:
        train += [p for p in train if p.source.startswith("tasks:")] * (cfg.task_repeat - 1)
        counts["train_rows"] = len(train)
    for p in unique:
        counts["by_language"][p.language] = counts["by_language"].get(p.language, 0) + 1
    return train, held, counts


def focus_pairs(pairs: Iterable[Pair]) -> list[Pair]:
    """The pairs not extracted from the machine's source trees — task suite, JSONL and
    their edit pairs — once each, in order (the anneal phase's pool)."""
    roots = _tree_roots()
    return list(dict.fromkeys(
        p for p in pairs
        if _source_name(p.source.removeprefix("edit:"), roots) in ("tasks", "jsonl")))


def _tree_roots() -> list[str]:
    """The source-tree roots the corpus extracts from (``default_trees``), as strings."""
    return [str(r) for rs in default_trees().values() for r in rs]


def _source_name(source: str, roots: list[str]) -> str:
    """The source tree, ``tasks`` or ``jsonl`` a pair came from (for manifests)."""
    if source.startswith("tasks:"):
        return "tasks"
    return next((r for r in roots if source.startswith(r)), "jsonl")


@dataclass(frozen=True)
class Pair:
    spec: str
    language: str
    code: str
    source: str = ""

    def to_json(self) -> dict:
        return {"spec": self.spec, "language": self.language, "code": self.code,
                "source": self.source}


# -- extraction ---------------------------------------------------------------------------

_COMMENT_MARKS = re.compile(r"^\s*(/\*\*?|\*/|\*|//+|#)\s?", re.M)


def clean_comment(text: str) -> str:
    """Comment text without markers, first paragraph, one line, no doc tags."""
    text = text.strip()
    if text.startswith(('"""', "'''")):
        text = text[3:-3]
    elif text[:1] in "\"'":
        text = text[1:-1]
    text = text.replace("*/", "")
    lines = [_COMMENT_MARKS.sub("", ln).strip() for ln in text.splitlines()]
    para: list[str] = []
    for ln in lines:
        if not ln:
            if para:
                break
            continue
        if ln.startswith("@"):
            break
        para.append(ln)
    return " ".join(" ".join(para).split())


def _doc_of(fn, language: str, data: bytes) -> str:
    if language == "python":
        body = fn.child_by_field_name("body")
        first = body.named_children[0] if body is not None and body.named_children else None
        if first is not None and first.type == "expression_statement" and first.named_children \
                and first.named_children[0].type == "string":
            return clean_comment(first.named_children[0].text.decode("utf-8", "replace"))
        return ""
    node = fn
    while node.prev_named_sibling is None and node.parent is not None and node.parent.type in (
            "export_statement", "lexical_declaration", "variable_declarator"):
        node = node.parent
    comments = []
    prev = node.prev_named_sibling
    row = node.start_point[0]
    while prev is not None and "comment" in prev.type and row - prev.end_point[0] <= 1:
        comments.insert(0, data[prev.start_byte:prev.end_byte].decode("utf-8", "replace"))
        row = prev.start_point[0]
        prev = prev.prev_named_sibling
    return clean_comment("\n".join(comments))


def extract_pairs(code: str | bytes, language: str, *, source: str = "", min_words: int = 3,
                  max_lines: int = 40) -> list[Pair]:
    """(doc comment, function) pairs of one file; functions without a doc are skipped."""
    lang = languages.get(language)
    data = syntax.to_bytes(code)
    tree = syntax.parse(data, lang.name)
    out = []
    for node in _walk(tree.root_node):
        if node.type not in lang.function_types or node.has_error:
            continue
        if node.child_by_field_name("name") is None:
            continue
        lines = node.end_point[0] - node.start_point[0] + 1
        if lines > max_lines or lines < 2:
            continue
        doc = _doc_of(node, lang.name, data)
        if len(doc.split()) < min_words:
            continue
        indent = node.start_point[1]
        text = " " * indent + data[node.start_byte:node.end_byte].decode("utf-8", "replace")
        out.append(Pair(doc, lang.name, _dedent(text), source))
    return out


def _walk(node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def _dedent(text: str) -> str:
    lines = text.splitlines()
    indents = [len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()]
    cut = min(indents) if indents else 0
    return "\n".join(ln[cut:] for ln in lines) + "\n"


# -- feedback edit pairs -----------------------------------------------------------------

_PY_DOCSTRING = re.compile(r'^(\s*(?:async\s+)?def [^\n]*:[ \t]*\n)([ \t]+)("""|\'\'\')'
                           r"[\s\S]*?\3[ \t]*\n")
_PY_GUARD = re.compile(r"^(\s*(?:async\s+)?def [^\n]*:[ \t]*\n)(?:[ \t]+(\"\"\"|\'\'\')[\s\S]*?\2"
                       r"[ \t]*\n)?[ \t]+if not \w+:[ \t]*\n[ \t]+return\b")
_PY_HINTED = re.compile(r"^\s*(?:async\s+)?def \w+\([^)]*\b\w+\s*:\s*[A-Za-z_][^)]*\)"
                        r"|^\s*(?:async\s+)?def \w+\([^)]*\)\s*->")


def _first_line(code: str) -> str:
    return next((ln.strip() for ln in code.splitlines() if ln.strip()), "")


def _without_hints(code: str) -> str:
    m = re.search(r"^([ \t]*(?:async\s+)?def \w+\()([^)]*)\)(\s*->[^:]*)?:", code, re.M)
    if m is None:
        return code
    params = []
    for part in m.group(2).split(","):
        name, _, default = part.partition("=")
        name = name.split(":")[0].strip()
        params.append(f"{name}={default.strip()}" if default else name)
    params = ", ".join(params)
    return code[:m.start()] + f"{m.group(1)}{params}):" + code[m.end():]


def edit_pairs(pairs: Sequence[Pair], fraction: float, seed: int = 0) -> list[Pair]:
    """Pairs that teach ``improve``'s feedback kinds, from real code.

    For a ``fraction`` of the pairs (chosen by hash, fixed), the property the code already
    has is removed to give the "before" program, and the pair's condition becomes
    ``"<feedback>. <first line of the before program>"`` (the text ``improve`` conditions
    on) with the original code as the target: "Add a docstring" (Python docstrings; the
    doc comment the pair's spec came from for the other languages), "Add type hints"
    (annotated Python signatures), "Handle the empty list" (``if not x: return`` at the top
    of a Python body).
    """
    out = []
    cut = int(fraction * 2**32)
    for p in pairs:
        if int(hashlib.sha256(f"{seed}:{p.code}".encode()).hexdigest()[:8], 16) >= cut:
            continue
        if p.language == "python":
            m = _PY_DOCSTRING.search(p.code)
            if m:
                before = p.code[:m.start()] + m.group(1) + p.code[m.end():]
                out.append(Pair(f"Add a docstring. {_first_line(before)}", p.language, p.code,
                                f"edit:{p.source}"))
            if _PY_HINTED.search(p.code):
                before = _without_hints(p.code)
                if before != p.code:
                    out.append(Pair(f"Add type hints. {_first_line(before)}", p.language,
                                    p.code, f"edit:{p.source}"))
            if _PY_GUARD.search(p.code):
                out.append(Pair(f"Handle the empty list. {_first_line(p.code)}", p.language,
                                p.code, f"edit:{p.source}"))
        elif p.spec and not p.source.startswith("tasks:"):
            opener, closer = ("// ", "\n") if p.language == "go" else ("/** ", " */\n")
            out.append(Pair(f"Add a docstring. {_first_line(p.code)}", p.language,
                            f"{opener}{p.spec}{closer}{p.code}", f"edit:{p.source}"))
    return out


# -- source trees -------------------------------------------------------------------------

def iter_tree(root: str | Path, language: str, limit: int | None = None
              ) -> Iterator[tuple[str, bytes]]:
    """(path, bytes) of a language's source files under a directory or inside a .zip."""
    ext = languages.get(language).extension
    root = Path(root)
    count = 0
    if root.suffix == ".zip":
        with zipfile.ZipFile(root) as zf:
            for name in sorted(zf.namelist()):
                if name.endswith(ext):
                    yield f"{root}:{name}", zf.read(name)
                    count += 1
                    if limit and count >= limit:
                        return
        return
    for path in sorted(root.rglob(f"*{ext}")):
        if path.name.endswith((".d.ts", "_test.go", ".min.js")) or not path.is_file():
            continue
        yield str(path), path.read_bytes()
        count += 1
        if limit and count >= limit:
            return


def corpus_from_trees(trees: dict[str, Sequence[str | Path]], *,
                      max_files: int | None = None) -> list[Pair]:
    pairs = []
    for language, roots in trees.items():
        for root in roots:
            if not Path(str(root).split(":")[0]).exists():
                continue
            for path, data in iter_tree(root, language, max_files):
                pairs.extend(extract_pairs(data, language, source=path))
    return pairs


def task_pairs(split: str = "train") -> list[Pair]:
    """Every paraphrase x language of the task suite's ``split`` (train by default)."""
    if split == "heldout":
        raise ValueError("held-out tasks never go into training data")
    return [Pair(spec, lang, t.solutions[lang], f"tasks:{t.id}")
            for t in tasks.load(split) for spec in t.specs for lang in tasks.LANGS]


# -- JSONL -------------------------------------------------------------------------------

def iter_jsonl(path: str | Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed row) of each non-blank line; bad JSON names its line."""
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}:{number}: not valid JSON ({err.msg})") from None


def read_pairs(path: str | Path) -> list[Pair]:
    """Reads a JSONL file of ``{"spec", "language", "code"}``; errors name the line."""
    out = []
    for number, row in iter_jsonl(path):
        missing = {"spec", "language", "code"} - set(row)
        if missing:
            raise ValueError(f"{path}:{number}: missing keys {sorted(missing)}")
        try:
            language = languages.get(row["language"]).name
        except ValueError as err:
            raise ValueError(f"{path}:{number}: {err}") from None
        out.append(Pair(str(row["spec"]), language, str(row["code"]),
                        row.get("source", f"{path}:{number}")))
    return out


def write_pairs(path: str | Path, pairs: Iterable[Pair]) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for p in pairs:
            f.write(json.dumps(p.to_json()) + "\n")


# -- dedup, split, packing ---------------------------------------------------------------

def _key(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def deduplicate(pairs: Iterable[Pair]) -> list[Pair]:
    """Drops pairs whose code and spec (ignoring whitespace) were seen before, per language;
    one function under several paraphrased specs stays, once per spec."""
    seen, out = set(), []
    for p in pairs:
        k = (p.language, _key(p.code), _key(p.spec))
        if k not in seen:
            seen.add(k)
            out.append(p)
    return out


def heldout_split(pairs: Sequence[Pair], fraction: float = 0.02) -> tuple[list[Pair], list[Pair]]:
    """(train, held-out) by a hash of the code: fixed, independent of order."""
    if not 0 < fraction < 1:
        raise ValueError(f"held-out fraction must lie in (0, 1), got {fraction}")
    cut = int(fraction * 2**32)
    train, held = [], []
    for p in pairs:
        (held if int(_key(p.code)[:8], 16) < cut else train).append(p)
    return train, held


@dataclass(frozen=True)
class Packed:
    """One length bucket: code tokens [N, L] (EOS then PAD) and conditions [N, C]."""

    tokens: np.ndarray
    cond: np.ndarray
    cond_mask: np.ndarray


def pack(pairs: Sequence[Pair], tokenizer, *, buckets: Sequence[int] = (64, 128, 256),
         cond_len: int = 64, pad_left: bool = False) -> tuple[dict[int, Packed], int]:
    """Packs pairs into fixed shapes per length bucket; returns (buckets, number dropped).

    Code becomes ``tokens + [EOS] + [PAD]*`` in the smallest bucket that holds it; the
    condition is the tokenizer's ``condition_ids`` (``[language tag] + spec tokens`` for
    adjax's tokenizer, the prompt for an imported one) cut to ``cond_len``, padded on the
    left with ``pad_left`` (decoder-only networks). Code longer than the largest bucket is
    dropped (counted), never truncated into invalid code.
    """
    buckets = sorted(buckets)
    grouped: dict[int, tuple[list, list]] = {b: ([], []) for b in buckets}
    dropped = 0
    codes = tokenizer.encode_batch([p.code for p in pairs])
    for p, code_ids in zip(pairs, codes, strict=True):
        size = next((b for b in buckets if len(code_ids) + 1 <= b), None)
        if size is None:
            dropped += 1
            continue
        grouped[size][0].append(code_ids + [tokenizer.eos_id]
                                + [tokenizer.pad_id] * (size - len(code_ids) - 1))
        cond = tokenizer.condition_ids(p.spec, p.language, cond_len)
        pad = [tokenizer.pad_id] * (cond_len - len(cond))
        grouped[size][1].append(pad + cond if pad_left else cond + pad)
    out = {}
    for size, (toks, conds) in grouped.items():
        if toks:
            cond = np.asarray(conds, np.int32)
            out[size] = Packed(np.asarray(toks, np.int32), cond, cond != tokenizer.pad_id)
    return out, dropped


def default_trees() -> dict[str, list[str]]:
    """Source trees this machine has, per language (see the module docstring)."""
    import glob
    import sysconfig

    return {
        "python": [sysconfig.get_paths()["stdlib"]],
        "go": ["/usr/lib/go/src"],
        "java": [z for z in sorted(glob.glob("/usr/lib/jvm/*/lib/src.zip"))
                 if Path(z).is_file()][:1],
        "javascript": ["/usr/lib/node_modules/npm"],
    }
