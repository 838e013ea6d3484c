import pytest

from adjax_code.lang import languages, syntax

VALID = {
    "python": "def add(a, b):\n    return a + b\n",
    "javascript": "function add(a, b) {\n  return a + b;\n}\n",
    "typescript": "function add(a: number, b: number): number {\n  return a + b;\n}\n",
    "java": "class Main {\n  static int add(int a, int b) {\n    return a + b;\n  }\n}\n",
    "go": "package main\n\nfunc add(a int, b int) int {\n\treturn a + b\n}\n",
}
BROKEN = {
    "python": "def add(a, b:\n    return a + b\n",
    "javascript": "function add(a, b) {\n  return a + ;\n}\n",
    "typescript": "function add(a: number, b: number): number {\n  return a + b;\n",
    "java": "class Main {\n  static int add(int a, int b) {\n    return a + b\n  }\n}\n",
    "go": "package main\n\nfunc add(a int, b int) int {\n\treturn a + \n}\n",
}


@pytest.mark.parametrize("lang", sorted(VALID))
def test_valid_code_has_no_errors(lang):
    assert syntax.is_valid(VALID[lang], lang)
    assert syntax.error_spans(VALID[lang], lang) == []
    assert syntax.error_bytes(VALID[lang], lang) == 0


@pytest.mark.parametrize("lang", sorted(BROKEN))
def test_broken_code_reports_spans(lang):
    code = BROKEN[lang]
    spans = syntax.error_spans(code, lang)
    assert spans and not syntax.is_valid(code, lang)
    data = code.encode()
    for span in spans:
        assert 0 <= span.start_byte <= span.end_byte <= len(data)
        row, col = span.start_point
        # The row/column point agrees with the byte offset.
        lines = data.split(b"\n")
        assert sum(len(ln) + 1 for ln in lines[:row]) + col == span.start_byte
        assert span.kind in ("error", "missing")
        assert span.describe().startswith(f"line {row + 1}, column {col + 1}:")
    assert syntax.error_bytes(code, lang) >= 1


def test_error_span_locates_the_fault():
    spans = syntax.error_spans("x = (1 + 2\ny = 3\n", "python")
    assert spans[0].start_point[0] == 0
    missing = syntax.error_spans("int f() { return 1 }", "java")
    assert any(s.kind == "missing" and s.text == ";" for s in missing)


def test_non_ascii_positions_are_bytes():
    code = "s = 'héllo'\ndef f(:\n  pass\n"
    spans = syntax.error_spans(code.encode(), "python")
    assert spans and spans[0].start_byte >= len("s = 'héllo'\n".encode())


def test_spans_to_tokens():
    code = "def f(:\n  pass\n"
    offsets, pos = [], 0
    for piece in ["def", " f", "(", ":", "\n ", " pass", "\n"]:
        offsets.append((pos, pos + len(piece)))
        pos += len(piece)
    spans = syntax.error_spans(code, "python")
    hit = syntax.spans_to_tokens(spans, offsets)
    assert hit and all(0 <= i < len(offsets) for i in hit)
    span = syntax.ErrorSpan("error", 6, 7, (0, 6), (0, 7), ":")
    assert syntax.spans_to_tokens([span], offsets) == [3]
    assert syntax.spans_to_tokens([span], offsets, margin=1) == [2, 3, 4]
    at_end = syntax.ErrorSpan("missing", 9, 9, (1, 1), (1, 1), ")")
    assert syntax.spans_to_tokens([at_end], offsets) == [5]  # the token holding byte 9
    eof = syntax.ErrorSpan("missing", pos, pos, (2, 0), (2, 0), ")")
    assert syntax.spans_to_tokens([eof], offsets) == [len(offsets) - 1]


def test_registry():
    assert {"go", "java", "javascript", "python", "typescript"} <= set(languages.names())
    assert languages.get("PY").name == "python" and languages.get("golang").name == "go"
    with pytest.raises(ValueError, match="unknown language 'cobol'.*python"):
        languages.get("cobol")
    with pytest.raises(ValueError, match="already registered"):
        languages.register(languages.get("python"))
    assert languages.get("java").commands()[0][-1] == "Main.java"
