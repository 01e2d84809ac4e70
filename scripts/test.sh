#!/usr/bin/env bash
# The whole test suite: engine and images ready, dependencies installed, built, then every test
# (unit, conformance, integration and e2e against the real engine).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-engine.sh
bash scripts/setup-registry.sh
bash scripts/setup-browser.sh
bash scripts/install-deps.sh
npm run --silent typecheck
npx vitest run "$@"
# Then, alone on the engine, the reduced fault suite (docs/faults.md); skipped when arguments pick tests.
[ $# -gt 0 ] || FAULTS_PROFILE=reduced exec npx vitest run --config test/faults/vitest.config.ts
