"""``adjax doctor`` (is this machine ready?) and ``adjax init`` (a config file for it).

Each check is one ``Check``: a name, a status and a detail line that says what was found or
what to do. ``FAIL`` means the main job cannot work (no grammar, a damaged model); ``WARN``
means a part is missing that only some commands need (a toolchain for running tests).
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import platform
import shutil
import subprocess
import sys
from pathlib import Path

OK, WARN, FAIL = "OK", "WARN", "FAIL"
PACKAGES = ("adjax", "jax", "jaxlib", "flax", "optax", "orbax-checkpoint", "chex", "numpy",
            "tokenizers", "tree-sitter", "tree-sitter-python", "tree-sitter-javascript",
            "tree-sitter-typescript", "tree-sitter-java", "tree-sitter-go")
TOOLCHAINS = {  # executable: (version command, how to install)
    "python3": (["python3", "--version"], "install Python 3"),
    "node": (["node", "--version"], "apt-get install nodejs (JavaScript, TypeScript)"),
    "tsc": (["tsc", "--version"], "npm install -g typescript"),
    "javac": (["javac", "-version"], "apt-get install default-jdk"),
    "java": (["java", "-version"], "apt-get install default-jdk"),
    "go": (["go", "version"], "apt-get install golang-go"),
}


@dataclasses.dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<5} {self.name:<26} {self.detail}"


def _python() -> Check:
    version = platform.python_version()
    ok = sys.version_info >= (3, 11)
    return Check("python", OK if ok else FAIL,
                 version if ok else f"{version}: adjax needs Python 3.11 or newer")


def _packages() -> list[Check]:
    out = []
    for name in PACKAGES:
        try:
            out.append(Check(f"package {name}", OK, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            out.append(Check(f"package {name}", FAIL, "not installed: run `uv sync`"))
    return out


def _jax() -> list[Check]:
    import jax
    import jax.numpy as jnp

    devices = jax.devices()
    kinds = ", ".join(sorted({f"{d.platform}:{d.device_kind}" for d in devices}))
    out = [Check("jax backend", OK, f"{jax.default_backend()} ({len(devices)} device"
                 f"{'s' if len(devices) != 1 else ''}: {kinds})")]
    try:
        x = jnp.ones((16, 16), jnp.bfloat16)
        y = float((x @ x).astype(jnp.float32)[0, 0])
        ok = y == 16.0
        out.append(Check("bfloat16", OK if ok else WARN,
                         f"runs on {devices[0].platform}" if ok else
                         f"wrong result ({y}); use precision float32"))
    except Exception as err:  # pragma: no cover - backend-specific
        out.append(Check("bfloat16", WARN, f"does not run ({err}); use precision float32"))
    return out


def _grammars() -> list[Check]:
    from adjax_code.lang import languages, syntax

    out = []
    for name in languages.names():
        try:
            syntax.parse("x", name)
            out.append(Check(f"grammar {name}", OK, languages.get(name).grammar))
        except Exception as err:
            out.append(Check(f"grammar {name}", FAIL, f"{err}: run `uv sync`"))
    return out


def toolchain_version(cmd: list[str]) -> str | None:
    """The first line a version command prints, or None when it is absent or fails."""
    if shutil.which(cmd[0]) is None:
        return None
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (proc.stdout or proc.stderr).strip().splitlines()
    return text[0] if proc.returncode == 0 and text else None


def _toolchains() -> list[Check]:
    out = []
    for exe, (cmd, fix) in TOOLCHAINS.items():
        version = toolchain_version(cmd)
        out.append(Check(f"toolchain {exe}", OK if version else WARN,
                         version or f"missing (needed to run tests in that language): {fix}"))
    return out


def _model(model_dir: str | Path | None) -> Check:
    from adjax_code.model import model_store

    path = Path(model_dir) if model_dir else model_store.DEFAULT_DIR
    try:
        manifest = model_store.verify(path)
    except model_store.ModelError as err:
        return Check("model", FAIL, f"{err}")
    return Check("model", OK, f"{path}: {len(manifest['files'])} files match their sha256")


def _cache() -> Check:
    from adjax_code.model import runtime

    path = runtime.cache_dir()
    if path is None:
        return Check("compilation cache", WARN, "off (ADJAX_COMPILATION_CACHE=off): every "
                     "run compiles again")
    return Check("compilation cache", OK, str(path))


def _sandbox() -> Check:
    from adjax_code.judge import execution

    mode = execution.mode()
    if mode == "bwrap":
        return Check("sandbox", OK, "mode bwrap: " + ", ".join(execution.Sandbox().protections()))
    if mode == "rlimits":
        return Check("sandbox", WARN, "mode rlimits (ADJAX_SANDBOX=rlimits): resource limits "
                     "only, no network or filesystem isolation; install bubblewrap")
    return Check("sandbox", WARN, "mode refused: generated code will not run. "
                 + execution.WEAK_SANDBOX_HELP)


def run_checks(model_dir: str | Path | None = None) -> list[Check]:
    return [_python(), *_packages(), *_jax(), *_grammars(), *_toolchains(), _model(model_dir),
            _cache(), _sandbox()]


# -- init ---------------------------------------------------------------------------------

def suggested(platform_name: str) -> dict:
    """Config values suited to a JAX platform (cpu, gpu, tpu)."""
    if platform_name in ("gpu", "tpu"):
        return {"device": platform_name, "precision": "bfloat16", "batch_size": 16}
    return {"device": "cpu", "precision": "float32", "batch_size": 4}


def config_text(platform_name: str) -> str:
    """A commented TOML config (``adjax_code.app.api.load_config`` reads it)."""
    from adjax_code.app.api import APIConfig

    values = {**dataclasses.asdict(APIConfig()), **suggested(platform_name)}
    docs = {
        "default_language": "python, javascript, typescript, java or go",
        "adaptation_type": "gradient, memory or hybrid (see adjax_adapt.mechanisms)",
        "gradient_weight": "hybrid: share of updates and candidates from gradient steps",
        "memory_weight": "hybrid: share of candidates started from remembered programs",
        "batch_size": "candidates sampled in parallel; the best by reward is returned",
        "precision": "float32, bfloat16 or float16 (computation; weights stay float32)",
        "device": f"cpu, gpu or tpu (detected: {platform_name})",
        "seed": "the same seed and inputs give the same outputs",
        "steps": "denoising steps (omit for the model's own)",
        "max_length": "output tokens (omit for the model's default)",
        "temperature": "sampling temperature; 0 is greedy",
        "guidance_scale": "classifier-free guidance; 0 is off",
        "repair_rounds": "rounds of remasking syntax errors",
        "adapt_steps": "optimizer steps per adapt_code call",
        "syntax_weight": "weights of the overall reward",
    }
    lines = ["# adjax config, written by `adjax init` for this machine.",
             "# Use it with: adjax improve|refine --config FILE, or",
             "#   create_code_generation_api(config=adjax_code.app.api.load_config(FILE))", ""]
    for key, value in values.items():
        if key in docs:
            lines.append(f"# {docs[key]}")
        if value is None:
            lines.append(f"# {key} =")
        elif isinstance(value, bool):  # TOML spells them true and false
            lines.append(f"{key} = {str(value).lower()}")
        elif isinstance(value, str):
            lines.append(f'{key} = "{value}"')
        else:
            lines.append(f"{key} = {value!r}")
    return "\n".join(lines) + "\n"
