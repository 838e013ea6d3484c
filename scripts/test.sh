#!/usr/bin/env bash
# The test command on any machine: install the missing toolchains (scripts/
# install-toolchains.sh), the locked environment, then pytest with the arguments given.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-toolchains.sh
export PATH="$HOME/.local/bin:$PATH"
uv sync --locked
uv run pytest "$@"
