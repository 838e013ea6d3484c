"""``adjax model package``: a training run -> a packaged model directory (see
``model_store``), with the facts a user needs to trust it in the manifest."""

from __future__ import annotations

import datetime
from pathlib import Path

from adjax import checkpoint
from adjax_code.model import model_store
from adjax_code.train import trainer


def package(run_dir: str | Path, out_dir: str | Path, *, evaluate: bool = False,
            candidates: int = 4, limit: int | None = None,
            languages: list[str] | None = None, progress: bool = True,
            force: bool = False) -> dict:
    """Writes ``out_dir`` from the latest checkpoint of ``run_dir``; returns the manifest.

    With ``evaluate`` the held-out task suite is generated and scored with the packaged
    model (``model_eval``) and the table goes into the manifest.
    """
    from adjax_code.generate.generator import Generator

    run_dir = Path(run_dir)
    model_store.check_target(out_dir, model_store.MANIFEST, force=force)
    if not (run_dir / "checkpoints").is_dir():
        raise FileNotFoundError(f"{run_dir} is not a training run: checkpoints/ is missing")
    gen = Generator.load(run_dir)
    with checkpoint.Checkpointer(run_dir / "checkpoints") as ckpt:
        meta, step = ckpt.read_meta(), ckpt.latest_step()
    rows = trainer.read_metrics(run_dir / "metrics.jsonl")
    last = rows[-1] if rows else {}
    manifest = {
        "name": Path(out_dir).name,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "config": gen.cfg.to_dict(),
        "data": meta.get("corpus", {}),
        "dropped_too_long": meta.get("dropped_too_long"),
        "training": {
            "steps": step,
            "wall_s": trainer.total_wall_s(rows),
            "tokens_per_s": (sum(r["tokens_per_s"] for r in rows) / len(rows)) if rows else None,
            "hardware": meta.get("hardware") or model_store.hardware(),
            "params": "ema" if gen.cfg.optim.ema_decay is not None else "final",
        },
        "heldout_bits_per_token": last.get("heldout_bits_per_token"),
        "versions": meta.get("versions", {}),
    }
    extra = {"loss.png": run_dir / "loss.png"} if (run_dir / "loss.png").is_file() else {}
    manifest = model_store.write(out_dir, gen.params, run_dir / "tokenizer.json", manifest,
                                 extra, force=force)
    if evaluate:
        manifest = evaluate_into_manifest(out_dir, candidates=candidates, limit=limit,
                                          languages=languages, progress=progress)
    return manifest


def package_adapted(gen, run_dir: str | Path, out_dir: str | Path, *, cycle: int,
                    rows: list[dict], evaluate: bool = False, candidates: int = 4,
                    limit: int | None = None, languages: list[str] | None = None,
                    progress: bool = True, force: bool = False,
                    dtype: str = "float32") -> dict:
    """Writes ``out_dir`` from a loaded adapted ``Generator`` (an adaptation run's ``cycle``,
    see ``adjax_code.adapt.runs``); ``rows`` are the run's metrics, one per cycle. The
    manifest keeps the base model's facts (config, tokenizer, training) and adds
    ``adapted``: the base, the cycle and that cycle's metrics. Weights in ``dtype``."""
    run_dir = Path(run_dir)
    model_store.check_target(out_dir, model_store.MANIFEST, force=force)
    row = next((r for r in rows if r.get("cycle") == cycle), {})
    base = {k: v for k, v in gen.manifest.items()
            if k not in ("format", "files", "heldout_tasks", "param_dtype", "adapted")}
    manifest = {
        **base,
        "name": Path(out_dir).name,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "config": gen.cfg.to_dict(),
        "adapted": {**gen.manifest.get("adapted", {}), "metrics": row},
        "heldout_bits_per_token": row.get("heldout_bits_per_token",
                                          base.get("heldout_bits_per_token")),
    }
    manifest.setdefault("versions", checkpoint.library_versions())
    extra = {"adapt.png": run_dir / "adapt.png"} if (run_dir / "adapt.png").is_file() else {}
    manifest = model_store.write(out_dir, gen.params, run_dir / model_store.TOKENIZER,
                                 manifest, extra, force=force, dtype=dtype)
    if evaluate:
        manifest = evaluate_into_manifest(out_dir, candidates=candidates, limit=limit,
                                          languages=languages, progress=progress)
    return manifest


def evaluate_into_manifest(model_dir: str | Path, *, candidates: int = 4,
                           limit: int | None = None, languages: list[str] | None = None,
                           progress: bool = True) -> dict:
    """Held-out pass@1 of the packaged model in its manifest: the first ``limit`` held-out
    tasks (all by default) in ``languages`` (all five by default), ``candidates`` each;
    generation and scoring (three programs a candidate) each show a bar."""
    from tqdm import tqdm

    from adjax_code import tasks
    from adjax_code.evaluate import model_eval
    from adjax_code.generate.generator import Generator

    langs = list(languages or tasks.LANGS)
    gen = Generator.load(model_dir)
    n = len(tasks.load("heldout")[:limit]) * len(langs)
    with tqdm(total=n, desc="generating", unit="task", disable=not progress) as bar:
        rows = model_eval.generate(gen, "heldout", langs, candidates=candidates, limit=limit,
                                   progress=bar)
    with tqdm(total=3 * len(rows), desc="scoring", unit="prog", disable=not progress) as bar:
        rows = model_eval.score(rows, progress=bar)
    table = model_eval.summarize(rows)
    command = (f"adjax eval --benchmark tasks --split heldout --model {model_dir} "
               f"--candidates {candidates}")
    if limit is not None:
        command += f" --limit {limit}"
    if languages:
        command += f" --languages {' '.join(langs)}"
    return model_store.update_manifest(model_dir, heldout_tasks={"command": command,
                                                                 "table": table})
