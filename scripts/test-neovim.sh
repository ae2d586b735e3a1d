#!/usr/bin/env bash
# The language server under Neovim (Debian's, headless) as an independent LSP client.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v nvim >/dev/null || bash scripts/ensure-debian.sh neovim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp test/fixtures/c/klp_module.c test/fixtures/checks/source/klp_checks.c "$work/"
# -n: no swap file; HOME and XDG dirs point into the temp dir so nothing is written elsewhere.
HOME="$work" XDG_STATE_HOME="$work" XDG_DATA_HOME="$work" XDG_CONFIG_HOME="$work" \
LSP_SERVER="$PWD/dist/server.js" LSP_FILE="$work/klp_module.c" LSP_HOVER_FILE="$work/klp_checks.c" \
LSP_PATCH="$PWD/samples/patches/pick-next-task-inlined-into-schedule.patch" \
  timeout 120 nvim --headless --clean -n -u NONE -c 'luafile test/neovim/lsp-check.lua'
