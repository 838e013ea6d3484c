import json

import numpy as np
import pytest

from adjax_code import tasks
from adjax_code.corpus import data
from adjax_code.lang import syntax
from adjax_code.lang.tokenizer import CodeTokenizer

SNIPPETS = {
    "python": ('def add(a, b):\n    """Add two numbers together and return them."""\n'
               '    return a + b\n\n\ndef nodoc(x):\n    return x\n'),
    "javascript": ("/**\n * Add two numbers together.\n * @param a first\n */\n"
                   "function add(a, b) {\n  return a + b;\n}\n\n"
                   "function nodoc(x) {\n  return x;\n}\n"),
    "typescript": ("// Add two numbers together.\n"
                   "export function add(a: number, b: number): number {\n  return a + b;\n}\n"),
    "java": ("class A {\n  /** Add two numbers together. */\n  static int add(int a, int b) {\n"
             "    return a + b;\n  }\n\n  static int nodoc(int x) {\n    return x;\n  }\n}\n"),
    "go": ("package main\n\n// add adds two numbers together.\nfunc add(a int, b int) int {\n"
           "\treturn a + b\n}\n\nfunc nodoc(x int) int {\n\treturn x\n}\n"),
}


@pytest.mark.parametrize("lang", sorted(SNIPPETS))
def test_extract_doc_function_pairs(lang):
    pairs = data.extract_pairs(SNIPPETS[lang], lang, source="snippet")
    assert len(pairs) == 1, pairs
    p = pairs[0]
    assert "two numbers together" in p.spec.lower() and "@param" not in p.spec
    assert "return a + b" in p.code and p.language == lang
    if lang != "java":  # a Java method alone is not a compilation unit
        assert syntax.is_valid(p.code, lang), p.code


def test_clean_comment():
    assert data.clean_comment('"""First line.\n\n    More detail."""') == "First line."
    assert data.clean_comment("/**\n * Does a thing\n * well.\n * @return x\n */") == \
        "Does a thing well."
    assert data.clean_comment("// one\n// two") == "one two"


def test_machine_trees_give_pairs():
    pairs = data.corpus_from_trees({"python": data.default_trees()["python"]}, max_files=20)
    assert len(pairs) > 50
    assert all(p.language == "python" and len(p.spec.split()) >= 3 for p in pairs)
    assert data.corpus_from_trees({"go": ["/nonexistent"]}) == []


def test_task_pairs_never_include_heldout():
    pairs = data.task_pairs()
    held = {t.id for t in tasks.load("heldout")}
    assert pairs and not any(p.source.split(":", 1)[1] in held for p in pairs)
    assert {p.language for p in pairs} == set(tasks.LANGS)
    with pytest.raises(ValueError, match="held-out"):
        data.task_pairs("heldout")


def test_jsonl_round_trip_and_errors(tmp_path):
    pairs = [data.Pair("add numbers", "python", "def f():\n    pass\n", "x")]
    path = tmp_path / "p.jsonl"
    data.write_pairs(path, pairs)
    assert data.read_pairs(path) == pairs
    bad = tmp_path / "bad.jsonl"
    for line, msg in [("{", "not valid JSON"), (json.dumps({"spec": "s"}), "missing keys"),
                      (json.dumps({"spec": "s", "language": "cobol", "code": ""}),
                       "unknown language")]:
        bad.write_text(line + "\n")
        with pytest.raises(ValueError, match=msg):
            data.read_pairs(bad)


def test_dedup_and_heldout_split():
    a = data.Pair("s", "python", "x = 1\n")
    b = data.Pair("s", "python", "x  =  1\n")  # same code up to whitespace
    c = data.Pair("s", "go", "x = 1\n")
    d = data.Pair("a paraphrase", "python", "x = 1\n")
    assert data.deduplicate([a, b, c, d]) == [a, c, d]
    many = [data.Pair("s", "python", f"x = {i}\n") for i in range(2000)]
    train, held = data.heldout_split(many, 0.05)
    assert len(train) + len(held) == 2000 and 50 < len(held) < 150
    assert data.heldout_split(list(reversed(many)), 0.05)[1] == list(reversed(held))
    with pytest.raises(ValueError, match="fraction"):
        data.heldout_split(many, 1.5)


def test_pack_into_buckets():
    pairs = data.task_pairs()[:200]
    tok = CodeTokenizer.train([p.code for p in pairs] + [p.spec for p in pairs], vocab_size=600)
    long = data.Pair("long", "python", "x = 1\n" * 400)
    packed, dropped = data.pack(pairs + [long], tok, buckets=(32, 64, 128), cond_len=24)
    assert dropped >= 1
    total = sum(b.tokens.shape[0] for b in packed.values())
    assert total + dropped == len(pairs) + 1
    for size, b in packed.items():
        assert b.tokens.shape[1] == size and b.cond.shape[1] == 24
        assert b.tokens.dtype == np.int32 and b.cond_mask.dtype == bool
        for row, cond in zip(b.tokens, b.cond, strict=True):
            eos = int(np.argmax(row == tok.eos_id))
            assert row[eos] == tok.eos_id and np.all(row[eos + 1:] == tok.pad_id)
            assert tok.decode(row[:eos]) in {p.code for p in pairs}
            assert cond[0] in {tok.language_id(lang) for lang in tasks.LANGS}


def test_edit_pairs_remove_then_restore_the_property():
    doc = data.Pair("Add two numbers.", "python",
                    'def add(a, b):\n    """Add two numbers."""\n    return a + b\n', "x")
    hinted = data.Pair("Scale.", "python", "def scale(x: float, k: int = 2) -> float:\n"
                       "    return x * k\n", "y")
    guard = data.Pair("First item.", "python",
                      "def first(xs):\n    if not xs:\n        return None\n    return xs[0]\n",
                      "z")
    go = data.Pair("Double returns twice n.", "go", "func Double(n int) int {\n\treturn 2 * n\n}\n",
                   "w")
    task = data.Pair("Double.", "go", "func Double(n int) int {\n\treturn 2 * n\n}\n",
                     "tasks:double")
    out = {p.spec: p for p in data.edit_pairs([doc, hinted, guard, go, task], 1.0)}
    assert out["Add a docstring. def add(a, b):"].code == doc.code
    assert out["Add type hints. def scale(x, k=2):"].code == hinted.code
    assert out["Handle the empty list. def first(xs):"].code == guard.code
    assert out["Add a docstring. func Double(n int) int {"].code == \
        "// Double returns twice n.\n" + go.code
    assert len(out) == 4  # task-suite specs are not doc comments
    assert all(p.source.startswith("edit:") for p in out.values())
    assert data.edit_pairs([doc, hinted, guard, go], 0.0) == []
    with pytest.raises(ValueError, match="edit_fraction"):
        data.DataConfig(edit_fraction=1.5)


def test_focus_pairs_are_tasks_jsonl_and_their_edits():
    root = next(r for rs in data.default_trees().values() for r in rs)
    tree = data.Pair("Doc.", "python", "def f():\n    return 1", f"{root}/x.py")
    task = data.Pair("Add.", "python", "def add(a, b):\n    return a + b", "tasks:add_two")
    mine = data.Pair("Mine.", "go", "func f() int { return 1 }", "my.jsonl:3")
    edit = data.Pair("Add a docstring. def f():", "python", "x", f"edit:{task.source}")
    tree_edit = data.Pair("Add a docstring. def g():", "python", "y", f"edit:{tree.source}")
    pairs = [tree, task, mine, edit, tree_edit, task]
    assert data.focus_pairs(pairs) == [task, mine, edit]
