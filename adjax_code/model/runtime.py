"""Process-level choices of the product shell (the CLI), each an explicit call: JAX's
persistent compilation cache (``enable_compilation_cache``, so that a second ``adjax
generate`` does not compile again) and the store of exported sampler programs
(``program_store``, handed to ``Generator.load``). The library decides nothing from them.

``ADJAX_CACHE_DIR`` moves the cache; ``ADJAX_COMPILATION_CACHE=off`` turns it off (and the
program store with it); ``ADJAX_PROGRAM_STORE=off`` turns off the program store alone.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import jax

from adjax import exported


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


def program_store(cache: str | Path | None = None) -> exported.ProgramStore | None:
    """The store of exported sampler programs, in ``adjax-exported`` under ``cache``
    (default ``cache_dir()``), or None: the cache off, ``ADJAX_PROGRAM_STORE=off``, or
    no serialization (``flatbuffers``). The only reader of ``ADJAX_PROGRAM_STORE``. One
    object per directory for the process, so a program read once is not read again.

    A stored program gains only with the compilation cache on (else it is compiled again
    in every process): the shell calls ``enable_compilation_cache`` too."""
    if cache is None:
        cache = cache_dir()
    if (cache is None or not exported.available()
            or os.environ.get("ADJAX_PROGRAM_STORE") == "off"):
        return None
    return _store_at(str(Path(cache) / "adjax-exported"))


@functools.cache
def _store_at(directory: str) -> exported.ProgramStore:
    return exported.ProgramStore(directory)
