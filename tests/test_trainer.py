"""`adjax train`: a real (tiny) run, killed midway and resumed."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from adjax_code.app import cli
from adjax_code.model import configs
from adjax_code.train import trainer

OVERRIDES = ["train.steps=40", "train.eval_every=10", "train.checkpoint_every=10",
             "train.batch_size=8", "data.max_files=0", "optim.total_steps=40"]


def test_kill_midway_then_resume(tmp_path):
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "adjax_code.app.cli", "train", "--config", "tiny", "--out",
           str(out), "--quiet", "--set", *OVERRIDES, "train.steps=400"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 240
    ckpts = out / "checkpoints"
    while time.monotonic() < deadline:
        if ckpts.exists() and any(p.name.isdigit() for p in ckpts.iterdir()):
            break
        if proc.poll() is not None:
            pytest.fail(proc.stderr.read().decode()[-2000:])
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    saved = max(int(p.name) for p in ckpts.iterdir() if p.name.isdigit())
    assert 10 <= saved < 400
    # The resumed session ends with an anneal phase (steps 30-39) on the task suite.
    cfg = configs.load("tiny").override([*OVERRIDES, "data.anneal_steps=10"])
    summary = trainer.run(cfg, out, progress=False, log=lambda m: None)
    assert summary["resumed_from"] >= saved > 0
    rows = trainer.read_metrics(out / "metrics.jsonl")
    assert rows[-1]["step"] == 40
    assert rows[-1]["heldout_bits_per_token"] < rows[0]["heldout_bits_per_token"]
    assert (out / "loss.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "tokenizer.json").exists()


def test_overrides_and_errors(capsys, tmp_path):
    cfg = configs.load("tiny").override(["train.steps=7", "optim.ema_decay=0.9",
                                                         "data.buckets=32,64"])
    assert cfg.train.steps == 7 and cfg.optim.ema_decay == 0.9
    assert cfg.data.buckets == (32, 64)
    for bad, msg in [("train.stepz=1", "unknown key 'stepz'"), ("trian.steps=1", "section"),
                     ("steps=1", "section.key=value"), ("train.steps=abc", "train.steps")]:
        with pytest.raises(ValueError, match=msg):
            configs.load("tiny").override([bad])
    assert cli.main(["train", "--config", "tiny", "--out", str(tmp_path), "--set",
                     "train.stepz=1"]) == 1
    assert "unknown key" in capsys.readouterr().err
    assert cli.main(["train", "--config", "small", "--out", str(tmp_path)]) == 1
    assert "no data section" in capsys.readouterr().err
    assert cli.main(["train", "--config", "missing.toml", "--out", str(tmp_path)]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_config_file_path(tmp_path):
    """A TOML file by path loads like a named config; its mistakes name file and key."""
    path = tmp_path / "mine.toml"
    path.write_text((configs.configs_dir() / "tiny.toml").read_text()
                    + "\n[optim]\nlearning_rate = 0.5\n".replace("[optim]", "[optim_]"))
    with pytest.raises(ValueError, match="mine.toml: unknown section 'optim_'"):
        configs.load(str(path))
    path.write_text((configs.configs_dir() / "tiny.toml").read_text().replace(
        "learning_rate = 1e-3", "learning_rate = 0.5"))
    cfg = configs.load(str(path))
    assert cfg.optim.learning_rate == 0.5
    assert cfg.replace(optim=configs.load("tiny").optim) == configs.load("tiny")
    path.write_text("[net]\nvocab_size = 64\n[diffusion]\nmask_id = 1\nsteps = 3\n")
    with pytest.raises(ValueError, match=r"\[diffusion\]: unknown key 'steps'"):
        configs.load(str(path))
    path.write_text("[net\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        configs.load(str(path))
    path.write_text("[diffusion]\nmask_id = 1\n")
    with pytest.raises(ValueError, match="the section 'net' is required"):
        configs.load(str(path))
    json.dumps(configs.names())


def test_config_round_trips_through_its_dict():
    for name in configs.names():
        cfg = configs.load(name)
        assert configs.RunConfig.from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg


def _packed(value: int, rows: int = 50):
    from adjax_code.corpus import data
    tokens = np.full((rows, 8), value, np.int32)
    cond = np.zeros((rows, 4), np.int32)
    return {8: data.Packed(tokens, cond, cond != 0)}


def test_anneal_batches_draw_from_the_focus_pool():
    corpus, focus = _packed(1), _packed(2)
    plain = [trainer._batches(corpus, 4, 0, s)["tokens"] for s in range(5)]
    again = [trainer._batches(corpus, 4, 0, s)["tokens"] for s in range(5)]
    assert all((a == b).all() for a, b in zip(plain, again, strict=True))
    only = [trainer._batches(corpus, 4, 0, s, focus, 0.0)["tokens"][0, 0] for s in range(50)]
    assert set(only) == {2}
    mixed = [trainer._batches(corpus, 4, 0, s, focus, 0.3)["tokens"][0, 0] for s in range(400)]
    share = np.mean(np.asarray(mixed) == 1)
    assert 0.2 < share < 0.4  # about corpus_share of the batches come from all rows


def test_anneal_config_errors(tmp_path):
    cfg = configs.load("tiny").override([*OVERRIDES, "train.steps=12"])
    too_long = cfg.override(["data.anneal_steps=13"])
    with pytest.raises(ValueError, match="exceeds"):
        trainer.run(too_long, tmp_path / "run", progress=False, log=lambda m: None)
    assert not (tmp_path / "run").exists()
    with pytest.raises(ValueError, match="anneal_corpus"):
        cfg.override(["data.anneal_corpus=1.0"])


def test_wall_time_adds_up_over_resumed_sessions():
    rows = [{"step": 10, "wall_s": 5.0}, {"step": 20, "wall_s": 9.0},
            {"step": 30, "wall_s": 2.0}, {"step": 40, "wall_s": 4.0}]
    assert trainer.total_wall_s(rows) == 13.0
    assert trainer.total_wall_s(rows[:2]) == 9.0
    assert trainer.total_wall_s([{"step": 1}]) is None


def test_training_on_a_mesh_matches_one_device(code_run_dir, tmp_path):
    """The conftest run again on 8 fake devices (4-way FSDP x 2-way tensor parallel): the
    same losses and weights as on one device, and its checkpoint loads on one device."""
    import jax

    from adjax import checkpoint
    from adjax_code.generate.generator import Generator
    from tests.conftest import TINY_CODE_RUN

    cfg = configs.load("tiny").override([
        *TINY_CODE_RUN, "mesh.data=-1", "mesh.model=2", "mesh.strategy=fsdp_tp"])
    trainer.run(cfg, tmp_path, progress=False, log=lambda m: None)
    one, mesh = (trainer.read_metrics(d / "metrics.jsonl") for d in (code_run_dir, tmp_path))
    np.testing.assert_allclose([r["loss"] for r in mesh], [r["loss"] for r in one], rtol=1e-3)
    gens = [Generator.load(d) for d in (code_run_dir, tmp_path)]
    for a, b in zip(jax.tree.leaves(gens[1].params), jax.tree.leaves(gens[0].params),
                    strict=True):
        np.testing.assert_allclose(a, b, atol=2e-3)
    with checkpoint.Checkpointer(tmp_path / "checkpoints") as ckpt:
        meta = ckpt.read_meta()
    assert meta["config"]["mesh"] == {"data": -1, "model": 2, "strategy": "fsdp_tp",
                                      "accum_steps": 1}
    with pytest.raises(ValueError, match="does not split over the mesh"):
        trainer.run(cfg.override(["train.batch_size=6"]), tmp_path / "b",
                    progress=False, log=lambda m: None)
