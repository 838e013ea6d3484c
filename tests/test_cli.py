import subprocess
import sys

import pytest

from adjax_code.app import cli


def test_missing_or_broken_models_are_one_clear_line(capsys, tmp_path, monkeypatch):
    from adjax_code.model import model_store

    monkeypatch.setattr(model_store, "DEFAULT_DIR", tmp_path / "absent")
    code = cli.main(["generate", "add two numbers", "--language", "python"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "no model installed" in err
    code = cli.main(["generate", "add", "--model", str(tmp_path)])
    assert code == 1 and "neither manifest.json" in capsys.readouterr().err
    (tmp_path / "manifest.json").write_text("{}")
    code = cli.main(["generate", "add", "--model", str(tmp_path)])
    assert code == 1 and "not a format-1 model manifest" in capsys.readouterr().err
    (tmp_path / "manifest.json").write_text("{not json")
    assert cli.main(["model", "verify", str(tmp_path)]) == 1
    assert "not valid JSON" in capsys.readouterr().err


def test_bad_arguments_exit_nonzero(capsys):
    assert cli.main(["generate", "  "]) == 1
    assert "specification is empty" in capsys.readouterr().err
    for argv in (["generate", "x", "--samples", "0"], ["generate", "x", "--samples", "a"],
                 ["generate", "x", "--language", "cobol"], []):
        with pytest.raises(SystemExit) as exc:
            cli.main(argv)
        assert exc.value.code == 2


def test_console_script_runs():
    proc = subprocess.run([sys.executable, "-m", "adjax_code.app.cli", "--help"],
                          capture_output=True,
                          text=True)
    assert proc.returncode == 0 and "generate" in proc.stdout
