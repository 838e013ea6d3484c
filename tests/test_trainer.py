"""`adjax train`: a real (tiny) run, killed midway and resumed."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

import configs
from adjax_code import cli, trainer

OVERRIDES = ["train.steps=40", "train.eval_every=10", "train.checkpoint_every=10",
             "train.batch_size=8", "data.max_files=0", "optim.total_steps=40"]


def test_kill_midway_then_resume(tmp_path):
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "adjax_code.cli", "train", "--config", "tiny", "--out",
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
    cfg = configs.apply_overrides(configs.load("tiny"), OVERRIDES)
    summary = trainer.run(cfg, out, progress=False, log=lambda m: None)
    assert summary["resumed_from"] >= saved > 0
    rows = trainer.read_metrics(out / "metrics.jsonl")
    assert rows[-1]["step"] == 40
    assert rows[-1]["heldout_bits_per_token"] < rows[0]["heldout_bits_per_token"]
    assert (out / "loss.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "tokenizer.json").exists()


def test_overrides_and_errors(capsys, tmp_path):
    cfg = configs.apply_overrides(configs.load("tiny"), ["train.steps=7", "optim.ema_decay=0.9",
                                                         "data.buckets=32,64"])
    assert cfg["train"].steps == 7 and cfg["optim"].ema_decay == 0.9
    assert cfg["data"].buckets == (32, 64)
    for bad, msg in [("train.stepz=1", "unknown key 'stepz'"), ("trian.steps=1", "section"),
                     ("steps=1", "section.key=value"), ("train.steps=abc", "train.steps")]:
        with pytest.raises(ValueError, match=msg):
            configs.apply_overrides(configs.load("tiny"), [bad])
    assert cli.main(["train", "--config", "tiny", "--out", str(tmp_path), "--set",
                     "train.stepz=1"]) == 1
    assert "unknown key" in capsys.readouterr().err
    assert cli.main(["train", "--config", "small", "--out", str(tmp_path)]) == 1
    assert "no data section" in capsys.readouterr().err
    assert cli.main(["train", "--config", "missing.py", "--out", str(tmp_path)]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_config_file_path(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text("def get_config():\n    return {'x': 1}\n")
    assert configs.load(str(path)) == {"x": 1}
    (tmp_path / "empty.py").write_text("X = 1\n")
    with pytest.raises(ValueError, match="no get_config"):
        configs.load(str(tmp_path / "empty.py"))
    json.dumps(configs.names())
