"""Shared pieces of the benchmark scripts: timing, environment record, JSONL output."""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import jax

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adjax.checkpoint import library_versions  # noqa: E402


def environment() -> dict:
    dev = jax.devices()[0]
    return {"versions": library_versions(), "backend": jax.default_backend(),
            "device": getattr(dev, "device_kind", str(dev)), "device_count": jax.device_count()}


def time_compiled(fn, args, repeats: int) -> dict:
    """Compiles ``fn`` (a jitted function) for ``args``, then times repeated calls."""
    t0 = time.perf_counter()
    compiled = fn.lower(*args).compile()
    compile_s = time.perf_counter() - t0
    jax.block_until_ready(compiled(*args))  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        jax.block_until_ready(compiled(*args))
        times.append(time.perf_counter() - t0)
    return {"compile_s": compile_s, "median_s": statistics.median(times),
            "min_s": min(times), "max_s": max(times), "repeats": repeats}


def write(path: Path, record: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        f.write(json.dumps(record, default=str) + "\n")
    print(json.dumps({k: record[k] for k in record if k not in ("versions", "net")},
                     default=str))


def config_record(cfg) -> dict:
    return cfg.to_dict()
