"""What one API call cost: wall time, compile time, memory, tokens generated and their rate.

Compile time comes from JAX's monitoring events: each measurement registers its own
listener for its span and unregisters it after, so nothing global accumulates.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from typing import Any

import jax

from adjax_code.generate.generator import Generator


def resident_bytes() -> tuple[int, int]:
    """(current, peak) resident memory of this process in bytes: XLA's host buffers count."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak *= 1 if sys.platform == "darwin" else 1024  # kilobytes on Linux
    try:
        with open("/proc/self/statm") as f:
            current = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # pragma: no cover - not Linux
        current = peak
    return current, max(peak, current)  # the kernel updates its peak lazily


def is_compile_event(event: str) -> bool:
    return event.startswith("/jax/core/compile/") or event.startswith("/jax/compilation_cache/")


class Profile:
    """``with Profile(device, gen) as prof: ...`` measures the block into ``prof.result``
    (the API's ``last_profile``)."""

    def __init__(self, device: jax.Device, gen: Generator):
        self.device, self.gen = device, gen
        self.compile_s = 0.0
        self.result: dict | None = None
        self._listener = self._on_duration  # one object to register and unregister

    def _on_duration(self, event: str, duration: float, **_: Any) -> None:
        if is_compile_event(event):
            self.compile_s += duration

    def __enter__(self) -> Profile:
        jax.monitoring.register_event_duration_secs_listener(self._listener)
        self.t0 = time.perf_counter()
        self.stats0 = dict(self.gen.stats)
        return self

    def __exit__(self, *exc) -> bool:
        elapsed = time.perf_counter() - self.t0
        jax.monitoring.unregister_event_duration_listener(self._listener)
        delta = {k: self.gen.stats[k] - self.stats0.get(k, 0) for k in self.gen.stats}
        tokens, compile_s = delta["tokens"], self.compile_s
        current, peak = resident_bytes()
        stats = self.device.memory_stats() or {}
        self.result = {
            "elapsed_time_sec": elapsed,
            "compile_time_sec": compile_s,
            "run_time_sec": max(elapsed - compile_s, 0.0),
            "memory_current_bytes": current,
            "memory_peak_bytes": peak,
            "device": f"{self.device.platform}:{self.device.id}",
            "device_memory_bytes": stats.get("bytes_in_use"),
            "device_memory_peak_bytes": stats.get("peak_bytes_in_use"),
            # code tokens written before each output's end (padding excluded)
            "tokens_generated": tokens,
            "tokens_per_sec": tokens / max(elapsed - compile_s, 1e-9) if tokens else 0.0,
            "forward_passes": delta["forward_passes"],
            "slots_filled": delta["slots"],  # masked positions filled, padding included
        }
        return False
