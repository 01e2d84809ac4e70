#!/usr/bin/env bash
# Makes Podman's Docker-compatible API answer on $PODMAN_SOCKET with the test image imported, so the
# engine matrix (`npm run test:engines`) can run the tests against it with DOCKER_HOST.
# Idempotent: with the service up and the image present it does nothing.
#
# - Installs Debian's podman (apt-get update once first) when it is missing.
# - Podman 4.3 sets each container's ulimits from containers.conf; its built-in default (nofile
#   1048576) is above this sandbox's hard limit and every start fails with "setrlimit RLIMIT_NOFILE:
#   operation not permitted". When the host's hard limit is lower, containers.conf gets limits that fit.
# - Starts `podman system service --time=0` in the background (log: $PODMAN_LOG) and waits for _ping.
# - Imports busybox from Debian's busybox-static (scripts/lib/engine-setup.sh, as for Docker).
set -euo pipefail

PODMAN_SOCKET=${PODMAN_SOCKET:-/run/podman/podman.sock}
PODMAN_LOG=${PODMAN_LOG:-/var/log/composed-podman.log}
IMAGE=${COMPOSED_TEST_IMAGE:-busybox:latest}
CONTAINERS_CONF=/etc/containers/containers.conf

say() { printf 'setup-podman: %s\n' "$*" >&2; }
# apt_install, wait_until_answers, import_busybox
source "$(dirname "${BASH_SOURCE[0]}")/lib/engine-setup.sh"

ensure_podman() {
  if command -v podman >/dev/null 2>&1; then return; fi
  say "installing Debian's podman"
  apt_install podman
}

ensure_ulimits() {
  if [ -f "$CONTAINERS_CONF" ] && grep -q '^default_ulimits' "$CONTAINERS_CONF"; then return; fi
  local hard
  hard=$(ulimit -Hn)
  if [ "$hard" = unlimited ] || [ "$hard" -ge 1048576 ]; then return; fi
  say "host nofile hard limit is $hard: writing default_ulimits to $CONTAINERS_CONF"
  mkdir -p "$(dirname "$CONTAINERS_CONF")"
  if [ -f "$CONTAINERS_CONF" ] && grep -q '^\[containers\]' "$CONTAINERS_CONF"; then
    sed -i '/^\[containers\]/a default_ulimits = ["nofile=20000:20000","nproc=32768:32768"]' "$CONTAINERS_CONF"
  else
    printf '[containers]\ndefault_ulimits = ["nofile=20000:20000","nproc=32768:32768"]\n' >>"$CONTAINERS_CONF"
  fi
}

service_answers() {
  timeout 5 curl -fsS --unix-socket "$PODMAN_SOCKET" http://d/_ping >/dev/null 2>&1
}

ensure_service() {
  if service_answers; then return; fi
  command -v curl >/dev/null 2>&1 || apt_install curl
  mkdir -p "$(dirname "$PODMAN_SOCKET")" "$(dirname "$PODMAN_LOG")"
  say "starting podman system service on $PODMAN_SOCKET (log: $PODMAN_LOG)"
  # From /: conmon leaves an empty `oom` file in its working directory when a container is OOM-killed.
  (cd / && setsid nohup podman system service --time=0 "unix://$PODMAN_SOCKET" >>"$PODMAN_LOG" 2>&1 </dev/null &)
  wait_until_answers "podman service" 30 "$PODMAN_LOG" service_answers
}

ensure_images() {
  if podman image exists "docker.io/library/$IMAGE"; then return; fi
  import_busybox podman "$IMAGE"
  # Podman names an unqualified import localhost/busybox:latest; the tag makes `busybox:latest` resolve
  # through Docker's default registry name too, which is what compose files and the tests write.
  podman tag "$IMAGE" "docker.io/library/$IMAGE" >/dev/null
  say "made $IMAGE from busybox-static in podman"
}

ensure_podman
ensure_ulimits
ensure_images
ensure_service
