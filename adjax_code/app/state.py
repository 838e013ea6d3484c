"""Saving and loading an API session: the ``AdaptState`` (orbax), the config, the tokenizer
and the identity of the model it belongs to, with every file's sha256 in ``api.json``."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from adjax import checkpoint
from adjax_adapt import mechanisms
from adjax_code.app.settings import APIConfig
from adjax_code.model import model_store

STATE_FORMAT = 1
STATE_FILE, TOKENIZER = "api.json", "tokenizer.json"


def save(path: str | os.PathLike, state: mechanisms.AdaptState, config: APIConfig,
         identity: dict, tok: Any, *, overwrite: bool = False) -> Path:
    """Writes ``state``, ``config`` and ``tok`` to ``path`` atomically (see
    ``CodeGenerationAPI.save_state``)."""
    path = Path(path)
    try:
        model_store.check_target(path, STATE_FILE, force=overwrite, what="saved state")
    except model_store.ModelError as err:
        raise ValueError(str(err).replace("pass --force", "pass overwrite=True")) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
    try:
        with checkpoint.Checkpointer(tmp / "state", keep=1) as ckpt:
            ckpt.save(0, state)
        tok.save(tmp / TOKENIZER)
        files = {str(p.relative_to(tmp)): model_store.sha256(p)
                 for p in sorted(tmp.rglob("*")) if p.is_file()}
        meta = {"format": STATE_FORMAT, "config": dataclasses.asdict(config),
                "model": identity, "files": files}
        (tmp / STATE_FILE).write_text(json.dumps(meta, indent=2) + "\n")
        model_store.install_dir(tmp, path, marker=STATE_FILE, force=overwrite,
                                what="saved state")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def read_config(path: str | os.PathLike, identity: dict, tok: Any) -> APIConfig:
    """The config of the state saved at ``path``, after checking its files' sha256, its
    format, the model ``identity`` and the tokenizer ``tok``; a ValueError explains any
    mismatch."""
    path = Path(path)
    meta_file = path / STATE_FILE
    if not meta_file.is_file():
        raise ValueError(f"{path} holds no saved API state ({STATE_FILE} is missing)")
    try:
        meta = json.loads(meta_file.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{meta_file} is corrupted: {err}") from None
    if not isinstance(meta, dict) or not all(
            isinstance(meta.get(k), dict) for k in ("model", "files", "config")):
        raise ValueError(f"{meta_file} is not a saved API state (it needs the objects "
                         "model, files and config)")
    if meta.get("format") != STATE_FORMAT:
        raise ValueError(f"{path} is a format-{meta.get('format')} state; this version "
                         f"reads format {STATE_FORMAT}")
    bad = [name for name, digest in meta.get("files", {}).items()
           if not (path / name).is_file() or model_store.sha256(path / name) != digest]
    if bad:
        raise ValueError(f"saved state {path} is corrupted or incomplete: "
                         f"{', '.join(bad[:3])}{' ...' if len(bad) > 3 else ''} missing or "
                         "altered")
    diffs = [f"{k}: saved {meta['model'].get(k)!r}, this model {v!r}"
             for k, v in identity.items() if meta["model"].get(k) != v]
    if diffs:
        raise ValueError(f"saved state {path} belongs to a different model ("
                         f"{'; '.join(diffs)[:400]})")
    check_tokenizer(path, tok)
    try:
        return APIConfig.from_dict(meta["config"])
    except (ValueError, TypeError) as err:
        raise ValueError(f"saved state {path} has an invalid config: {err}") from None


def check_tokenizer(path: Path, tok: Any) -> None:
    """A ValueError unless the tokenizer saved at ``path`` has ``tok``'s vocabulary."""
    try:
        saved_tok = json.loads((path / TOKENIZER).read_text())
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"saved state {path}: {TOKENIZER} is unreadable ({err})") from None
    if not isinstance(saved_tok, dict) or not isinstance(saved_tok.get("model"), dict):
        raise ValueError(f"saved state {path}: {TOKENIZER} is not a tokenizer")
    from tokenizers import Tokenizer

    try:
        saved_vocab = Tokenizer.from_str(json.dumps(saved_tok)).get_vocab(
            with_added_tokens=True)
    except Exception:  # the library raises its own error types
        saved_vocab = None
    if saved_vocab != tok.vocabulary():
        raise ValueError(f"saved state {path} was made with a different tokenizer")


def restore(path: str | os.PathLike, like: mechanisms.AdaptState) -> mechanisms.AdaptState:
    """The ``AdaptState`` saved at ``path``, shaped like ``like``."""
    try:
        with checkpoint.Checkpointer(Path(path) / "state", keep=1) as ckpt:
            state, _ = ckpt.restore(checkpoint.abstract(like))
    except Exception as err:  # orbax raises many kinds on a damaged directory
        raise ValueError(f"cannot read the saved state in {path}: {err}") from None
    return state
