"""The README's test command on a fresh machine: the installer names what is missing."""

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_installer_dry_run_names_missing_toolchains(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "id", "python3", "node", "javac", "java"):  # no go, tsc, bwrap, uv
        found = shutil.which(tool)
        if found:
            os.symlink(found, bin_dir / tool)
    proc = subprocess.run(["bash", str(ROOT / "scripts" / "install-toolchains.sh"),
                           "--dry-run"], env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "golang-go" in out and "bubblewrap" in out and "typescript" in out and "uv" in out
    assert "nothing installed" in out
    (bin_dir / "node").unlink()
    proc = subprocess.run(["bash", str(ROOT / "scripts" / "install-toolchains.sh")],
                          env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "missing node" in proc.stderr


def test_pytest_names_missing_toolchains_at_once(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    import sys

    os.symlink(sys.executable, bin_dir / "python3")
    env = {k: v for k, v in os.environ.items() if k != "ADJAX_ALLOW_MISSING_TOOLCHAINS"}
    env["PATH"] = str(bin_dir)
    proc = subprocess.run([sys.executable, "-m", "pytest", "--no-cov", "-q",
                           str(ROOT / "tests" / "test_tokendata.py")], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 4
    assert "missing toolchains: node, tsc, javac, java, go, bwrap" in proc.stdout + proc.stderr


def test_uv_run_is_quiet():
    """A plain `uv run` prints nothing of its own (bytecode is compiled on first import,
    not by every `uv run`)."""
    uv = shutil.which("uv")
    assert uv is not None, "uv is not installed (scripts/install-toolchains.sh installs it)"
    proc = subprocess.run([uv, "run", "--locked", "python", "-c", "print('ok')"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "ok\n" and "Bytecode compiled" not in proc.stderr
