#!/usr/bin/env bash
# Makes sure the headless browser the dashboard's browser test drives exists: Debian's `chromium`,
# installed with apt when /usr/bin/chromium is missing. Idempotent: with it present this does nothing.
# playwright-core never downloads a browser of its own (it cannot here: no host but the package
# registries answers); the test points it at /usr/bin/chromium.
set -euo pipefail

BROWSER=${COMPOSED_CHROMIUM:-/usr/bin/chromium}

say() { printf 'setup-browser: %s\n' "$*" >&2; }

if [ -x "$BROWSER" ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  say "$BROWSER is missing and installing it needs root: run 'apt-get install chromium' (the dashboard's browser test fails without it)"
  exit 1
fi
say "installing Debian's chromium for the dashboard's browser test"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core </dev/null >/dev/null
"$BROWSER" --version >&2
