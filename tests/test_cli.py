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


def test_evaluate_judges_pytest_style_tests_as_written(capsys, tmp_path):
    """A failing pytest-style test scores 0 for its case and is named with its reason; the
    tests import the solution by its file's name; the language comes from the extension."""
    import json

    (tmp_path / "add.py").write_text("def add(a, b):\n    return a + b\n")
    (tmp_path / "t.py").write_text("from add import add\n\ndef test_add():\n"
                                   "    assert add(1, 2) == 999\n\ndef test_ok():\n"
                                   "    assert add(2, 2) == 4\n")
    assert cli.main(["evaluate", str(tmp_path / "add.py"), "--tests", str(tmp_path / "t.py")]
                    ) == 0
    out = capsys.readouterr().out
    assert "functional 0.500" in out
    assert "case       FAIL test_add (line 3): AssertionError: assert 3 == 999" in out
    assert "case       pass test_ok" in out
    assert cli.main(["evaluate", str(tmp_path / "add.py"), "--tests", str(tmp_path / "t.py"),
                     "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(c["name"], c["status"]) for c in report["tests"]["cases"]] == [
        ("test_add", "fail"), ("test_ok", "pass")]
    (tmp_path / "none.py").write_text("x = add(1, 2)\n")
    assert cli.main(["evaluate", str(tmp_path / "add.py"), "--tests",
                     str(tmp_path / "none.py")]) == 1
    assert "tests file: no test cases" in capsys.readouterr().err
    (tmp_path / "x.txt").write_text("x = 1\n")
    assert cli.main(["evaluate", str(tmp_path / "x.txt")]) == 1
    assert "cannot tell the language of" in capsys.readouterr().err


def test_a_file_given_as_the_specification_and_k_beyond_the_samples_are_one_line(
        capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "spec.txt").write_text("add two numbers\n")
    assert cli.main(["generate", "spec.txt", "--language", "python"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "did you mean --spec-file spec.txt" in err
    samples = tmp_path / "s.jsonl"
    samples.write_text('{"task_id": "add_two", "language": "python", '
                       '"code": "def add_two(a, b):\\n    return a + b\\n"}\n')
    assert cli.main(["eval", "--samples", str(samples), "--k", "1", "5"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--k 5 needs at least 5 samples" in err
    assert "add_two (python) has 1" in err
    assert cli.main(["eval", "--model", str(tmp_path), "--candidates", "2", "--k", "4"]) == 1
    assert "pass --candidates 4" in capsys.readouterr().err
