"""`adjax data export` and the accelerator script's dry run: held-out tasks never enter the
token set, and what the script writes is a model `adjax generate` loads."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from adjax import tokendata
from adjax_code import tasks
from adjax_code.app import cli
from adjax_code.corpus import export
from adjax_code.lang.tokenizer import CodeTokenizer
from adjax_code.model import model_store

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def token_set(tmp_path_factory):
    """The task suite's train split, edit pairs and a JSONL that smuggles in a held-out
    task's reference solution and specification, exported without source trees."""
    tmp = tmp_path_factory.mktemp("export")
    held = tasks.load("heldout")[0]
    rows = [{"spec": "Return the product of two numbers.", "language": "python",
             "code": held.solutions["python"]},
            {"spec": held.specs[0], "language": "go", "code": "func f() int { return 1 }\n"},
            {"spec": "Print a friendly greeting.", "language": "python",
             "code": "def greet():\n    print('hello')\n"}]
    jsonl = tmp / "extra.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp / "set"
    meta = export.export(out, max_mb=40, vocab_size=600, max_len=128, cond_len=32, trees={},
                         jsonl=(str(jsonl),))
    return out, meta


def test_held_out_tasks_never_enter_the_token_set(token_set):
    out, meta = token_set
    assert meta["counts"]["removed_as_heldout"] == 2
    ts = tokendata.load(out)
    tok = CodeTokenizer.load(out / "tokenizer.json")
    codes = {" ".join(tok.decode(ts.target(i)).split()) for i in range(len(ts))}
    specs = {" ".join(tok.decode(ts.cond(i)).split()) for i in range(len(ts))}
    for task in tasks.load("heldout"):
        for lang in tasks.LANGS:
            assert " ".join(task.solutions[lang].split()) not in codes
        for spec in task.specs:
            assert " ".join(spec.split())[:60] not in {s[:60] for s in specs}
    assert "def greet(): print('hello')" in codes  # the JSONL's own row is kept
    train_task = tasks.load("train")[0]
    assert " ".join(train_task.solutions["go"].split()) in codes


def test_meta_counts_and_focus_rows(token_set):
    out, meta = token_set
    ts = tokendata.load(out)
    c = meta["counts"]
    assert sum(c["by_language"].values()) == meta["rows"] == len(ts)
    assert set(c["by_language"]) == set(tasks.LANGS)
    assert c["by_source"]["tasks"] > 500 and c["by_source"]["jsonl"] == 1
    focus_sources = {meta["sources"][s] for s in np.unique(ts.source[ts.focus])}
    assert focus_sources <= {"tasks", "jsonl", "edits-tasks"}
    assert meta["language_ids"]["go"] == CodeTokenizer.load(out).language_id("go")
    assert all(ts.cond(i)[0] in meta["language_ids"].values() for i in range(0, len(ts), 97))
    assert ts.target_offsets[-1] == meta["target_tokens"]


def test_the_size_cap_keeps_task_rows_and_leaves_corpus_rows_out(tmp_path):
    trees = {"stdlib-sample": ("python", [str(ROOT / "adjax")])}
    full = export.export(tmp_path / "a", max_mb=40, vocab_size=600, trees=trees)
    assert full["counts"]["by_source"]["stdlib-sample"] > 10
    cap = full["bytes"] * 0.98 / 2**20
    small = export.export(tmp_path / "b", max_mb=cap, vocab_size=600, trees=trees)
    assert small["counts"]["left_out_for_size"] > 0
    assert small["counts"]["by_source"]["tasks"] == full["counts"]["by_source"]["tasks"]
    assert small["counts"]["by_source"]["stdlib-sample"] < \
        full["counts"]["by_source"]["stdlib-sample"]
    assert "stdlib-sample" in export.summary(small)


def test_the_cli_refuses_a_foreign_directory_and_bad_sizes(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    assert cli.main(["data", "export", "--out", str(tmp_path)]) == 1
    assert "not a token set" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert cli.main(["data", "export", "--out", str(tmp_path / "new"), "--max-mb", "0"]) == 1
    assert "--max-mb" in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    assert cli.main(["data", "export", "--out", str(tmp_path / "file")]) == 1


def test_the_device_script_dry_run_writes_a_model_adjax_loads(token_set, tmp_path):
    data_dir, _ = token_set
    out = tmp_path / "out"
    # The accelerator has no tree-sitter: the script must not import it.
    code = ("import runpy, sys; sys.modules['tree_sitter'] = None; "
            f"sys.argv = ['run.py', '--dry-run', '--data', {str(data_dir)!r}, "
            f"'--out', {str(out)!r}, '--train-s', '4']; "
            "runpy.run_path('benchmarks/device/run.py', run_name='__main__')")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:] + proc.stdout[-2000:]
    files = sorted(p.name for p in out.iterdir())
    assert len(files) <= 8 and all((out / f).stat().st_size <= 16 * 2**20 for f in files)
    assert {"manifest.json", "tokenizer.json", "loss.png", "results.jsonl"} <= set(files)
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    kinds = {r["bench"] for r in records}
    assert {"device_env", "device_train", "device_sample", "device_train_run"} <= kinds
    run = next(r for r in records if r["bench"] == "device_train_run")
    assert run["steps"] > 0 and run["tokens_seen"] > 0
    assert run["heldout_bits_per_token"] < run["initial_heldout_bits"]  # it learned
    sampled = {r["batch"]: r["rows_per_s"] for r in records if r["bench"] == "device_sample"}
    assert set(sampled) == {4, 1} and all(v > 0 for v in sampled.values())
    bench = next(r for r in records if r["bench"] == "device_train")
    assert bench["flops_per_step"] > 0 and bench["mfu"] is None  # no peak known for a CPU
    manifest = model_store.verify(out)
    assert manifest["training"]["params"] == "ema"
    from adjax_code.generate.generator import Generator

    gen = Generator.load(out)
    result = gen.generate("Return the sum of a list.", "python", samples=2, steps=4,
                          repair_rounds=0)
    assert len(result.candidates) == 2 and result.candidates[0].code.startswith("def")
    rerun = subprocess.run([sys.executable, "benchmarks/device/run.py", "--dry-run", "--data",
                            str(data_dir), "--out", str(out)], cwd=ROOT, capture_output=True,
                           text=True, timeout=120)
    assert rerun.returncode == 1 and "not empty" in rerun.stderr
