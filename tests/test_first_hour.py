"""A researcher's first hour (issue 29): adaptation runs are models, Ctrl-C saves and
resumes, training on one's own data, per-action help for ``adjax model``."""

import json
import os
import signal
import subprocess
import sys
import time

import jax
import numpy as np
import pytest

from adjax_code.app import cli
from adjax_code.generate.generator import Generator
from adjax_code.model import configs
from adjax_code.train import trainer

ADAPT = ["--candidates", "4", "--steps", "4", "--update-steps", "2", "--mechanism",
         "grpo", "--quiet", "--json"]
TRAIN = ["train.eval_every=5", "train.batch_size=8", "data.buckets=64", "optim.warmup_steps=0"]


def _same(a, b) -> bool:
    return all(np.array_equal(np.asarray(x), np.asarray(y))
               for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True))


def _items(tmp_path):
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"spec": "add two numbers", "language": "python"}) + "\n")
    return items


def _rows(path, n: int) -> None:
    funcs = [f"def f{i}(a, b):\n    return a + {i} * b\n" for i in range(n)]
    path.write_text("".join(json.dumps({"spec": f"return a plus {i} times b",
                                        "language": "python", "code": c}) + "\n"
                            for i, c in enumerate(funcs)))


# -- item 2: an adaptation run is a model ----------------------------------------------------

def test_an_adaptation_run_is_a_model(code_run_dir, tmp_path, capsys):
    from adjax_adapt import mechanisms
    from adjax_code.adapt import evolve, runs
    from adjax_code.app.common import UserError, load_generator

    run = tmp_path / "adapt-mine"
    runs.prepare(run, code_run_dir)
    state, _ = evolve.evolve(
        Generator.load(code_run_dir), evolve.jsonl_items(_items(tmp_path)),
        mechanisms.AdaptConfig(mechanism="gradient", learning_rate=3e-3, steps_per_update=2),
        evolve.EvolveConfig(cycles=1, candidates=2, steps=4, repair_rounds=0, keep_top=0.5,
                            require_valid=False), run, progress=False)
    argv = ["adapt", "--tasks", str(_items(tmp_path)), "--model", str(code_run_dir),
            "--out", str(run), *ADAPT]
    assert json.loads((run / "adapt.json").read_text())["base_model"] == str(
        code_run_dir.resolve())
    assert (run / "tokenizer.json").read_bytes() == (code_run_dir / "tokenizer.json").read_bytes()

    base = Generator.load(code_run_dir)
    latest = load_generator(str(run))
    assert _same(load_generator(str(run), cycle=0).params, base.params)
    assert not _same(latest.params, base.params)
    assert _same(latest.params, state.params)
    assert _same(load_generator(str(run), cycle=1).params, latest.params)

    assert cli.main(["generate", "add two numbers", "--model", str(run), "--steps", "4",
                     "--candidates", "2", "--repair-rounds", "0"]) == 0
    assert capsys.readouterr().out.strip()
    with pytest.raises(UserError, match="holds cycles 0, 1, not 7"):
        load_generator(str(run), cycle=7)

    # A finished run says so and does nothing; more --cycles continue it.
    steps = sorted(p.name for p in (run / "checkpoints").iterdir())
    assert cli.main([*argv, "--cycles", "1"]) == 0
    out, err = capsys.readouterr()
    assert "already finished 1 cycles" in err
    assert [r["cycle"] for r in json.loads(out)] == [0, 1]
    assert sorted(p.name for p in (run / "checkpoints").iterdir()) == steps

    # Packaged: the package's weights are the run's latest cycle.
    pkg = tmp_path / "pkg"
    assert cli.main(["model", "package", str(run), "--out", str(pkg), "--quiet"]) == 0
    capsys.readouterr()
    packaged = Generator.load(pkg)
    assert _same(packaged.params, latest.params)
    assert packaged.manifest["adapted"]["cycle"] == 1

    # Another base model for the same --out is refused.
    assert cli.main([*argv[:3], "--model", str(pkg), *argv[5:], "--cycles", "2"]) == 1
    assert "pass that --model" in capsys.readouterr().err


# -- item 4: Ctrl-C saves a checkpoint and resumes -------------------------------------------

def _interrupt(cmd, ready, timeout=150):
    """Starts ``cmd``, sends SIGINT once ``ready()``; (exit code, stderr)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None:
            pytest.fail(proc.stderr.read().decode()[-2000:])
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("never ready")
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("SIGINT did not stop the run")
    return proc.returncode, err.decode()


def _steps(ckpts):
    return sorted(int(p.name) for p in ckpts.iterdir() if p.name.isdigit()) \
        if ckpts.is_dir() else []


def test_ctrl_c_during_training_saves_and_resumes(tmp_path):
    out = tmp_path / "run"
    sets = [*TRAIN, "train.steps=100000", "train.checkpoint_every=100000",
            "optim.total_steps=100000", "data.max_files=0"]
    cmd = [sys.executable, "-m", "adjax_code.app.cli", "train", "--config", "tiny", "--out",
           str(out), "--quiet", "--set", *sets]
    code, err = _interrupt(cmd, lambda: (out / "metrics.jsonl").is_file())
    assert code == 130, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("adjax:")]
    assert len(lines) == 1 and "interrupted at step" in lines[0], err
    saved = _steps(out / "checkpoints")
    assert len(saved) == 1 and saved[0] >= 5, err
    assert f"step {saved[0]}" in lines[0]
    cfg = configs.load("tiny").override([*TRAIN, f"train.steps={saved[0] + 3}",
                                         f"optim.total_steps={saved[0] + 3}",
                                         "train.checkpoint_every=100000", "data.max_files=0"])
    summary = trainer.run(cfg, out, progress=False, log=lambda m: None)
    assert summary["resumed_from"] == saved[0]
    assert _steps(out / "checkpoints")[-1] == saved[0] + 3


def test_ctrl_c_during_adaptation_saves_and_resumes(code_run_dir, tmp_path, capsys):
    run = tmp_path / "adapt"
    cmd = [sys.executable, "-m", "adjax_code.app.cli", "adapt", "--tasks",
           str(_items(tmp_path)), "--model", str(code_run_dir), "--out", str(run),
           "--cycles", "1000", *ADAPT]
    code, err = _interrupt(cmd, lambda: bool(_steps(run / "checkpoints")))
    assert code == 130, err
    assert (run / "adapt.json").is_file() and (run / "tokenizer.json").is_file()
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("adjax:")]
    assert len(lines) == 1 and "interrupted in cycle" in lines[0], err
    cycle = _steps(run / "checkpoints")[-1]
    assert f"saved cycle {cycle}" in lines[0]
    assert cli.main(["adapt", "--tasks", str(_items(tmp_path)), "--model", str(code_run_dir),
                     "--out", str(run), "--cycles", str(cycle + 1), *ADAPT]) == 0
    out, err = capsys.readouterr()
    assert f"resuming after cycle {cycle - 1}" in err
    assert [r["cycle"] for r in json.loads(out)] == list(range(cycle + 2))


# -- item 5: training on one's own data ------------------------------------------------------

def test_training_on_your_own_data(tmp_path, capsys, monkeypatch):
    rows = tmp_path / "rows.jsonl"
    _rows(rows, 8)
    out = tmp_path / "mine"
    monkeypatch.setattr(trainer, "ESTIMATE_AFTER_S", 0.0)
    assert cli.main(["train", "--config", "tiny", "--data-only", "--out", str(out), "--quiet",
                     "--set", *TRAIN, "train.steps=10", "optim.total_steps=10",
                     f"data.jsonl={rows}"]) == 0
    summary, err = json.loads(capsys.readouterr().out), capsys.readouterr().err
    del err
    assert summary["corpus"]["by_source"] == {"jsonl": 8}
    assert summary["corpus"]["heldout"] >= 1  # held out from the user's 8 rows (none by hash alone)
    assert "heldout_bits_per_token" in summary["final"]
    assert not (out / "tokenizer.json.tmp").exists()
    assert sorted(p.name for p in out.iterdir()) == ["checkpoints", "loss.png",
                                                      "metrics.jsonl", "tokenizer.json"]


def test_expected_time_is_printed_before_a_long_run(tmp_path, monkeypatch):
    rows = tmp_path / "rows.jsonl"
    _rows(rows, 1)
    monkeypatch.setattr(trainer, "ESTIMATE_AFTER_S", 0.0)
    cfg = configs.load("tiny").override([*TRAIN, "train.steps=12", "optim.total_steps=12",
                                         "data.max_files=0", "data.include_tasks=false",
                                         f"data.jsonl={rows}"])
    said = []
    summary = trainer.run(cfg, tmp_path / "one", progress=False, log=said.append)
    assert any(line.startswith("expected: about") and "12 steps" in line for line in said), said
    # One row: nothing to hold out, so no held-out figure computed on training rows.
    assert summary["corpus"]["heldout"] == 0
    assert "heldout_bits_per_token" not in summary["final"]


def test_data_errors_are_one_line(tmp_path, capsys):
    assert cli.main(["train", "--config", "tiny", "--out", str(tmp_path / "r"), "--set",
                     "data.jsonl=nothere.jsonl"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nothere.jsonl" in err and "does not exist" in err
    assert cli.main(["train", "--config", "tiny", "--data-only", "--out",
                     str(tmp_path / "r")]) == 1
    assert "--data-only needs" in capsys.readouterr().err


def test_held_out_rows_come_from_the_users_data(tmp_path):
    from adjax_code.corpus import data

    rows = tmp_path / "rows.jsonl"
    _rows(rows, 8)
    cfg = data.DataConfig(max_files=0, include_tasks=True, jsonl=str(rows))
    train, held, _ = data.build_corpus(cfg)
    assert any(p.source.startswith(str(rows)) for p in held)
    assert not {p.code for p in train} & {p.code for p in held}


# -- item 8: per-action help for adjax model -------------------------------------------------

def test_model_actions_have_their_own_help(capsys):
    with pytest.raises(SystemExit):
        cli.main(["model", "verify", "--help"])
    verify = capsys.readouterr().out
    assert "usage: adjax model verify" in verify and "--dtype" not in verify
    with pytest.raises(SystemExit):
        cli.main(["model", "import", "--help"])
    imported = capsys.readouterr().out
    assert "--dtype" in imported and "--evaluate" not in imported
    with pytest.raises(SystemExit):
        cli.main(["model", "--help"])
    text = capsys.readouterr().out
    assert all(a in text for a in ("verify", "pull", "import", "package", "archive")), text


def test_task_ids_are_listed_for_writing_samples(capsys):
    assert cli.main(["eval", "--list-tasks", "--split", "heldout", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    from adjax_code import tasks

    assert [r["task_id"] for r in rows] == [t.id for t in tasks.load("heldout")]
    assert all(r["split"] == "heldout" and r["spec"] for r in rows)
    assert cli.main(["eval", "--list-tasks"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(tasks.load("all"))
    assert lines[0].split("\t")[0] == tasks.load("all")[0].id


def test_eval_samples_reports_its_coverage(tmp_path, capsys):
    from adjax_code import tasks

    t = tasks.get("add_two")
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"task_id": t.id, "language": "python",
                                "code": t.solutions["python"]}) + "\n")
    assert cli.main(["eval", "--samples", str(path), "--quiet"]) == 0
    out = capsys.readouterr().out
    n = len(tasks.load("all"))
    assert f"coverage: 1 of the {n} tasks" in out and "mean over the tasks present" in out
    assert cli.main(["eval", "--samples", str(path), "--quiet", "--json"]) == 0
    table = json.loads(capsys.readouterr().out)
    assert table["overall"]["benchmark_tasks"] == n and table["overall"]["tasks"] == 1


def test_generate_reads_the_settings_file_under_its_flags(tmp_path, capsys):
    """`adjax generate --config adjax.toml`: the file's language, candidates, seed and
    repair rounds where no flag is given (the same candidates as those flags), flags
    over the file, and a bad file in one line."""
    toml = tmp_path / "adjax.toml"
    toml.write_text('default_language = "go"\nbatch_size = 2\nseed = 5\nrepair_rounds = 0\n'
                    'device = "cpu"\n')
    spec = ["return the sum of a list of numbers", "--steps", "6", "--length", "32", "--json"]

    def codes(argv):
        assert cli.main(["generate", *spec, *argv]) == 0
        return [c["code"] for c in json.loads(capsys.readouterr().out)["candidates"]]

    from_file = codes(["--config", str(toml)])
    assert len(from_file) == 2 and from_file[0].startswith("func")
    assert from_file == codes(["-l", "go", "--candidates", "2", "--seed", "5",
                               "--repair-rounds", "0"])
    assert codes(["--config", str(toml), "--seed", "1", "-l", "python"]) == \
        codes(["-l", "python", "--candidates", "2", "--seed", "1", "--repair-rounds", "0"])
    toml.write_text("batch_size = 0\n")
    assert cli.main(["generate", *spec, "--config", str(toml)]) == 1
    assert "batch_size" in capsys.readouterr().err
    assert cli.main(["generate", *spec, "--config", str(tmp_path / "none.toml")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_generate_defaults_are_the_settings_defaults():
    """`adjax generate` without --config uses the settings' defaults without importing
    them (a warm run imports no adaptation code)."""
    from adjax_code.app.commands import generate
    from adjax_code.app.settings import APIConfig

    base = APIConfig()
    assert {flag: getattr(base, key) for flag, key in generate.FROM_CONFIG.items()} == \
        generate.DEFAULTS
