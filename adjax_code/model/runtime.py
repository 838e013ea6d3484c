"""Process-level settings for the product entry points (CLI, API): the persistent JAX
compilation cache, so that a second ``adjax generate`` does not compile again.

``ADJAX_CACHE_DIR`` moves the cache; ``ADJAX_COMPILATION_CACHE=off`` turns it off.
"""

from __future__ import annotations

import os
from pathlib import Path

import jax


def cache_dir() -> Path | None:
    """Where compiled programs are kept, or None when the cache is off."""
    if os.environ.get("ADJAX_COMPILATION_CACHE", "on").lower() in ("0", "off", "false", "no"):
        return None
    if os.environ.get("ADJAX_CACHE_DIR"):
        return Path(os.environ["ADJAX_CACHE_DIR"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "adjax" / "jax"


def enable_compilation_cache() -> Path | None:
    """Turns on JAX's persistent compilation cache in ``cache_dir()``; returns it."""
    path = cache_dir()
    if path is None:
        return None
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a read-only home: run without the cache rather than fail
    jax.config.update("jax_compilation_cache_dir", str(path))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return path
