"""Public diffusion checkpoints in Hugging Face layout -> adjax model directories.

A source directory holds ``config.json``, ``model.safetensors`` or shards with
``model.safetensors.index.json``, ``tokenizer.json`` and usually ``tokenizer_config.json``.
The family comes from ``config.json``'s ``model_type``:

==========  ======================================  =============================
family      checkpoints                             network options
==========  ======================================  =============================
dream       Dream-v0, Dream-Coder, DiffuCoder        q/k/v biases, logit shift
qwen2       Qwen2/2.5-based masked diffusion         q/k/v biases
qwen3       Qwen3-based masked diffusion             per-head q/k RMSNorm
llama       Llama-shaped masked diffusion            (plain)
llada       LLaDA-8B (OLMo parameter names)          (plain)
==========  ======================================  =============================

Every family runs in adjax's one transformer as a decoder-only network with bidirectional
attention (``conditioning="prefix"``, the prompt reading the code embedding). Tensors are
streamed: each is read from its shard, transposed where Torch stores ``[out, in]``, cast,
and written into the output's shards, so the import holds about one output shard in
memory, never the whole model in float32. The output is a packaged model: safetensors under
adjax's stable names, the tokenizer, and a manifest with the network config, the special
token ids and the prompt template, so every command that takes ``--model`` loads it.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from adjax import weights
from adjax.config import MaskedDiffusionConfig, NetConfig, OptimConfig, SamplerConfig, TrainConfig
from adjax.config import to_dict as config_dict
from adjax_code.model import hf_tokenizer, model_store
from adjax_code.model.model_store import CheckpointError

FAMILIES = ("dream", "qwen2", "qwen3", "llama", "llada")
DTYPES = weights.DTYPES
# Output shard size: the import holds about twice one shard (safetensors serialises a
# shard in memory) plus the largest tensor.
SHARD_BYTES = 512 << 20
# What each family's sampler does by default: Dream/DiffuCoder rank by entropy over the
# whole output; LLaDA commits the most probable tokens in semi-autoregressive blocks of 32.
SAMPLERS = {
    "dream": SamplerConfig(rule="confidence", score="entropy", temperature=0.2, top_p=0.95,
                           num_steps=128, rounding="down", t_min=1e-3),
    "llada": SamplerConfig(rule="confidence", score="low_confidence", temperature=0.0,
                           num_steps=128, block_size=32, rounding="up"),
}
PROMPT_CAP = 256  # prompt tokens the model reads by default (the specification is cut)


@dataclasses.dataclass(frozen=True)
class Source:
    """What ``inspect`` learns from a checkpoint directory without reading any weights."""

    path: Path
    family: str
    net: NetConfig
    tied: bool  # the output head reuses the embedding (Qwen2.5-0.5B, for example)
    config: dict


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise CheckpointError(f"{path.parent} has no {path.name}: not a Hugging Face model "
                           "directory") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise CheckpointError(f"{path} is not valid JSON ({err})") from None
    if not isinstance(data, dict):
        raise CheckpointError(f"{path} does not hold a JSON object")
    return data


def family_of(config: dict) -> str:
    kind = str(config.get("model_type", "")).lower()
    if kind not in FAMILIES:
        raise CheckpointError(f"config.json model_type {config.get('model_type')!r} is not a "
                           f"family adjax imports; supported: {', '.join(FAMILIES)}")
    return kind


def _need(config: dict, *keys: str):
    for key in keys:
        if key in config and config[key] is not None:
            return config[key]
    raise CheckpointError(f"config.json lacks {keys[0]!r}")


def net_config(config: dict, family: str, *, dtype: str = "bfloat16",
               logit_shift: bool | None = None) -> NetConfig:
    """The adjax network that computes what the checkpoint's reference implementation does."""
    if family == "llada":
        if config.get("block_type", "llama") != "llama" or config.get("alibi") \
                or not config.get("rope", True) or config.get("attention_layer_norm") \
                or config.get("include_bias") or config.get("layer_norm_type", "rms") != "rms":
            raise CheckpointError("this LLaDA config uses options adjax does not implement "
                               "(block_type llama, RoPE, RMSNorm, no biases are supported)")
        d, heads = _need(config, "d_model"), _need(config, "n_heads")
        shape = dict(
            vocab_size=int(config.get("embedding_size") or _need(config, "vocab_size")),
            d_model=d, n_layers=_need(config, "n_layers"), n_heads=heads,
            n_kv_heads=config.get("n_kv_heads") or heads,
            mlp_hidden=config.get("mlp_hidden_size") or config.get("mlp_ratio", 4) * d,
            max_len=int(config.get("max_sequence_length", 4096)),
            rope_base=float(config.get("rope_theta", 10_000.0)),
            norm_eps=float(config.get("rms_norm_eps", 1e-5)),
            qkv_bias=bool(config.get("include_qkv_bias")))
    else:
        # transformers 5 writes rope_parameters {rope_theta, rope_type}; 4.x writes
        # rope_theta and rope_scaling at the top level.
        rope = config.get("rope_parameters") or config.get("rope_scaling") or {}
        if rope.get("rope_type", rope.get("type")) not in (None, "default"):
            raise CheckpointError(f"RoPE scaling {rope!r} is not implemented; adjax supports "
                               "plain RoPE")
        theta = rope.get("rope_theta", config.get("rope_theta", 10_000.0))
        if config.get("hidden_act", "silu") != "silu" or config.get("mlp_bias"):
            raise CheckpointError("only SiLU-gated MLPs without biases are supported")
        if config.get("use_sliding_window"):
            raise CheckpointError("sliding-window attention is not supported")
        d, heads = _need(config, "hidden_size"), _need(config, "num_attention_heads")
        head_dim = config.get("head_dim")
        shape = dict(
            vocab_size=_need(config, "vocab_size"), d_model=d,
            n_layers=_need(config, "num_hidden_layers"), n_heads=heads,
            n_kv_heads=config.get("num_key_value_heads") or heads,
            mlp_hidden=_need(config, "intermediate_size"),
            max_len=int(config.get("max_position_embeddings", 4096)),
            rope_base=float(theta), norm_eps=float(config.get("rms_norm_eps", 1e-6)),
            head_size=head_dim if head_dim and head_dim * heads != d else None,
            qkv_bias=family in ("qwen2", "dream") or bool(config.get("attention_bias")),
            qk_norm=family == "qwen3")
    shift = family == "dream" if logit_shift is None else logit_shift
    try:
        return NetConfig(input_kind="tokens", conditioning="prefix", shared_prefix_embed=True,
                         time_conditioning=False, head_bias=False, logit_shift=shift,
                         dtype=dtype, cond_max_len=shape["max_len"], **shape)
    except (TypeError, ValueError) as err:
        raise CheckpointError(f"config.json describes an unusable network: {err}") from None


def inspect(src: str | Path, *, dtype: str = "bfloat16",
            logit_shift: bool | None = None) -> Source:
    """Reads ``config.json`` of a local checkpoint directory."""
    path = Path(src)
    if not path.is_dir():
        raise CheckpointError(f"{path} is not a directory")
    config = _read_json(path / "config.json")
    family = family_of(config)
    net = net_config(config, family, dtype=dtype, logit_shift=logit_shift)
    tied = bool(config.get("weight_tying") if family == "llada"
                else config.get("tie_word_embeddings", False))
    return Source(path, family, net, tied, config)


# ----------------------------------------------------------------------------- names

_QWEN = [  # (adjax pattern, Hugging Face name, transpose)
    (r"embed\.embedding", "model.embed_tokens.weight", False),
    (r"blocks\.(\d+)\.attn_norm\.scale", "model.layers.{0}.input_layernorm.weight", False),
    (r"blocks\.(\d+)\.mlp_norm\.scale", "model.layers.{0}.post_attention_layernorm.weight",
     False),
    (r"blocks\.(\d+)\.attn\.([qkv])\.kernel", "model.layers.{0}.self_attn.{1}_proj.weight", True),
    (r"blocks\.(\d+)\.attn\.([qkv])\.bias", "model.layers.{0}.self_attn.{1}_proj.bias", False),
    (r"blocks\.(\d+)\.attn\.o\.kernel", "model.layers.{0}.self_attn.o_proj.weight", True),
    (r"blocks\.(\d+)\.attn\.([qk])_norm\.scale", "model.layers.{0}.self_attn.{1}_norm.weight",
     False),
    (r"blocks\.(\d+)\.mlp\.(gate|up|down)\.kernel", "model.layers.{0}.mlp.{1}_proj.weight",
     True),
    (r"norm\.scale", "model.norm.weight", False),
    (r"head\.kernel", "lm_head.weight", True),
]
_LLADA = [  # OLMo names; ff_proj is the gate, ff_out the down projection
    (r"embed\.embedding", "model.transformer.wte.weight", False),
    (r"blocks\.(\d+)\.attn_norm\.scale", "model.transformer.blocks.{0}.attn_norm.weight", False),
    (r"blocks\.(\d+)\.mlp_norm\.scale", "model.transformer.blocks.{0}.ff_norm.weight", False),
    (r"blocks\.(\d+)\.attn\.([qkv])\.kernel", "model.transformer.blocks.{0}.{1}_proj.weight",
     True),
    (r"blocks\.(\d+)\.attn\.([qkv])\.bias", "model.transformer.blocks.{0}.{1}_proj.bias", False),
    (r"blocks\.(\d+)\.attn\.o\.kernel", "model.transformer.blocks.{0}.attn_out.weight", True),
    (r"blocks\.(\d+)\.mlp\.gate\.kernel", "model.transformer.blocks.{0}.ff_proj.weight", True),
    (r"blocks\.(\d+)\.mlp\.up\.kernel", "model.transformer.blocks.{0}.up_proj.weight", True),
    (r"blocks\.(\d+)\.mlp\.down\.kernel", "model.transformer.blocks.{0}.ff_out.weight", True),
    (r"norm\.scale", "model.transformer.ln_f.weight", False),
    (r"head\.kernel", "model.transformer.ff_out.weight", True),
]


def source_name(family: str, name: str, *, tied: bool = False) -> tuple[str, bool]:
    """(the checkpoint's tensor name, whether to transpose it) for an adjax tensor name.

    A tied head reads the embedding, transposed to a [d_model, vocab] kernel.
    """
    table = _LLADA if family == "llada" else _QWEN
    if tied and name == "head.kernel":
        return table[0][1], True
    for pattern, hf, transpose in table:
        m = re.fullmatch(pattern, name)
        if m:
            return hf.format(*m.groups()), transpose
    raise CheckpointError(f"no {family} tensor maps to adjax parameter {name}")


# ----------------------------------------------------------------------------- weights

class _Shards:
    """The checkpoint's tensors by name, from one file or an index.

    Tensors are read with plain reads into fresh arrays rather than through a memory map, so
    the pages of tensors already converted do not stay in the process's resident set."""

    def __init__(self, path: Path):
        index = path / "model.safetensors.index.json"
        if index.is_file():
            weight_map = _read_json(index).get("weight_map")
            if not isinstance(weight_map, dict):
                raise CheckpointError(f"{index} has no weight_map")
            files = sorted(set(weight_map.values()))
        elif (path / "model.safetensors").is_file():
            files, weight_map = ["model.safetensors"], None
        else:
            raise CheckpointError(f"{path} holds no model.safetensors or "
                               "model.safetensors.index.json")
        self.path, self.entries, self.where = path, {}, {}
        for name in files:
            file = path / name
            if not file.is_file():
                raise CheckpointError(f"shard {name} listed in the index is missing")
            try:
                header, base = weights.read_header(file)
            except weights.WeightsError as err:
                raise CheckpointError(str(err)) from None
            for key, entry in header.items():
                self.entries[key] = (entry, base)
                self.where[key] = name
        if weight_map is not None:
            absent = sorted(k for k in weight_map if k not in self.where)
            if absent:
                raise CheckpointError(f"tensors listed in the index are not in their shards: "
                                   f"{absent[:3]}")

    def shape(self, name: str) -> tuple[int, ...]:
        return tuple(int(d) for d in self.entries[name][0]["shape"])

    def get(self, name: str) -> np.ndarray:
        (entry, base), file = self.entries[name], self.where[name]
        try:
            return weights.read_tensor(self.path / file, name, entry, base)
        except weights.WeightsError as err:
            raise CheckpointError(str(err)) from None

    def resolve(self, name: str) -> str:
        """The stored name: checkpoints differ in a leading ``model.``."""
        for candidate in (name, name.removeprefix("model."), f"model.{name}"):
            if candidate in self.where:
                return candidate
        raise CheckpointError(f"the checkpoint has no tensor {name}")


def plan(source: Source, shards: _Shards) -> list[tuple[str, tuple[int, ...], str, bool]]:
    """(adjax name, shape, source name, transpose) for every parameter, checked against the
    checkpoint's shapes; reads only the shards' headers."""
    from flax import nnx

    from adjax.nets import Transformer
    from adjax.nets.functional import split_abstract

    _, template = split_abstract(lambda: Transformer(source.net, rngs=nnx.Rngs(0)))
    rows, used = [], set()
    for name, leaf in weights.named(template).items():
        hf, transpose = source_name(source.family, name, tied=source.tied)
        stored = shards.resolve(hf)
        shape = shards.shape(stored)
        got = shape[::-1] if transpose else shape
        if tuple(got) != tuple(leaf.shape):
            raise CheckpointError(f"tensor {stored} has shape {shape}; the config needs "
                               f"{tuple(leaf.shape)[::-1] if transpose else tuple(leaf.shape)}"
                               f" (adjax {name})")
        rows.append((name, tuple(leaf.shape), stored, transpose))
        used.add(stored)
    unused = sorted(k for k in shards.where if k not in used
                    and not k.endswith(("rotary_emb.inv_freq", "masked_bias")))
    if unused:
        raise CheckpointError(f"the checkpoint has tensors this {source.family} network does not "
                           f"use: {unused[:3]} (a different architecture?)")
    return rows


def stream(shards: _Shards, rows: list, dtype: str) -> Iterator[tuple[str, np.ndarray]]:
    """(adjax name, array in ``dtype``) one tensor at a time, for ``plan``'s rows."""
    for name, _, stored, transpose in rows:
        arr = shards.get(stored)
        # one copy: transposed, cast and laid out row-major together
        yield name, np.array(arr.T if transpose else arr, dtype=DTYPES[dtype], order="C")
        del arr


def write_weights(shards: _Shards, rows: list, out: Path, dtype: str, *,
                  shard_bytes: int = SHARD_BYTES,
                  progress: Callable[[int], None] | None = None) -> list[str]:
    """Streams ``plan``'s rows into adjax-named safetensors shards; returns their names."""
    from safetensors.numpy import save_file

    size = np.dtype(DTYPES[dtype]).itemsize
    files = weights.plan_shards({name: int(np.prod(shape)) * size
                                 for name, shape, _, _ in rows}, shard_bytes)
    tensors = stream(shards, rows, dtype)
    for file, group in files:
        chunk = {}
        for want in group:
            name, arr = next(tensors)
            assert name == want
            chunk[name] = arr
            if progress:
                progress(arr.nbytes)
        save_file(chunk, str(out / file), metadata={"format": "adjax"})
        (out / file).chmod(0o644)
        del chunk
    return [file for file, _ in files]


# ----------------------------------------------------------------------------- import

def family_sampler(family: str, *, mask_in_softmax: bool = False) -> SamplerConfig:
    """The sampler a family's reference loop uses; ``mask_in_softmax`` ranks confidences
    with the [MASK] token inside the softmax, as LLaDA's and Dream's loops do (parity runs;
    off by default, see docs/pretrained.md)."""
    sampler = SAMPLERS.get(family, SAMPLERS["dream"])
    return dataclasses.replace(sampler, mask_in_softmax=mask_in_softmax)


def check_prompt_cap(cap: int, tok_info: dict, source: Source) -> None:
    """Refuses a prompt cap that leaves no room for the specification around the prompt
    template, or that exceeds the network's context."""
    from tokenizers import Tokenizer

    from adjax_code.lang import languages

    if isinstance(cap, bool) or not isinstance(cap, int) or cap < 1:
        raise CheckpointError(f"the prompt cap must be a positive number of tokens, got "
                              f"{cap!r}")
    if cap > source.net.max_len:
        raise CheckpointError(f"a prompt cap of {cap} tokens exceeds the network's context "
                              f"of {source.net.max_len} (config.json)")
    tok = hf_tokenizer.PretrainedTokenizer(
        Tokenizer.from_file(str(source.path / "tokenizer.json")), tok_info)
    template = max(len(tok.condition_ids("", lang, 1 << 30)) for lang in languages.names())
    if cap <= template:
        raise CheckpointError(f"a prompt cap of {cap} tokens leaves no room for the "
                              f"specification: the prompt template alone takes {template}")


def run_config(source: Source, special: dict, *, cond_len: int = PROMPT_CAP,
               mask_in_softmax: bool = False) -> dict:
    """The manifest's ``config``: what ``Generator.load`` rebuilds."""
    from adjax_code.corpus.data import DataConfig

    sampler = family_sampler(source.family, mask_in_softmax=mask_in_softmax)
    return {
        "net": config_dict(source.net),
        "diffusion": config_dict(MaskedDiffusionConfig(mask_id=special["mask_id"])),
        "sampler": config_dict(sampler),
        "optim": config_dict(OptimConfig(learning_rate=1e-6, warmup_steps=0)),
        "train": config_dict(TrainConfig(batch_size=8)),
        "data": config_dict(DataConfig(vocab_size=max(512, source.net.vocab_size),
                                       buckets=(64, 128, 256, 512), cond_len=cond_len)),
    }


def check_target(out: Path, *, force: bool = False) -> None:
    """Refuses (one line) an ``out`` that holds an adjax model, or any other non-empty
    directory, unless ``force``: an import never replaces a model by accident."""
    if not force and (out / model_store.MANIFEST).is_file():
        raise model_store.ModelError(f"{out} already holds an adjax model; pass --force to "
                                     "replace it, or choose another --out")
    model_store.check_target(out, model_store.MANIFEST, force=force)


def import_checkpoint(src: str | Path, out: str | Path, *, dtype: str = "bfloat16",
                      logit_shift: bool | None = None, mask_token: str | None = None,
                      prompt: str | None = None, prompt_cap: int = PROMPT_CAP,
                      mask_in_softmax: bool = False, force: bool = False,
                      progress: bool = False) -> dict:
    """Converts a local Hugging Face checkpoint directory into an adjax model directory.

    Args:
      src: the checkpoint directory (config.json, safetensors, tokenizer.json).
      out: the adjax model directory to write (atomically: nothing is left half-written).
      dtype: the stored weights' dtype (bfloat16, float16 or float32).
      logit_shift: override the family's shift (Dream and DiffuCoder: on).
      mask_token: the [MASK] token's text when neither config.json nor
        tokenizer_config.json names one.
      prompt: the prompt template (``{spec}`` and ``{language}`` in it); default: the
        tokenizer's chat template with one user turn, or the plain specification.
      prompt_cap: the prompt tokens the model reads (the template whole, the specification
        cut to fit); recorded as the run config's ``data.cond_len``.
      mask_in_softmax: the sampler ranks confidences with [MASK] inside the softmax, as the
        LLaDA and Dream reference loops do (recorded as ``sampler.mask_in_softmax``).
      force: replace what ``out`` holds: an adjax model, or any other non-empty directory.

    Returns:
      the manifest written.

    Raises:
      CheckpointError: an unsupported family or option, a missing, misshapen or unreadable
        tensor, a tokenizer without the needed special tokens, or a bad prompt cap.
      ModelError: ``out`` holds a model or other files and ``force`` is not set.
    """
    from tqdm import tqdm

    if dtype not in DTYPES:
        raise CheckpointError(f"dtype {dtype!r} is not one of {sorted(DTYPES)}")
    source = inspect(src, dtype="float32" if dtype == "float32" else "bfloat16",
                     logit_shift=logit_shift)
    tok_info = hf_tokenizer.describe(source.path, source.config, mask_token=mask_token,
                                     prompt=prompt)
    if tok_info["mask_id"] >= source.net.vocab_size:
        raise CheckpointError(f"the mask token id {tok_info['mask_id']} lies outside the "
                           f"vocabulary of {source.net.vocab_size}")
    check_prompt_cap(prompt_cap, tok_info, source)
    shards = _Shards(source.path)
    rows = plan(source, shards)  # every name and shape checked before anything is written
    out = Path(out)
    check_target(out, force=force)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-import-", dir=out.parent))
    total = sum(int(np.prod(s)) for _, s, _, _ in rows) * np.dtype(DTYPES[dtype]).itemsize
    try:
        with tqdm(total=total, unit="B", unit_scale=True, desc="import",
                  disable=not progress) as bar:
            write_weights(shards, rows, tmp, dtype, progress=bar.update)
        shutil.copyfile(source.path / "tokenizer.json", tmp / model_store.TOKENIZER)
        manifest = model_store.write_manifest(tmp, {
            "config": run_config(source, tok_info, cond_len=prompt_cap,
                                 mask_in_softmax=mask_in_softmax),
            "tokenizer": {"kind": "pretrained", **tok_info},
            "source": {"family": source.family, "path": str(source.path.resolve()),
                       "model_type": source.config.get("model_type"),
                       "weights_dtype": dtype, "tied_head": source.tied},
            "param_dtype": dtype,  # float16 files load as float16, not rounded again
        })
        model_store.install_dir(tmp, out, force=force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest
