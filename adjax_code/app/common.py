"""What the ``adjax`` commands share: the user error, argparse types, reading input files,
loading the model, and the sampling flags.

Heavy imports (jax, the model) stay inside the functions: ``adjax --help`` loads none."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

LANGUAGES = ("python", "javascript", "typescript", "java", "go")
MAX_SOURCE_BYTES = 4 << 20


class UserError(Exception):
    """A mistake or missing piece the user can fix; printed as one line, exit code 1."""


def int_in(lo: int, hi: int | None, what: str):
    """An argparse type: an integer in [lo, hi) (no upper bound when hi is None)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if value < lo or (hi is not None and value >= hi):
            raise argparse.ArgumentTypeError(f"expected {what}, got {value}")
        return value

    return parse


def unit_float(text: str) -> float:
    """An argparse type: a number in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {text!r}") from None
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {value}")
    return value


def mesh_shape(text: str) -> tuple[int, int]:
    """An argparse type: DATAxMODEL devices, e.g. 1x8 (tensor parallel over 8)."""
    parts = text.lower().split("x")
    try:
        data, model = (int(x) for x in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected DATAxMODEL such as 2x4, got {text!r}") \
            from None
    if data < 1 or model < 1:
        raise argparse.ArgumentTypeError(f"expected positive axis sizes, got {text!r}")
    return data, model


positive_int = int_in(1, None, "a positive integer")
non_negative_int = int_in(0, None, "an integer >= 0")
seed = int_in(0, 2**32, "a seed in [0, 2^32)")


def sampling_args(p: argparse.ArgumentParser, note: str = "",
                  model_help: str = "model directory (default: the shipped one)") -> None:
    """--steps, --seed, --model, --cycle and --device, the same on every command that
    samples."""
    p.add_argument("--steps", type=positive_int, default=None, help=f"{note}denoising steps")
    p.add_argument("--seed", type=seed, default=0, help=f"{note}sampling seed")
    p.add_argument("--model", default=None, metavar="DIR", help=model_help)
    p.add_argument("--cycle", type=non_negative_int, default=None, metavar="N",
                   help="with an adaptation run as --model: its cycle (default: the latest)")
    device_arg(p)


def device_arg(p: argparse.ArgumentParser) -> None:
    """--device: where the model runs (the command line's ``main`` selects it)."""
    p.add_argument("--device", choices=("cpu", "gpu", "cuda", "tpu"), default=None,
                   help="run the model on this kind of device (default: JAX's default "
                   "backend: an accelerator when one is present)")


def read_text(path: str, what: str) -> str:
    """A UTF-8 text file (``-``: standard input), at most ``MAX_SOURCE_BYTES``; every
    problem is one clear error."""
    if path == "-":
        data = sys.stdin.buffer.read(MAX_SOURCE_BYTES + 1)
    else:
        p = Path(path)
        try:
            if p.is_dir():
                raise UserError(f"{what} {path} is a directory, not a file")
            if p.exists() and not p.is_file():
                raise UserError(f"{what} {path} is not a regular file")
            with open(p, "rb") as f:
                data = f.read(MAX_SOURCE_BYTES + 1)
        except FileNotFoundError:
            raise UserError(f"{what} {path} does not exist") from None
        except PermissionError:
            raise UserError(f"{what} {path} is not readable") from None
    if len(data) > MAX_SOURCE_BYTES:
        raise UserError(f"{what} {path} is larger than {MAX_SOURCE_BYTES >> 20} MiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UserError(f"{what} {path} is not UTF-8 text (bad byte at offset {err.start})") \
            from None


def read_source(path: str, what: str) -> str:
    """``read_text``, and an error when the file holds only whitespace."""
    text = read_text(path, what)
    if not text.strip():
        raise UserError(f"{what} {path} is empty")
    return text


def find_model(model_dir: str | None) -> Path:
    """The model directory to load: a packaged model (manifest.json, verified on load), a
    training run (tokenizer.json + checkpoints/) or an adaptation run (adapt.json); the
    shipped model when none is given."""
    from adjax_code.adapt import runs
    from adjax_code.model import model_store

    path = Path(model_dir) if model_dir else model_store.DEFAULT_DIR
    if runs.is_run(path):
        return path
    if (path / "tokenizer.json").is_file() and (path / "checkpoints").is_dir():
        return path
    if not (path / "manifest.json").is_file():
        if model_dir is None:
            raise UserError(f"no model installed: {path} holds no manifest.json; reinstall "
                            "adjax or pass --model DIR")
        if (path / "checkpoints").is_dir() and (path / "metrics.jsonl").is_file():
            raise UserError(f"{path} is an adaptation run from an older adjax (no "
                            f"{runs.RUN_FILE}); it cannot be loaded as a model")
        raise UserError(f"no model at {path}: neither manifest.json (a packaged model), "
                        "checkpoints/ (a training run) nor adapt.json (an adaptation run)")
    return path


def load_generator(model_dir: str | None, mesh_shape: tuple[int, int] | None = None,
                   cycle: int | None = None):
    """The model's ``Generator``, on a DATA x MODEL mesh when ``mesh_shape`` is given; of an
    adaptation run, the state of ``cycle`` (default: its latest)."""
    from adjax_code.adapt import runs
    from adjax_code.model import model_store, runtime

    runtime.enable_compilation_cache()
    path = find_model(model_dir)
    mesh = None
    if mesh_shape is not None:
        from adjax import sharding

        try:
            mesh = sharding.make_mesh(*mesh_shape)
        except ValueError as err:
            raise UserError(f"--mesh {mesh_shape[0]}x{mesh_shape[1]}: {err}") from None
    try:
        return runs.load_model(path, cycle, mesh=mesh, store=runtime.program_store())
    except model_store.ModelError as err:
        raise UserError(str(err)) from None
    except (ValueError, FileNotFoundError, KeyError) as err:
        raise UserError(f"cannot load the model in {path}: {err}") from None


def load_api(args: argparse.Namespace):
    """The Python API on the model of ``--model`` (and ``--cycle``), with ``--config``,
    ``--seed``, ``--candidates`` and ``--steps`` applied."""
    import dataclasses

    from adjax_code.app import api

    overrides = {"seed": args.seed}
    if args.samples:
        overrides["batch_size"] = args.samples
    if getattr(args, "steps", None):
        overrides["steps"] = args.steps
    try:
        base = api.load_config(args.config) if args.config else api.APIConfig()
        cfg = dataclasses.replace(base, **overrides)
    except ValueError as err:
        raise UserError(str(err)) from None
    gen = load_generator(args.model, cycle=getattr(args, "cycle", None))
    return api.create_code_generation_api(gen, cfg)


def language_of(path: str, given: str | None) -> str:
    """``--language`` when given, else the language whose extension the file has."""
    from adjax_code.lang import languages

    if given:
        try:
            return languages.get(given).name
        except ValueError as err:
            raise UserError(str(err)) from None
    suffix = Path(path).suffix
    for name in languages.names():
        if languages.get(name).extension == suffix:
            return name
    raise UserError(f"cannot tell the language of {path} from its extension; pass "
                    f"--language ({', '.join(languages.names())})")


def spec_of(args: argparse.Namespace) -> str:
    """The specification, from ``args.spec`` or ``--spec-file``; never empty."""
    spec = args.spec
    if args.spec_file is not None:
        if spec is not None:
            raise UserError("give the specification as an argument or with --spec-file, "
                            "not both")
        spec = read_text(args.spec_file, "specification file")
    elif spec is not None and spec.strip() and not any(c.isspace() for c in spec) \
            and Path(spec).is_file():
        raise UserError(f"the specification {spec!r} names a file; the argument is the "
                        f"specification's text: did you mean --spec-file {spec}?")
    if spec is None:
        raise UserError("no specification: pass it as an argument or with --spec-file FILE "
                        "(- for standard input)")
    if not spec.strip():
        raise UserError("the specification is empty; describe the code you want")
    return spec


def select_device(name: str) -> None:
    """``--device`` (or a config's ``device``): the JAX device every array and computation
    of the command goes to; one line when there is none of that kind."""
    import jax

    from adjax_code.app.settings import resolve_device

    try:
        device = resolve_device(name)
    except ValueError as err:
        raise UserError(str(err).replace("config key 'device'", f"--device {name}")
                        .replace("device='cpu'", "--device cpu")) from None
    jax.config.update("jax_default_device", device)
