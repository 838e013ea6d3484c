"""Makes the golden fixtures of ``tests/test_hf_import.py``: tiny random checkpoints of each
pretrained family in Hugging Face layout, and their reference logits.

Run at fixture time only, in a separate environment with PyTorch and transformers (never
adjax's runtime dependencies)::

    python3 -m venv /tmp/fx && /tmp/fx/bin/pip install torch==2.14.1 transformers==5.18.0 \\
        safetensors tokenizers numpy
    # LLaDA's and Dream's modeling files come from a fetched copy of NVlabs/Fast-dLLM
    /tmp/fx/bin/python scripts/make_hf_fixtures.py --fast-dllm /path/to/Fast-dLLM \\
        --out tests/fixtures/hf

Families and their reference implementations:
  llama, qwen2, qwen3   transformers' LlamaForCausalLM / Qwen2ForCausalLM / Qwen3ForCausalLM,
                        run with an additive 4-D attention mask of zeros (bidirectional)
  dream                 DreamModel from Fast-dLLM's dream/model/modeling_dream.py; the stored
                        logits are shifted as Dream's sampler reads them (position i from the
                        hidden state at i-1, the first position its own)
  llada                 LLaDAModelLM from Fast-dLLM's llada/model/modeling_llada.py

Each family directory holds config.json, weights sharded at a small size with
model.safetensors.index.json, tokenizer.json, tokenizer_config.json (with a chat template),
golden.npz: ``input_ids`` [2, 16] and ``logits`` [2, 16, V] in float32, and reference.json:
the implementation and library versions that produced them. Dream's and LLaDA's modeling
files need transformers 4.x (made with 4.57.6 on the PYTHONPATH, ``--families dream,llada``);
the others were made with 5.18.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
import transformers
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

HIDDEN, LAYERS, HEADS, KV_HEADS, MLP, VOCAB = 64, 2, 4, 2, 96, 384
SHARD = "48KB"  # several shards per family, to test the index

QWEN_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|mask|>"]
QWEN_TEMPLATE = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}"
                 "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n"
                 "{% endif %}")
LLADA_SPECIALS = ["<|startoftext|>", "<|endoftext|>", "<|eot_id|>", "<|start_header_id|>",
                  "<|end_header_id|>", "<|mdm_mask|>"]
LLADA_TEMPLATE = ("<|startoftext|>{% for m in messages %}<|start_header_id|>{{ m['role'] }}"
                  "<|end_header_id|>\n\n{{ m['content'] }}<|eot_id|>{% endfor %}"
                  "{% if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>"
                  "\n\n{% endif %}")
CORPUS = [
    "def add(a, b):\n    return a + b\n",
    "function add(a, b) {\n  return a + b;\n}\n",
    "Write a function that returns the sum of two numbers.",
    "for i in range(10):\n    print(i * i)\n",
    "class Stack:\n    def __init__(self):\n        self.items = []\n",
] * 20


def tokenizer(out: Path, specials: list[str], template: str, roles: dict) -> None:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB - 40, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train_from_iterator(CORPUS, trainer=trainer)
    tok.save(str(out / "tokenizer.json"))
    (out / "tokenizer_config.json").write_text(json.dumps(
        {"chat_template": template, **roles}, indent=2) + "\n")


def bidirectional(ids: torch.Tensor) -> torch.Tensor:
    """An additive [B, 1, T, T] mask of zeros: every position attends to every other."""
    return torch.zeros(ids.shape[0], 1, ids.shape[1], ids.shape[1])


def load_module(name: str, directory: Path):
    """Imports a modeling package from a fetched copy (under a temporary package name)."""
    tmp = Path(tempfile.mkdtemp()) / name
    shutil.copytree(directory, tmp)
    sys.path.insert(0, str(tmp.parent))
    spec = importlib.util.spec_from_file_location(name, tmp / "__init__.py",
                                                  submodule_search_locations=[str(tmp)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def build(family: str, fast_dllm: Path, special: dict[str, int]):
    common = dict(vocab_size=VOCAB, hidden_size=HIDDEN, intermediate_size=MLP,
                  num_hidden_layers=LAYERS, num_attention_heads=HEADS,
                  num_key_value_heads=KV_HEADS, max_position_embeddings=256,
                  tie_word_embeddings=False)
    if family == "llama":
        cfg = transformers.LlamaConfig(**common, rms_norm_eps=1e-5, rope_theta=5e5,
                                       attention_bias=False)
        return transformers.LlamaForCausalLM(cfg), "hf"
    if family == "qwen2":
        cfg = transformers.Qwen2Config(**common, rms_norm_eps=1e-6, rope_theta=1e6)
        return transformers.Qwen2ForCausalLM(cfg), "hf"
    if family == "qwen3":
        # head_dim 32 with 4 heads: q projects 64 -> 128, as Qwen3 does (head_dim != d/heads)
        cfg = transformers.Qwen3Config(**common, head_dim=32, rms_norm_eps=1e-6,
                                       rope_theta=1e6)
        return transformers.Qwen3ForCausalLM(cfg), "hf"
    if family == "dream":
        dream = load_module("dream_ref", fast_dllm / "dream" / "model")
        cfg = dream.configuration_dream.DreamConfig(**common, rms_norm_eps=1e-6,
                                                    rope_theta=1e6, mask_token_id=special["mask"],
                                                    pad_token_id=special["pad"],
                                                    eos_token_id=special["pad"],
                                                    bos_token_id=special["pad"])
        return dream.modeling_dream.DreamModel(cfg), "dream"
    if family == "llada":
        llada = load_module("llada_ref", fast_dllm / "llada" / "model")
        cfg = llada.configuration_llada.LLaDAConfig(
            d_model=HIDDEN, n_heads=HEADS, n_kv_heads=HEADS, n_layers=LAYERS,
            mlp_hidden_size=MLP, vocab_size=VOCAB, embedding_size=VOCAB, rope=True,
            rope_theta=5e5, rms_norm_eps=1e-5, block_type="llama", layer_norm_type="rms",
            activation_type="silu", include_bias=False, include_qkv_bias=False,
            weight_tying=False, max_sequence_length=256, mask_token_id=special["mask"],
            eos_token_id=special["eos"], pad_token_id=special["pad"],
            alibi=False, init_device="cpu", flash_attention=False, attention_dropout=0.0,
            residual_dropout=0.0, embedding_dropout=0.0, scale_logits=False)
        model = llada.modeling_llada.LLaDAModelLM(cfg, init_params=True)
        return model, "llada"
    raise ValueError(family)


def reference_logits(model, kind: str, ids: torch.Tensor) -> np.ndarray:
    with torch.no_grad():
        if kind == "hf":
            logits = model(input_ids=ids, attention_mask=bidirectional(ids)).logits
        elif kind == "dream":
            logits = model(ids, attention_mask="full").logits
            logits = torch.cat([logits[:, :1], logits[:, :-1]], dim=1)  # Dream's shift
        else:
            logits = model(ids).logits
    return logits.float().numpy()


def perturb(model, seed: int) -> None:
    """Random weights everywhere (norms and biases too), so a dropped bias, a missing norm
    scale or a transposed kernel changes the logits."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            norm = "norm" in name or "ln_f" in name
            p.copy_(torch.randn(p.shape, generator=g) * 0.2 + float(norm))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fast-dllm", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=Path("tests/fixtures/hf"))
    ap.add_argument("--families", default="llama,qwen2,qwen3,dream,llada")
    args = ap.parse_args()
    torch.manual_seed(0)
    for i, family in enumerate(args.families.split(",")):
        out = args.out / family
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        if family == "llada":
            roles = {"eos_token": "<|eot_id|>", "pad_token": "<|endoftext|>",
                     "bos_token": "<|startoftext|>", "mask_token": "<|mdm_mask|>"}
            tokenizer(out, LLADA_SPECIALS, LLADA_TEMPLATE, roles)
        else:
            roles = {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>",
                     "mask_token": "<|mask|>"}
            tokenizer(out, QWEN_SPECIALS, QWEN_TEMPLATE, roles)
        tok = Tokenizer.from_file(str(out / "tokenizer.json"))
        special = {k.removesuffix("_token"): tok.token_to_id(v) for k, v in roles.items()}
        model, kind = build(family, args.fast_dllm, special)
        model = model.float().eval()
        perturb(model, seed=i)
        model.save_pretrained(out, max_shard_size=SHARD, safe_serialization=True)
        for stray in [*out.glob("*.py"), out / "generation_config.json"]:  # not needed
            stray.unlink(missing_ok=True)
        g = torch.Generator().manual_seed(100 + i)
        ids = torch.randint(0, VOCAB - 40, (2, 16), generator=g)
        logits = reference_logits(model, kind, ids)
        changed = ids.clone()
        changed[:, -1] = (changed[:, -1] + 1) % (VOCAB - 40)
        if np.allclose(reference_logits(model, kind, changed)[:, 1], logits[:, 1]):
            raise SystemExit(f"{family}: the reference attends causally; the fixture would "
                             "not test bidirectional attention")
        np.savez_compressed(out / "golden.npz", input_ids=ids.numpy().astype(np.int32),
                            logits=logits.astype(np.float32))
        print(family, sorted(p.name for p in out.iterdir()), logits.shape)
        source = {"hf": f"transformers {type(model).__name__}",
                  "dream": "Fast-dLLM dream/model/modeling_dream.py",
                  "llada": "Fast-dLLM llada/model/modeling_llada.py"}[kind]
        (out / "reference.json").write_text(json.dumps(
            {"reference": source, "torch": torch.__version__,
             "transformers": transformers.__version__}, indent=2) + "\n")


if __name__ == "__main__":
    main()
