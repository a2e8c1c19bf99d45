#!/usr/bin/env bash
# System packages the test suite needs. Idempotent: installs only what is missing.
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# Playwright drives Debian's Chromium (its own browser download is not reachable here).
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# The production routing (deploy/nginx.conf) is run for real by tests/system/test_nginx_routing.py.
[ -x /usr/sbin/nginx ] || need+=(nginx)
# axe-core for the browser tests' accessibility checks comes from the npm registry (tests/browser/axe).
command -v npm >/dev/null 2>&1 || need+=(npm)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing system packages: ${need[*]}. Install them (e.g. sudo apt-get install ${need[*]})." >&2
    exit 1
  fi
  echo "Installing ${need[*]} ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# The pinned axe-core (package-lock.json: exact version and integrity hash).
AXE_DIR="$(dirname "$0")/../tests/browser/axe"
if [ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]; then
  echo "Installing axe-core (tests/browser/axe) ..."
  npm ci --prefix "$AXE_DIR" --no-audit --no-fund --silent
fi
