"""Generation through a (tiny, briefly trained) model: shapes, prefix, determinism, CLI."""

import json
import os
import shutil
import subprocess
import sys

import jax
import numpy as np
import pytest

from adjax_code import tasks
from adjax_code.app import cli
from adjax_code.evaluate import model_eval
from adjax_code.generate.generator import Generator, Request
from adjax_code.model import model_store
from adjax_code.tasks import render
from adjax_code.train import packaging


@pytest.fixture(scope="module")
def run_dir(code_run_dir):
    return code_run_dir


@pytest.fixture(scope="module")
def gen(run_dir):
    return Generator.load(run_dir)


def test_candidates_are_scored_and_sorted(gen):
    result = gen.generate("return the sum of a list", "python", samples=3, seed=0)
    assert len(result.candidates) == 3
    overall = [c.scores["overall"] for c in result.candidates]
    assert overall == sorted(overall, reverse=True) and result.best is result.candidates[0]
    for c in result.candidates:
        assert all(0.0 <= v <= 1.0 for v in c.scores.values())
        assert 0 <= c.repair_rounds <= 2
    t = result.timings
    assert t["slots"] == 3 * gen.default_length
    # useful tokens: what the sampler wrote before each row's end, clamped prefix excluded
    rows = np.stack([c.row for c in result.candidates])
    prefix = len(gen.tok.encode("def"))
    assert t["tokens"] == int(gen.before_end(rows)[:, prefix:].sum()) > 0
    assert 1 <= t["draft_forward_passes"] <= t["forward_passes"]
    assert t["tokens_per_forward_pass"] == pytest.approx(t["tokens"] / 3 / t["forward_passes"])


def test_deterministic_per_seed(gen):
    a = gen.generate("reverse a string", "javascript", samples=2, seed=5, repair_rounds=0)
    b = gen.generate("reverse a string", "javascript", samples=2, seed=5, repair_rounds=0)
    c = gen.generate("reverse a string", "javascript", samples=2, seed=6, repair_rounds=0)
    assert [x.code for x in a.candidates] == [x.code for x in b.candidates]
    assert sorted(x.code for x in a.candidates) != sorted(x.code for x in c.candidates)


def test_prefix_is_kept_exactly(gen):
    prefix = "def sum_list(xs):\n    total = 0\n"
    result = gen.generate("sum a list", "python", samples=2, prefix=prefix, length=64)
    assert all(c.code.startswith(prefix.rstrip()) for c in result.candidates)


def test_bad_inputs(gen):
    with pytest.raises(ValueError, match="empty"):
        gen.generate("  ", "python")
    with pytest.raises(ValueError, match="prefix takes"):
        gen.generate("x", "python", prefix="x = 1\n" * 200, length=64)
    with pytest.raises(ValueError, match="unknown language"):
        gen.generate("x", "cobol")


def test_cli_generate_with_a_run_directory(run_dir, capsys):
    assert cli.main(["generate", "add two numbers", "--model", str(run_dir), "--samples", "2",
                     "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["candidates"]) == 2 and "tokens_per_s" in out["timings"]
    assert cli.main(["generate", "x", "--language", "python", "--model", str(run_dir),
                     "--steps", "4", "--samples", "1"]) == 0


@pytest.fixture(scope="module")
def packaged(run_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("pkg") / "model"
    packaging.package(run_dir, out, progress=False)
    return out


def test_packaged_model_matches_the_run(gen, packaged):
    manifest = model_store.verify(packaged)
    assert set(manifest["files"]) == {"model.safetensors", "tokenizer.json", "loss.png"}
    assert manifest["training"]["steps"] == 20 and manifest["data"]["train"] > 0
    assert manifest["heldout_bits_per_token"] > 0
    loaded = Generator.load(packaged)
    a = gen.generate("sum a list", "python", samples=2, seed=3, repair_rounds=1)
    b = loaded.generate("sum a list", "python", samples=2, seed=3, repair_rounds=1)
    assert [c.code for c in a.candidates] == [c.code for c in b.candidates]


def test_altered_or_missing_files_are_refused(packaged, tmp_path, capsys):
    bad = tmp_path / "model"
    shutil.copytree(packaged, bad)
    raw = bytearray((bad / "model.safetensors").read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    (bad / "model.safetensors").write_bytes(bytes(raw))
    with pytest.raises(model_store.ModelError, match="model.safetensors does not match the sha256"):
        Generator.load(bad)
    assert cli.main(["generate", "x", "--model", str(bad)]) == 1
    assert "does not match" in capsys.readouterr().err
    (bad / "tokenizer.json").unlink()
    assert cli.main(["model", "verify", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "tokenizer.json is missing" in err and "model.safetensors does not match" in err
    assert cli.main(["model", "verify", str(packaged)]) == 0
    assert "3 files match" in capsys.readouterr().out


def test_packaging_replaces_a_model_only_when_complete(run_dir, packaged, tmp_path,
                                                       monkeypatch):
    target = tmp_path / "m"
    shutil.copytree(packaged, target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(model_store.shutil, "copyfile", broken)
    with pytest.raises(OSError, match="disk full"):
        packaging.package(run_dir, target, progress=False)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # no temporary left


def test_install_dir_restores_the_old_directory_when_the_move_fails(tmp_path, monkeypatch):
    dest, new = tmp_path / "m", tmp_path / ".m-new"
    dest.mkdir()
    (dest / "f").write_text("old")
    (dest / "manifest.json").write_text("{}")  # a model: install_dir may replace it
    new.mkdir()
    (new / "f").write_text("new")
    real = type(new).rename

    def failing(self, target):
        if self == new:
            raise OSError("cross-device")
        return real(self, target)

    monkeypatch.setattr(type(new), "rename", failing)
    with pytest.raises(OSError, match="cross-device"):
        model_store.install_dir(new, dest)
    assert (dest / "f").read_text() == "old"
    monkeypatch.undo()
    model_store.install_dir(new, dest)
    assert (dest / "f").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_fixed_spans_anywhere_are_kept(gen):
    """generate's own output rows keep every given token, wherever it is."""
    rng = np.random.default_rng(0)
    mask, length = gen.cfg.diffusion.mask_id, 64
    init = np.full((3, length), mask, np.int32)
    fixed = rng.random((3, length)) < 0.3
    init[fixed] = rng.integers(10, 200, fixed.sum())
    out = gen.generate("x", "python", samples=3, length=length, init=init, repair_rounds=0)
    assert sorted(c.index for c in out.candidates) == [0, 1, 2]
    for c in out.candidates:
        keep = fixed[c.index]
        assert (c.row[keep] == init[c.index][keep]).all()
        assert not (c.row == mask).any()
    with pytest.raises(ValueError, match="init has shape"):
        gen.generate("x", "python", samples=2, length=length, init=init)


def test_generate_many_is_one_batch(gen):
    reqs = [Request("sum a list", "python", prefix="def f(xs):\n"),
            Request("reverse a string", "go", prefix="func g(s string) string {\n")]
    results = gen.generate_many(reqs, samples=2, seed=1, length=64)
    assert [len(r.candidates) for r in results] == [2, 2]
    assert all(c.code.startswith("def f(xs):") for c in results[0].candidates)
    assert all("func g(s string) string {" in c.code for c in results[1].candidates)
    assert results[0].timings["batch_rows"] == 4
    with pytest.raises(ValueError, match="samples must be positive"):
        gen.generate_many(reqs, samples=0)


def test_model_eval_end_to_end(packaged, capsys, tmp_path):
    out = tmp_path / "rows.jsonl"
    assert cli.main(["eval", "--model", str(packaged), "--languages", "python",
                     "--candidates", "2", "--steps", "4", "--quiet", "--json",
                     "--out", str(out), "--limit", "6"]) == 0
    table = json.loads(capsys.readouterr().out)
    held = 6
    assert table["python"]["tasks"] == held and table["python"]["candidates"] == 2 * held
    assert all(0.0 <= table["all"][m] <= 100.0 for m in model_eval.METRICS)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert sum(r["chosen"] for r in rows) == held
    assert all(r["code"].startswith(render.header(tasks.get(r["task_id"]), "python").rstrip())
               for r in rows)
    assert [r["task_id"] for r in rows[::2]] == [t.id for t in tasks.load("heldout")[:6]]
    assert cli.main(["eval", "--model", str(packaged), "--references"]) == 1


def test_model_eval_samples_do_not_depend_on_the_batch(gen):
    """``adjax eval --model`` generates as a batch job: languages share sampler calls, and a
    candidate depends on its task, language, seed and index, not on how many tasks share
    its call."""
    def run(chunk, seed=0):
        rows = model_eval.generate(gen, "heldout", ("python", "go"), candidates=2, steps=4,
                                   repair_rounds=0, chunk=chunk, limit=3, seed=seed)
        return [(r["task_id"], r["language"], r["code"]) for r in rows]

    whole = run(8)
    assert [(t, lang) for t, lang, _ in whole[::2]] == [
        (t.id, lang) for lang in ("python", "go") for t in tasks.load("heldout")[:3]]
    assert run(1) == whole
    assert run(8, seed=1) != whole


def test_model_eval_summary_on_known_rows():
    def row(task, lang, i, draft_ok, ok, ex, syntax_ok=True):
        return {"task_id": task, "language": lang, "candidate": i, "draft_passed": draft_ok,
                "passed": ok, "examples_passed": ex, "syntax_draft": syntax_ok,
                "syntax_repaired": True, "scores": {"overall": 0.5}}

    rows = [row("a", "python", 0, False, False, 1, False), row("a", "python", 1, False, True, 3),
            row("b", "python", 0, True, True, 3), row("b", "python", 1, False, False, 0)]
    groups = {}
    for r in rows:
        groups.setdefault(r["task_id"], []).append(r)
    for g in groups.values():  # what score() does: the most example tests passed wins
        best = max(g, key=lambda r: (r["examples_passed"], r["syntax_repaired"], 0, 0))
        for r in g:
            r["chosen"] = r is best
    table = model_eval.summarize(rows)["python"]
    assert table["pass1_draft"] == 25.0 and table["pass1_repaired"] == 50.0
    assert table["pass1_reranked"] == 100.0 and table["syntax_draft"] == 75.0


def test_second_run_uses_the_compilation_cache(run_dir, tmp_path):
    env = {**os.environ, "ADJAX_COMPILATION_CACHE": "on", "ADJAX_CACHE_DIR": str(tmp_path)}
    cmd = [sys.executable, "-m", "adjax_code.app.cli", "generate", "add", "--model", str(run_dir),
           "--samples", "1", "--steps", "2", "--repair-rounds", "0"]
    first = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    entries = {p.name for p in tmp_path.iterdir()}
    assert any(name.startswith("jit_sample_jit") for name in entries)
    second = subprocess.run(cmd, env=env, capture_output=True, text=True)
    assert second.returncode == 0 and second.stdout == first.stdout
    assert {p.name for p in tmp_path.iterdir()} == entries  # nothing new compiled


def test_a_warm_run_of_a_package_imports_no_network_code(packaged, tmp_path):
    """The second `adjax generate` of a packaged model runs the stored sampler program: it
    prints what the first printed, compiles nothing new and never imports Flax."""
    env = {**os.environ, "ADJAX_COMPILATION_CACHE": "on", "ADJAX_CACHE_DIR": str(tmp_path)}
    code = ("import sys; from adjax_code.app import cli; cli.main(['generate', 'add', '--model', "
            f"{str(packaged)!r}, '--samples', '2', '--steps', '2']); "
            "print('flax' in sys.modules)")
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True)
    assert first.returncode == 0, first.stderr
    entries = {str(p) for p in tmp_path.rglob("*")}
    assert any(p.endswith(".jaxexport") for p in entries)
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True)
    assert second.returncode == 0, second.stderr
    *printed, flax_imported = second.stdout.splitlines()
    assert printed == first.stdout.splitlines()[:-1] and flax_imported == "False"
    assert {str(p) for p in tmp_path.rglob("*")} == entries


def test_stored_sampler_programs_give_the_jitted_tokens_without_the_network(
        packaged, tmp_path):
    """A packaged model with a program store: the first generator stores its sampler calls
    (draft and repair) as exported programs; a fresh one reads them from disk and runs them
    without building the network, and every candidate and pass count is the jitted
    sampler's. Weights that are no longer the package's never meet a stored program."""
    from adjax import exported

    def run(g):
        r = g.generate("sum a list", "python", samples=2, seed=3, steps=4, repair_rounds=2)
        return [(c.draft, c.code) for c in r.candidates], r.timings["forward_passes"]

    want = run(Generator.load(packaged, store=None))  # no store: jitted
    assert run(Generator.load(packaged, store=exported.ProgramStore(tmp_path))) == want
    stored = sorted(p.name for p in tmp_path.iterdir())
    assert stored and any(n.endswith(".jaxexport") for n in stored)
    fresh = Generator.load(packaged, store=exported.ProgramStore(tmp_path))  # reads disk
    assert run(fresh) == want and not fresh.net.built  # from disk; never built
    assert sorted(p.name for p in tmp_path.iterdir()) == stored
    fresh.params = jax.tree.map(lambda x: x * 0, fresh.params)
    assert run(fresh) != want  # the changed weights, through the jitted sampler


def test_a_damaged_stored_program_is_stored_again(packaged, tmp_path):
    from adjax import exported

    def load():
        return Generator.load(packaged, store=exported.ProgramStore(tmp_path))

    a = load().generate("sum a list", "python", samples=1, steps=2, repair_rounds=0)
    for p in tmp_path.glob("*.jaxexport"):
        p.write_bytes(b"not a program")
    b = load().generate("sum a list", "python", samples=1, steps=2, repair_rounds=0)
    assert a.best.code == b.best.code
    assert all(p.read_bytes() != b"not a program" for p in tmp_path.glob("*.jaxexport"))


def test_repair_steps_change_repairs_only(gen):
    req = [Request("reverse a string", "python")]
    few = gen.generate_many(req, samples=3, seed=2, repair_steps=2)[0]
    full = gen.generate_many(req, samples=3, seed=2, repair_steps=32)[0]
    assert sorted(c.draft for c in few.candidates) == sorted(c.draft for c in full.candidates)
    for result in (few, full):
        for c in result.candidates:
            assert not (c.row == gen.cfg.diffusion.mask_id).any()


def test_a_package_from_before_safetensors_still_loads(gen, packaged, tmp_path):
    old = tmp_path / "old"
    shutil.copytree(packaged, old)
    (old / "model.safetensors").unlink()
    leaves = jax.tree_util.tree_flatten_with_path(gen.params)[0]
    arrays = {jax.tree_util.keystr(k): np.asarray(v) for k, v in leaves}
    np.savez(old / "params.npz", **arrays)
    manifest = json.loads((old / "manifest.json").read_text())
    manifest["files"] = {n: model_store.sha256(old / n)
                         for n in ("params.npz", "tokenizer.json", "loss.png")}
    (old / "manifest.json").write_text(json.dumps(manifest))
    loaded = Generator.load(old)
    a = gen.generate("sum a list", "python", samples=2, seed=3, repair_rounds=0)
    b = loaded.generate("sum a list", "python", samples=2, seed=3, repair_rounds=0)
    assert [c.code for c in a.candidates] == [c.code for c in b.candidates]
    arrays.pop(next(iter(arrays)))
    np.savez(old / "params.npz", **arrays)
    manifest["files"]["params.npz"] = model_store.sha256(old / "params.npz")
    (old / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(model_store.ModelError, match="params.npz has no parameter"):
        Generator.load(old)


def test_error_positions_are_exact_and_can_move_the_end(gen):
    """Error spans map to the row's own positions, a PAD inside the program included, and a
    span at the program's end also opens its end token and the positions after it."""
    tok = gen.tok
    good = tok.encode("def f(x):\n    return x\n")
    bad = tok.encode("def f(x):\n    return (x")
    length = 48

    def row(ids):
        r = np.full(length, tok.pad_id, np.int32)
        r[:len(ids)] = ids
        r[len(ids)] = tok.eos_id
        return r

    free = np.zeros(length, bool)
    assert gen.error_positions(row(good), "python", free) == []
    hit = gen.error_positions(row(bad), "python", free)
    end = len(bad)
    assert end in hit and end + 1 in hit and max(hit) <= end + 8  # the end may move
    # a PAD inside the program shifts nothing: the same error lands on the same tokens
    padded = np.concatenate([row(bad)[:3], [tok.pad_id], row(bad)[3:-1]])
    hit_padded = gen.error_positions(padded, "python", free)
    assert [h for h in hit_padded if h < 3] == [h for h in hit if h < 3]
    assert [h - 1 for h in hit_padded if h > 3] == [h for h in hit if h >= 3]
    # fixed positions are never remasked
    fixed = np.zeros(length, bool)
    fixed[end] = True
    assert end not in gen.error_positions(row(bad), "python", fixed)


def test_predict_length_reaches_the_sampler(gen):
    """generate(predict_length=True) places each row's end before denoising and the
    sampler then never writes an end token: at most one EOS per row, PAD only after it."""
    result = gen.generate("sum a list", "python", samples=3, length=48, repair_rounds=0,
                          predict_length=True)
    placed = 0
    for c in result.candidates:
        row = c.row
        eos = np.nonzero(row == gen.tok.eos_id)[0]
        assert len(eos) <= 1
        end = eos[0] if len(eos) else len(row)
        assert (row[end + 1:] == gen.tok.pad_id).all()
        assert not (row[:end] == gen.tok.pad_id).any()
        placed += len(eos)
    assert placed >= 1


def test_a_second_request_compiles_nothing(gen):
    """Another specification, language and constrained vocabulary reuse the compiled
    sampler: the vocabulary is an array argument, not a static set of ids."""
    from adjax import sampling

    gen.generate_many([Request("return the sum of a list", "python")], samples=2, seed=0,
                      steps=4)
    compiled = sampling.sample_jit._cache_size()
    digits = [gen.tok.encode(str(d))[0] for d in range(10)]
    outs = gen.generate_many([Request("reverse a string", "javascript")], samples=2, seed=3,
                             steps=4, allowed=(*digits, gen.tok.eos_id, gen.tok.pad_id))
    assert sampling.sample_jit._cache_size() == compiled
    for cand in outs[0].candidates:  # after the clamped opening, digits only
        assert cand.code.startswith("function"), cand.code
        assert set(cand.code[len("function"):].strip()) <= set("0123456789"), cand.code


def test_repair_samples_only_the_failing_rows(gen):
    """Rows that parse after the draft are not run again: with 13 of 16 starting rows a
    finished program, a repair round samples 8 rows (the failing ones, padded to the
    minimum bucket), not 16; the finished rows come back unchanged."""
    length, mask = 64, gen.cfg.diffusion.mask_id
    done = gen.tok.encode("def add(a, b):\n    return a + b") + [gen.tok.eos_id]
    init = np.full((16, length), gen.tok.pad_id, np.int32)
    init[:, :len(done)] = done
    broken = gen.tok.encode("def add(a, b):\n    return (a +")
    init[13:] = mask
    init[13:, :len(broken)] = broken  # a prefix the model must finish: may fail to parse
    before = dict(gen.stats)
    result = gen.generate("add two numbers", "python", samples=16, init=init, steps=4,
                          repair_rounds=1, length=length)
    rows = gen.stats["rows"] - before["rows"]
    assert rows == 16 + 8, rows  # the draft, then one round of 8 rows (3 failing)
    for cand in result.candidates:
        if cand.index < 13:
            np.testing.assert_array_equal(cand.row, init[cand.index])


def test_growing_lengths_move_only_unfinished_rows_up(gen, monkeypatch):
    """``grow``: the draft runs at the smallest bucket that holds the prefix; only rows
    with no end token there are sampled again at the next length, their tokens kept; rows
    that ended are PAD past the bucket; repair runs at the shortest length that holds it."""
    assert gen.length_plan(np.full((2, 128), 0, np.int32)) == [128]  # nothing fits below
    mask = gen.cfg.diffusion.mask_id
    assert gen.length_plan(np.full((2, 128), mask, np.int32)) == [64, 128]
    calls, real = [], gen._sample

    def spy(batch, tokens, key, cfg, phase, rows=None, length=None, steps=None):
        out = real(batch, tokens, key, cfg, phase, rows=rows, length=length, steps=steps)
        calls.append((phase, None if rows is None else list(rows), length, steps,
                      tokens.copy(), out.copy()))
        return out

    monkeypatch.setattr(gen, "_sample", spy)
    req = [Request("return the sum of a list", "python"), Request("reverse a string", "go")]
    result = gen.generate_many(req, samples=4, seed=1, grow=True, repair_rounds=1)
    phase, rows, length, _, _, first = calls[0]
    assert (phase, rows, length) == ("draft", None, 64)
    ends = np.isin(first[:, :64], (gen.tok.eos_id, gen.tok.pad_id)).any(axis=1)
    grown = [c for c in calls if c[0] == "draft"][1:]
    if ends.all():
        assert not grown
    else:
        phase, rows, length, steps, tokens, out = grown[0]
        assert rows == list(np.nonzero(~ends)[0]) and length == 128
        assert steps == round(gen.cfg.sampler.num_steps * 64 / 128)
        np.testing.assert_array_equal(tokens[rows, :64], first[rows, :64])  # kept
    final = np.stack([c.row for r in result for c in sorted(r.candidates,
                                                             key=lambda c: c.index)])
    assert not (final == mask).any()
    for i in np.nonzero(ends)[0]:
        repaired = any(c[0] == "repair" and i in c[1] for c in calls)
        assert repaired or (final[i, 64:] == gen.tok.pad_id).all()
    assert {c[2] for c in calls} <= {64, 128}
