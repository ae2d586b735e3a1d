#!/usr/bin/env bash
# Installs the real VS Code used by the end-to-end tests: the VS Code server inside the
# `code-server` npm package, pinned to the last release that runs on Node 20 (VS Code 1.100.3).
# It lives outside the repository, cached by version, because it compiles native modules and
# must never enter `npm ci`. Prints the path of server-main.js. With --check it installs nothing:
# exit 1 when it is not installed (the UI scenario then skips).
set -euo pipefail
CS_VERSION="${CS_VERSION:-4.100.3}"
VSCODE_HOME="${LIVEPATCH_VSCODE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/livepatch-lens/vscode}"
CS_DIR="$VSCODE_HOME/code-server-$CS_VERSION"
if [ ! -f "$CS_DIR/.complete" ]; then
  [ "${1:-}" != --check ] || exit 1
  bash "$(dirname "$0")/ensure-debian.sh" >&2
  rm -rf "$CS_DIR"; mkdir -p "$CS_DIR"
  echo '{"name":"livepatch-lens-e2e-host","private":true}' > "$CS_DIR/package.json"
  # @vscode/ripgrep's postinstall would download rg from GitHub; it looks in this cache first,
  # and Debian's rg is the same 13.0.0 release.
  RG_CACHE="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"; mkdir -p "$RG_CACHE"
  tar czf "$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C /usr/bin rg
  echo "[e2e] installing code-server $CS_VERSION into $CS_DIR (about 90 s, once)" >&2
  # --unsafe-perm: its postinstall refuses root without it; npm_config_yes: node-pty runs npx.
  (cd "$CS_DIR" && npm_config_yes=true npm install --unsafe-perm --no-audit --no-fund --loglevel=error \
      "code-server@$CS_VERSION" > install.log 2>&1) || { tail -40 "$CS_DIR/install.log" >&2; exit 1; }
  touch "$CS_DIR/.complete"
fi
echo "$CS_DIR/node_modules/code-server/lib/vscode/out/server-main.js"
