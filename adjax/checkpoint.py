"""Checkpoints through orbax: a state pytree plus JSON metadata, the last N kept.

Orbax writes each step into a temporary directory and renames it only when complete, so a
save killed midway leaves the last good checkpoint as the latest one.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
from typing import Any

import jax
import orbax.checkpoint as ocp

_PACKAGES = ("adjax", "jax", "jaxlib", "flax", "optax", "orbax-checkpoint", "chex", "numpy")


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def abstract(tree: Any, shardings: Any = None) -> Any:
    """Shape/dtype structs of a pytree: a restore target that allocates nothing. With
    ``shardings`` (a matching tree of ``jax.sharding.Sharding``) each struct carries its
    placement, and a restore lands directly on that mesh."""
    if shardings is None:
        return jax.eval_shape(lambda: tree)
    from adjax import sharding

    return sharding.placed_shapes(tree, shardings)


class Checkpointer:
    """A thin handle on an orbax CheckpointManager for one directory."""

    def __init__(self, directory: str | os.PathLike, *, keep: int = 3):
        self.directory = os.path.abspath(os.fspath(directory))
        options = ocp.CheckpointManagerOptions(max_to_keep=keep, create=True)
        self._manager = ocp.CheckpointManager(self.directory, options=options)

    def save(self, step: int, state: Any, meta: dict[str, Any] | None = None, *,
             wait: bool = True) -> None:
        """Saves ``state`` and ``meta`` (plus library versions) as ``step``."""
        meta = dict(meta or {}, versions=library_versions(), step=int(step))
        args = ocp.args.Composite(state=ocp.args.StandardSave(state),
                                  meta=ocp.args.JsonSave(meta))
        self._manager.save(int(step), args=args, force=True)
        if wait:
            self._manager.wait_until_finished()

    def latest_step(self) -> int | None:
        return self._manager.latest_step()

    def steps(self) -> list[int]:
        return list(self._manager.all_steps())

    def restore(self, target: Any, step: int | None = None, *,
                shardings: Any = None) -> tuple[Any, dict[str, Any]]:
        """Restores into ``target`` (a pytree or its ``abstract`` form); latest step by default.

        ``shardings`` places every array as it is read, on any mesh: a state saved from 8
        devices restores onto 4 or 1 (each process reads only the pieces it holds).
        """
        step = self.latest_step() if step is None else step
        if step is None:
            raise FileNotFoundError(f"no checkpoint in {self.directory}")
        args = ocp.args.Composite(state=ocp.args.StandardRestore(abstract(target, shardings)),
                                  meta=ocp.args.JsonRestore())
        out = self._manager.restore(step, args=args)
        return out.state, out.meta

    def read_meta(self, step: int | None = None) -> dict[str, Any]:
        step = self.latest_step() if step is None else step
        if step is None:
            raise FileNotFoundError(f"no checkpoint in {self.directory}")
        args = ocp.args.Composite(meta=ocp.args.JsonRestore())
        return self._manager.restore(step, args=args).meta

    def close(self) -> None:
        self._manager.wait_until_finished()
        self._manager.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
