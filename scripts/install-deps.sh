#!/usr/bin/env bash
# Installs the npm dependencies exactly as locked, only when they are missing or the lockfile
# changed since the last install, then builds dist/. Quick the second time.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=node_modules/.composed-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  # Two dependencies are native addons built by node-gyp at install (unix-dgram, and
  # native/peer-credentials for the socket's SO_PEERCRED): it needs a C/C++ compiler, make and python3.
  missing=$(for tool in g++ make python3; do command -v "$tool" >/dev/null 2>&1 || echo "$tool"; done)
  if [ -n "$missing" ]; then
    echo "install-deps: installing the addons' build tools: $(echo $missing)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q g++ make python3 >/dev/null
  fi
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi
npm run --silent build
