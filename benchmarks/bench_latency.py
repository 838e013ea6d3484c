"""Warm latency of `adjax generate` from process start, with and without stored programs.

The README's first command (4 candidates, 32 steps, 2 repair rounds) runs in fresh
processes against one compilation cache: one run per setting fills it, then the settings
alternate, ``--runs`` times each, so both see the same machine. ``stored``: the sampler
programs kept as jax.export artifacts (the default); ``traced``: ``ADJAX_PROGRAM_STORE=off``,
the sampler traced and its compiled form read from JAX's cache. Also the phases of one
stored run: JAX's import, everything before the draft, the draft, repair. ``--baseline
PATH``: the ``adjax`` script of another checkout (for example an older commit in a git
worktree with its own environment) as a third setting, with its own cache.

    uv run python benchmarks/bench_latency.py [--runs 6] [--baseline /tmp/old/.venv/bin/adjax]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import environment, write

ROOT = Path(__file__).resolve().parents[1]
ADJAX = Path(sys.executable).with_name("adjax")
SPEC = "return the sum of a list of numbers"
SETTINGS = {"stored": {}, "traced": {"ADJAX_PROGRAM_STORE": "off"}}


def run(env: dict, adjax: Path = ADJAX) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run([str(adjax), "generate", SPEC, "--language", "python"], env=env,
                          capture_output=True, text=True, check=True)
    return time.perf_counter() - t0, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--baseline", default=None, help="another checkout's adjax script")
    parser.add_argument("--out", default=str(ROOT / "benchmarks/results/latency.jsonl"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as other:
        base = {**os.environ, "ADJAX_CACHE_DIR": cache, "ADJAX_COMPILATION_CACHE": "on"}
        envs = {name: {**base, **extra} for name, extra in SETTINGS.items()}
        scripts = dict.fromkeys(envs, ADJAX)
        if args.baseline:
            envs["baseline"] = {**base, "ADJAX_CACHE_DIR": other}
            envs["baseline"].pop("VIRTUAL_ENV", None)
            scripts["baseline"] = Path(args.baseline)
        cold = {name: run(env, scripts[name])[0] for name, env in envs.items()}  # fills
        times = {name: [] for name in envs}
        printed = {}
        for _ in range(args.runs):
            for name, env in envs.items():
                seconds, printed[name] = run(env, scripts[name])
                times[name].append(seconds)
        if len(set(printed.values())) != 1:
            raise SystemExit(f"the settings printed different programs: {printed}")
        median = {name: statistics.median(t) for name, t in times.items()}
        write(Path(args.out), {
            "bench": "latency", **environment(), "command": f"adjax generate {SPEC!r} "
            "--language python", "runs": args.runs, "cold_s": cold,
            "median_s": median, "min_s": {n: min(t) for n, t in times.items()},
            "max_s": {n: max(t) for n, t in times.items()},
            "traced_over_stored": median["traced"] / median["stored"],
            "baseline": args.baseline, **({"baseline_over_stored": median["baseline"] /
                                            median["stored"]} if args.baseline else {}),
            "phases_s": phases(envs["stored"])})


def phases(env: dict) -> dict:
    """Seconds from process start to the end of each phase of one stored run."""
    code = """
import json, time
t0 = time.perf_counter()
import jax
marks = {"import_jax": time.perf_counter() - t0}
from adjax_code.app import cli
from adjax_code.generate import generator
G = generator.Generator
def timed(name, fn):
    def wrap(*a, **k):
        out = fn(*a, **k)
        marks[name] = time.perf_counter() - t0
        return out
    return wrap
G._prepare = timed("before_draft", G._prepare)
G._draft = timed("draft", G._draft)
G._repair = timed("repair", G._repair)
cli.main(["generate", SPEC, "--language", "python"])
marks["end"] = time.perf_counter() - t0
print(json.dumps(marks))
""".replace("SPEC", repr(SPEC))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.splitlines()[-1]
    return {k: round(v, 3) for k, v in json.loads(out).items()}


if __name__ == "__main__":
    main()
