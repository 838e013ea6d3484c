"""What classifier-free guidance does, on the shipped model fine-tuned with condition dropout.

The shipped model never saw the language-only condition that guidance contrasts with, so
the API refuses guidance for it. This script fine-tunes it briefly with
``diffusion.cond_dropout`` (that share of training rows keeps only its language tag), on
the same data mix as its last training phase (the task suite, with a share of the corpus),
then measures on train tasks, at guidance scales 0, 1 and 2: relevance reward (the overlap
of specification and code), syntax-valid drafts and pass@1. The fine-tuned model at scale 0
is the reference; nothing here changes the shipped model.

    uv run python benchmarks/bench_guidance.py [--steps 240] [--tasks 24]
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import jax
from common import environment, write

from adjax import checkpoint, train
from adjax.config import MeshConfig
from adjax_code.evaluate import model_eval
from adjax_code.generate.generator import Generator
from adjax_code.model import model_store

ROOT = Path(__file__).resolve().parents[1]


def fine_tune(shipped: Generator, out: Path, steps: int, dropout: float, lr: float) -> None:
    """A training run directory that starts from the shipped weights at step 0."""
    from adjax_code.train import trainer

    cfg = shipped.cfg.replace(
        diffusion=dataclasses.replace(shipped.cfg.diffusion, cond_dropout=dropout),
        train=dataclasses.replace(shipped.cfg.train, steps=steps, eval_every=steps,
                                  checkpoint_every=steps),
        optim=dataclasses.replace(shipped.cfg.optim, learning_rate=lr, total_steps=steps,
                                  warmup_steps=min(20, steps // 2), ema_decay=None),
        # The shipped model's last phase: task-suite batches with a share of the corpus.
        data=dataclasses.replace(shipped.cfg.data, anneal_steps=steps),
        mesh=MeshConfig())  # one device
    out.mkdir(parents=True)
    shutil.copy(model_store.DEFAULT_DIR / model_store.TOKENIZER, out / "tokenizer.json")
    state = train.init_state(shipped.params, train.make_optimizer(cfg.optim),
                             jax.random.key(0))
    meta = {"config": cfg.to_dict()}
    with checkpoint.Checkpointer(out / "checkpoints") as ckpt:
        ckpt.save(0, state, meta)
    trainer.run(cfg, out, progress=True, log=lambda m: print(m, file=sys.stderr))


def measure(gen: Generator, scale: float, tasks: int, langs) -> dict:
    gen.cfg = gen.cfg.replace(sampler=dataclasses.replace(gen.cfg.sampler, guidance_scale=scale))
    t0 = time.perf_counter()
    rows = model_eval.generate(gen, "train", langs, candidates=4, repair_rounds=0,
                               limit=tasks)
    seconds = time.perf_counter() - t0
    table = model_eval.summarize(model_eval.score(rows))["all"]
    return {"guidance_scale": scale, "programs": len(rows),
            "relevance": round(statistics.mean(r["scores"]["relevance"] for r in rows), 4),
            "syntax_valid": round(table["syntax_draft"], 2),
            "pass1": round(table["pass1_draft"], 2), "generate_s": round(seconds, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=240)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--tasks", type=int, default=24)
    ap.add_argument("--languages", default="python,javascript")
    ap.add_argument("--scales", default="0,1,2")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/guidance.jsonl")
    args = ap.parse_args()
    langs = tuple(args.languages.split(","))
    shipped = Generator.load(model_store.DEFAULT_DIR)
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "run"
        t0 = time.perf_counter()
        fine_tune(shipped, run, args.steps, args.dropout, args.lr)
        train_s = time.perf_counter() - t0
        tuned = Generator.load(run)
        env = environment()
        for scale in map(float, args.scales.split(",")):
            rec = measure(tuned, scale, args.tasks, langs)
            write(args.out, {"bench": "guidance", **env, "steps": args.steps,
                             "cond_dropout": args.dropout, "learning_rate": args.lr,
                             "fine_tune_s": round(train_s, 1), "languages": list(langs),
                             **rec, "command": "uv run python benchmarks/bench_guidance.py "
                             + " ".join(sys.argv[1:])})


if __name__ == "__main__":
    main()
