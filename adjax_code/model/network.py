"""The network a generator runs: built on first use, and its sampler calls run as stored
programs while its weights are a package's.

A packaged model loads lazily when it is given a program store (``adjax.exported.
ProgramStore``; one device, safetensors weights). Each sampler call then looks for its
program in the store, named by the package's sha256s and config, the sampler's static
arguments and the shapes. Found, it runs over the package's tensors read by name and the
network is never built (Flax is not imported); not found, the network is built, the call
is exported, stored and run. Without a store (``store=None``) every call runs the jitted
sampler. Other weights or another network make another ``Network``, which never meets the
store.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from adjax import exported, sampling, sharding
from adjax_code.model import model_store
from adjax_code.model.configs import RunConfig


def build_packaged(path: Path, cfg: RunConfig, manifest: dict, mesh=None):
    """(model, params) of a packaged model: the network built abstractly, the weights read
    into it (placed on ``mesh`` as read when given)."""
    from flax import nnx

    from adjax.nets import Transformer
    from adjax.nets.functional import split_abstract

    model, template = split_abstract(lambda: Transformer(cfg.net, rngs=nnx.Rngs(0)))
    if manifest.get("param_dtype", "float32") != "float32":
        # Imported checkpoints keep their bf16 weights: 2 bytes per parameter.
        dtype = jnp.dtype(manifest["param_dtype"])
        template = jax.tree.map(lambda x: jax.ShapeDtypeStruct(x.shape, dtype), template)
    shardings = None if mesh is None else sharding.param_shardings(template, mesh)
    return model, model_store.load_params(path, template, shardings)


@jax.jit
def sample_key(seed, fold) -> jax.Array:
    """A sampler call's key: ``key(seed)``, folded with ``fold`` unless it is negative (the
    draft's first call uses the seed's own key). Works eagerly and inside a program."""
    key = jax.random.key(seed)
    folded = jax.random.key_data(jax.random.fold_in(key, jnp.maximum(fold, 0)))
    return jax.random.wrap_key_data(
        jnp.where(fold < 0, jax.random.key_data(key), folded), impl=jax.random.key_impl(key))


@jax.jit
def row_keys(row_seeds, fold) -> jax.Array:
    """A key per row [R] from ``row_seeds`` [R, 3] (seed, row id hash, sample index):
    ``key(seed)`` folded with the hash, then the index, then ``fold`` unless it is negative.
    A row's key depends on nothing else, so neither does its sample."""
    def one(seed, row, index):
        key = jax.random.fold_in(jax.random.fold_in(jax.random.key(seed), row), index)
        folded = jax.random.key_data(jax.random.fold_in(key, jnp.maximum(fold, 0)))
        return jax.random.wrap_key_data(jnp.where(fold < 0, jax.random.key_data(key), folded),
                                        impl=jax.random.key_impl(key))

    return jax.vmap(one)(row_seeds[:, 0], row_seeds[:, 1], row_seeds[:, 2])


def call_key(seeds, rows: dict) -> jax.Array:
    """A sampler call's key: one per row when ``rows`` carries ``row_seeds`` (see
    ``row_keys``), else ``sample_key(*seeds)``."""
    if rows.get("row_seeds") is not None:
        return row_keys(rows["row_seeds"], seeds[1])
    return sample_key(seeds[0], seeds[1])


def _sample_rows(sample: Callable, params, key, rows: dict, allowed, steps, **statics):
    """``sample`` (``adjax.sampling.sample`` or its jitted form) over a call's ``rows``."""
    return sample(params, key, rows["tokens"], rows["cond"], rows["cond_mask"], rows["uncond"],
                  allowed=allowed, min_length=rows["min_length"], steps=steps,
                  uncond_mask=rows["uncond_mask"], **statics)


@functools.cache
def _own_source() -> str:
    """This file's sha256: the stored programs' key derivation and call live here (the
    store digests only the adjax package)."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


class Network:
    """A model's functions and parameters, given or built on first use by ``build``."""

    def __init__(self, model=None, params=None, *, build: Callable | None = None,
                 manifest: dict | None = None):
        self._model, self._params, self._build = model, params, build
        self.package: Path | None = None  # the packaged weights stored programs run over
        self.store: exported.ProgramStore | None = None  # where they are kept (with package)
        self.manifest = manifest or {}
        self._weights: list | None = None  # the package's tensors, in a program's order

    @classmethod
    def packaged(cls, path: Path, cfg: RunConfig, manifest: dict, mesh=None,
                 store: exported.ProgramStore | None = None) -> Network:
        """A package's network: lazy where stored programs in ``store`` may spare building
        it (one device, a store given, safetensors); elsewhere built now, so a weight that
        does not fit the network is an error of the load, not of a later call, and the
        jitted sampler runs."""
        from adjax import weights

        net = cls(build=functools.partial(build_packaged, path, cfg, manifest, mesh),
                  manifest=manifest)
        if mesh is None and store is not None and weights.files(path):
            net.package, net.store = path, store
        else:
            net.materialize()
        return net

    @property
    def built(self) -> bool:
        return self._params is not None

    def materialize(self) -> None:
        if self._params is None:
            self._model, self._params = self._build()
            self._build = None

    @property
    def model(self):
        self.materialize()
        return self._model

    @property
    def params(self):
        self.materialize()
        return self._params

    def param_bytes(self) -> int:
        """Bytes the parameters take on the device (for a package not yet built: from its
        files' headers)."""
        if self._params is not None:
            return sum(x.size * x.dtype.itemsize for x in jax.tree.leaves(self._params))
        from adjax import weights

        size = jnp.dtype(self.manifest.get("param_dtype", "float32")).itemsize
        return sum(int(np.prod(e["shape"])) * size for f in weights.files(self.package)
                   for e in weights.read_header(f)[0].values())

    def sample(self, statics: dict, seeds: np.ndarray, rows: dict, allowed: np.ndarray,
               steps) -> Any:
        """(tokens, forward passes) of ``adjax.sampling.sample`` with the key
        ``call_key(seeds, rows)``, ``rows`` (tokens, cond, cond_mask, uncond, min_length,
        uncond_mask, optionally row_seeds) and the static arguments ``statics``
        (``count=True`` among them)."""
        store = self.store if self.package is not None else None
        if store is None:
            # On a mesh with a data axis, each data replica samples its share of the rows.
            return _sample_rows(sampling.sample_jit, self.params, call_key(seeds, rows),
                                sharding.place_rows(self.params, rows), allowed, steps,
                                model=self.model, **statics)
        args = (seeds, rows, allowed, steps)
        name = (f"adjax sampler\n{_own_source()}\n{self.manifest['files']}\n"
                f"{self.manifest['config']}\n{statics}\n{exported.shapes_key(args)}")
        found = store.load(name)
        program, meta = found if found is not None else self._export(store, name, statics,
                                                                      args)
        if self._weights is None:
            from adjax import weights

            self._weights = weights.load_named(self.package, [
                (n, tuple(shape), jnp.dtype(dtype)) for n, shape, dtype in meta["tensors"]])
        return program.call(self._weights, *args)

    def _export(self, store: exported.ProgramStore, name: str, statics: dict, args: tuple):
        from adjax import weights

        leaves, treedef = jax.tree.flatten(self.params)
        model = self.model

        def run(leaves, seeds, rows, allowed, steps):
            return _sample_rows(sampling.sample, jax.tree.unflatten(treedef, leaves),
                                call_key(seeds, rows), rows, allowed, steps,
                                model=model, **statics)

        meta = {"tensors": [[n, list(x.shape), str(x.dtype)] for n, x in
                            zip(weights.named(self.params), leaves, strict=True)]}
        if self._weights is None:
            self._weights = leaves
        return store.save(name, run, (leaves, *args), meta), meta
