"""Byte-level BPE for code (HF tokenizers), with special tokens and one tag per language.

Every byte sequence round-trips exactly: ``decode(encode(text)) == text`` for any text,
including unusual whitespace and non-ASCII characters, because pre-tokenisation is
byte-level and nothing is normalised or trimmed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

from adjax_code.lang import languages

PAD, MASK, BOS, EOS, SEP = "<pad>", "<mask>", "<bos>", "<eos>", "<sep>"
SPECIALS = (PAD, MASK, BOS, EOS, SEP)
LANGUAGE_TAGS = tuple(f"<lang:{name}>" for name in
                      ("python", "javascript", "typescript", "java", "go"))


class TokenizerBase:
    """What adjax's tokenizer and an imported checkpoint's share: a ``tokenizers.Tokenizer``
    in ``_tok``, the ``special_ids`` that decode to nothing, and byte offsets of tokens for
    mapping tree-sitter's byte spans back to positions."""

    _tok: Tokenizer
    special_ids: frozenset
    _byte_level: bool = True  # one vocabulary character per byte of text

    def save(self, path: str | os.PathLike) -> Path:
        path = Path(path)
        file = path / "tokenizer.json" if path.suffix != ".json" else path
        file.parent.mkdir(parents=True, exist_ok=True)
        self._tok.save(str(file))
        return file

    def vocabulary(self) -> dict[str, int]:
        """Token text to id, special tokens included (what identifies a tokenizer)."""
        return self._tok.get_vocab(with_added_tokens=True)

    @property
    def vocab_size(self) -> int:
        return self._tok.get_vocab_size(with_added_tokens=True)

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text`` (no special tokens added)."""
        return self._tok.encode(text, add_special_tokens=False).ids

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        return [e.ids for e in self._tok.encode_batch(list(texts), add_special_tokens=False)]

    def decode(self, ids: Sequence[int]) -> str:
        """Text of ``ids``; special tokens are dropped."""
        return self._tok.decode([int(i) for i in ids if int(i) not in self.special_ids],
                                skip_special_tokens=False)

    def token_bytes(self, token_id: int) -> int:
        """How many bytes of text a token stands for (0 for special tokens and ids past the
        vocabulary)."""
        if token_id in self.special_ids:
            return 0
        text = self._tok.id_to_token(int(token_id))
        if text is None:
            return 0
        if self._byte_level:
            return len(text)
        return len(self._tok.decode([int(token_id)]).encode())

    def byte_offsets(self, ids: Sequence[int]) -> list[tuple[int, int]]:
        """Each token's [start, end) byte range in ``decode(ids).encode()``."""
        out, pos = [], 0
        for i in ids:
            n = self.token_bytes(int(i))
            out.append((pos, pos + n))
            pos += n
        return out


class CodeTokenizer(TokenizerBase):
    """A thin wrapper over a ``tokenizers.Tokenizer`` with the project's special tokens."""

    def __init__(self, tokenizer: Tokenizer):
        self._tok = tokenizer
        # Text such as "<mask>" in user code is ordinary text, never a control token;
        # otherwise decode(encode(x)) would drop it.
        self._tok.encode_special_tokens = True
        missing = [t for t in SPECIALS + LANGUAGE_TAGS if tokenizer.token_to_id(t) is None]
        if missing:
            raise ValueError(f"tokenizer lacks special tokens {missing}")
        self.pad_id, self.mask_id, self.bos_id, self.eos_id, self.sep_id = (
            tokenizer.token_to_id(t) for t in SPECIALS)
        self.special_ids = frozenset(tokenizer.token_to_id(t) for t in SPECIALS + LANGUAGE_TAGS)

    @classmethod
    def train(cls, texts: Iterable[str], vocab_size: int = 4096,
              min_frequency: int = 2) -> CodeTokenizer:
        if vocab_size < 256 + len(SPECIALS) + len(LANGUAGE_TAGS):
            raise ValueError(f"vocab_size {vocab_size} cannot hold the 256 bytes and the "
                             "special tokens")
        tok = Tokenizer(models.BPE())
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size, min_frequency=min_frequency,
            special_tokens=list(SPECIALS + LANGUAGE_TAGS),
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
        tok.train_from_iterator(texts, trainer=trainer)
        return cls(tok)

    @classmethod
    def load(cls, path: str | os.PathLike) -> CodeTokenizer:
        path = Path(path)
        file = path / "tokenizer.json" if path.is_dir() else path
        if not file.is_file():
            raise FileNotFoundError(f"no tokenizer at {file}")
        return cls(Tokenizer.from_file(str(file)))

    def language_id(self, language: str) -> int:
        lang = languages.get(language)
        tag = f"<lang:{lang.model_tag or lang.name}>"
        token = self._tok.token_to_id(tag)
        if token is None:
            raise ValueError(f"the tokenizer has no tag {tag} for language {lang.name!r}; "
                             "register it with model_tag set to a language the model knows")
        return token

    def condition_ids(self, spec: str, language: str, length: int) -> list[int]:
        """The condition row before padding: the language tag, then the specification,
        cut to ``length`` tokens."""
        return ([self.language_id(language)] + self.encode(spec))[:length]
