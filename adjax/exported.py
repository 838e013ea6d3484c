"""Jitted programs kept on disk as serialized ``jax.export`` artifacts.

A warm process that finds a program here calls it without tracing the Python that defines
it, or even importing that code (Flax, the network): the artifact holds the program's
StableHLO, and JAX's persistent compilation cache (when the caller turned it on) holds its
compiled form. An artifact's name digests what the caller says determines the program
(configuration, argument shapes), the JAX version and backend, and the source of the
``adjax`` package, so an edited sampler or network never meets a stale program.

Artifacts are written atomically (a reader sees a whole file or none) as
``<digest>.jaxexport`` beside ``<digest>.json``, the caller's metadata.

A ``ProgramStore`` is an explicit object that its caller hands to what uses it; nothing
here reads a process-wide setting (``adjax_code.model.runtime.program_store`` is the
product shell's choice of one).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jax
from jax import export

_PACKAGE = Path(__file__).resolve().parent


@functools.cache
def source_digest() -> str:
    """sha256 of every ``adjax`` source file, the JAX version and the default backend."""
    h = hashlib.sha256(f"{jax.__version__} {jax.default_backend()}".encode())
    for file in sorted(_PACKAGE.rglob("*.py")):
        h.update(file.relative_to(_PACKAGE).as_posix().encode())
        h.update(file.read_bytes())
    return h.hexdigest()


@functools.cache
def available() -> bool:
    """Whether artifacts can be written and read (serialization needs ``flatbuffers``)."""
    import importlib.util

    return importlib.util.find_spec("flatbuffers") is not None


def shapes_key(args: Any) -> str:
    """The shapes, dtypes and pytree structure of ``args``: part of a program's identity."""
    leaves, treedef = jax.tree.flatten(args)
    return f"{treedef} " + " ".join(f"{x.dtype}{list(x.shape)}" for x in leaves)


class ProgramStore:
    """A directory of exported programs; a program read or saved once is kept in the object
    (share one object to share them)."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self._loaded: dict[str, tuple[export.Exported, dict]] = {}

    def _stem(self, key: str) -> Path:
        digest = hashlib.sha256(f"{source_digest()}\n{key}".encode()).hexdigest()[:32]
        return self.directory / digest

    def load(self, key: str) -> tuple[export.Exported, dict] | None:
        """(the program, its metadata) stored under ``key``, or None (absent or unreadable)."""
        if key in self._loaded:
            return self._loaded[key]
        stem = self._stem(key)
        try:
            meta = json.loads(stem.with_suffix(".json").read_text())
            blob = stem.with_suffix(".jaxexport").read_bytes()
        except (OSError, ValueError):
            return None
        try:
            found = export.deserialize(bytearray(blob)), meta
        except Exception:  # a damaged flatbuffer raises any kind: store the program again
            return None
        self._loaded[key] = found
        return found

    def save(self, key: str, fn: Callable, args: tuple, meta: dict) -> export.Exported:
        """Exports ``jax.jit(fn)`` at the shapes of ``args`` and stores it under ``key``
        with ``meta``; returns the program. A directory that cannot be written leaves the
        program unstored (the next process exports it again)."""
        specs = jax.tree.map(lambda x: jax.ShapeDtypeStruct(x.shape, x.dtype), args)
        program = export.export(jax.jit(fn))(*specs)
        stem = self._stem(key)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            _write(stem.with_suffix(".jaxexport"), bytes(program.serialize()))
            _write(stem.with_suffix(".json"), json.dumps(meta).encode())  # last: the marker
        except OSError:
            pass
        self._loaded[key] = program, meta
        return program


def _write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
