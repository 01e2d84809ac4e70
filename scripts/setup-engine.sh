#!/usr/bin/env bash
# Makes sure a Docker engine answers and the images the tests and examples use exist.
# Idempotent: with an engine up and the images present it does nothing and takes well under a second.
#
# - No engine answers: install Debian's docker.io (apt) if dockerd is missing, start dockerd in the
#   background with its log in $COMPOSED_DOCKERD_LOG, wait until `docker info` answers.
# - Images: `busybox:latest` is pulled when a registry is reachable; otherwise (no registry here) it
#   is made with `docker import` from Debian's busybox-static.
set -euo pipefail

DOCKERD_LOG=${COMPOSED_DOCKERD_LOG:-/var/log/composed-dockerd.log}
IMAGE=${COMPOSED_TEST_IMAGE:-busybox:latest}

say() { printf 'setup-engine: %s\n' "$*" >&2; }
# apt_install, wait_until_answers, import_busybox
source "$(dirname "${BASH_SOURCE[0]}")/lib/engine-setup.sh"

engine_answers() { timeout 10 docker info >/dev/null 2>&1; }

ensure_engine() {
  if engine_answers; then return; fi
  if ! command -v dockerd >/dev/null 2>&1; then
    say "no Docker engine: installing Debian's docker.io"
    apt_install docker.io
  fi
  if ! command -v docker >/dev/null 2>&1; then apt_install docker.io; fi
  if ! pgrep -x dockerd >/dev/null 2>&1; then
    say "starting dockerd (log: $DOCKERD_LOG)"
    mkdir -p "$(dirname "$DOCKERD_LOG")"
    setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
  fi
  wait_until_answers dockerd 60 "$DOCKERD_LOG" engine_answers
}

ensure_images() {
  if docker image inspect "$IMAGE" >/dev/null 2>&1; then return; fi
  if timeout 30 docker pull -q "$IMAGE" >/dev/null 2>&1; then
    say "pulled $IMAGE"
    return
  fi
  import_busybox docker "$IMAGE"
  say "made $IMAGE from busybox-static"
}

ensure_engine
ensure_images
