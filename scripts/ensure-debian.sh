#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, only those missing, so a fresh
# machine works with `npm ci && npm test` alone and a warm one pays nothing.
set -euo pipefail
want=(gcc binutils make patch gdb chromium libkrb5-dev ripgrep neovim curl "$@")
need=()
for p in "${want[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
((${#need[@]})) || exit 0
echo "[deps] installing from Debian: ${need[*]}"
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
