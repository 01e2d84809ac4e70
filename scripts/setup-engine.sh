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

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${APT_UPDATED:-}" ]; then
    apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

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
  for _ in $(seq 1 120); do
    if engine_answers; then say "engine is up"; return; fi
    sleep 0.5
  done
  say "dockerd did not answer within 60 s; its log ($DOCKERD_LOG) ends with:"
  tail -n 20 "$DOCKERD_LOG" >&2 || true
  exit 1
}

# A busybox rootfs from Debian's static build: sh, httpd (with CGI), nc, wget, enough for every test.
import_busybox() {
  if [ ! -x /bin/busybox ] || ! /bin/busybox --list >/dev/null 2>&1 || ! file_is_static /bin/busybox; then
    apt_install busybox-static
  fi
  local root
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/var/www" "$root/root" "$root/data"
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  local applet
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  tar -C "$root" -c . | docker import -c 'CMD ["sh"]' -c 'ENV PATH=/bin' - "$IMAGE" >/dev/null
  rm -rf "$root"
  say "made $IMAGE from busybox-static"
}

# Debian's busybox package is dynamically linked; busybox-static replaces it with a static build.
file_is_static() { ! grep -q 'ld-linux' "$1" 2>/dev/null; }

ensure_images() {
  if docker image inspect "$IMAGE" >/dev/null 2>&1; then return; fi
  if timeout 30 docker pull -q "$IMAGE" >/dev/null 2>&1; then
    say "pulled $IMAGE"
    return
  fi
  import_busybox
}

ensure_engine
ensure_images
