"""Network weights as safetensors files with explicit, stable tensor names.

A parameter's name is its path in the parameter pytree, dotted: ``blocks.0.attn.q.kernel``,
``encoder.blocks.1.mlp.up.kernel``, ``head.bias`` (Flax's ``.value`` leaf attribute is not
part of it). Kernels are stored [in, out] as Flax holds them. Weights go in one file
``model.safetensors`` or, past ``max_shard_bytes``, in ``model-00001-of-0000N.safetensors``
shards; ``load`` finds either, checks every name and shape against a template, and casts
to the template's dtype (float32 for adjax's own models whatever the file holds; an imported
checkpoint's template asks for bfloat16).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jax
import ml_dtypes
import numpy as np

SINGLE = "model.safetensors"
_SHARD = re.compile(r"^model-(\d{5})-of-(\d{5})\.safetensors$")
DTYPES = {"float32": np.float32, "bfloat16": ml_dtypes.bfloat16, "float16": np.float16}
FILE_DTYPES = {"BF16": ml_dtypes.bfloat16, "F16": np.float16, "F32": np.float32,
               "F64": np.float64}


class WeightsError(ValueError):
    """Weights that are missing, misshapen or do not match the network."""


def tensor_name(keypath) -> str:
    parts = []
    for k in keypath:
        if isinstance(k, jax.tree_util.GetAttrKey):
            if k.name == "value":
                continue
            parts.append(k.name)
        elif isinstance(k, jax.tree_util.DictKey):
            parts.append(str(k.key))
        elif isinstance(k, jax.tree_util.SequenceKey):
            parts.append(str(k.idx))
        else:
            parts.append(str(k).strip(".[]'\""))
    return ".".join(parts)


def named(params: Any) -> dict[str, Any]:
    """``{name: leaf}`` in the pytree's order."""
    out = {}
    for keypath, leaf in jax.tree_util.tree_flatten_with_path(params)[0]:
        name = tensor_name(keypath)
        if name in out:
            raise WeightsError(f"two parameters share the name {name}")
        out[name] = leaf
    return out


def files(path: str | Path) -> list[Path]:
    """The weight files of a directory, in shard order; [] when it has none."""
    path = Path(path)
    if (path / SINGLE).is_file():
        return [path / SINGLE]
    shards = sorted(p for p in path.glob("model-*-of-*.safetensors") if _SHARD.match(p.name))
    if not shards:
        return []
    total = int(_SHARD.match(shards[0].name).group(2))
    want = [path / f"model-{i:05d}-of-{total:05d}.safetensors" for i in range(1, total + 1)]
    if shards != want:
        missing = sorted({p.name for p in want} - {p.name for p in shards})
        raise WeightsError(f"{path}: weight shards missing or mixed: {missing or 'extra'}")
    return shards


def save(params: Any, out_dir: str | Path, *, dtype: str = "float32",
         max_shard_bytes: int | None = None, metadata: dict[str, str] | None = None
         ) -> list[Path]:
    """Writes the parameters as safetensors (cast to ``dtype``); returns the files."""
    from safetensors.numpy import save_file

    if dtype not in DTYPES:
        raise ValueError(f"dtype {dtype!r} is not one of {sorted(DTYPES)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    arrays = {k: np.asarray(jax.device_get(v)).astype(DTYPES[dtype])
              for k, v in named(params).items()}
    if max_shard_bytes:
        for name, a in arrays.items():
            if a.nbytes > max_shard_bytes:
                raise WeightsError(f"tensor {name} ({a.nbytes} bytes) exceeds the shard size "
                                   f"{max_shard_bytes}")
    meta = {"format": "adjax", **(metadata or {})}
    shards = plan_shards({k: a.nbytes for k, a in arrays.items()}, max_shard_bytes)
    names = [file for file, _ in shards]
    for stale in out.glob("model*.safetensors"):  # a previous save's files
        stale.unlink()
    for file, group in shards:
        save_file({k: arrays[k] for k in group}, str(out / file), metadata=meta)
        (out / file).chmod(0o644)  # the library writes 0600; a model is meant to be shared
    return [out / n for n in names]


def plan_shards(sizes: dict[str, int], max_shard_bytes: int | None
                ) -> list[tuple[str, list[str]]]:
    """(file name, tensor names) per shard, tensors in order, a new shard whenever the next
    tensor would pass ``max_shard_bytes`` (a larger tensor gets a shard of its own); one
    ``model.safetensors`` when everything fits or no size is given."""
    groups: list[list[str]] = [[]]
    total = 0
    for name, n in sizes.items():
        if max_shard_bytes and groups[-1] and total + n > max_shard_bytes:
            groups.append([])
            total = 0
        groups[-1].append(name)
        total += n
    if len(groups) == 1:
        return [(SINGLE, groups[0])]
    return [(f"model-{i:05d}-of-{len(groups):05d}.safetensors", g)
            for i, g in enumerate(groups, 1)]


def read_header(file: Path) -> tuple[dict, int]:
    """(the safetensors header's tensor entries, the offset where the data starts), checked
    against the file's size, so a truncated file is found before anything is read."""
    size = file.stat().st_size
    try:
        with open(file, "rb") as f:
            n = int.from_bytes(f.read(8), "little")
            if not 2 <= n <= min(size - 8, 100 << 20):
                raise ValueError("bad header length")
            header = json.loads(f.read(n))
        if not isinstance(header, dict):
            raise ValueError("the header is not an object")
        header.pop("__metadata__", None)
        end = max((int(v["data_offsets"][1]) for v in header.values()), default=0)
    except (ValueError, UnicodeDecodeError, KeyError, TypeError, IndexError) as err:
        raise WeightsError(f"{file.name} is not a readable safetensors file ({err})") from None
    if 8 + n + end > size:
        raise WeightsError(f"{file.name} is truncated: its header describes {8 + n + end} "
                           f"bytes, the file has {size}")
    return header, 8 + n


def read_tensor(file: Path, name: str, entry: dict, base: int) -> np.ndarray:
    """One tensor, read with a plain read into a fresh array: no memory map, so tensors
    already handed on do not stay in the process's resident memory."""
    dtype = FILE_DTYPES.get(entry.get("dtype"))
    if dtype is None:
        raise WeightsError(f"{file.name}: tensor {name} has dtype {entry.get('dtype')}; "
                           f"floating point ({', '.join(FILE_DTYPES)}) is supported")
    shape = tuple(int(d) for d in entry["shape"])
    begin, end = (int(x) for x in entry["data_offsets"])
    count = int(np.prod(shape))
    if end - begin != count * np.dtype(dtype).itemsize:
        raise WeightsError(f"{file.name}: tensor {name} has {end - begin} bytes for shape "
                           f"{shape}")
    with open(file, "rb") as f:
        f.seek(base + begin)
        return np.fromfile(f, dtype=dtype, count=count).reshape(shape)


def load(path: str | Path, template: Any, shardings: Any = None) -> Any:
    """Parameters shaped like ``template`` (arrays or ``ShapeDtypeStruct`` leaves), read
    tensor by tensor from the directory's safetensors files. ``shardings`` (a pytree of
    ``jax.sharding.Sharding`` like ``template``) places each tensor on its devices as it is
    read, so no host holds the whole model in the compute dtype.

    Raises:
      WeightsError: naming a missing, misshapen or unexpected tensor, or an unreadable file.
    """
    paths, treedef = jax.tree_util.tree_flatten_with_path(template)
    wanted = [(tensor_name(k), tuple(leaf.shape), leaf.dtype) for k, leaf in paths]
    places = None if shardings is None else jax.tree_util.tree_leaves(shardings)
    return jax.tree_util.tree_unflatten(treedef, load_named(path, wanted, places))


def load_named(path: str | Path, wanted: list[tuple[str, tuple[int, ...], Any]],
               places: list | None = None) -> list[jax.Array]:
    """The tensors ``wanted`` as (name, shape, dtype), in that order, cast to their dtypes;
    every tensor of the files must be wanted. ``places``: a sharding per tensor."""
    shards = files(path)
    if not shards:
        raise WeightsError(f"{path} holds no {SINGLE} or model-*-of-*.safetensors")
    where: dict[str, tuple[Path, dict, int]] = {}
    for shard in shards:
        header, base = read_header(shard)
        for k, entry in header.items():
            where[k] = (shard, entry, base)
    extra = sorted(set(where) - {name for name, _, _ in wanted})
    if extra:
        raise WeightsError(f"{path}: tensors the network does not have: {extra[:5]}")
    leaves = []
    for (name, shape, dtype), place in zip(wanted, places or [None] * len(wanted),
                                           strict=True):
        if name not in where:
            raise WeightsError(f"{path}: tensor {name} is missing")
        file, entry, base = where[name]
        if tuple(entry.get("shape", ())) != tuple(shape):
            raise WeightsError(f"tensor {name} has shape {tuple(entry.get('shape', ()))}, the "
                               f"network needs {tuple(shape)}")
        arr = read_tensor(file, name, entry, base).astype(np.dtype(dtype), copy=False)
        leaves.append(jax.device_put(arr, place))  # a transfer: nothing to compile
        del arr
    return leaves
