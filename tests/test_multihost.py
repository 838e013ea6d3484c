"""Two processes on loopback, four fake CPU devices each, one eight-device mesh."""

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from adjax import sharding
from adjax_code.app import cli
from tests.multihost_worker import adapter_steps, train_steps

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _two_processes(*args: str) -> list[dict]:
    """What each of two loopback worker processes reports."""
    port = _free_port()
    procs = [subprocess.Popen([sys.executable, "-m", "tests.multihost_worker", str(port),
                               str(i), *args], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(2)]
    results = []
    try:
        for proc in procs:
            out, err = proc.communicate(timeout=240)
            lines = [x for x in out.splitlines() if x.startswith("RESULT ")]
            assert proc.returncode == 0 and lines, err[-3000:]
            results.append(json.loads(lines[-1][len("RESULT "):]))
    finally:
        for proc in procs:
            proc.kill()
    return results


def test_two_processes_train_as_one_mesh(tmp_path):
    results = _two_processes(str(tmp_path / "ckpt"))
    assert [r["devices"] for r in results] == [8, 8]
    assert [r["local_devices"] for r in results] == [4, 4]
    assert results[0]["losses"] == results[1]["losses"]
    assert results[0]["checksum"] == results[1]["checksum"]
    assert results[0]["restored_checksum"] == results[0]["checksum"]
    # The same steps in this one process over its eight devices.
    here = train_steps(sharding.make_mesh())
    assert results[0]["losses"] == pytest.approx(here["losses"], rel=1e-5)
    assert results[0]["checksum"] == pytest.approx(here["checksum"], rel=1e-5)


def test_two_processes_adapt_lora_as_one_process(tmp_path):
    """Gradient and GRPO steps of adapters over a 4 x 2 mesh spanning two processes (base,
    adapters and Adam moments split across both) give this process's eight-device update."""
    results = _two_processes(str(tmp_path / "unused"), "adapters")
    assert [r["devices"] for r in results] == [8, 8]
    assert [r["local_devices"] for r in results] == [4, 4]
    assert results[0] == results[1]
    here = adapter_steps(sharding.make_mesh(4, 2))
    assert results[0]["base"] == pytest.approx(here["base"], rel=1e-6)
    assert results[0]["losses"] == pytest.approx(here["losses"], rel=1e-5)
    assert results[0]["adapters"] == pytest.approx(here["adapters"], rel=1e-5)
    assert here["adapters"] != pytest.approx(here["initial"], rel=1e-3)  # they learned


def test_distributed_arguments_are_checked(capsys, tmp_path):
    assert cli.main(["train", "--config", "tiny", "--out", str(tmp_path), "--quiet",
                     "--num-processes", "2"]) == 1
    assert "need --coordinator" in capsys.readouterr().err
    assert sharding.initialize_distributed() is False  # nothing asked: one process
    with pytest.raises(ValueError, match="need --coordinator"):
        sharding.initialize_distributed(num_processes=2)
    with pytest.raises(ValueError, match="needs --num-processes"):
        sharding.initialize_distributed("127.0.0.1:1")
    with pytest.raises(ValueError, match="must lie in"):
        sharding.initialize_distributed("127.0.0.1:1", 2, 2)
