"""Packaged models: a directory with the weights, the tokenizer and a manifest.

A packaged model is what ships in ``adjax_code/models/default`` and what ``adjax model
package`` writes from a training run::

    manifest.json    config, data sources and counts, training facts, held-out results,
                     and the sha256 of every other file
    model.safetensors  the network parameters (the EMA copy when training kept one) under the
                       stable tensor names of ``adjax.weights`` (``blocks.0.attn.q.kernel``,
                       ...); float32 from ``adjax model package``, bfloat16 shards
                       ``model-0000i-of-0000N.safetensors`` from the accelerator script
    tokenizer.json     the BPE tokenizer

Weights are safetensors rather than an orbax directory: the model is read on every
``adjax generate`` and one file loads in milliseconds, with names that do not depend on
Flax's internal paths. Packages written before this layout hold ``params.npz`` keyed by
those paths; they still load. Training runs keep orbax checkpoints (optimizer state, EMA,
resume).
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
DEFAULT_DIR = Path(__file__).parent.parent / "models" / "default"
WEIGHTS, TOKENIZER, MANIFEST = "model.safetensors", "tokenizer.json", "manifest.json"
LEGACY_PARAMS = "params.npz"  # packages written before safetensors


class ModelError(ValueError):
    """A model directory that is missing, incomplete or altered."""


class CheckpointError(ValueError):
    """A source checkpoint (Hugging Face layout) adjax cannot import; the message names what
    and why."""


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
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT \
            or not isinstance(manifest.get("files"), dict):
        raise ModelError(f"{path / MANIFEST} is not a format-{FORMAT} model manifest")
    names = list(manifest["files"])
    bad = [n for n in names if not isinstance(n, str) or not n or "/" in n or "\\" in n
           or n in (".", "..") or n == MANIFEST]
    if bad:
        raise ModelError(f"{path / MANIFEST} lists files outside the model directory: "
                         f"{bad[:3]}")
    if TOKENIZER not in names or not (LEGACY_PARAMS in names or any(
            n == WEIGHTS or n.startswith("model-") for n in names)):
        raise ModelError(f"{path / MANIFEST} does not list the weights and {TOKENIZER}; "
                         "the model is incomplete")
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


def load_params(path: str | Path, template, shardings=None):
    """Parameters shaped like ``template`` from the directory's safetensors files (or, for
    an older package, its ``params.npz``); names and shapes are checked. ``shardings``
    places each tensor on a device mesh as it is read."""
    from adjax import weights

    try:
        if weights.files(path):
            return weights.load(path, template, shardings)
    except weights.WeightsError as err:
        raise ModelError(str(err)) from None
    if not (Path(path) / LEGACY_PARAMS).is_file():
        raise ModelError(f"{path} holds no weights ({WEIGHTS} or {LEGACY_PARAMS})")
    return _load_legacy(Path(path) / LEGACY_PARAMS, template)


def _load_legacy(file: Path, template):
    """``params.npz`` keyed by Flax's key paths, as packages were written before."""
    try:
        with np.load(file) as npz:
            stored = {k: npz[k] for k in npz.files}
    except (OSError, ValueError) as err:
        raise ModelError(f"{file} is not a readable weights file ({err})") from None
    paths, treedef = jax.tree_util.tree_flatten_with_path(template)
    leaves = []
    for keypath, leaf in paths:
        name = jax.tree_util.keystr(keypath)
        if name not in stored:
            raise ModelError(f"{LEGACY_PARAMS} has no parameter {name}: the model and its "
                             "config disagree")
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


def check_target(dest: str | Path, marker: str, *, force: bool = False,
                 what: str = "model") -> None:
    """Refuses to replace ``dest`` unless it is absent, empty, or already holds ``marker``
    (what this command writes there); ``force`` allows any other directory, but never one
    that holds the current working directory.

    Raises:
      ModelError: naming the path and what to do.
    """
    dest = Path(dest)
    if not dest.exists() and not dest.is_symlink():
        return
    if not dest.is_dir() or dest.is_symlink():
        raise ModelError(f"{dest} exists and is not a directory; choose another path")
    resolved, cwd = dest.resolve(), Path.cwd().resolve()
    if resolved == cwd or resolved in cwd.parents:
        raise ModelError(f"refusing to replace {dest}: it contains the current directory")
    if force or not any(dest.iterdir()) or (dest / marker).is_file():
        return
    raise ModelError(f"{dest} is not empty and is not an adjax {what} (no {marker}); "
                     "choose another path, or pass --force to replace it")


def install_dir(new: Path, dest: Path, *, marker: str = MANIFEST, force: bool = False,
                what: str = "model") -> None:
    """Moves the complete directory ``new`` to ``dest`` (a sibling path), replacing what is
    there only when ``check_target`` allows it: the old one is renamed aside first and
    restored if the move fails, then removed."""
    check_target(dest, marker, force=force, what=what)
    old = dest.with_name(f".{dest.name}-old")
    if dest.exists():
        shutil.rmtree(old, ignore_errors=True)
        dest.rename(old)
    try:
        new.rename(dest)
    except OSError:
        if old.exists():
            old.rename(dest)
        raise
    shutil.rmtree(old, ignore_errors=True)


def write_manifest(model_dir: str | Path, fields: dict) -> dict:
    """Writes ``manifest.json`` into a model directory being assembled: ``fields`` with the
    format first and the sha256 of every file already there last; returns the manifest.
    The one manifest writer (packaging and checkpoint import both use it)."""
    model_dir = Path(model_dir)
    files = sorted(p.name for p in model_dir.iterdir() if p.name != MANIFEST)
    manifest = {"format": FORMAT, **fields,
                "files": {name: sha256(model_dir / name) for name in files}}
    (model_dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def write(out_dir: str | Path, params, tokenizer_file: str | Path, manifest: dict,
          extra_files: dict[str, str | Path] | None = None, *, force: bool = False,
          dtype: str = "float32") -> dict:
    """Writes a packaged model atomically: into a temporary sibling, then renamed over
    ``out_dir`` (an existing model is replaced only once the new one is complete; any other
    non-empty directory only with ``force``). Weights are stored in ``dtype``; another
    than float32 is recorded as the manifest's ``param_dtype`` (loaded as stored)."""
    out_dir = Path(out_dir)
    check_target(out_dir, MANIFEST, force=force)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        from adjax import weights

        weights.save(params, tmp, dtype=dtype)
        if dtype != "float32":
            manifest = {**manifest, "param_dtype": dtype}
        shutil.copyfile(tokenizer_file, tmp / TOKENIZER)
        for name, src in (extra_files or {}).items():
            shutil.copyfile(src, tmp / name)
        manifest = write_manifest(tmp, manifest)
        install_dir(tmp, out_dir, force=force)
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


def user_models_dir() -> Path:
    """Where ``adjax model pull`` installs models when no directory is given."""
    base = os.environ.get("ADJAX_HOME") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share", "adjax")
    return Path(base) / "models"


def _archive_name(source: str) -> str:
    name = source.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
    for suffix in (".tar.gz", ".tgz", ".tar", ".zip"):
        if name.endswith(suffix):
            return name[:-len(suffix)]
    return name or "model"


def _download(url: str, dest: Path, progress: bool) -> None:
    import urllib.error
    import urllib.request

    from tqdm import tqdm

    try:
        with urllib.request.urlopen(url, timeout=60) as resp, open(dest, "wb") as f:
            total = int(resp.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc="download",
                      disable=not progress) as bar:
                for chunk in iter(lambda: resp.read(1 << 20), b""):
                    f.write(chunk)
                    bar.update(len(chunk))
            if total is not None and f.tell() != total:
                raise ModelError(f"download of {url} stopped after {f.tell()} of {total} "
                                 "bytes")
    except urllib.error.HTTPError as err:
        raise ModelError(f"cannot download {url}: HTTP {err.code} {err.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise ModelError(f"cannot download {url}: {reason}") from None


def _extract(archive: Path, into: Path) -> None:
    import tarfile
    import zipfile

    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as z:
                for name in z.namelist():
                    target = (into / name).resolve()
                    if not target.is_relative_to(into.resolve()):
                        raise ModelError(f"archive entry {name!r} points outside the archive")
                z.extractall(into)
        else:
            with tarfile.open(archive) as t:
                t.extractall(into, filter="data")  # refuses links and paths that escape
    except (tarfile.TarError, zipfile.BadZipFile, EOFError) as err:
        raise ModelError(f"{archive.name} is not a readable .tar.gz/.tar/.zip archive "
                         f"({err})") from None


def _model_root(tree: Path) -> Path:
    """The directory in an unpacked tree that holds ``manifest.json`` (itself or one child)."""
    if (tree / MANIFEST).is_file():
        return tree
    found = [p.parent for p in tree.glob(f"*/{MANIFEST}")]
    if len(found) != 1:
        raise ModelError(f"the archive holds {'no' if not found else 'several'} model "
                         f"directories ({MANIFEST} at its root or in one folder)")
    return found[0]


def pull(source: str, dest: str | Path | None = None, *, progress: bool = True,
         force: bool = False) -> Path:
    """Installs a packaged model from an http(s) URL or a local path (an archive or a
    directory) into ``dest`` (default: ``user_models_dir()/NAME``).

    Every file is checked against the sha256 in the manifest before anything is installed;
    the model is unpacked into a temporary sibling of ``dest`` and renamed into place, so a
    failed or corrupted download leaves nothing half-installed (an existing model at
    ``dest`` is kept until the new one is complete; a non-empty directory that is not a
    model is replaced only with ``force``).
    """
    is_url = source.startswith(("http://", "https://"))
    if not is_url and not Path(source).exists():
        raise ModelError(f"{source} is neither an http(s) URL nor an existing path")
    dest = Path(dest) if dest else user_models_dir() / _archive_name(source)
    check_target(dest, MANIFEST, force=force)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}-pull-", dir=dest.parent))
    try:
        if not is_url and Path(source).is_dir():
            shutil.copytree(source, tmp / "tree")
        else:
            archive = tmp / "archive"
            if is_url:
                _download(source, archive, progress)
            else:
                shutil.copyfile(source, archive)
            (tmp / "tree").mkdir()
            _extract(archive, tmp / "tree")
        root = _model_root(tmp / "tree")
        verify(root)
        install_dir(root, dest, force=force)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def archive(model_dir: str | Path, out: str | Path) -> Path:
    """A verified model directory as a ``.tar.gz`` (what ``pull`` installs)."""
    import tarfile

    model_dir, out = Path(model_dir), Path(out)
    manifest = verify(model_dir)
    tmp = out.with_name(f".{out.name}.tmp")
    with tarfile.open(tmp, "w:gz") as t:
        for name in [MANIFEST, *manifest["files"]]:
            t.add(model_dir / name, arcname=f"{model_dir.name}/{name}")
    tmp.replace(out)
    return out
