"""The README's and the docs' Python snippets run as written, and the CLI commands they show
exist with the flags they use."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from adjax_code.app import cli

ROOT = Path(__file__).resolve().parent.parent


def blocks(path: Path, lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", path.read_text(), re.S | re.M)


def run_snippets(snippets: list[str], tmp_path: Path, epilogue: str = "") -> str:
    script = tmp_path / "snippets.py"
    script.write_text("\n\n".join(snippets) + "\n" + epilogue)
    env = {**os.environ, "ADJAX_COMPILATION_CACHE": "off", "JAX_PLATFORMS": "cpu"}
    env.pop("XLA_FLAGS", None)
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_readme_python_snippets_run(tmp_path):
    snippets = blocks(ROOT / "README.md", "python")
    assert len(snippets) >= 2
    out = run_snippets(snippets, tmp_path)
    assert (tmp_path / "my-state" / "api.json").is_file()  # the save/load example ran
    assert "overall" in out


def test_architecture_extension_examples_work(tmp_path):
    snippets = blocks(ROOT / "docs" / "architecture.md", "python")
    assert len(snippets) == 3
    run_snippets(snippets, tmp_path, epilogue="""
from adjax_code.judge import rewards
from adjax_code.lang import languages, syntax
from adjax_adapt import mechanisms
assert "python-script" in languages.names()
assert syntax.is_valid("x = 1\\n", "python-script")
assert not syntax.is_valid("def f(:\\n", "python-script")
assert rewards.score(["x = 1\\n"], "python")[0]["short"] == 1.0
assert "replay" in mechanisms.names()
from adjax_code.lang.tokenizer import CodeTokenizer
from adjax_code.model import model_store
tok = CodeTokenizer.load(model_store.DEFAULT_DIR)
assert tok.language_id("python-script") == tok.language_id("python")
""")


def adjax_commands(text: str) -> list[list[str]]:
    """Every ``uv run adjax ...`` command in the bash blocks (continuations joined)."""
    out = []
    for block in re.findall(r"^```bash\n(.*?)^```", text, re.S | re.M):
        for line in block.replace("\\\n", " ").splitlines():
            for part in line.split(";"):
                part = part.strip()
                if "uv run adjax " in part:
                    cmd = part[part.index("uv run adjax ") + len("uv run adjax "):]
                    cmd = cmd.split("&&")[0].split("|")[0]
                    out.append(shlex.split(cmd, comments=True))
    return out


def test_readme_cli_commands_parse():
    commands = adjax_commands((ROOT / "README.md").read_text())
    assert {"generate", "evaluate", "improve", "refine", "adapt", "train", "eval", "doctor",
            "init", "model"} <= {c[0] for c in commands}
    parser = cli.build_parser()
    for argv in commands:
        try:
            parser.parse_args(argv)
        except SystemExit as err:  # pragma: no cover - the failure message
            pytest.fail(f"README command does not parse: adjax {shlex.join(argv)} ({err})")


def test_package_imports_run_one_way():
    """adjax imports neither adjax_adapt nor adjax_code; adjax_adapt does not import
    adjax_code (docs/architecture.md)."""
    import ast

    forbidden = {"adjax": ("adjax_adapt", "adjax_code"), "adjax_adapt": ("adjax_code",)}
    for package, names in forbidden.items():
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and node.module:
                    mods = [node.module]
                elif isinstance(node, ast.Import):
                    mods = [a.name for a in node.names]
                else:
                    continue
                for mod in mods:
                    assert mod.split(".")[0] not in names, f"{path} imports {mod}"


# adjax_code's layers from the ground up (docs/architecture.md): a module imports only from
# its own layer or the layers below it.
LAYERS = ("lang", "judge", "tasks", "corpus", "model", "generate", "evaluate", "train",
          "adapt", "app")


def _imports(path: Path):
    import ast

    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, []


def test_code_layers_import_down_only():
    """Every adjax_code module lives in a layer, and imports run down the layers."""
    rank = {name: i for i, name in enumerate(LAYERS)}
    for path in (ROOT / "adjax_code").rglob("*.py"):
        rel = path.relative_to(ROOT / "adjax_code").parts
        if len(rel) == 1:
            assert rel[0] == "__init__.py", f"{path} is outside every layer"
            continue
        assert rel[0] in rank, f"{path} is in no known layer ({', '.join(LAYERS)})"
        for module, names in _imports(path):
            parts = module.split(".")
            if parts[0] != "adjax_code":
                continue
            target = parts[1] if len(parts) > 1 else None
            if target is None:  # from adjax_code import <layer>
                assert all(n in rank for n in names), f"{path} imports {names} from adjax_code"
                targets = names
            else:
                targets = [target]
            for t in targets:
                assert rank[t] <= rank[rel[0]], f"{path} ({rel[0]}) imports up into {t}"


def test_no_private_names_cross_modules():
    """A module's underscored names stay in it: no other module or test imports them."""
    for package in ("adjax", "adjax_adapt", "adjax_code", "tests"):
        for path in (ROOT / package).rglob("*.py"):
            for module, names in _imports(path):
                if module.split(".")[0] not in ("adjax", "adjax_adapt", "adjax_code"):
                    continue
                private = [n for n in names if n.startswith("_") and not n.startswith("__")]
                assert not private, f"{path} imports private {private} from {module}"


def _runs_here(argv: list[str]) -> bool:
    """The README's commands that need nothing but this checkout and run in seconds."""
    if any("$" in a for a in argv):
        return False
    if argv[0] == "generate":
        if "--input" in argv:  # a batch job reads the user's file
            return False
        model = argv[argv.index("--model") + 1] if "--model" in argv else None
        return model in (None, "runs/dream-tiny")
    if argv[:2] == ["model", "import"]:
        return argv[2].startswith("tests/fixtures/")
    return argv[:2] == ["model", "verify"]


def test_readme_fast_commands_run(tmp_path):
    """Every README command that can run here quickly runs as written (from a directory
    where the README's relative paths resolve) and exits 0."""
    import subprocess
    import sys

    (tmp_path / "tests").symlink_to(ROOT / "tests")
    commands = [c for c in adjax_commands((ROOT / "README.md").read_text()) if _runs_here(c)]
    assert {c[0] for c in commands} == {"generate", "model"}
    assert ["model", "import", "tests/fixtures/hf/dream", "--out", "runs/dream-tiny"] in commands
    for argv in commands:
        proc = subprocess.run([sys.executable, "-m", "adjax_code.app.cli", *argv], cwd=tmp_path,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, f"adjax {shlex.join(argv)}: {proc.stderr[-1500:]}"


def test_no_import_circles():
    """No module imports another that imports it back, directly or around a loop, at
    module level or inside a function."""
    graph = {}
    for package in ("adjax", "adjax_adapt", "adjax_code"):
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(
                ".__init__")
            targets = set()
            for module, names in _imports(path):
                if module.split(".")[0] not in ("adjax", "adjax_adapt", "adjax_code"):
                    continue
                for n in names or [None]:  # `from pkg import module` names a module
                    full = f"{module}.{n}" if n else module
                    targets.add(full if (ROOT / (full.replace(".", "/") + ".py")).is_file()
                                else module)
            graph[name] = targets - {name}
    done, stack = set(), []

    def visit(node):
        if node in stack:
            raise AssertionError("import circle: " + " -> ".join(
                stack[stack.index(node):] + [node]))
        if node in done or node not in graph:
            return
        stack.append(node)
        for t in sorted(graph[node]):
            visit(t)
        stack.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node)
