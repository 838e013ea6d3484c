"""The tokenizer of an imported checkpoint, behind the interface of ``CodeTokenizer``.

A pretrained tokenizer has no language tags; its condition row is a prompt: the model's
chat template with one user turn (rendered once at import, with Jinja in a sandbox, as the
reference libraries do), the specification and the language put into it. The special ids
(mask, pad, end) are read at import from config.json and tokenizer_config.json and kept in
the model's manifest.
"""

from __future__ import annotations

import json
from pathlib import Path

from tokenizers import Tokenizer

from adjax_code.lang import languages
from adjax_code.lang.tokenizer import TokenizerBase
from adjax_code.model.model_store import CheckpointError

# The user turn of the prompt; ``{spec}`` and ``{language}`` are replaced (no str.format:
# chat templates are full of braces).
DEFAULT_CONTENT = "{spec}\n\nWrite the solution in {language}."
_SENTINEL = "\x00ADJAX-CONTENT\x00"
MASK_NAMES = ("<|mask|>", "<|mdm_mask|>", "[MASK]", "<mask>")


def _token_text(value) -> str | None:
    if isinstance(value, dict):
        value = value.get("content")
    return value if isinstance(value, str) else None


def _id(config_value) -> int | None:
    if isinstance(config_value, list):
        config_value = config_value[0] if config_value else None
    return config_value if isinstance(config_value, int) and config_value >= 0 else None


def render_chat(template: str, specials: dict[str, str | None]) -> str:
    """The chat template rendered for one user turn, ``{spec}``-style placeholders left in."""
    from jinja2 import TemplateError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)

    def raise_exception(message):
        raise TemplateError(message)

    env.globals["raise_exception"] = raise_exception
    try:
        text = env.from_string(template).render(
            messages=[{"role": "user", "content": _SENTINEL}], add_generation_prompt=True,
            **{f"{k}_token": v or "" for k, v in specials.items()})
    except TemplateError as err:
        raise ValueError(f"the chat template does not render: {err}") from None
    if _SENTINEL not in text:
        raise ValueError("the chat template drops the user's message")
    return text.replace(_SENTINEL, DEFAULT_CONTENT)


def describe(path: Path, config: dict, *, mask_token: str | None = None,
             prompt: str | None = None) -> dict:
    """Special token ids and the prompt template of a checkpoint's tokenizer.

    Raises:
      ValueError (``model_store.CheckpointError``): no tokenizer.json, or no mask or end token.
    """

    file = path / "tokenizer.json"
    if not file.is_file():
        raise CheckpointError(f"{path} has no tokenizer.json")
    try:
        tok = Tokenizer.from_file(str(file))
    except Exception as err:  # the library raises its own error types
        raise CheckpointError(f"{file} is not a readable tokenizer ({str(err)[:160]})") from None
    tcfg = {}
    if (path / "tokenizer_config.json").is_file():
        try:
            tcfg = json.loads((path / "tokenizer_config.json").read_text())
        except json.JSONDecodeError as err:
            raise CheckpointError(f"tokenizer_config.json is not valid JSON ({err})") from None
    names = {k: _token_text(tcfg.get(f"{k}_token")) for k in ("bos", "eos", "pad", "mask")}

    def lookup(text: str | None) -> int | None:
        return None if text is None else tok.token_to_id(text)

    if mask_token is not None and lookup(mask_token) is None:
        raise CheckpointError(f"the tokenizer has no token {mask_token!r}")
    mask = lookup(mask_token) if mask_token is not None else _id(config.get("mask_token_id"))
    if mask is None:
        for text in (mask_token, names["mask"], *MASK_NAMES):
            if lookup(text) is not None:
                mask = lookup(text)
                break
    if mask is None:
        raise CheckpointError("no mask token: config.json has no mask_token_id and the "
                           "tokenizer has none of " + ", ".join(MASK_NAMES) +
                           "; pass --mask-token TEXT")
    eos = lookup(names["eos"])
    if eos is None:
        eos = _id(config.get("eos_token_id"))
    if eos is None:
        raise CheckpointError("no end token: neither tokenizer_config.json eos_token nor "
                           "config.json eos_token_id names one")
    pad = lookup(names["pad"])
    if pad is None:
        pad = _id(config.get("pad_token_id"))
    pad = eos if pad is None else pad
    size = tok.get_vocab_size(with_added_tokens=True)
    for what, value in (("mask", mask), ("end", eos), ("pad", pad)):
        if value >= size:
            raise CheckpointError(f"the {what} token id {value} lies outside the tokenizer's "
                               f"{size} tokens")
    if prompt is not None:
        if "{spec}" not in prompt:
            raise CheckpointError("the prompt template must contain {spec}")
        template = prompt
    elif isinstance(tcfg.get("chat_template"), str):
        try:
            template = render_chat(tcfg["chat_template"], names)
        except ValueError as err:
            raise CheckpointError(str(err)) from None
    else:
        template = DEFAULT_CONTENT
    return {"mask_id": mask, "eos_id": eos, "pad_id": pad, "bos_id": lookup(names["bos"]),
            "prompt": template}


class PretrainedTokenizer(TokenizerBase):
    """A checkpoint's own tokenizer with the methods the generator uses."""

    def __init__(self, tokenizer: Tokenizer, info: dict):
        self._tok = tokenizer
        self.mask_id, self.eos_id, self.pad_id = info["mask_id"], info["eos_id"], info["pad_id"]
        self.bos_id = info.get("bos_id")
        self.prompt = info["prompt"]
        added = tokenizer.get_added_tokens_decoder()
        self.special_ids = frozenset(
            {i for i, t in added.items() if t.special} | {self.mask_id, self.eos_id, self.pad_id})
        self._byte_level = type(tokenizer.decoder).__name__ == "ByteLevel"

    @classmethod
    def load(cls, path: str | Path, info: dict) -> PretrainedTokenizer:
        path = Path(path)
        file = path / "tokenizer.json" if path.is_dir() else path
        return cls(Tokenizer.from_file(str(file)), info)

    def condition_ids(self, spec: str, language: str, length: int) -> list[int]:
        """The prompt's ids, at most ``length``: the specification is cut, never the
        template around it (the model must still see where its answer starts)."""
        name = languages.get(language).name
        text = self.prompt.replace("{language}", name)
        head, _, tail = text.partition("{spec}")
        head_ids = self._tok.encode(head, add_special_tokens=False).ids
        tail_ids = self._tok.encode(tail, add_special_tokens=False).ids
        room = max(0, length - len(head_ids) - len(tail_ids))
        ids = head_ids + self.encode(spec)[:room] + tail_ids
        return ids[-length:]
