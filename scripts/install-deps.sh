#!/usr/bin/env bash
# Installs the npm dependencies exactly as locked, only when they are missing or the lockfile
# changed since the last install, then builds dist/. Quick the second time.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=node_modules/.composed-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi
npm run --silent build
