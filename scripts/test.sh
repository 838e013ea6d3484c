#!/usr/bin/env bash
# The test command on any machine: install the missing toolchains (scripts/
# install-toolchains.sh), the locked environment, then pytest on every core with the
# arguments given.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-toolchains.sh
export PATH="$HOME/.local/bin:$PATH"
uv sync --locked
# One worker per core (pytest-xdist): the suite takes about 10 minutes on two; `-n 0`
# after it runs in one process.
uv run pytest -n auto "$@"
