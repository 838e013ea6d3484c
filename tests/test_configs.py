
import pytest

from adjax.config import NetConfig
from adjax_code.model import configs


@pytest.mark.parametrize("name", configs.names())
def test_every_config_loads(name):
    cfg = configs.load(name)
    assert isinstance(cfg.net, NetConfig)
    assert cfg.diffusion.mask_id < cfg.net.vocab_size
    for value in cfg.to_dict().values():
        assert isinstance(value, dict)


def test_unknown_config():
    with pytest.raises(ValueError, match="unknown config 'nope'.*tiny"):
        configs.load("nope")


def test_built_wheel_ships_the_configs_and_trains(tmp_path):
    """The top-level configs/ ship inside the wheel: a wheel installed in a fresh virtual
    environment (dependencies from this one) runs ``adjax train --config default``."""
    import shutil
    import site
    import subprocess
    import sys
    import zipfile
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    uv = shutil.which("uv")
    if uv is None:  # pragma: no cover - the test script installs uv
        pytest.fail("uv is not installed (scripts/install-toolchains.sh installs it)")
    subprocess.run([uv, "build", "--wheel", "--out-dir", str(tmp_path / "dist"), str(root)],
                   check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("adjax-*.whl"))
    shipped = {n for n in zipfile.ZipFile(wheel).namelist() if n.startswith("adjax_code/configs/")}
    assert shipped == {f"adjax_code/configs/{n}.toml" for n in configs.names()}
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([uv, "pip", "install", "--no-deps", "--python", str(python), str(wheel)],
                   check=True, capture_output=True)
    target = subprocess.run([str(python), "-c", "import site; print(site.getsitepackages()[0])"],
                            check=True, capture_output=True, text=True).stdout.strip()
    # Dependencies from this environment, after the wheel's own packages on the path.
    (Path(target) / "deps.pth").write_text(site.getsitepackages()[0] + "\n")
    where = subprocess.run([str(python), "-c", "import adjax_code; print(adjax_code.__file__)"],
                           check=True, capture_output=True, text=True, cwd=tmp_path).stdout
    assert where.startswith(target)
    proc = subprocess.run(
        [str(venv / "bin" / "adjax"), "train", "--config", "default", "--out",
         str(tmp_path / "run"), "--quiet", "--set", "train.steps=1", "train.eval_every=1",
         "train.checkpoint_every=1", "train.batch_size=2", "data.max_files=0",
         "data.anneal_steps=0", "data.vocab_size=512", "data.buckets=64", "net.n_layers=1",
         "net.d_model=32"], capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "run" / "checkpoints").is_dir()
