#!/usr/bin/env bash
# Installs what the tests need beyond Go: Debian's Chromium for the browser
# tests (test libraries must not download a browser of their own).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "test-deps: chromium is missing; install Debian's 'chromium' package (needs root)" >&2
  exit 1
fi
echo "test-deps: installing chromium (Debian package)…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
chromium --version
