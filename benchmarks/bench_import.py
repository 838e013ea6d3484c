"""Peak host memory and time of ``adjax model import`` on a generated ~1B-parameter checkpoint.

Writes a random Qwen2-shaped checkpoint in Hugging Face layout (bf16 safetensors shards of
1 GB, an index, config.json, the tiny fixture tokenizer), then imports it in a child process
and reads the child's peak resident memory. The import streams tensor by tensor, so the
peak should stay near the bf16 size of one output shard plus the largest tensor, not the
model: the target is at most 1.3x the bf16 weights, interpreter and JAX included. Then a
second child loads the imported model (sha256 check, bf16 parameters on the CPU device)
and reports its peak the same way.

    uv run python benchmarks/bench_import.py [--layers 20] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ml_dtypes
import numpy as np
from common import environment, write  # noqa: I001

ROOT = Path(__file__).resolve().parents[1]
TOKENIZER = ROOT / "tests" / "fixtures" / "hf" / "qwen2"


def make_checkpoint(out: Path, *, hidden: int, layers: int, heads: int, kv_heads: int,
                    mlp: int, vocab: int) -> int:
    """Writes the checkpoint; returns its parameter count."""
    from safetensors.numpy import save_file

    head = hidden // heads
    shapes = {"model.embed_tokens.weight": (vocab, hidden), "model.norm.weight": (hidden,),
              "lm_head.weight": (vocab, hidden)}
    for i in range(layers):
        p = f"model.layers.{i}."
        shapes.update({
            p + "input_layernorm.weight": (hidden,),
            p + "post_attention_layernorm.weight": (hidden,),
            p + "self_attn.q_proj.weight": (heads * head, hidden),
            p + "self_attn.q_proj.bias": (heads * head,),
            p + "self_attn.k_proj.weight": (kv_heads * head, hidden),
            p + "self_attn.k_proj.bias": (kv_heads * head,),
            p + "self_attn.v_proj.weight": (kv_heads * head, hidden),
            p + "self_attn.v_proj.bias": (kv_heads * head,),
            p + "self_attn.o_proj.weight": (hidden, heads * head),
            p + "mlp.gate_proj.weight": (mlp, hidden),
            p + "mlp.up_proj.weight": (mlp, hidden),
            p + "mlp.down_proj.weight": (hidden, mlp),
        })
    rng = np.random.default_rng(0)
    shard, size, files, weight_map = {}, 0, [], {}

    def flush():
        nonlocal shard, size
        name = f"part-{len(files)}.safetensors"
        save_file(shard, str(out / name))
        files.append(name)
        for k in shard:
            weight_map[k] = name
        shard, size = {}, 0

    for name, shape in shapes.items():
        arr = (rng.standard_normal(shape, np.float32) * 0.02).astype(ml_dtypes.bfloat16)
        if size and size + arr.nbytes > 1 << 30:
            flush()
        shard[name] = arr
        size += arr.nbytes
    flush()
    n = len(files)
    for i, name in enumerate(files):  # the Hugging Face shard names
        final = f"model-{i + 1:05d}-of-{n:05d}.safetensors"
        (out / name).rename(out / final)
        weight_map = {k: (final if v == name else v) for k, v in weight_map.items()}
    (out / "model.safetensors.index.json").write_text(json.dumps({"weight_map": weight_map}))
    (out / "config.json").write_text(json.dumps({
        "model_type": "qwen2", "hidden_size": hidden, "num_hidden_layers": layers,
        "num_attention_heads": heads, "num_key_value_heads": kv_heads,
        "intermediate_size": mlp, "vocab_size": vocab, "rms_norm_eps": 1e-6,
        "rope_theta": 1e6, "max_position_embeddings": 4096, "tie_word_embeddings": False,
        "hidden_act": "silu"}))
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(TOKENIZER / f, out / f)
    return sum(int(np.prod(s)) for s in shapes.values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--layers", type=int, default=20)
    ap.add_argument("--keep", type=Path, default=None, help="write the checkpoint here")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/import.jsonl")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="adjax-bench-import-"))
    src = args.keep or work / "src"
    src.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    n = make_checkpoint(src, hidden=2048, layers=args.layers, heads=16, kv_heads=2,
                        mlp=5504, vocab=32000)
    make_s = time.perf_counter() - t0
    bf16_bytes = 2 * n
    # The child reads its own high-water mark (VmHWM): it belongs to the process image after
    # exec, unlike getrusage's ru_maxrss, which carries the forking parent's size over.
    hwm = ("import re; print(int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status')"
           ".read()).group(1)) * 1024)")
    code = ("import sys, time; from adjax_code.model import hf_import; t=time.perf_counter();"
            "hf_import.import_checkpoint(sys.argv[1], sys.argv[2], dtype='bfloat16');"
            f"print(time.perf_counter()-t); {hwm}")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, str(src), str(work / "out")],
                          capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(proc.stderr[-2000:])
    import_s, peak = proc.stdout.split()
    peak = int(peak)
    baseline = subprocess.run(
        [sys.executable, "-c", "from adjax_code.model import hf_import, model_store; import jax, "
         f"flax, safetensors, tqdm; {hwm}"], capture_output=True, text=True, cwd=ROOT).stdout
    load = subprocess.run(
        [sys.executable, "-c", "import sys, time; "
         "from adjax_code.generate.generator import Generator; "
         f"t=time.perf_counter(); Generator.load(sys.argv[1]); print(time.perf_counter()-t); "
         f"{hwm}", str(work / "out")], capture_output=True, text=True, cwd=ROOT)
    if load.returncode:
        raise SystemExit(load.stderr[-2000:])
    load_s, load_peak = load.stdout.split()
    written = sum(p.stat().st_size for p in (work / "out").glob("*.safetensors"))
    write(args.out, {
        "bench": "import", **environment(), "parameters": n, "bf16_bytes": bf16_bytes,
        "checkpoint_write_s": round(make_s, 1), "import_s": round(float(import_s), 1),
        "child_wall_s": round(wall, 1), "peak_rss_bytes": peak,
        "peak_over_bf16": round(peak / bf16_bytes, 3),
        "interpreter_baseline_bytes": int(baseline.strip() or 0),
        "peak_less_baseline_over_bf16": round((peak - int(baseline.strip() or 0))
                                              / bf16_bytes, 3),
        "written_bytes": written, "load_s": round(float(load_s), 1),
        "load_peak_rss_bytes": int(load_peak),
        "load_peak_over_bf16": round(int(load_peak) / bf16_bytes, 3),
        "command": "uv run python benchmarks/bench_import.py"})
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
