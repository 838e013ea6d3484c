"""Batch generation: rows of specifications through a few compiled sampler programs.

A row is ``{"id", "spec", "language", "prefix"?, "samples"?, "seed"?}``, or a benchmark's
``{"task_id", "prompt"}`` (the prompt is the clamped prefix, its docstring the
specification, as ``adjax eval --benchmark humaneval`` reads HumanEval). Rows are grouped by
sample count and length plan, in input order within a group (languages share a batch: each
row carries its own language tag), and cut into batches of about ``batch_size`` sampler rows;
the sampler pads each call to a power of two rows, so a job compiles a handful of programs.
Every sample draws from its own key (seed, a hash of the row's id, the sample's index:
``network.row_keys``), so it depends on its row, its seed, its index and the settings only,
never on the batch it landed in.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable, Iterator

from adjax.config import SamplerConfig
from adjax_code.generate.generator import Generation, Generator, Request, available_memory
from adjax_code.lang import languages

# Sampler rows of a batch with ``batch_size="auto"``: the most that the memory estimate
# allows, at most this many.
MAX_AUTO_ROWS = 256
SEED_LIMIT = 2**32


class BadInput(ValueError):
    """A row that cannot be generated; the message names the file and line."""


@dataclasses.dataclass(frozen=True)
class Row:
    """One input row, checked. ``head``: the prefix as the model's program starts with it
    (the completion is the code after it); ``id_field``: ``task_id`` for benchmark rows."""

    id: str
    spec: str
    language: str
    prefix: str = ""
    samples: int = 1
    seed: int = 0
    line: int = 0
    id_field: str = "id"

    @property
    def id_hash(self) -> int:
        """A stable 31-bit hash of the id: the row's part of its samples' keys."""
        return int.from_bytes(hashlib.sha256(self.id.encode()).digest()[:4], "little") >> 1


@dataclasses.dataclass(frozen=True)
class BadRow:
    """A line that was not generated (``--skip-bad``): written as an error row."""

    line: int
    error: str
    id: str | None = None

    def to_json(self) -> dict:
        return {"id": self.id, "line": self.line, "error": self.error}


@dataclasses.dataclass
class RowResult:
    """A row's candidates (``Generation``), best first."""

    row: Row
    generation: Generation

    def lines(self, gen, keep: str, steps: int) -> list[dict]:
        """Output rows: the best candidate (``keep="best"``) or every one in sample order
        (``"all"``), with the code tokens the sampler wrote (``tokens``) and the denoising
        steps of the draft (``steps``)."""
        cands = self.generation.candidates
        ranked = list(enumerate(cands))
        if keep == "all":
            ranked.sort(key=lambda rc: rc[1].index)
        else:
            ranked = ranked[:1]
        head = self.row.prefix.rstrip()
        fixed = _tokens(gen, self.row.prefix or languages.get(self.row.language).opening)
        out = []
        for rank, c in ranked:
            completion = c.code[len(head):] if head and c.code.startswith(head) else c.code
            out.append({self.row.id_field: self.row.id, "language": self.row.language,
                        "sample": c.index, "rank": rank, "completion": completion,
                        "code": c.code, "rewards": c.scores, "repair_rounds": c.repair_rounds,
                        "steps": steps,
                        "tokens": int(gen.before_end(c.row[None]).sum()) - fixed})
        return out


def docstring(prompt: str) -> str:
    """The first docstring of a Python prompt, on one line: a benchmark row's specification."""
    m = re.search(r'("""|\'\'\')([\s\S]*?)\1', prompt)
    return " ".join((m.group(2) if m else prompt).split())


def _int(value, name: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value < hi:
        raise ValueError(f'"{name}" must be an integer in [{lo}, {hi}), got {value!r}')
    return value


def parse_row(obj, line: int, *, samples: int, seed: int, language: str) -> Row:
    """A ``Row`` from one decoded JSON line; ValueError saying what is wrong."""
    if not isinstance(obj, dict):
        raise ValueError(f"a row is a JSON object, got {type(obj).__name__}")
    id_field = "task_id" if "task_id" in obj and "id" not in obj else "id"
    ident = obj.get(id_field)
    if not isinstance(ident, str | int) or isinstance(ident, bool) or str(ident) == "":
        raise ValueError('a row needs an "id" (or "task_id"): a non-empty string or integer')
    lang = obj.get("language", language)
    if not isinstance(lang, str) or lang not in languages.names():
        raise ValueError(f"unknown language {lang!r}; known: {', '.join(languages.names())}")
    prefix = obj.get("prefix", obj.get("prompt", ""))
    spec = obj.get("spec", docstring(obj["prompt"]) if isinstance(obj.get("prompt"), str)
                   else None)
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError('a row needs a non-empty "spec" (or a "prompt" with a docstring)')
    if not isinstance(prefix, str):
        raise ValueError('"prefix" must be a string')
    return Row(id=str(ident), spec=spec, language=lang, prefix=prefix,
               samples=_int(obj.get("samples", samples), "samples", 1, 1 << 16),
               seed=_int(obj.get("seed", seed), "seed", 0, SEED_LIMIT), line=line,
               id_field=id_field)


def parse_rows(lines: Iterable[str | dict], source: str, *, samples: int = 1, seed: int = 0,
               language: str = "python", skip_bad: bool = False) -> list[Row | BadRow]:
    """Every non-blank line of a JSONL input (or decoded object) as a ``Row``; a malformed
    line, an unknown language or a repeated id raises ``BadInput`` naming ``source`` and the
    line, or with ``skip_bad`` becomes a ``BadRow``."""
    out: list[Row | BadRow] = []
    seen: dict[str, int] = {}
    for n, text in enumerate(lines, 1):
        if isinstance(text, str) and not text.strip():
            continue
        ident = None
        try:
            obj = json.loads(text) if isinstance(text, str) else text
            if isinstance(obj, dict) and isinstance(obj.get("id", obj.get("task_id")),
                                                    str | int):
                ident = str(obj.get("id", obj.get("task_id")))
            row = parse_row(obj, n, samples=samples, seed=seed, language=language)
            if row.id in seen:
                raise ValueError(f"id {row.id!r} repeats the row on line {seen[row.id]}")
            seen[row.id] = n
            out.append(row)
        except ValueError as err:  # json.JSONDecodeError is one
            if not skip_bad:
                raise BadInput(f"{source}:{n}: {err}") from None
            out.append(BadRow(n, str(err), ident))
    return out


def check_lengths(gen, rows: list, length: int, source: str, skip_bad: bool) -> list:
    """``rows`` with each prefix checked to leave room in ``length`` tokens (before any
    compute): a benchmark prompt too long for it loses its last docstring, as
    ``adjax eval --benchmark humaneval`` does; any other is a ``BadInput`` (or ``BadRow``)."""
    out = []
    for row in rows:
        if isinstance(row, BadRow):
            out.append(row)
            continue
        prefix = row.prefix
        if row.id_field == "task_id" and _tokens(gen, prefix) > length - 32:
            prefix = _without_last_docstring(prefix)
        n = _tokens(gen, prefix or languages.get(row.language).opening)
        if n >= length:
            msg = f"the prefix takes {n} tokens; the output holds {length} (--length)"
            if not skip_bad:
                raise BadInput(f"{source}:{row.line}: {msg}")
            out.append(BadRow(row.line, msg, row.id))
            continue
        out.append(dataclasses.replace(row, prefix=prefix))
    return out


def _tokens(gen, text: str) -> int:
    return len(gen.tok.encode(text.rstrip())) if text.strip() else 0


def _without_last_docstring(prompt: str) -> str:
    matches = list(re.finditer(r'\n[ \t]*("""|\'\'\')[\s\S]*?\1[ \t]*(?=\n|$)', prompt))
    return prompt[:matches[-1].start()] + "\n" if matches else prompt


def auto_batch_size(gen, length: int) -> int:
    """The most sampler rows (a power of two, at most ``MAX_AUTO_ROWS``) whose call the
    generator's memory estimate fits in half the memory available."""
    have = available_memory()
    rows = MAX_AUTO_ROWS
    while rows > 1 and have is not None and gen.memory_estimate(rows, length) > have // 2:
        rows //= 2
    return rows


def plan_batches(gen, rows: list[Row], batch_size: int, length: int, grow: bool
                 ) -> list[list[Row]]:
    """``rows`` grouped by (samples, length plan), input order kept within a group, cut
    into batches of at most ``batch_size`` sampler rows (one row at least). Languages are
    not a group: a batch of one language per row pads no better than a mixed one."""
    groups: dict[tuple, list[Row]] = {}
    for row in rows:
        plan = (length,)
        if grow:
            start = gen.start_rows(Request(row.spec, row.language, row.prefix), 1, length)
            plan = tuple(gen.length_plan(start))
        groups.setdefault((row.samples, plan), []).append(row)
    batches = []
    for (samples, _), group in sorted(groups.items()):
        per = max(1, batch_size // samples)
        batches += [group[i:i + per] for i in range(0, len(group), per)]
    return batches


def generate_batches(gen, batches: list[list[Row]], *, length: int, sampler: SamplerConfig,
                     repair_rounds: int = 2, grow: bool = False) -> Iterator[list[RowResult]]:
    """Each batch's results, as it finishes."""
    for batch in batches:
        reqs = [Request(r.spec, r.language, r.prefix) for r in batch]
        gens = gen.generate_many(reqs, samples=batch[0].samples, length=length,
                                 repair_rounds=repair_rounds, sampler=sampler, grow=grow,
                                 row_keys=[(r.seed, r.id_hash) for r in batch])
        yield [RowResult(r, g) for r, g in zip(batch, gens, strict=True)]


def generate_batch(gen: Generator, rows, *, batch_size: int | str = "auto", samples: int = 1,
                   seed: int = 0, language: str = "python", length: int | None = None,
                   repair_rounds: int = 2, sampler: SamplerConfig | None = None,
                   grow: bool = False):
    """Generations for many rows with ``gen``, an iterator of ``RowResult`` in batch
    order (grouped by samples and length plan).

    ``rows``: dicts as in a batch job's input (``{"id", "spec", "language", "prefix"?,
    "samples"?, "seed"?}`` or ``{"task_id", "prompt"}``) or ``Row``s; ``samples``,
    ``seed`` and ``language`` are the defaults of rows without their own. Each sample
    depends only on its row, seed and index and these settings, never on ``batch_size``
    or the other rows. Every row is checked before any compute (``BadInput``)."""
    rows, length = list(rows), length or gen.default_length
    given = [r for r in rows if isinstance(r, Row)]
    parsed = given if len(given) == len(rows) else parse_rows(
        rows, "rows", samples=samples, seed=seed, language=language)
    parsed = check_lengths(gen, parsed, length, "rows", skip_bad=False)
    size = auto_batch_size(gen, length) if batch_size == "auto" else batch_size
    batches = plan_batches(gen, parsed, int(size), length, grow)
    for results in generate_batches(
            gen, batches, length=length, sampler=sampler or gen.cfg.sampler,
            repair_rounds=repair_rounds, grow=grow):
        yield from results

