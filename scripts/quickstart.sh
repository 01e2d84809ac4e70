#!/usr/bin/env bash
# Sets everything up on a fresh Debian machine (as root) and runs the main job: the daemon
# supervising examples/compose.yaml, then `composed status`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-engine.sh
bash scripts/install-deps.sh
ln -sf "$PWD/dist/cli/main.js" /usr/local/bin/composed
composed up -f examples/compose.yaml --wait
composed status -f examples/compose.yaml
