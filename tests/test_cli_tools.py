"""adjax improve / refine / doctor / init / model pull|archive."""

import functools
import http.server
import inspect
import json
import threading
import types

import numpy as np
import pytest

from adjax_code.app import cli, doctor
from adjax_code.generate.generator import Generator
from adjax_code.model import model_store
from adjax_code.model.network import Network
from adjax_code.train import packaging

GOOD = "def add(a, b):\n    return a + b\n"


@pytest.fixture(scope="module")
def packaged(code_run_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("packaged") / "tiny-model"
    packaging.package(code_run_dir, out, progress=False)
    return out


@pytest.fixture
def server(tmp_path):
    """An HTTP server on 127.0.0.1 serving ``tmp_path / 'www'``."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def run(capsys, *argv):
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


# -- improve / refine ---------------------------------------------------------------------

def test_refine_cli_prints_code_that_scores_no_lower(capsys, code_run_dir, tmp_path):
    src = tmp_path / "add.py"
    src.write_text(GOOD)
    code, out, err = run(capsys, "refine", str(src), "--model", str(code_run_dir),
                         "--samples", "2", "--steps", "4", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["score"] >= result["history"][0]["score"]
    assert result["profile"]["elapsed_time_sec"] > 0


def test_improve_cli_writes_back_only_on_change(capsys, code_run_dir, tmp_path):
    src = tmp_path / "add.py"
    src.write_text(GOOD)
    code, out, err = run(capsys, "improve", str(src), "-f", "Add a docstring", "--model",
                         str(code_run_dir), "--samples", "2", "--steps", "4", "--iterations",
                         "1", "--write")
    assert code == 0, err
    assert ("updated" in err) == (src.read_text() != GOOD)


def test_edit_commands_reject_bad_inputs(capsys, tmp_path, code_run_dir):
    binary = tmp_path / "x.py"
    binary.write_bytes(b"\xff\xfe\x00")
    unknown = tmp_path / "x.cob"
    unknown.write_text("MOVE A TO B.")
    cases = [
        (["improve", str(binary), "-f", "Add a docstring"], "not UTF-8"),
        (["refine", str(tmp_path / "none.py")], "does not exist"),
        (["refine", str(unknown)], "cannot tell the language"),
        (["refine", str(unknown), "--language", "cobol"], "unknown language"),
        (["improve", str(unknown), "-l", "python", "-f", " "], "feedback is empty"),
        (["refine", str(unknown), "-l", "python", "--model", str(tmp_path / "nomodel")],
         "no model at"),
        (["refine", str(unknown), "-l", "python", "--config", str(tmp_path / "c.toml")],
         "does not exist"),
    ]
    for argv, match in cases:
        code, _, err = run(capsys, *argv)
        assert code == 1 and match in err and "Traceback" not in err, (argv, err)
        assert err.count("\n") == 1


# -- doctor / init ------------------------------------------------------------------------

def test_doctor_reports_every_part(capsys, monkeypatch):
    monkeypatch.setattr(doctor, "TOOLCHAINS", {"python3": (["python3", "--version"], "x"),
                                               "nosuchtool": (["nosuchtool", "-v"], "get it")})
    code, out, _ = run(capsys, "doctor", "--json")
    checks = {c["name"]: c for c in json.loads(out)}
    assert code == 0
    for name in ("python", "package jax", "jax backend", "bfloat16", "grammar go",
                 "grammar typescript", "toolchain python3", "model", "compilation cache",
                 "sandbox"):
        assert name in checks, name
    assert checks["toolchain python3"]["status"] == "OK"
    assert checks["toolchain python3"]["detail"].startswith("Python 3")
    assert checks["toolchain nosuchtool"] == {"name": "toolchain nosuchtool", "status": "WARN",
                                              "detail": "missing (needed to run tests in "
                                              "that language): get it"}
    assert checks["model"]["status"] == "OK"


def test_doctor_fails_on_a_damaged_model(capsys, packaged, tmp_path):
    import shutil

    broken = tmp_path / "m"
    shutil.copytree(packaged, broken)
    (broken / "model.safetensors").write_bytes(b"garbage")
    code, out, err = run(capsys, "doctor", "--model", str(broken))
    assert code == 1
    assert any(line.startswith("FAIL  model") and "model.safetensors" in line
               for line in out.splitlines())
    assert "FAIL lines" in err


def test_init_writes_a_loadable_config_and_keeps_an_existing_one(capsys, tmp_path):
    from adjax_code.app import api

    code, out, _ = run(capsys, "init", str(tmp_path / "proj"))
    file = tmp_path / "proj" / "adjax.toml"
    assert code == 0 and file.is_file() and str(file) in out
    assert api.load_config(file).device == "cpu"
    file.write_text("# mine\n")
    code, _, err = run(capsys, "init", str(tmp_path / "proj"))
    assert code == 1 and "already exists" in err and file.read_text() == "# mine\n"
    assert run(capsys, "init", str(tmp_path / "proj"), "--force")[0] == 0
    (tmp_path / "afile").write_text("x")
    assert "not a directory" in run(capsys, "init", str(tmp_path / "afile"))[2]


# -- model pull / archive -----------------------------------------------------------------

def test_pull_over_http_installs_a_verified_model(capsys, packaged, server, tmp_path):
    root, url = server
    code, out, err = run(capsys, "model", "archive", str(packaged), "--out",
                         str(root / "tiny.tar.gz"))
    assert code == 0, err
    dest = tmp_path / "models" / "tiny"
    code, out, err = run(capsys, "model", "pull", f"{url}/tiny.tar.gz", "--out", str(dest),
                         "--quiet")
    assert code == 0, err
    assert model_store.verify(dest)["files"] == model_store.verify(packaged)["files"]
    assert sorted(p.name for p in dest.parent.iterdir()) == ["tiny"]
    # The installed model generates.
    code, out, err = run(capsys, "generate", "sum a list", "--model", str(dest), "--samples",
                         "1", "--steps", "2", "--length", "32")
    assert code == 0, err


def test_pull_of_a_corrupted_archive_installs_nothing(capsys, packaged, server, tmp_path):
    import io
    import tarfile

    root, url = server
    with tarfile.open(root / "bad.tar.gz", "w:gz") as t:
        for p in sorted(packaged.iterdir()):
            data = p.read_bytes()
            if p.name == "model.safetensors":
                data = data[:-10] + b"0123456789"  # altered in transit
            info = tarfile.TarInfo(f"bad/{p.name}")
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    (root / "truncated.tar.gz").write_bytes((root / "bad.tar.gz").read_bytes()[:2000])
    dest = tmp_path / "models" / "m"
    for name, match in (("bad.tar.gz", "does not match the sha256"),
                        ("truncated.tar.gz", "not a readable"),
                        ("absent.tar.gz", "HTTP 404")):
        code, _, err = run(capsys, "model", "pull", f"{url}/{name}", "--out", str(dest),
                           "--quiet")
        assert code == 1 and match in err, err
        assert not dest.parent.exists() or list(dest.parent.iterdir()) == []


def test_pull_from_a_path_replaces_an_old_model_only_when_valid(capsys, packaged, tmp_path):
    dest = tmp_path / "models" / "m"
    assert run(capsys, "model", "pull", str(packaged), "--out", str(dest))[0] == 0
    before = model_store.verify(dest)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "manifest.json").write_text("{}")
    code, _, err = run(capsys, "model", "pull", str(bad), "--out", str(dest))
    assert code == 1 and "manifest" in err
    assert model_store.verify(dest) == before  # the old model is intact
    code, _, err = run(capsys, "model", "pull", str(tmp_path / "nowhere.tar.gz"))
    assert code == 1 and "neither an http(s) URL nor an existing path" in err
    assert run(capsys, "model", "pull")[0] == 1
    assert "needs --out" in run(capsys, "model", "archive")[2]


def test_default_pull_destination_is_the_user_models_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("ADJAX_HOME", str(tmp_path / "home"))
    assert model_store.user_models_dir() == tmp_path / "home" / "models"
    assert model_store._archive_name("https://x.org/a/coder-v2.tar.gz?sig=1") == "coder-v2"


def test_eval_model_on_humaneval(capsys, code_run_dir, tmp_path):
    code, out, err = run(capsys, "eval", "--benchmark", "humaneval", "--model",
                         str(code_run_dir), "--limit", "2", "--candidates", "1", "--steps",
                         "2", "--quiet", "--json", "--out", str(tmp_path / "he.jsonl"))
    assert code == 0, err
    table = json.loads(out)
    assert table["overall"]["tasks"] == 2 and 0.0 <= table["overall"]["pass@1"] <= 1.0
    rows = [json.loads(line) for line in (tmp_path / "he.jsonl").read_text().splitlines()]
    assert [r["task_id"] for r in rows] == ["HumanEval/0", "HumanEval/1"]
    assert all("status" in r for r in rows)


def test_interrupt_is_one_line_and_exit_130(capsys, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(doctor, "run_checks", interrupted)  # what `adjax doctor` runs
    code, _, err = run(capsys, "doctor")
    assert code == 130 and "interrupted" in err and "Traceback" not in err


def test_pull_and_package_never_delete_a_directory_that_is_not_a_model(
        capsys, packaged, code_run_dir, tmp_path, monkeypatch):
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "notes.txt").write_text("keep me")
    code, _, err = run(capsys, "model", "pull", str(packaged), "--out", str(inner))
    assert code == 1 and "not an adjax model" in err and "--force" in err
    code, _, err = run(capsys, "model", "package", str(code_run_dir), "--out", str(inner))
    assert code == 1 and "not an adjax model" in err
    monkeypatch.chdir(inner)
    code, _, err = run(capsys, "model", "pull", str(packaged), "--out", "../inner", "--force")
    assert code == 1 and "contains the current directory" in err
    assert (inner / "notes.txt").read_text() == "keep me"
    code, _, err = run(capsys, "train", "--config", "tiny", "--out", str(inner))
    assert code == 1 and "not a training run" in err
    assert sorted(p.name for p in inner.iterdir()) == ["notes.txt"]
    assert run(capsys, "model", "pull", str(packaged), "--out", str(tmp_path / "m"))[0] == 0
    assert run(capsys, "model", "pull", str(packaged), "--out", str(tmp_path / "m"))[0] == 0


@pytest.fixture
def seen(monkeypatch):
    """What reaches the generator (each ``Generator.generate`` call's keyword arguments) and
    the sampler (each ``Network.sample`` call's config, rows and length, step count and
    forward passes); both still run."""
    calls = {"generate": [], "sample": []}
    generate, sample = Generator.generate, Network.sample

    @functools.wraps(generate)
    def spy_generate(self, *args, **kwargs):
        calls["generate"].append(kwargs)
        return generate(self, *args, **kwargs)

    @functools.wraps(sample)
    def spy_sample(self, *args, **kwargs):
        arg = inspect.signature(sample).bind(self, *args, **kwargs).arguments
        out = sample(self, *args, **kwargs)
        calls["sample"].append(types.SimpleNamespace(
            cfg=arg["statics"]["cfg"], shape=np.shape(arg["rows"]["tokens"]),
            steps=int(arg["steps"]), passes=int(out[1])))
        return out

    monkeypatch.setattr(Generator, "generate", spy_generate)
    monkeypatch.setattr(Network, "sample", spy_sample)
    return calls


def test_generate_with_threshold_decoding(capsys, seen):
    """--threshold reaches the generator as the threshold rule with that threshold and
    --steps as its cap, and the sampler runs it: the draft's forward passes follow the
    model's confidence, fewer than the cap (the fixed-step rule, without the end fill,
    spends every one of its steps), each committing several positions (more code tokens
    than passes); a bad value is one line."""
    assert cli.main(["generate", "return the sum of a list of numbers", "--threshold", "0.5",
                     "--steps", "40", "--json", "--repair-rounds", "0"]) == 0
    timings = json.loads(capsys.readouterr().out)["timings"]
    [call] = seen["generate"]
    cfg = call["sampler"]
    assert cfg is not None, "the generator got the model's own sampler config"
    assert (cfg.rule, cfg.threshold, cfg.num_steps, cfg.end_fill) == ("threshold", 0.5, 40, True)
    [draft] = seen["sample"]  # no repair rounds: the draft is the only sampler call
    assert (draft.cfg.rule, draft.cfg.threshold, draft.steps) == ("threshold", 0.5, 40)
    assert timings["draft_forward_passes"] == draft.passes
    assert 1 <= draft.passes < 40, draft.passes
    # Several positions a step: more code tokens per candidate than forward passes.
    assert timings["tokens_per_forward_pass"] > 1, timings
    for bad in ("0", "1.5", "x"):
        with pytest.raises(SystemExit, match="^2$"):  # argparse's usage error
            cli.main(["generate", "x", "--threshold", bad])
        assert "expected a number in (0, 1]" in capsys.readouterr().err


def test_generate_with_blocks_a_cache_and_growing_lengths(capsys, seen):
    """--block-size, --cache and --grow reach the generator, every sampler call runs blocks
    of that size over that cache, and the draft starts below the 128-token output (at the
    model's shortest length bucket), only unfinished rows moving up to 128; a step count
    that does not divide into the blocks is one line, an unknown cache is refused by the
    parser."""
    assert cli.main(["generate", "return the sum of a list of numbers", "--block-size", "32",
                     "--cache", "dual", "--grow", "--json", "--repair-rounds", "0"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["timings"]["tokens"] > 0 and len(out["candidates"]) == 4
    [call] = seen["generate"]
    assert call["grow"] is True and call["sampler"] is not None, call
    assert (call["sampler"].block_size, call["sampler"].cache) == (32, "dual")
    assert seen["sample"], "no sampler call"
    for c in seen["sample"]:
        assert (c.cfg.block_size, c.cfg.cache) == (32, "dual"), c.cfg
    lengths = [c.shape[1] for c in seen["sample"]]
    assert lengths[0] < 128 and lengths == sorted(set(lengths)) and lengths[-1] <= 128, lengths
    assert out["timings"]["draft_forward_passes"] == sum(c.passes for c in seen["sample"])
    assert cli.main(["generate", "x", "--block-size", "5", "--steps", "32"]) == 1
    assert "multiple" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="^2$"):
        cli.main(["generate", "x", "--cache", "everything"])
    assert "invalid choice: 'everything'" in capsys.readouterr().err


def test_package_evaluate_takes_limit_languages_and_candidates(capsys, code_run_dir, tmp_path):
    """`model package --evaluate` on a slice: the first task in Python, one candidate,
    with bars for generation and scoring; the slice's options without --evaluate are one
    line."""
    import json

    out = tmp_path / "m"
    code, _, err = run(capsys, "model", "package", str(code_run_dir), "--out", str(out),
                       "--limit", "1")
    assert code == 1 and "--limit apply with --evaluate" in err and not out.exists()
    code, _, err = run(capsys, "model", "package", str(code_run_dir), "--out", str(out),
                       "--evaluate", "--limit", "1", "--languages", "python",
                       "--candidates", "1")
    assert code == 0, err
    assert "generating" in err and "scoring" in err
    heldout = json.loads((out / "manifest.json").read_text())["heldout_tasks"]
    assert heldout["command"].endswith("--candidates 1 --limit 1 --languages python")
    assert set(heldout["table"]) == {"python", "all"}
