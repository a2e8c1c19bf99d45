#!/usr/bin/env bash
# System packages the test suite needs. Idempotent: installs only what is missing.
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# Playwright drives Debian's Chromium (its own browser download is not reachable here).
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# The production routing (deploy/nginx.conf) is run for real by tests/system/test_nginx_routing.py.
[ -x /usr/sbin/nginx ] || need+=(nginx)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing system packages: ${need[*]}. Install them (e.g. sudo apt-get install ${need[*]})." >&2
    exit 1
  fi
  echo "Installing ${need[*]} ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
