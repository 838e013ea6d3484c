"""Packaged models: a directory with the weights, the tokenizer and a manifest.

A packaged model is what ships in ``adjax_code/models/default`` and what ``adjax model
package`` writes from a training run::

    manifest.json    config, data sources and counts, training facts, held-out results,
                     and the sha256 of every other file
    params.npz       the network parameters (the EMA copy when training kept one), float32
    tokenizer.json   the BPE tokenizer

Weights are a single ``.npz`` rather than an orbax directory: the model is read on every
``adjax generate`` and one file loads in milliseconds. Training runs keep orbax
checkpoints (optimizer state, EMA, resume).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
from pathlib import Path

import jax
import numpy as np

FORMAT = 1
DEFAULT_DIR = Path(__file__).parent / "models" / "default"
PARAMS, TOKENIZER, MANIFEST = "params.npz", "tokenizer.json", "manifest.json"


class ModelError(ValueError):
    """A model directory that is missing, incomplete or altered."""


def sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def is_packaged(path: str | Path) -> bool:
    return (Path(path) / MANIFEST).is_file()


def verify(path: str | Path) -> dict:
    """The manifest, after checking that every listed file exists with its sha256.

    Raises:
      ModelError: naming the missing or altered file, and what to do.
    """
    path = Path(path)
    if not path.is_dir():
        raise ModelError(f"no model directory at {path}")
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except FileNotFoundError:
        raise ModelError(f"{path} is not a packaged model: {MANIFEST} is missing") from None
    except json.JSONDecodeError as err:
        raise ModelError(f"{path / MANIFEST} is not valid JSON ({err.msg})") from None
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
        raise ModelError(f"{path / MANIFEST} is not a format-{FORMAT} model manifest")
    problems = []
    for name, digest in manifest["files"].items():
        file = path / name
        if not file.is_file():
            problems.append(f"{name} is missing")
        elif sha256(file) != digest:
            problems.append(f"{name} does not match the sha256 in its manifest (altered or "
                            "corrupted)")
    if problems:
        raise ModelError(f"model {path}: {'; '.join(problems)}; reinstall the model")
    return manifest


def flatten(params) -> dict[str, np.ndarray]:
    leaves = jax.tree_util.tree_flatten_with_path(params)[0]
    return {jax.tree_util.keystr(k): np.asarray(v) for k, v in leaves}


def load_params(path: str | Path, template):
    """Parameters from ``params.npz`` shaped like ``template``; shapes are checked."""
    with np.load(Path(path) / PARAMS) as npz:
        stored = {k: npz[k] for k in npz.files}
    paths, treedef = jax.tree_util.tree_flatten_with_path(template)
    leaves = []
    for keypath, leaf in paths:
        name = jax.tree_util.keystr(keypath)
        if name not in stored:
            raise ModelError(f"{PARAMS} has no parameter {name}: the model and its config "
                             "disagree")
        if stored[name].shape != leaf.shape:
            raise ModelError(f"parameter {name} has shape {stored[name].shape}, the config "
                             f"needs {leaf.shape}")
        leaves.append(jax.numpy.asarray(stored[name], leaf.dtype))
    return jax.tree_util.tree_unflatten(treedef, leaves)


def hardware() -> dict:
    dev = jax.devices()[0]
    return {"backend": jax.default_backend(), "device": dev.device_kind,
            "device_count": jax.device_count(), "cpu_count": os.cpu_count(),
            "machine": platform.machine(), "processor": platform.processor() or None}


def write(out_dir: str | Path, params, tokenizer_file: str | Path, manifest: dict,
          extra_files: dict[str, str | Path] | None = None) -> dict:
    """Writes a packaged model atomically: into a temporary sibling, then renamed over
    ``out_dir`` (an existing model is replaced only once the new one is complete)."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        np.savez(tmp / PARAMS, **flatten(params))
        shutil.copyfile(tokenizer_file, tmp / TOKENIZER)
        for name, src in (extra_files or {}).items():
            shutil.copyfile(src, tmp / name)
        files = sorted(p.name for p in tmp.iterdir())
        manifest = {"format": FORMAT, **manifest,
                    "files": {name: sha256(tmp / name) for name in files}}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        old = out_dir.with_name(f".{out_dir.name}-old")
        if out_dir.exists():
            shutil.rmtree(old, ignore_errors=True)
            out_dir.rename(old)
        tmp.rename(out_dir)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def update_manifest(path: str | Path, **fields) -> dict:
    """Adds fields (results measured after packaging) to a verified manifest."""
    manifest = verify(path)
    manifest.update(fields)
    target = Path(path) / MANIFEST
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=2) + "\n")
    tmp.replace(target)
    return manifest
