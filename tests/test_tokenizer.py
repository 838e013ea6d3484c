import sysconfig
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adjax_code import tasks
from adjax_code.lang import syntax
from adjax_code.lang.tokenizer import LANGUAGE_TAGS, CodeTokenizer


def _corpus() -> list[str]:
    texts = [t.solutions[lang] for t in tasks.load() for lang in tasks.LANGS]
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    texts += [p.read_text(encoding="utf-8", errors="replace")[:20000]
              for p in sorted(stdlib.glob("*.py"))[:40]]
    return texts


@pytest.fixture(scope="module")
def tok():
    return CodeTokenizer.train(_corpus(), vocab_size=1024)


UNUSUAL = ["", " ", "\t\t\n\r\n", "x = 'héllo wörld' # ünïcode", "emoji 🎉 and 中文",
           "\u00a0non-breaking\u2003em space", "trailing spaces   \n   ", "\x00\x01 control",
           "    def f():\n\treturn  1\n\n\n", "x = '<mask><pad><lang:go>'"]


def test_round_trip_on_corpus_and_unusual_text(tok):
    texts = _corpus()[:400] + UNUSUAL
    for text in texts:
        assert tok.decode(tok.encode(text)) == text
    assert all(tok.decode(ids) == t for ids, t in zip(tok.encode_batch(texts), texts, strict=True))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_round_trip_any_text(tok, text):
    assert tok.decode(tok.encode(text)) == text


def test_compresses_code(tok):
    code = tasks.get("is_prime").solutions["python"]
    assert len(tok.encode(code)) < 0.5 * len(code.encode())


def test_special_tokens_and_language_tags(tok):
    ids = {tok.pad_id, tok.mask_id, tok.bos_id, tok.eos_id, tok.sep_id}
    assert len(ids) == 5 and max(ids) < tok.vocab_size
    tags = {tok.language_id(lang) for lang in tasks.LANGS}
    assert len(tags) == len(LANGUAGE_TAGS) and not tags & ids
    assert tok.decode([tok.bos_id, *tok.encode("x"), tok.eos_id, tok.pad_id]) == "x"
    # Special-token text in user input is ordinary text, never a control token.
    assert tok.mask_id not in tok.encode("<mask>")
    with pytest.raises(ValueError, match="unknown language"):
        tok.language_id("cobol")


def test_byte_offsets_match_syntax_spans(tok):
    code = "def f(:\n    return 'é'\n"
    ids = tok.encode(code)
    offsets = tok.byte_offsets(ids)
    assert offsets[-1][1] == len(code.encode())
    data = code.encode()
    for (s, e), i in zip(offsets, ids, strict=True):
        assert data[s:e] == tok.decode([i]).encode() or tok.decode([i]) == "\ufffd"
    hit = syntax.spans_to_tokens(syntax.error_spans(code, "python"), offsets)
    assert hit and all(0 <= i < len(ids) for i in hit)


def test_save_load_round_trip(tok, tmp_path):
    path = tok.save(tmp_path / "model")
    assert path.name == "tokenizer.json"
    again = CodeTokenizer.load(tmp_path / "model")
    text = "for (let i = 0; i < n; i++) {}"
    assert again.encode(text) == tok.encode(text) and again.vocab_size == tok.vocab_size
    with pytest.raises(FileNotFoundError, match="no tokenizer"):
        CodeTokenizer.load(tmp_path / "missing")


def test_bad_vocab_size():
    with pytest.raises(ValueError, match="vocab_size"):
        CodeTokenizer.train(["x"], vocab_size=100)
