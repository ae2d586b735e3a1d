#!/usr/bin/env bash
# `npm test`: every suite, in order of cost. A failing suite does not stop the others, so one
# run shows everything that is broken; the exit status and the last line sum them up.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-debian.sh || exit 1
# Debian's kernel and hypervisor are large artifacts: never a requirement of `npm test`. The
# real-machine tests skip with a line naming what is missing unless they are installed
# (`npm run test:real-machines` installs them and runs those tests).
[ -z "${LIVEPATCH_LENS_REAL_MACHINES:-}" ] || bash scripts/ensure-vm.sh || exit 1
npm run -s build || { echo "build failed"; exit 1; }
npm run -s samples || { echo "building the samples failed"; exit 1; }

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
status=0
stage() {
  local name=$1; shift
  echo "== $name"
  "$@" 2>&1 | tee "$logs/$name.log"
  local rc=${PIPESTATUS[0]}
  [ "$rc" = 0 ] || { echo "== $name FAILED (exit $rc)"; status=1; }
}

stage lint node scripts/lint.mjs
stage unit-and-lsp node --test --test-reporter=tap test/out/unit test/out/lsp test/out/fuzz
stage neovim bash scripts/test-neovim.sh
stage package bash -c 'npm run -s package >/dev/null && node --test --test-reporter=tap test/out/package'
stage vscode bash scripts/test-vscode.sh
# Playwright in the same VS Code: the walkthrough as a user follows it, screenshots in test/out/screenshots.
stage ui node --test --test-reporter=tap test/out/ui

passed=0; failed=0
for log in "$logs"/*.log; do
  read -r p f < <(awk '
    /^# pass [0-9]+$/ { p += $3 } /^# fail [0-9]+$/ { f += $3 }
    /^[a-z0-9]+: [0-9]+ passed, [0-9]+ failed$/ { p += $2; f += $4 }
    END { print p + 0, f + 0 }' "$log")
  passed=$((passed + p)); failed=$((failed + f))
done
[ "$status" = 0 ] || [ "$failed" -gt 0 ] || failed=1   # a suite that died before counting
echo "$passed passed, $failed failed"
exit $status
