"""An adaptation run is a model: ``adapt.json`` names the base model it started from (its
path and sha256), ``tokenizer.json`` is the base's, and ``checkpoints/N`` holds the
``AdaptState`` after N updates (the state cycle N measured). Loading a run loads the base
(``Generator.load``) and puts the adapted parameters of the chosen cycle (default: the
latest; cycle 0 is the base itself) into a ``Generator`` over the base's network.

A run with LoRA adapters (``--lora-rank``) checkpoints the adapters, their optimizer state
and the buffer only (megabytes, not the base's gigabytes); loaded, it samples through
``adapters.LoraFns`` with no merge, and ``load(..., merged=True)`` folds the adapters into
the base's weights (``adjax model merge``). A run with a float32 master loads as the master
cast to the base's stored dtype.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

from adjax_code.generate.generator import Generator
from adjax_code.model import model_store

RUN_FILE = "adapt.json"


def is_run(path: str | Path) -> bool:
    """Whether ``path`` is an adaptation run directory (it holds ``adapt.json``)."""
    return (Path(path) / RUN_FILE).is_file()


def info(path: str | Path) -> dict:
    """The run's ``adapt.json``: base_model, base_kind, base_sha256, base_cycle."""
    try:
        return json.loads((Path(path) / RUN_FILE).read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise model_store.ModelError(f"cannot read {Path(path) / RUN_FILE}: {err}") from None


def _identity(base: Path) -> tuple[str, str]:
    """(kind, sha256 of the file that pins what the run depends on: a packaged model's
    manifest, a training or adaptation run's tokenizer)."""
    if model_store.is_packaged(base):
        return "packaged", model_store.sha256(base / model_store.MANIFEST)
    kind = "adaptation run" if is_run(base) else "training run"
    return kind, model_store.sha256(base / model_store.TOKENIZER)


def _tokenizer_file(base: Path) -> Path:
    return base / model_store.TOKENIZER


def prepare(out: str | Path, base: str | Path, base_cycle: int | None = None) -> dict:
    """Makes ``out`` self-describing before the first cycle: ``adapt.json`` and the base's
    tokenizer. A run that exists already must name the same base.

    Raises:
      ValueError: ``out`` adapts another base model.
    """
    out, base = Path(out), Path(base).resolve()
    if is_run(out):
        have = info(out)
        if Path(have["base_model"]) != base or have.get("base_cycle") != base_cycle:
            raise ValueError(f"{out} adapts {have['base_model']}"
                             + (f" (cycle {have['base_cycle']})"
                                if have.get("base_cycle") is not None else "")
                             + f", not {base}; pass that --model or choose another --out")
        return have
    kind, digest = _identity(base)
    if base_cycle is not None and kind != "adaptation run":
        raise ValueError(f"--cycle applies to adaptation runs; {base} is a {kind}")
    fields = {"base_model": str(base), "base_kind": kind, "base_sha256": digest,
              "base_cycle": base_cycle}
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / (RUN_FILE + ".tmp")
    shutil.copyfile(_tokenizer_file(base), out / model_store.TOKENIZER)
    tmp.write_text(json.dumps(fields, indent=2) + "\n")
    tmp.replace(out / RUN_FILE)
    return fields


def _trainable(lora: dict | None, master: bool) -> tuple[str, str]:
    """(what a run trains, in words; the ``adjax adapt`` options that ask for it)."""
    if lora:
        targets = " ".join(lora["targets"])
        return (f"LoRA rank {lora['rank']}, alpha {lora['alpha']:g}, targets {targets}",
                f"--lora-rank {lora['rank']} --lora-alpha {lora['alpha']:g} "
                f"--lora-targets {targets}")
    if master:
        return "full fine-tuning through a float32 master", "--master"
    return "full fine-tuning", "neither --lora-rank nor --master"


def check_resume(out: str | Path, lora: dict | None, master: bool = False) -> None:
    """Refuses (one line) to resume run ``out`` with other adapters than its checkpoints
    hold: another LoRA rank, alpha or targets, LoRA against full fine-tuning, or a float32
    master against none. Dropout, which changes no saved array, may differ.

    Args:
      out: the run directory (nothing to check when it holds no checkpoint yet).
      lora: the requested ``LoraConfig`` as a dict (``dataclasses.asdict``), or None.
      master: whether a float32 master is requested.

    Raises:
      ValueError: naming what the run holds and the options that resume it.
    """
    from adjax import checkpoint

    if cycles(out)[-1] == 0:
        return
    with checkpoint.Checkpointer(Path(out) / "checkpoints", keep=None) as ckpt:
        step = ckpt.latest_step()
        saved = {} if step is None else ckpt.read_meta(step).get("config", {})
    have_lora, have_master = saved.get("lora"), bool(saved.get("master", False))

    def key(cfg):
        return None if not cfg else (cfg["rank"], float(cfg["alpha"]), set(cfg["targets"]))

    if key(have_lora) == key(lora) and (have_master == master or lora):
        return
    have, flags = _trainable(have_lora, have_master)
    want, _ = _trainable(lora, master)
    raise ValueError(f"{out} holds checkpoints of {have}, not {want}: rerun with {flags} "
                     "to resume it, or choose another --out")


def cycles(path: str | Path) -> list[int]:
    """The cycles whose state the run holds (0, the base, always)."""
    ckpts = Path(path) / "checkpoints"
    steps = sorted(int(p.name) for p in ckpts.iterdir() if p.name.isdigit()) \
        if ckpts.is_dir() else []
    return sorted({0, *steps})


def resolve_cycle(path: str | Path, cycle: int | None) -> int:
    """``cycle``, or the run's latest; a cycle the run does not hold is an error."""
    held = cycles(path)
    if cycle is None:
        return held[-1]
    if cycle not in held:
        raise model_store.ModelError(f"adaptation run {path} holds cycles "
                                     f"{', '.join(map(str, held))}, not {cycle}")
    return cycle


def load_model(path: str | Path | None, cycle: int | None = None, *, mesh=None,
               store=None) -> Generator:
    """A packaged model, a training run, or an adaptation run at ``cycle`` (default: its
    latest); ``cycle`` on anything else is an error."""
    path = Path(path) if path is not None else model_store.DEFAULT_DIR
    if is_run(path):
        return load(path, cycle, mesh=mesh, store=store)
    if cycle is not None:
        raise model_store.ModelError(f"--cycle applies to adaptation runs; {path} is not one "
                                     f"(no {RUN_FILE})")
    return Generator.load(path, mesh=mesh, store=store)


def check_base(path: str | Path, base: str | Path) -> None:
    """Refuses (one line) a ``base`` that is not the model run ``path`` adapted: its
    sha256 must be the one the run recorded."""
    meta, base = info(path), Path(base)
    if not base.exists():
        raise model_store.ModelError(f"no base model at {base}")
    if _identity(base)[1] != meta["base_sha256"]:
        raise model_store.ModelError(
            f"{base} is not the base model of adaptation run {path} (its sha256 differs "
            f"from the run's {meta['base_sha256'][:12]}, {meta['base_model']})")


def load(path: str | Path, cycle: int | None = None, *, mesh=None, store=None,
         base: str | Path | None = None, merged: bool = False) -> Generator:
    """The adapted model of run ``path`` at ``cycle`` (default: the latest).

    ``base``: the base model's directory when it moved (default: the one the run
    recorded; either must have the recorded sha256). ``merged``: LoRA adapters folded into
    the base's weights (a plain parameter state) instead of applied on the fly."""
    import jax

    from adjax import checkpoint
    from adjax_adapt import adapters, mechanisms
    from adjax_code.adapt import domain

    path = Path(path)
    meta = info(path)
    if base is not None:
        check_base(path, base)
        meta = {**meta, "base_model": str(Path(base).resolve())}
    base = Path(meta["base_model"])
    if not base.exists():
        raise model_store.ModelError(f"the base model {base} of adaptation run {path} is "
                                     "gone; restore it to use the run")
    if _identity(base)[1] != meta["base_sha256"]:
        raise model_store.ModelError(f"the base model {base} of adaptation run {path} has "
                                     "changed since the run started (its sha256 differs)")
    gen = load_model(base, meta.get("base_cycle"), mesh=mesh, store=store)
    cycle = resolve_cycle(path, cycle)
    manifest = {**gen.manifest, "adapted": {"run": str(path.resolve()), "cycle": cycle,
                                            **meta}}
    if cycle == 0:
        return Generator(gen.model, gen.params, gen.tok, gen.cfg, manifest)
    try:
        with checkpoint.Checkpointer(path / "checkpoints", keep=None) as ckpt:
            acfg = ckpt.read_meta(cycle).get("config", {})
            cfg = mechanisms.AdaptConfig(
                buffer_capacity=acfg.get("buffer_capacity",
                                         mechanisms.AdaptConfig.buffer_capacity),
                lora=acfg.get("lora"), master=acfg.get("master", False))
            ctx = domain.context(gen, cfg, gen.default_length, replay=False)
            template = jax.eval_shape(
                lambda: mechanisms.init_state(gen.params, ctx, jax.random.key(0)))
            state, _ = ckpt.restore(template, cycle)
    except Exception as err:  # orbax raises many kinds on a damaged checkpoint
        raise model_store.ModelError(
            f"cannot read cycle {cycle} of adaptation run {path} ({type(err).__name__}: "
            f"{str(err)[:200]})") from None
    if cfg.lora is not None:
        manifest["adapted"]["lora"] = dataclasses.asdict(cfg.lora)
        lora = state.params
        if merged:
            return Generator(gen.model, adapters.merge(gen.params, lora, cfg.lora), gen.tok,
                             gen.cfg, manifest)
        if mesh is not None:  # every process holds the adapters whole
            from adjax import sharding

            lora = mechanisms.place(lora, jax.tree.map(lambda _: sharding.replicated(mesh),
                                                        lora))
        model, params = ctx.view.sampling(lora, gen.params)
        return Generator(model, params, gen.tok, gen.cfg, manifest)
    _, params = ctx.view.sampling(state.params, gen.params)
    if mesh is not None:
        params = mechanisms.place(params, jax.tree.map(lambda x: x.sharding, gen.params))
    return Generator(gen.model, params, gen.tok, gen.cfg, manifest)
