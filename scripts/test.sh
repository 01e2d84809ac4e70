#!/usr/bin/env bash
# The whole test suite: engine and images ready, dependencies installed, built, then every test
# (unit, conformance, integration and e2e against the real engine).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-engine.sh
bash scripts/install-deps.sh
npm run --silent typecheck
exec npx vitest run "$@"
