"""Feedback-driven improvement: how often ``improve`` gives code with the property asked
for that still passes all its tests, per feedback kind, on task-suite references (Python).

    uv run python benchmarks/bench_improve.py --tasks 12

Appends one JSONL record per feedback kind to benchmarks/results/improve.jsonl.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from common import environment, write

from adjax_code import tasks
from adjax_code.generate import refine
from adjax_code.generate.generator import Generator
from adjax_code.model import model_store
from adjax_code.tasks import render

FEEDBACK = ("Add a docstring", "Add type hints", "Handle the empty list")


def hint_agreement(code: str, task) -> tuple[int, int]:
    """(annotations equal to the task's typed signature, annotations checked): the base type
    (``list`` for ``list[int]``) of each parameter and of the return value."""
    import re

    m = re.search(r"def \w+\(([^)]*)\)\s*(?:->\s*([\w\[\], ]+))?:", code)
    if m is None:
        return 0, 0
    want = {name: t.split("[")[0] for name, t in task.params}
    got = {}
    for part in m.group(1).split(","):
        if ":" in part:
            name, ann = part.split(":", 1)
            got[name.strip()] = ann.split("=")[0].strip().split("[")[0]
    if m.group(2):
        got["return"] = m.group(2).strip().split("[")[0]
        want["return"] = task.returns.split("[")[0]
    checked = [k for k in got if k in want]
    return sum(got[k] == want[k] for k in checked), len(checked)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=12)
    parser.add_argument("--model", default=str(model_store.DEFAULT_DIR))
    parser.add_argument("--feedback", nargs="+", default=list(FEEDBACK))
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).parent / "results" / "improve.jsonl")
    args = parser.parse_args()
    gen = Generator.load(args.model)
    chosen = tasks.load("train")[:args.tasks]
    for feedback in args.feedback:
        check = refine.feedback_check(feedback)
        t0 = time.perf_counter()
        outs = [refine.improve(gen, t.solutions["python"], feedback, "python",
                               spec=t.specs[0], iterations=1, candidates=4).code
                for t in chosen]
        runs = render.run_batched([(t, "python", c) for t, c in zip(chosen, outs, strict=True)])
        has = [check(c, "python") for c in outs]
        had = [check(t.solutions["python"], "python") for t in chosen]
        passing = [r.status == "pass" for r in runs]
        write(args.out, {
            "bench": "improve", "feedback": feedback, "tasks": len(chosen),
            "had_property_before": sum(had), "has_property": sum(has),
            "passes_tests": sum(passing),
            "property_and_passing": sum(h and p for h, p in zip(has, passing, strict=True)),
            "changed": sum(o != t.solutions["python"] for o, t in zip(outs, chosen, strict=True)),
            **({"hints_matching_signature": [sum(x) for x in zip(*[
                hint_agreement(o, t) for o, t in zip(outs, chosen, strict=True)], strict=True)]}
               if "type hint" in feedback.lower() else {}),
            "example": outs[0],
            "wall_s": time.perf_counter() - t0, **environment()})


if __name__ == "__main__":
    main()
