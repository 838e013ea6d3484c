"""What execution-agreement reranking adds, on the task suite, with candidates made without
a model: each task's pool is its reference solution plus up to three single-edit mutants
(operator and constant swaps) that fail at least one of its tests, in a seeded random order.

For each task and pool we compare four picks, judged on all of the task's tests:
  first      the first candidate in the pool (what a single sample gives);
  random     the expected pass rate of a uniform pick (correct / pool size);
  examples   the candidate passing the most example tests (ties: pool order);
  agreement  examples first, then agreement with the other candidates on derived inputs.

    uv run python benchmarks/bench_rerank.py --language python --split all
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import environment, write  # noqa: E402

from adjax_code import tasks
from adjax_code.evaluate import evaluation
from adjax_code.judge import execution
from adjax_code.tasks import render  # noqa: E402

SWAPS = [(" + ", " - "), (" - ", " + "), (" < ", " <= "), (" <= ", " < "), (" > ", " >= "),
         (" >= ", " > "), (" == ", " != "), ("max(", "min("), ("min(", "max("),
         (" and ", " or "), (" or ", " and "), ("True", "False"), ("False", "True"),
         ("[::-1]", ""), (" 0", " 1"), (" 1", " 2"), (" 1", " 0")]


def mutants(code: str) -> list[str]:
    out = []
    for old, new in SWAPS:
        for m in re.finditer(re.escape(old), code):
            variant = code[:m.start()] + new + code[m.end():]
            if variant not in out and variant != code:
                out.append(variant)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--language", default="python")
    parser.add_argument("--split", default="all")
    parser.add_argument("--pool", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).parent / "results" / "rerank.jsonl")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sandbox = execution.Sandbox()
    t0 = time.perf_counter()
    counts = {"first": 0.0, "random": 0.0, "examples": 0.0, "agreement": 0.0}
    used = 0
    for task in tasks.load(args.split):
        ref = task.solutions[args.language]
        cands = mutants(ref)
        rng.shuffle(cands)
        graded = render.run([(task, args.language, c) for c in cands], sandbox=sandbox)
        wrong = [c for c, r in zip(cands, graded, strict=True) if r.status != execution.PASS]
        pool = [ref] + wrong[: args.pool - 1]
        if len(pool) < 2:
            continue
        rng.shuffle(pool)
        correct = [c == ref for c in pool]
        by_examples = render.run([(task, args.language, c) for c in pool], which="examples",
                                 sandbox=sandbox)
        ex_pick = max(range(len(pool)), key=lambda i: (by_examples[i].tests_passed, -i))
        agree_pick = evaluation.agreement_rerank(pool, task, args.language, sandbox)[0]
        counts["first"] += correct[0]
        counts["random"] += sum(correct) / len(pool)
        counts["examples"] += correct[ex_pick]
        counts["agreement"] += correct[agree_pick]
        used += 1
    rates = {k: v / used for k, v in counts.items()}
    write(args.out, {
        "bench": "rerank", "language": args.language, "split": args.split, "tasks": used,
        "pool": args.pool, "seed": args.seed, **{f"pass@1_{k}": v for k, v in rates.items()},
        "agreement_over_random": rates["agreement"] / rates["random"],
        "agreement_over_examples": rates["agreement"] / rates["examples"],
        "wall_s": time.perf_counter() - t0, **environment(),
    })


if __name__ == "__main__":
    main()
