"""Bad input is one clear line and a non-zero exit, checked before the expensive work."""

import io
import json
import shutil
import subprocess
import sys

import pytest

from adjax_code.app import cli, common
from adjax_code.model import model_store


def run(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def usage_error(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as exc:
        cli.main(list(argv))
    assert exc.value.code == 2
    return capsys.readouterr().err


def test_numbers_out_of_range_are_usage_errors(capsys):
    assert "expected a seed in [0, 2^32)" in usage_error(
        capsys, "generate", "sum", "--seed", "99999999999999999999")
    assert "expected an integer >= 0" in usage_error(
        capsys, "generate", "sum", "--repair-rounds", "-1")
    assert "positive integer" in usage_error(capsys, "refine", "x.py", "--iterations", "0")


def test_a_call_too_big_for_memory_is_refused_before_any_work(capsys):
    code, _, err = run(capsys, "generate", "sum a list", "--candidates", "100000", "--length",
                       "100000")
    assert code == 1 and "GiB" in err and "lower the number of candidates" in err
    assert err.count("\n") == 1


def test_a_long_specification_comes_from_a_file_or_stdin_and_its_cut_is_reported(
        capsys, tmp_path, monkeypatch):
    spec = tmp_path / "spec.txt"
    spec.write_text("Return the sum of a list of numbers. " * 3000)  # about 110 KB
    code, out, err = run(capsys, "generate", "--spec-file", str(spec), "--candidates", "1",
                         "--steps", "2", "--repair-rounds", "0", "--json")
    assert code == 0 and "the model reads its first" in err
    timings = json.loads(out)["timings"]
    assert timings["spec_tokens"] > timings["spec_tokens_read"] > 0
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"add two numbers")))
    code, out, err = run(capsys, "generate", "--spec-file", "-", "--candidates", "1",
                         "--steps", "2", "--repair-rounds", "0")
    assert code == 0 and out.strip() and "reads its first" not in err
    assert run(capsys, "generate")[0] == 1
    assert run(capsys, "generate", "x", "--spec-file", str(spec))[0] == 1


def test_files_that_are_not_source_files_are_refused(capsys, tmp_path):
    code, _, err = run(capsys, "evaluate", "/dev/zero", "--language", "python")
    assert code == 1 and "not a regular file" in err
    big = tmp_path / "big.py"
    big.write_bytes(b"x = 1\n" * (common.MAX_SOURCE_BYTES // 6 + 10))
    code, _, err = run(capsys, "evaluate", str(big), "--language", "python")
    assert code == 1 and "larger than 4 MiB" in err
    good = tmp_path / "a.py"
    good.write_text("def f():\n    return 1\n")
    code, _, err = run(capsys, "refine", str(good), "--config", str(tmp_path))
    assert code == 1 and "is a directory" in err


def test_model_verify_rejects_empty_and_escaping_manifests(capsys, tmp_path):
    model = tmp_path / "m"
    shutil.copytree(model_store.DEFAULT_DIR, model)
    manifest = json.loads((model / "manifest.json").read_text())
    for files in ({}, {"../../etc/shadow": "0" * 64, **manifest["files"]}):
        (model / "manifest.json").write_text(json.dumps({**manifest, "files": files}))
        code, _, err = run(capsys, "model", "verify", str(model))
        assert code == 1 and ("incomplete" in err or "outside" in err), err
    (model / "manifest.json").write_text("[1, 2]")
    assert run(capsys, "model", "verify", str(model))[0] == 1


def test_eval_references_honours_limit(capsys, tmp_path):
    out = tmp_path / "rows.jsonl"
    code, _, _ = run(capsys, "eval", "--references", "--limit", "2", "--out", str(out),
                     "--quiet")
    assert code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len({r["task_id"] for r in rows}) == 2 and all(r["passed"] for r in rows)


def test_a_closed_pipe_ends_quietly():
    proc = subprocess.run(
        ["bash", "-c", f"{sys.executable} -m adjax_code.app.cli model verify | true; "
                       "echo ${PIPESTATUS[0]} >&2"], capture_output=True, text=True,
        timeout=120)
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] in ("0", "141")
