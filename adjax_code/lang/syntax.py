"""tree-sitter parsing: error spans with byte and line/column positions, and token mapping."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import tree_sitter

from adjax_code.lang import languages


@dataclasses.dataclass(frozen=True)
class ErrorSpan:
    """A syntax error: an ERROR node (unparseable bytes) or a MISSING node (an expected token
    the parser inserted, zero width). Bytes are half-open [start_byte, end_byte); rows and
    columns are 0-based, columns in bytes."""

    kind: str  # "error", "missing", or "invalid" (Python's parser rejects the line)
    start_byte: int
    end_byte: int
    start_point: tuple[int, int]
    end_point: tuple[int, int]
    text: str

    def describe(self) -> str:
        row, col = self.start_point
        what = {"missing": f"missing {self.text!r}", "invalid": self.text}.get(
            self.kind, f"unexpected {self.text!r}")
        return f"line {row + 1}, column {col + 1}: {what}"


def to_bytes(code: str | bytes) -> bytes:
    return code if isinstance(code, bytes) else code.encode("utf-8")


def parse(code: str | bytes, language: str) -> tree_sitter.Tree:
    return languages.get(language).parser().parse(to_bytes(code))


def _python_compile_span(data: bytes) -> list[ErrorSpan]:
    """Python's own parser on code tree-sitter accepts: tree-sitter's Python grammar lets
    some indentation errors through ("unexpected indent", "unindent does not match"). The
    span is the offending line. Compiles to an AST only; nothing runs."""
    import ast

    try:
        ast.parse(data)
    except SyntaxError as err:
        lines = data.split(b"\n")
        row = min(max((err.lineno or 1) - 1, 0), len(lines) - 1)
        start = sum(len(line) + 1 for line in lines[:row])
        end = start + len(lines[row])
        return [ErrorSpan("invalid", start, max(end, start + 1), (row, 0),
                          (row, len(lines[row])), err.msg)]
    except (ValueError, RecursionError, MemoryError):  # NUL bytes, absurd nesting
        return []
    return []


def error_spans(code: str | bytes, language: str) -> list[ErrorSpan]:
    """Every ERROR and MISSING node, outermost ERROR nodes only, in source order. For
    Python, code the grammar accepts is also checked by Python's parser (indentation)."""
    data = to_bytes(code)
    tree = parse(data, language)
    spans: list[ErrorSpan] = []
    if not tree.root_node.has_error:
        return _python_compile_span(data) if languages.get(language).name == "python" \
            else spans
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_missing:
            spans.append(ErrorSpan("missing", node.start_byte, node.end_byte,
                                   tuple(node.start_point), tuple(node.end_point), node.type))
            continue
        if node.is_error:
            text = data[node.start_byte:node.end_byte].decode("utf-8", "replace")
            spans.append(ErrorSpan("error", node.start_byte, node.end_byte,
                                   tuple(node.start_point), tuple(node.end_point), text[:80]))
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    return sorted(spans, key=lambda s: (s.start_byte, s.end_byte))


def error_bytes(code: str | bytes, language: str) -> int:
    """Bytes covered by error spans; a MISSING node counts as one byte."""
    return sum(max(s.end_byte - s.start_byte, 1) for s in error_spans(code, language))


def is_valid(code: str | bytes, language: str) -> bool:
    return not error_spans(code, language)


def spans_to_tokens(spans: Sequence[ErrorSpan], offsets: Sequence[tuple[int, int]],
                    margin: int = 0) -> list[int]:
    """Token positions whose byte range [start, end) touches any span.

    ``offsets`` are each token's byte range in the decoded text. A zero-width MISSING span
    marks the token that contains or ends at its position. ``margin`` widens each span by
    that many tokens on both sides (repair context).
    """
    hit: set[int] = set()
    for span in spans:
        lo, hi = span.start_byte, max(span.end_byte, span.start_byte + 1)
        touched = [i for i, (s, e) in enumerate(offsets) if s < hi and e > lo]
        if not touched and span.end_byte == span.start_byte:
            touched = [i for i, (s, e) in enumerate(offsets) if e == lo]
        for i in touched:
            hit.update(range(max(i - margin, 0), min(i + margin + 1, len(offsets))))
    return sorted(hit)
