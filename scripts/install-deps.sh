#!/usr/bin/env bash
# Installs the npm dependencies exactly as locked, only when they are missing or out of date, then
# builds dist/. Quick the second time.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || ! cmp -s <(node -e 'const l=require("./package-lock.json");delete l.packages[""];console.log(JSON.stringify(l.packages))') \
  <(node -e 'const l=require("./node_modules/.package-lock.json");console.log(JSON.stringify(l.packages))'); then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
