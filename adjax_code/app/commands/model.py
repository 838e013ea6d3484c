"""``adjax model``: verify, pull, import, package or archive a model."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from adjax_code.app.common import (
    LANGUAGES,
    UserError,
    load_generator,
    non_negative_int,
    positive_int,
)


def add_parser(sub) -> None:
    mod = sub.add_parser("model", help="verify, pull, import, package or archive a model",
                         description="Verify, install, import, package or archive a model; "
                         "`adjax model ACTION --help` shows each action's options.")
    actions = mod.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    def action(name: str, help_text: str, description: str, dir_help: str):
        p = actions.add_parser(name, help=help_text, description=description)
        p.add_argument("dir", nargs="?", default=None, metavar="DIR" if name in (
            "verify", "archive", "package") else "SOURCE", help=dir_help)
        p.set_defaults(run=run)
        return p

    action("verify", "check a packaged model's files against its manifest",
                    "Check every file of a packaged model against the sha256 in its "
                    "manifest.", "the model (default: the shipped one)")
    pull = action("pull", "install a model from a URL, an archive or a directory",
                  "Install a model from an http(s) URL, an archive or a directory (checked, "
                  "then installed atomically).", "an http(s) URL, an archive or a directory")
    pull.add_argument("--out", default=None,
                      help="where to install (default: ~/.local/share/adjax/models/NAME)")
    imp = action("import", "convert a pretrained Hugging Face diffusion checkpoint",
                 "Convert a pretrained diffusion checkpoint in Hugging Face layout (Dream, "
                 "DiffuCoder, LLaDA, Qwen2/Qwen3/Llama-shaped masked diffusion) into an adjax "
                 "model.", "a local checkpoint directory or a hub id ORG/NAME")
    imp.add_argument("--out", default=None,
                     help="where to install (default: ~/.local/share/adjax/models/NAME)")
    imp.add_argument("--dtype", default="bfloat16", choices=("bfloat16", "float16", "float32"),
                     help="the stored weights' dtype")
    imp.add_argument("--mask-token", default=None, metavar="TEXT",
                     help="the [MASK] token when the checkpoint does not name one")
    imp.add_argument("--prompt", default=None, metavar="TEMPLATE",
                     help="the prompt, with {spec} and {language} (default: the tokenizer's "
                     "chat template around one user turn)")
    imp.add_argument("--prompt-cap", type=positive_int, default=None, metavar="N",
                     help="prompt tokens the model reads: the template whole, the "
                     "specification cut to fit (default 256)")
    imp.add_argument("--mask-in-softmax", action="store_true",
                     help="rank confidences with [MASK] inside the softmax, as LLaDA's and "
                     "Dream's reference loops do (parity runs; default: left out)")
    shift = imp.add_mutually_exclusive_group()
    shift.add_argument("--logit-shift", dest="logit_shift", action="store_true", default=None,
                       help="read position i's prediction from position i-1 (on for "
                       "Dream/DiffuCoder)")
    shift.add_argument("--no-logit-shift", dest="logit_shift", action="store_false")
    pkg = action("package", "turn a training or adaptation run into a packaged model",
                 "Turn a training run, or an adaptation run (its latest cycle or --cycle N), "
                 "into a packaged model: weights, tokenizer, manifest.",
                 "the training or adaptation run")
    pkg.add_argument("--out", default=None, help="the model directory to write")
    pkg.add_argument("--cycle", type=non_negative_int, default=None, metavar="N",
                     help="an adaptation run's cycle (default: its latest)")
    pkg.add_argument("--evaluate", action="store_true",
                     help="also measure held-out pass@1 into the manifest")
    pkg.add_argument("--candidates", type=positive_int, default=4,
                     help="with --evaluate: candidates per task and language")
    pkg.add_argument("--limit", type=positive_int, default=None,
                     help="with --evaluate: the first N held-out tasks")
    pkg.add_argument("--languages", nargs="+", choices=LANGUAGES, default=None,
                     help="with --evaluate: these languages only")
    mrg = actions.add_parser(
        "merge", help="fold an adaptation run's LoRA adapters into its base model",
        description="Write a model directory whose weights are the base's with the run's "
        "LoRA adapters folded in (W + alpha/rank * A B, in the base's stored dtype); every "
        "command loads it. The base must be the model the run adapted (its sha256).")
    mrg.add_argument("dir", metavar="BASE", help="the base model directory")
    mrg.add_argument("adapters", metavar="ADAPTERS", help="the adaptation run (--out of "
                     "`adjax adapt --lora-rank R`)")
    mrg.add_argument("--out", required=True, help="the model directory to write")
    mrg.add_argument("--cycle", type=non_negative_int, default=None, metavar="N",
                     help="the run's cycle (default: its latest)")
    mrg.set_defaults(run=run)
    arc = action("archive", "write a model as .tar.gz", "Write a model as a .tar.gz archive.",
                 "the model (default: the shipped one)")
    arc.add_argument("--out", default=None, help="the .tar.gz to write")
    for p in (pull, pkg, mrg):
        p.add_argument("--force", action="store_true",
                       help="replace a non-empty --out that is not a model")
    imp.add_argument("--force", action="store_true",
                     help="replace what --out holds: an adjax model or any other directory")
    for p in (pull, imp, pkg, mrg):
        p.add_argument("--quiet", action="store_true", help="no progress bars")


def run(args: argparse.Namespace) -> int:
    actions = {"verify": _verify, "pull": _pull, "import": _import, "archive": _archive,
               "package": _package, "merge": _merge}
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

    from adjax_adapt import evolve
    from adjax_code.adapt import runs
    from adjax_code.train import packaging

    if not args.out:
        raise UserError("model package needs --out DIR")
    if args.dir and runs.is_run(args.dir):
        gen = load_generator(args.dir, cycle=args.cycle)
        cycle = gen.manifest["adapted"]["cycle"]
        try:
            manifest = packaging.package_adapted(
                gen, args.dir, args.out, cycle=cycle, rows=evolve.read_metrics(args.dir),
                evaluate=args.evaluate, progress=not args.quiet, force=args.force,
                **_evaluation(args))
        except (ValueError, FileNotFoundError) as err:
            raise UserError(str(err)) from None
        print(json.dumps({k: manifest[k] for k in ("files", "heldout_bits_per_token")
                          if k in manifest}, indent=2))
        print(f"packaged cycle {cycle} of adaptation run {args.dir} into {args.out}",
              file=sys.stderr)
        return 0
    if args.cycle is not None:
        raise UserError(f"--cycle applies to adaptation runs; {args.dir} is not one")
    try:
        manifest = packaging.package(args.dir, args.out, evaluate=args.evaluate,
                                     progress=not args.quiet, force=args.force,
                                     **_evaluation(args))
    except (ValueError, FileNotFoundError) as err:
        raise UserError(str(err)) from None
    print(json.dumps({k: manifest[k] for k in ("files", "heldout_bits_per_token")
                      if k in manifest}, indent=2))
    return 0


def _merge(args: argparse.Namespace) -> int:
    from adjax_adapt import evolve
    from adjax_code.adapt import runs
    from adjax_code.model import model_store, runtime
    from adjax_code.train import packaging

    if not runs.is_run(args.adapters):
        raise UserError(f"{args.adapters} is not an adaptation run (no {runs.RUN_FILE})")
    runtime.enable_compilation_cache()
    try:
        runs.check_base(args.adapters, args.dir)
        gen = runs.load(args.adapters, args.cycle, base=args.dir, merged=True)
    except model_store.ModelError as err:
        raise UserError(str(err)) from None
    if "lora" not in gen.manifest.get("adapted", {}):
        raise UserError(f"{args.adapters} holds no LoRA adapters (cycle "
                        f"{gen.manifest['adapted']['cycle']}); `adjax model package` writes "
                        "a full fine-tuning run as a model")
    cycle = gen.manifest["adapted"]["cycle"]
    try:
        packaging.package_adapted(gen, args.adapters, args.out, cycle=cycle,
                                  rows=evolve.read_metrics(args.adapters), force=args.force,
                                  dtype=gen.manifest.get("param_dtype", "float32"))
    except (ValueError, FileNotFoundError, model_store.ModelError) as err:
        raise UserError(str(err)) from None
    print(f"merged cycle {cycle} of {args.adapters} into {args.dir}'s weights: {args.out}; "
          f"use it with --model {args.out}")
    return 0


def _evaluation(args: argparse.Namespace) -> dict:
    """``--candidates --limit --languages`` for ``--evaluate``; refused without it."""
    given = [f"--{n}" for n in ("limit", "languages") if getattr(args, n) is not None]
    if given and not args.evaluate:
        raise UserError(f"{' and '.join(given)} apply with --evaluate")
    return {"candidates": args.candidates, "limit": args.limit, "languages": args.languages}


def _import(args: argparse.Namespace) -> int:
    from adjax_code.model import hf_import, model_store

    if not args.dir:
        raise UserError("model import needs a SOURCE: a checkpoint directory or a hub id")
    src = _source(args.dir)
    out = Path(args.out) if args.out else model_store.user_models_dir() / src.name
    cap = hf_import.PROMPT_CAP if args.prompt_cap is None else args.prompt_cap
    try:
        manifest = hf_import.import_checkpoint(
            src, out, dtype=args.dtype, logit_shift=args.logit_shift,
            mask_token=args.mask_token, prompt=args.prompt, prompt_cap=cap,
            mask_in_softmax=args.mask_in_softmax, force=args.force, progress=not args.quiet)
    except (model_store.CheckpointError, model_store.ModelError) as err:
        raise UserError(str(err)) from None
    except OSError as err:
        raise UserError(f"cannot import {src}: {err}") from None
    net, source = manifest["config"]["net"], manifest["source"]
    print(f"imported {source['family']} ({net['n_layers']} layers, d_model "
          f"{net['d_model']}, vocabulary {net['vocab_size']}) into {out}; use it with "
          f"--model {out}")
    return 0


# A hub repository id as the hub accepts it: ORG/NAME of word characters, dots and dashes.
_HUB_ID = re.compile(r"[\w][\w.-]{0,95}/[\w][\w.-]{0,95}")


def _source(text: str) -> Path:
    """The checkpoint directory ``text`` names: a local directory, else a hub id fetched
    into the hub cache. A path whose first part is a local directory is never taken for a
    hub id (``ckpts/dream`` with ``ckpts/`` here is a mistyped path)."""
    src = Path(text).expanduser()
    if src.exists():
        return src
    if not _HUB_ID.fullmatch(text) or ".." in text or "--" in text or text.endswith("."):
        raise UserError(f"{text}: no such local directory (and not a hub id ORG/NAME, so "
                        "nothing was fetched)")
    top = Path(text.split("/")[0])
    if top.is_dir():
        raise UserError(f"{text}: no such local directory ({top}/ exists here, so it was "
                        "not fetched as a hub id); check the path")
    return _hub_download(text)


def _hub_download(repo_id: str) -> Path:
    """A hub checkpoint's config, tokenizer and safetensors in the local hub cache."""
    try:
        from huggingface_hub import errors, snapshot_download
    except ImportError:
        raise UserError(f"{repo_id}: no such local directory, and huggingface_hub is not "
                        "installed to fetch it as a hub id") from None
    try:
        path = snapshot_download(repo_id, allow_patterns=["*.json", "*.safetensors"])
    except errors.GatedRepoError:
        raise UserError(f"{repo_id}: no such local directory, and the hub repository is "
                        "gated: accept its terms on huggingface.co and log in "
                        "(`hf auth login`)") from None
    except errors.RepositoryNotFoundError:
        raise UserError(f"{repo_id}: no such local directory, and the hub has no repository "
                        f"{repo_id} (or it is private: log in with `hf auth login`)") from None
    except errors.LocalEntryNotFoundError:
        raise UserError(f"{repo_id}: no such local directory, and not fetched as a hub id: "
                        "the hub is not reachable (no network, or HF_HUB_OFFLINE set) and "
                        "no copy is cached; download it elsewhere and pass the "
                        "directory") from None
    except Exception as err:  # the hub raises many kinds (HTTP errors, disk full, ...)
        first = (str(err).strip().splitlines() or [""])[0]
        raise UserError(f"{repo_id}: no such local directory, and fetching it as a hub id "
                        f"failed ({type(err).__name__}: {first})") from None
    return Path(path)
