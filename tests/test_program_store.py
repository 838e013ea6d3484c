"""The program store is an explicit object: given to ``Generator.load`` it runs (and fills)
stored sampler programs; not given, the jitted sampler runs. Loading a model or building
the API changes no process-wide JAX setting; only the shell's explicit calls do."""

import os
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from adjax import exported
from adjax_code.app import api as api_lib
from adjax_code.generate.generator import Generator
from adjax_code.model import runtime
from adjax_code.train import packaging

# What ``runtime.enable_compilation_cache`` sets, the globals the API used to flip.
GLOBALS = ("jax_compilation_cache_dir", "jax_persistent_cache_min_compile_time_secs",
           "jax_persistent_cache_min_entry_size_bytes")


def jax_globals() -> dict:
    return {name: getattr(jax.config, name) for name in GLOBALS}


@pytest.fixture(scope="module")
def packaged(code_run_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("pkg") / "model"
    packaging.package(code_run_dir, out, progress=False)
    return out


@pytest.fixture
def cache_on(tmp_path, monkeypatch):
    """The environment of a user with the compilation cache on (the tests run with it off),
    so that a call that turned it on would show."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("ADJAX_COMPILATION_CACHE", "on")
    monkeypatch.setenv("ADJAX_CACHE_DIR", str(cache))
    monkeypatch.delenv("ADJAX_PROGRAM_STORE", raising=False)
    return cache


def run(gen: Generator):
    r = gen.generate("sum a list", "python", samples=2, seed=3, steps=4, repair_rounds=1)
    return [(c.draft, c.code) for c in r.candidates], r.timings["forward_passes"]


def test_program_store_follows_the_environment_only(cache_on, tmp_path, monkeypatch):
    before = jax_globals()
    store = runtime.program_store()
    assert store.directory == cache_on / "adjax-exported"
    assert runtime.program_store() is store  # one per directory: programs read once
    assert runtime.program_store(tmp_path).directory == tmp_path / "adjax-exported"
    monkeypatch.setenv("ADJAX_PROGRAM_STORE", "off")
    assert runtime.program_store() is None and runtime.program_store(tmp_path) is None
    monkeypatch.setenv("ADJAX_PROGRAM_STORE", "on")
    monkeypatch.setenv("ADJAX_COMPILATION_CACHE", "off")
    assert runtime.program_store() is None
    assert jax_globals() == before and not cache_on.exists()


def test_without_a_store_the_jitted_sampler_runs_and_no_global_changes(packaged, cache_on):
    before = jax_globals()
    gen = Generator.load(packaged, store=None)
    assert gen.net.store is None and gen.net.built  # nothing to spare building
    run(gen)
    api_lib.create_code_generation_api(gen)
    assert jax_globals() == before and not cache_on.exists()


def test_constructing_the_api_from_a_directory_changes_no_global(packaged, cache_on):
    """In a fresh process (a global flipped here would outlive the test). With the
    globals left alone the model gets no program store either."""
    code = ("import jax; from adjax_code.app import api\n"
            f"names = {GLOBALS!r}\n"
            "before = [getattr(jax.config, n) for n in names]\n"
            f"a = api.create_code_generation_api({str(packaged)!r})\n"
            "print([getattr(jax.config, n) for n in names] == before)")
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ),
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True"]
    assert not cache_on.exists()  # nothing compiled into it, no program stored


def test_a_stored_program_round_trips(tmp_path):
    def fn(x, y):
        return jnp.tanh(x) @ y + 1.0

    args = (np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4),
            np.ones((4, 2), np.float32))
    key = f"test program\n{exported.shapes_key(args)}"
    saved = exported.ProgramStore(tmp_path).save(key, fn, args, {"n": 1})
    fresh = exported.ProgramStore(tmp_path)
    program, meta = fresh.load(key)
    assert meta == {"n": 1} and program.serialize() == saved.serialize()
    np.testing.assert_array_equal(program.call(*args), jax.jit(fn)(*args))
    assert fresh.load(key + " other") is None


def test_an_explicit_store_gives_the_jitted_tokens(packaged, tmp_path):
    want = run(Generator.load(packaged, store=None))
    first = Generator.load(packaged, store=exported.ProgramStore(tmp_path))
    assert first.net.store is not None and not first.net.built
    assert run(first) == want
    stored = sorted(p.name for p in tmp_path.iterdir())
    assert any(n.endswith(".jaxexport") for n in stored)
    fresh = Generator.load(packaged, store=exported.ProgramStore(tmp_path))
    assert run(fresh) == want and not fresh.net.built  # the programs read from disk
    assert sorted(p.name for p in tmp_path.iterdir()) == stored
