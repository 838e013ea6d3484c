"""Decoding rules side by side on one model: forward passes per program, useful tokens per
forward pass, syntax-valid and pass@1.

Settings (all on the same model, seed and tasks; no syntax repair unless said, so only
decoding moves the numbers):
  before        the confidence rule over 32 steps, the end token handled after the loop
  after         the same with the end inside the loop: padding predicted with probability
                >= 0.9 committed outside the step budget, the tail after a committed end
                filled with PAD at once, at least one commit per step, the loop ended when
                no mask is left
  steps=N       the confidence rule over N steps (a fixed k = length / N per step)
  tau=T         threshold decoding (commit every position with confidence >= T, at least
                one; at most 128 steps)
  ...blocks=32  semi-autoregressive blocks of 32 tokens (end inside the loop)
  ...+dual      with the dual key/value cache: a full pass at each block's start, the
                block's other steps rerun only its positions
  ...+grow      growing lengths: drafted at the smallest length bucket (64), the rows that
                did not end moved on to 128 with their tokens kept

Settings are chosen on train tasks; held-out tasks are run for the settings named in
``--heldout``. Writes benchmarks/results/decode.jsonl and decode.png (pass@1 and
syntax-valid against tokens per forward pass on train tasks).

    uv run python benchmarks/bench_decode.py [--tasks 24] [--languages python,javascript]
    uv run python benchmarks/bench_decode.py --only before,tau=0.5 --seeds 1,2 \
        --heldout= --repaired=
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

from common import environment, write  # noqa: I001

ROOT = Path(__file__).resolve().parents[1]


def settings(base):
    """The compared samplers; all but ``before`` handle the end inside the loop."""
    ends = dict(end_fill=True, end_threshold=0.9)
    out = {"before": dataclasses.replace(base, num_steps=32, rule="confidence", end_fill=False,
                                         end_threshold=None),
           "after": dataclasses.replace(base, num_steps=32, rule="confidence", **ends)}
    for n in (8, 16, 64, 128):
        out[f"steps={n}"] = dataclasses.replace(base, num_steps=n, rule="confidence", **ends)
    for tau in (0.5, 0.7, 0.9, 0.95, 0.99):
        out[f"tau={tau}"] = dataclasses.replace(base, num_steps=128, rule="threshold",
                                                threshold=tau, **ends)
    # Semi-autoregressive blocks of 32, without and with the dual key/value cache (the
    # steps inside a block rerun only its 32 positions).
    blocks = dict(block_size=32, **ends)
    out["blocks=32"] = dataclasses.replace(base, num_steps=32, rule="confidence", **blocks)
    out["blocks=32+dual"] = dataclasses.replace(out["blocks=32"], cache="dual")
    out["tau=0.5+blocks=32"] = dataclasses.replace(base, num_steps=128, rule="threshold",
                                                   threshold=0.5, **blocks)
    out["tau=0.5+blocks=32+dual"] = dataclasses.replace(out["tau=0.5+blocks=32"],
                                                        cache="dual")
    # Growing lengths (the generator's ``grow``): the draft at the 64-token bucket, only the
    # rows that did not end there moved on to 128.
    out["before+grow"] = out["before"]
    out["after+grow"] = out["after"]
    out["tau=0.5+grow"] = out["tau=0.5"]
    return out


def measure(gen, name, cfg, split, langs, limit, candidates, repair=0, seed=0):
    from adjax_code.evaluate import model_eval

    gen.cfg = gen.cfg.replace(sampler=cfg)
    before = dict(gen.stats)
    t0 = time.perf_counter()
    rows = model_eval.generate(gen, split, langs, candidates=candidates, repair_rounds=repair,
                               limit=limit, seed=seed, grow=name.endswith("+grow"))
    seconds = time.perf_counter() - t0
    calls = -(-len(rows) // (8 * candidates))  # draft batches: 8 tasks x candidates rows
    passes = (gen.stats["forward_passes"] - before["forward_passes"]) / calls
    tokens = (gen.stats["tokens"] - before["tokens"]) / len(rows)
    positions = (gen.stats["positions"] - before["positions"]) / len(rows)
    table = model_eval.summarize(model_eval.score(rows))
    key = "repaired" if repair else "draft"
    return {"setting": name, "split": split, "repair_rounds": repair, "seed": seed,
            "languages": list(langs), "programs": len(rows),
            "forward_passes_per_program": round(passes, 2),
            "useful_tokens_per_program": round(tokens, 2),
            "tokens_per_forward_pass": round(tokens / passes, 3),
            "network_positions_per_program": round(positions),
            "syntax_valid": round(table["all"][f"syntax_{key}"], 2),
            "pass1": round(table["all"][f"pass1_{key}"], 2),
            "by_language": {k: {"syntax_valid": round(v[f"syntax_{key}"], 2),
                                "pass1": round(v[f"pass1_{key}"], 2)}
                            for k, v in table.items() if k != "all"},
            "generate_s": round(seconds, 1), "sampler": dataclasses.asdict(cfg)}


def plot(records, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    train = [r for r in records if r["split"] == "train" and not r["repair_rounds"]]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for kind, marker in (("steps", "o"), ("tau", "s")):
        pts = sorted((r["tokens_per_forward_pass"], r["pass1"], r["syntax_valid"], r["setting"])
                     for r in train if r["setting"].startswith(kind) or
                     (kind == "steps" and r["setting"] == "after"))
        if not pts:
            continue
        x = [p[0] for p in pts]
        ax.plot(x, [p[1] for p in pts], marker=marker, label=f"pass@1 ({kind})")
        ax.plot(x, [p[2] for p in pts], marker=marker, linestyle="--",
                label=f"syntax-valid ({kind})")
        for p in pts:
            ax.annotate(p[3], (p[0], p[1]), fontsize=7, xytext=(3, 3),
                        textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel("useful tokens per forward pass (log)")
    ax.set_ylabel("% of programs")
    ax.set_title("Decoding rules on train tasks (shipped model, no repair)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main() -> None:
    from adjax_code.generate.generator import Generator
    from adjax_code.model import model_store

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=model_store.DEFAULT_DIR)
    ap.add_argument("--tasks", type=int, default=24, help="train tasks per language")
    ap.add_argument("--languages", default="python,javascript")
    ap.add_argument("--candidates", type=int, default=4)
    ap.add_argument("--heldout", default="before,after,tau=0.9",
                    help="settings also run on the held-out tasks")
    ap.add_argument("--repaired", default="before,after",
                    help="settings also run with two syntax-repair rounds (train tasks)")
    ap.add_argument("--only", default=None, help="run only these settings (comma-separated)")
    ap.add_argument("--seeds", default="0", help="sampling seeds, e.g. 0,1,2")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/decode.jsonl")
    args = ap.parse_args()
    gen = Generator.load(args.model)
    langs = tuple(args.languages.split(","))
    env = environment()
    records = []
    chosen = settings(gen.cfg.sampler)
    if args.only:
        chosen = {k: chosen[k] for k in args.only.split(",")}
    for (name, cfg), seed in ((item, int(s)) for s in args.seeds.split(",")
                              for item in chosen.items()):
        runs = [("train", args.tasks, 0)]
        if name in args.repaired.split(","):
            runs.append(("train", args.tasks, 2))
        if name in args.heldout.split(","):
            runs.append(("heldout", None, 0))
        for split, limit, repair in runs:
            rec = measure(gen, name, cfg, split, langs, limit, args.candidates, repair, seed)
            records.append(rec)
            write(args.out, {"bench": "decode", **env, "model": str(args.model), **rec,
                             "command": "uv run python benchmarks/bench_decode.py " +
                             " ".join(sys.argv[1:])})
    if not args.only:
        plot(records, args.out.with_suffix(".png"))


if __name__ == "__main__":
    main()
