#!/usr/bin/env bash
# The engine matrix: the tests that matter for running on an engine (replacement, volumes, health,
# depends_on, roll-out, balancer, autoscale, down, events, CPU, engine info) against each engine in
# $ENGINES (default: docker podman). Docker is the default socket (scripts/setup-engine.sh); Podman's
# Docker-compatible API is started by scripts/setup-podman.sh and reached with DOCKER_HOST.
# Each engine's run is reported on its own; the script fails if any failed. Arguments pick test files.
set -uo pipefail
cd "$(dirname "$0")/.."

ENGINES=${ENGINES:-docker podman}
PODMAN_SOCKET=${PODMAN_SOCKET:-/run/podman/podman.sock}
TESTS=(
  test/engines
  test/integration/docker-runtime.test.ts
  test/integration/docker-health.test.ts
  test/integration/docker-events.test.ts
  test/integration/docker-cpu.test.ts
  test/integration/docker-engine-info.test.ts
  test/e2e/supervisor.test.ts
  test/e2e/health.test.ts
  test/e2e/rollout.test.ts
  test/e2e/balancer.test.ts
  test/e2e/autoscale.test.ts
  test/e2e/commands.test.ts
)
[ $# -gt 0 ] && TESTS=("$@")

bash scripts/install-deps.sh >/dev/null  # npm ci when the lockfile changed, then build

failed=()
for engine in $ENGINES; do
  case "$engine" in
    docker)
      bash scripts/setup-engine.sh
      echo "== engine matrix: docker (default socket)"
      env -u DOCKER_HOST npx vitest run "${TESTS[@]}" || failed+=(docker)
      ;;
    podman)
      PODMAN_SOCKET="$PODMAN_SOCKET" bash scripts/setup-podman.sh
      echo "== engine matrix: podman (DOCKER_HOST=unix://$PODMAN_SOCKET)"
      DOCKER_HOST="unix://$PODMAN_SOCKET" npx vitest run "${TESTS[@]}" || failed+=(podman)
      ;;
    *)
      echo "unknown engine $engine (docker or podman)" >&2
      exit 2
      ;;
  esac
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "engine matrix failed on: ${failed[*]}" >&2
  exit 1
fi
echo "engine matrix passed on: $ENGINES"
