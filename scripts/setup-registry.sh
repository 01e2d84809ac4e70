#!/usr/bin/env bash
# Makes a local image registry answer on $COMPOSED_TEST_REGISTRY (default 127.0.0.1:5055), for the
# tests that follow image tags. Idempotent: with the registry up it does nothing.
#
# - Installs Debian's docker-registry (the CNCF distribution registry 2.8) when it is missing; the
#   package's own service is not used (its config asks for htpasswd auth and port 5000 on every address).
# - Starts it in the background with its storage in a fresh temporary directory (the tests push
#   what they need; nothing outlasts the machine) and its log in $COMPOSED_REGISTRY_LOG, and waits
#   until GET /v2/ answers.
#
# Plain HTTP on loopback is enough for the engine: dockerd trusts 127.0.0.0/8 as an insecure
# registry by default. Seen on docker.io 20.10 here: `docker info --format '{{json .RegistryConfig}}'`
# prints "InsecureRegistryCIDRs":["127.0.0.0/8"] with no daemon.json, and pushes to
# 127.0.0.1:5055/app:latest go over http without any configuration.
set -euo pipefail

ADDRESS=${COMPOSED_TEST_REGISTRY:-127.0.0.1:5055}
REGISTRY_LOG=${COMPOSED_REGISTRY_LOG:-/var/log/composed-registry.log}

say() { printf 'setup-registry: %s\n' "$*" >&2; }
# apt_install, wait_until_answers
source "$(dirname "${BASH_SOURCE[0]}")/lib/engine-setup.sh"

registry_answers() { curl -fs -o /dev/null --max-time 2 "http://$ADDRESS/v2/"; }

ensure_registry() {
  if registry_answers; then return; fi
  if ! command -v docker-registry >/dev/null 2>&1; then
    say "installing Debian's docker-registry"
    apt_install docker-registry
  fi
  local dir
  dir=$(mktemp -d /tmp/composed-registry.XXXXXX)
  cat >"$dir/config.yml" <<CONFIG
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: $ADDRESS
CONFIG
  say "starting docker-registry on $ADDRESS (storage: $dir/storage, log: $REGISTRY_LOG)"
  mkdir -p "$(dirname "$REGISTRY_LOG")"
  setsid nohup docker-registry serve "$dir/config.yml" >>"$REGISTRY_LOG" 2>&1 </dev/null &
  wait_until_answers docker-registry 30 "$REGISTRY_LOG" registry_answers
}

ensure_registry
