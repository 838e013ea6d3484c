import os

# Eight fake CPU devices for the sharding tests; set before jax is imported anywhere.
os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=8")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
# CLI calls in tests leave the user's compilation cache alone (one test turns it on).
os.environ["ADJAX_COMPILATION_CACHE"] = "off"
# The suite's own JAX compilation cache, shared by the pytest workers and every process a
# test starts: the same programs (the shipped model's sampler, the tiny models' steps) are
# compiled once a run rather than once a process. A compiled program is keyed by its HLO,
# the JAX version and the device, so a cached one runs exactly as a fresh compile would.
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", os.path.join(
    os.environ.get("TMPDIR", "/tmp"), f"adjax-test-jax-cache-{os.getuid()}"))
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0.2")

import shutil  # noqa: E402

import jax  # noqa: E402
import pytest  # noqa: E402

TOOLCHAINS = ("python3", "node", "tsc", "javac", "java", "go", "bwrap")


def pytest_sessionstart(session):
    """The tests run generated code in five languages under bubblewrap: say at once what is
    missing and how to install it, instead of failing test by test."""
    missing = [t for t in TOOLCHAINS if shutil.which(t) is None]
    if missing and not os.environ.get("ADJAX_ALLOW_MISSING_TOOLCHAINS"):
        pytest.exit(f"missing toolchains: {', '.join(missing)}. Run `bash scripts/test.sh` "
                    "(installs them, then runs the tests) or `bash "
                    "scripts/install-toolchains.sh`; ADJAX_ALLOW_MISSING_TOOLCHAINS=1 runs "
                    "the tests anyway", returncode=4)
    from adjax_code.judge import execution

    if not execution.bwrap_works():  # a container without user namespaces: opt in, said so
        os.environ.setdefault("ADJAX_SANDBOX", "rlimits")
from flax import nnx  # noqa: E402

from adjax.config import NetConfig  # noqa: E402
from adjax.nets import Transformer  # noqa: E402
from adjax.nets.functional import split  # noqa: E402


def make_net_cfg(**overrides) -> NetConfig:
    base = dict(vocab_size=12, d_model=32, n_heads=4, n_layers=1, max_len=16)
    base.update(overrides)
    return NetConfig(**base)


def make_model(seed: int = 0, **overrides):
    """A tiny transformer as (ModelFns, params)."""
    return split(Transformer(make_net_cfg(**overrides), rngs=nnx.Rngs(seed)))


@pytest.fixture
def tiny_model():
    return make_model()


@pytest.fixture
def key():
    return jax.random.key(0)


TINY_CODE_RUN = ["train.steps=20", "train.eval_every=10", "train.checkpoint_every=20",
                 "train.batch_size=8", "data.max_files=0", "optim.total_steps=20",
                 "sampler.num_steps=8"]


@pytest.fixture(scope="session")
def code_run_dir(tmp_path_factory):
    """A tiny code model trained for 20 steps on the task suite (a training run directory)."""
    from adjax_code.model import configs
    from adjax_code.train import trainer

    out = tmp_path_factory.mktemp("code-run")
    cfg = configs.load("tiny").override(TINY_CODE_RUN)
    trainer.run(cfg, out, progress=False, log=lambda m: None)
    return out
