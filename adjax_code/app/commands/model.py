"""``adjax model``: verify, pull, import, package or archive a model."""

from __future__ import annotations

import argparse
from pathlib import Path

from adjax_code.app.common import UserError


def add_parser(sub) -> None:
    mod = sub.add_parser("model", help="verify, pull, import, package or archive a model",
                         description="verify: check every file of a packaged model against "
                         "the sha256 in its manifest. pull: install a model from an http(s) "
                         "URL, an archive or a directory (checked, then installed "
                         "atomically). import: convert a pretrained diffusion checkpoint in "
                         "Hugging Face layout (Dream, DiffuCoder, LLaDA, Qwen2/Qwen3/Llama-"
                         "shaped masked diffusion) into an adjax model. package: turn a "
                         "training run into a packaged model (weights, tokenizer, manifest). "
                         "archive: a model as .tar.gz.")
    mod.add_argument("action", choices=("verify", "pull", "import", "package", "archive"))
    mod.add_argument("dir", nargs="?", default=None,
                     help="verify/archive: the model (default: the shipped one); pull: the "
                     "SOURCE; import: a local checkpoint directory or a hub id ORG/NAME; "
                     "package: the training run")
    mod.add_argument("--out", default=None,
                     help="pull/import: where to install (default: "
                     "~/.local/share/adjax/models/NAME); package: the model directory to "
                     "write; archive: the .tar.gz")
    mod.add_argument("--dtype", default="bfloat16", choices=("bfloat16", "float16", "float32"),
                     help="import: the stored weights' dtype")
    mod.add_argument("--mask-token", default=None, metavar="TEXT",
                     help="import: the [MASK] token when the checkpoint does not name one")
    mod.add_argument("--prompt", default=None, metavar="TEMPLATE",
                     help="import: the prompt, with {spec} and {language} (default: the "
                     "tokenizer's chat template around one user turn)")
    shift = mod.add_mutually_exclusive_group()
    shift.add_argument("--logit-shift", dest="logit_shift", action="store_true", default=None,
                       help="import: read position i's prediction from position i-1 (on "
                       "for Dream/DiffuCoder)")
    shift.add_argument("--no-logit-shift", dest="logit_shift", action="store_false")
    mod.add_argument("--evaluate", action="store_true",
                     help="package: also measure held-out pass@1 into the manifest")
    mod.add_argument("--force", action="store_true",
                     help="pull/import/package: replace a non-empty --out that is not a model")
    mod.add_argument("--quiet", action="store_true", help="no progress bars")
    mod.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    actions = {"verify": _verify, "pull": _pull, "import": _import, "archive": _archive,
               "package": _package}
    return actions[args.action](args)


def _verify(args: argparse.Namespace) -> int:
    from adjax_code.model import model_store

    path = Path(args.dir) if args.dir else model_store.DEFAULT_DIR
    try:
        manifest = model_store.verify(path)
    except model_store.ModelError as err:
        raise UserError(str(err)) from None
    print(f"OK {path}: {len(manifest['files'])} files match their sha256")
    return 0


def _pull(args: argparse.Namespace) -> int:
    from adjax_code.model import model_store

    if not args.dir:
        raise UserError("model pull needs a SOURCE: an http(s) URL, an archive or a "
                        "directory")
    try:
        dest = model_store.pull(args.dir, args.out, progress=not args.quiet,
                                force=args.force)
    except model_store.ModelError as err:
        raise UserError(str(err)) from None
    except OSError as err:
        raise UserError(f"cannot install the model: {err}") from None
    print(f"installed {dest}; use it with --model {dest}")
    return 0


def _archive(args: argparse.Namespace) -> int:
    from adjax_code.model import model_store

    if not args.out:
        raise UserError("model archive needs --out FILE.tar.gz")
    try:
        out = model_store.archive(args.dir or model_store.DEFAULT_DIR, args.out)
    except model_store.ModelError as err:
        raise UserError(str(err)) from None
    print(f"wrote {out}")
    return 0


def _package(args: argparse.Namespace) -> int:
    import json

    from adjax_code.train import packaging

    if not args.out:
        raise UserError("model package needs --out DIR")
    try:
        manifest = packaging.package(args.dir, args.out, evaluate=args.evaluate,
                                     progress=not args.quiet, force=args.force)
    except (ValueError, FileNotFoundError) as err:
        raise UserError(str(err)) from None
    print(json.dumps({k: manifest[k] for k in ("files", "heldout_bits_per_token")
                      if k in manifest}, indent=2))
    return 0


def _import(args: argparse.Namespace) -> int:
    from adjax_code.model import hf_import, model_store

    if not args.dir:
        raise UserError("model import needs a SOURCE: a checkpoint directory or a hub id")
    src = Path(args.dir)
    if not src.exists():
        src = _hub_download(args.dir, quiet=args.quiet)
    out = Path(args.out) if args.out else model_store.user_models_dir() / src.name
    try:
        manifest = hf_import.import_checkpoint(
            src, out, dtype=args.dtype, logit_shift=args.logit_shift,
            mask_token=args.mask_token, prompt=args.prompt, force=args.force,
            progress=not args.quiet)
    except (model_store.CheckpointError, model_store.ModelError) as err:
        raise UserError(str(err)) from None
    except OSError as err:
        raise UserError(f"cannot import {src}: {err}") from None
    net, source = manifest["config"]["net"], manifest["source"]
    print(f"imported {source['family']} ({net['n_layers']} layers, d_model "
          f"{net['d_model']}, vocabulary {net['vocab_size']}) into {out}; use it with "
          f"--model {out}")
    return 0


def _hub_download(repo_id: str, *, quiet: bool) -> Path:
    """A hub checkpoint's config, tokenizer and safetensors in the local hub cache."""
    if repo_id.count("/") != 1 or repo_id.startswith(("/", ".")):
        raise UserError(f"{repo_id} is neither a directory nor a hub id ORG/NAME")
    try:
        from huggingface_hub import snapshot_download

        path = snapshot_download(repo_id, allow_patterns=["*.json", "*.safetensors"])
    except Exception as err:  # offline, unknown repo, gated: the hub raises many kinds
        raise UserError(f"cannot download {repo_id} ({type(err).__name__}: "
                        f"{str(err)[:160]}); download it elsewhere and pass the "
                        "directory") from None
    return Path(path)
