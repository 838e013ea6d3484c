"""Free-form Java and Go tests judged before and after the two-process split, side by side.

    uv run python benchmarks/bench_free_form.py --against /tmp/old-tree --repeats 3

``--against DIR`` is a source tree of the older commit (``git archive a1a506b | tar -x -C
DIR``: tests ran in the candidate's process). Both trees judge the same honest programs
(three solution/tests pairs per language from tests/test_hostile.py, ``--copies`` of each,
all passing in both) with ``rewards.functional_results`` and a 2-worker sandbox; runs
alternate between the trees, each in a fresh process, so that the machine's load changes
less between neighbouring runs. Reports median seconds, programs/s and their ratio per
language, as one JSONL record in benchmarks/results/free_form.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("java", "go")


def workload() -> dict[str, list[tuple[str, str]]]:
    """(solution, tests) pairs that both trees judge alike: no equals on a handle, no
    solution with a main of its own (the old one-process program could not hold two)."""
    sys.path.insert(0, str(ROOT / "tests"))
    import test_hostile as t

    typical_java = t.JAVA_TYPICAL_TESTS.replace(
        'check(!c.equals(new Counter(6)), "identity");', "")
    typical_go = t.GO_TYPICAL.replace('func main() { fmt.Println("the solution\'s own main") }',
                                      'func Hello() { fmt.Println("hello") }')
    add_java = ("class Sol {\n  static int add(int a, int b) { return a + b; }\n}\n",
                "public class Main {\n  public static void main(String[] a) {\n"
                "    if (Sol.add(1, 2) != 3) throw new AssertionError(\"wrong\");\n  }\n}\n")
    add_go = ("package main\n\nfunc add(a int, b int) int { return a + b }\n",
              "package main\n\nfunc main() {\n\tif add(1, 2) != 3 {\n"
              "\t\tpanic(\"wrong\")\n\t}\n}\n")
    return {"java": [(t.JAVA_ISO_HONEST, t.JAVA_ISO_TESTS), (t.JAVA_TYPICAL, typical_java),
                     add_java],
            "go": [(t.GO_ISO_HONEST, t.GO_ISO_TESTS), (typical_go, t.GO_TYPICAL_TESTS), add_go]}


def timed(language: str, copies: int) -> dict:
    """Seconds, programs and passes of one judging of the workload in ``language``."""
    from adjax_code.judge import execution, rewards

    sandbox = execution.Sandbox(workers=2)
    t0 = time.perf_counter()
    passed = total = 0
    for code, tests in workload()[language]:
        results = rewards.functional_results([code] * copies, language, tests, sandbox)
        passed += sum(r.status == "pass" for r in results)
        total += len(results)
    return {"seconds": time.perf_counter() - t0, "passed": passed, "programs": total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", required=True, help="the older source tree")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--out", default=str(ROOT / "benchmarks/results/free_form.jsonl"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(timed(args.child, args.copies)))
        return
    trees = {"before": Path(args.against).resolve(), "after": ROOT}
    runs: dict[tuple[str, str], list[dict]] = {(w, lang): [] for w in trees for lang in LANGS}
    for _ in range(args.repeats):
        for lang in LANGS:
            for which, tree in trees.items():
                out = subprocess.run(
                    [sys.executable, __file__, "--against", args.against, "--copies",
                     str(args.copies), "--child", lang],
                    cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)},
                    capture_output=True, text=True, check=True).stdout
                runs[(which, lang)].append(json.loads(out.strip().splitlines()[-1]))
    record = {"workload": "free-form-java-go-side-by-side", "against": str(trees["before"]),
              "load_avg_1m_after_runs": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
              "sandbox_workers": 2, "repeats": args.repeats, "python": sys.version.split()[0],
              "machine": platform.machine()}
    for lang in LANGS:
        med = {w: statistics.median(r["seconds"] for r in runs[(w, lang)]) for w in trees}
        n = runs[("after", lang)][0]["programs"]
        record[lang] = {
            "programs": n, "median_s": {w: round(m, 2) for w, m in med.items()},
            "programs_per_s": {w: round(n / m, 2) for w, m in med.items()},
            "passed": {w: min(r["passed"] for r in runs[(w, lang)]) for w in trees},
            "after_over_before_time": round(med["after"] / med["before"], 2)}
        print(f"{lang}: {n} programs; before {med['before']:.1f} s "
              f"({n / med['before']:.2f} programs/s), after {med['after']:.1f} s "
              f"({n / med['after']:.2f} programs/s): {med['after'] / med['before']:.2f}x the "
              f"time; passed {record[lang]['passed']}")
    print(f"load average {record['load_avg_1m_after_runs']}, {os.cpu_count()} CPUs")
    path = Path(args.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
