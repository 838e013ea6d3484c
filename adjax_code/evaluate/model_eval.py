"""Generate-and-score evaluation of a model on the task suite (``adjax eval --model``).

For every task of a split and every language, the model gets the task's first
specification and the signature (``render.header``: built from the typed signature, given as
a clamped prefix, as HumanEval gives its prompt) and samples ``candidates`` programs. Each
program is checked against all the task's tests (example and hidden) at three points:

- ``draft``: straight from the sampler;
- ``repaired``: after the syntax-repair rounds;
- ``reranked``: the one candidate ranked first by the example tests (the reward a user
  would have), then syntax, then the overall reward.

pass@1 for draft and repaired is the unbiased estimate over all candidates; for reranked it
is whether the chosen candidate passes. Syntax validity is tree-sitter's verdict.
"""

from __future__ import annotations

from collections.abc import Sequence

from adjax_code import tasks
from adjax_code.evaluate import evaluation
from adjax_code.generate import batch
from adjax_code.generate.decoding import Decoding
from adjax_code.generate.generator import Generator
from adjax_code.lang import syntax
from adjax_code.tasks import render

METRICS = ("syntax_draft", "syntax_repaired", "pass1_draft", "pass1_repaired",
           "pass1_reranked")


def generate(gen: Generator, split: str = "heldout", langs: Sequence[str] = tasks.LANGS, *,
             candidates: int = 4, seed: int = 0, steps: int | None = None,
             repair_rounds: int = 2, chunk: int = 8, limit: int | None = None,
             progress=None, grow: bool = False) -> list[dict]:
    """One row per (task, language, candidate): task_id, language, candidate (its rank),
    draft, code, repair_rounds and the candidate's reward scores (the first ``limit`` tasks
    only, when given). Generated as a batch job (``batch.generate_batch``): ``chunk`` tasks'
    candidates per sampler call, languages mixed, and each candidate drawn from its own key
    (seed, task and language, index), so it does not depend on ``chunk`` or on the other
    tasks. ``grow``: ``Generator.generate_many``'s growing lengths."""
    chosen = tasks.load(split)[:limit]
    by_id = {f"{t.id}/{lang}": (t, lang) for lang in langs for t in chosen}
    requests = [{"id": key, "spec": t.specs[0], "language": lang,
                 "prefix": render.header(t, lang)} for key, (t, lang) in by_id.items()]
    rows = []
    sampler = _sampler(gen, steps, gen.default_length)
    for res in batch.generate_batch(gen, requests, batch_size=chunk * candidates,
                                    samples=candidates, seed=seed,
                                    repair_rounds=repair_rounds, sampler=sampler, grow=grow):
        t, lang = by_id[res.row.id]
        for i, c in enumerate(res.generation.candidates):
            rows.append({"task_id": t.id, "language": lang, "candidate": i, "draft": c.draft,
                         "code": c.code, "repair_rounds": c.repair_rounds, "scores": c.scores})
        if progress is not None:
            progress.update(1)
    order = {key: n for n, key in enumerate(by_id)}
    return sorted(rows, key=lambda r: (order[f"{r['task_id']}/{r['language']}"],
                                       r["candidate"]))


def _sampler(gen: Generator, steps: int | None, length: int):
    """The model's sampler with ``steps`` (None: its own), as every command decodes."""
    return Decoding(steps=steps or None).sampler(gen.cfg.sampler, length)


def score(rows: list[dict], progress=None) -> list[dict]:
    """Adds pass/fail of draft and repaired code on all tests, example-test results,
    syntax validity, and the reranked choice per (task, language)."""
    drafts = evaluation.score_task_samples(
        [{**r, "code": r["draft"]} for r in rows], which="all", progress=progress)
    final = evaluation.score_task_samples(rows, which="all", progress=progress)
    examples = evaluation.score_task_samples(rows, which="examples", progress=progress)
    out = []
    for r, d, f, e in zip(rows, drafts, final, examples, strict=True):
        out.append({**r, "draft_passed": d["passed"], "passed": f["passed"],
                    "examples_passed": e["tests_passed"], "examples_total": e["tests_total"],
                    "syntax_draft": syntax.is_valid(r["draft"], r["language"]),
                    "syntax_repaired": syntax.is_valid(r["code"], r["language"])})
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in out:
        groups.setdefault((r["task_id"], r["language"]), []).append(r)
    for group in groups.values():
        best = max(group, key=lambda r: (r["examples_passed"], r["syntax_repaired"],
                                         r["scores"]["overall"], -r["candidate"]))
        for r in group:
            r["chosen"] = r is best
    return out


def summarize(rows: list[dict]) -> dict[str, dict]:
    """Per language and ``all`` (the mean over languages): the METRICS in percent."""
    table: dict[str, dict] = {}
    for lang in dict.fromkeys(r["language"] for r in rows):
        mine = [r for r in rows if r["language"] == lang]
        chosen = [r for r in mine if r["chosen"]]
        table[lang] = {
            "tasks": len(chosen), "candidates": len(mine),
            "syntax_draft": 100 * _mean(r["syntax_draft"] for r in mine),
            "syntax_repaired": 100 * _mean(r["syntax_repaired"] for r in mine),
            "pass1_draft": 100 * _mean(r["draft_passed"] for r in mine),
            "pass1_repaired": 100 * _mean(r["passed"] for r in mine),
            "pass1_reranked": 100 * _mean(r["passed"] for r in chosen),
        }
    if table:
        table["all"] = {"tasks": sum(v["tasks"] for v in table.values()),
                        "candidates": sum(v["candidates"] for v in table.values()),
                        **{m: _mean(v[m] for v in table.values()) for m in METRICS}}
    return table


def format_table(table: dict[str, dict]) -> str:
    head = (f"{'language':<12}{'tasks':>6}{'syntax%':>9}{'(draft)':>9}{'pass@1':>8}"
            f"{'(draft)':>9}{'(rerank)':>10}")
    lines = [head]
    for lang, v in table.items():
        lines.append(f"{lang:<12}{v['tasks']:>6}{v['syntax_repaired']:>9.1f}"
                     f"{v['syntax_draft']:>9.1f}{v['pass1_repaired']:>8.1f}"
                     f"{v['pass1_draft']:>9.1f}{v['pass1_reranked']:>10.1f}")
    return "\n".join(lines)


def _mean(values) -> float:
    values = [float(v) for v in values]
    return sum(values) / len(values) if values else 0.0


def generate_humaneval(gen: Generator, *, candidates: int = 1, seed: int = 0,
                       steps: int | None = None, limit: int | None = None,
                       repair_rounds: int = 2, chunk: int = 8, progress=None) -> list[dict]:
    """HumanEval samples ``{task_id, completion, candidate}`` from the model, as a batch job
    of benchmark rows (``batch.parse_row``): the prompt (signature and docstring) is the
    clamped prefix and its docstring the specification. A prompt that leaves the model fewer
    than 32 tokens loses its docstring from the prefix (it stays the specification, and the
    scored program is still the whole prompt plus the completion); one that is still too
    long gets empty completions (they fail)."""
    problems = list(evaluation.humaneval_problems().items())[:limit]
    length = max(gen.cfg.data.buckets)
    parsed = batch.parse_rows([{"task_id": k, "prompt": p["prompt"]} for k, p in problems],
                              "HumanEval", samples=candidates, seed=seed, language="python")
    checked = batch.check_lengths(gen, parsed, length, "HumanEval", skip_bad=True)
    rows: list[dict] = []
    for bad in (r for r in checked if isinstance(r, batch.BadRow)):
        rows += [{"task_id": bad.id, "completion": "", "candidate": i,
                  "note": "prompt too long"} for i in range(candidates)]
        if progress is not None:
            progress.update(1)
    good = [r for r in checked if isinstance(r, batch.Row)]
    batches = batch.plan_batches(gen, good, chunk * candidates, length, False)
    for res in (r for done in batch.generate_batches(
            gen, batches, length=length, sampler=_sampler(gen, steps, length),
            repair_rounds=repair_rounds) for r in done):
        rows += [{"task_id": line["task_id"], "candidate": line["sample"],
                  "completion": line["completion"]}
                 for line in res.lines(gen, keep="all", steps=0)]
        if progress is not None:
            progress.update(1)
    order = {k: n for n, (k, _) in enumerate(problems)}
    return sorted(rows, key=lambda r: (order[r["task_id"]], r["candidate"]))
