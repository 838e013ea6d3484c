"""The model that ships in the package: intact, loadable, and deterministic per seed."""

import json
from pathlib import Path

from adjax_code.app import cli
from adjax_code.generate.generator import Generator
from adjax_code.judge import execution, rewards
from adjax_code.lang import syntax
from adjax_code.model import model_store


def test_shipped_model_is_intact_and_documented():
    manifest = model_store.verify(model_store.DEFAULT_DIR)
    assert {"model.safetensors", "tokenizer.json"} <= set(manifest["files"])
    size = sum((model_store.DEFAULT_DIR / f).stat().st_size for f in manifest["files"])
    assert size < 60 * 2**20
    assert manifest["training"]["steps"] > 0 and manifest["training"]["hardware"]
    assert manifest["data"]["by_source"]["tasks"] > 0
    assert 0 < manifest["heldout_bits_per_token"] < 16
    table = manifest["heldout_tasks"]["table"]
    assert set(table) == {"python", "javascript", "typescript", "java", "go", "all"}


def test_generate_uses_the_shipped_model_by_default(capsys):
    argv = ["generate", "return the sum of a list of integers", "--samples", "2", "--json"]
    assert cli.main(argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert cli.main(argv) == 0
    again = json.loads(capsys.readouterr().out)
    assert [c["code"] for c in first["candidates"]] == [c["code"] for c in again["candidates"]]
    assert all(c["code"].startswith("def") for c in first["candidates"])


def test_signature_prefix_gives_parseable_code_sometimes():
    gen = Generator.load(model_store.DEFAULT_DIR)
    result = gen.generate("Return the sum of two integers a and b.", "python", samples=4,
                          prefix="def add_two(a, b):\n", seed=0)
    assert all(c.code.startswith("def add_two(a, b):") for c in result.candidates)
    assert any(syntax.is_valid(c.code, "python") for c in result.candidates)


# Sandboxed checks of a printed program: the one function it defines, found by name-free
# inspection of its namespace (the test driver's own names start with _adjax_).
_FUNCTIONS = ("_fns = [v for k, v in list(globals().items())\n"
              "        if callable(v) and not k.startswith(('__', '_adjax_'))]\n")
ONE_FUNCTION = _FUNCTIONS + "assert len(_fns) == 1\n"
SUMS = _FUNCTIONS + "".join(f"assert _fns[0]({xs!r}) == {sum(xs)!r}\n"
                            for xs in ([1, 2, 3], [], [-4, 10, 0.5]))


def test_the_readme_first_command_prints_working_code(capsys):
    """The README's first command, as a fresh machine runs it, prints one Python function;
    with the seeds the README names it sums lists (checked by running it in the sandbox,
    never in this process nor by its text), and with the default seed it does not (the
    README says so)."""
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    spec = "return the sum of a list of numbers"
    assert f'adjax generate "{spec}" --language python' in readme
    assert "`--seed 2` and `--seed 4` print `return sum(xs)`" in readme
    seeds = (0, 2, 4)
    codes = []
    for seed in seeds:
        assert cli.main(["generate", spec, "--language", "python", "--seed", str(seed)]) == 0
        codes.append(capsys.readouterr().out)
    sandbox = execution.Sandbox()
    shapes = rewards.functional_results(codes, "python", ONE_FUNCTION, sandbox)
    for code, result in zip(codes, shapes, strict=True):
        assert (result.tests_passed, result.tests_total) == (1, 1), (code, result)
    # A body that raises (an undefined name) fails its cases: it does not sum.
    runs = rewards.functional_results(codes, "python", SUMS, sandbox)
    assert all(r.tests_total == 3 for r in runs), runs
    sums = {seed: r.tests_passed == 3 for seed, r in zip(seeds, runs, strict=True)}
    assert sums == {0: False, 2: True, 4: True}, (sums, codes)
