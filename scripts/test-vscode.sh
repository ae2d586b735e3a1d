#!/usr/bin/env bash
# The end-to-end suite in a real VS Code: the VS Code server from the code-server npm package
# (installed once, outside the repository, by ensure-code-server.sh), the extension taken from
# the packaged .vsix (so what users install is what is tested), and the mocha suite of
# test/out/e2e running inside its Node extension host. Prints `e2e: N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PORT="${E2E_PORT:-18391}"
SERVER_MAIN=$(bash scripts/ensure-code-server.sh)
CS_BIN="$(dirname "$(dirname "$(dirname "$(dirname "$SERVER_MAIN")")")")/out/node/entry.js"
[ -f livepatch-lens.vsix ] || npm run -s package >/dev/null

RUN=$(mktemp -d /tmp/livepatch-e2e.XXXXXX)
mkdir -p "$RUN/ws" "$RUN/ext" "$RUN/user" "$RUN/server" "$RUN/home"
export HOME="$RUN/home" XDG_CONFIG_HOME="$RUN/home/.config" XDG_DATA_HOME="$RUN/home/.local/share"
cp test/fixtures/c/*.c samples/payloads/klp/livepatch-sample.c samples/payloads/xen/xen_hello_world.c test/fixtures/checks/source/klp_checks.c samples/patches/*.patch samples/build/payloads/xen/xen_hello_world.livepatch samples/build/payloads/xen/xen_prepost_hooks.livepatch samples/build/payloads/klp/livepatch-sample.ko "$RUN/ws/"

# What a user does: install the .vsix. Then run the suite against exactly those files.
node "$CS_BIN" --extensions-dir "$RUN/ext" --user-data-dir "$RUN/user" --install-extension "$ROOT/livepatch-lens.vsix" > "$RUN/install.log" 2>&1
INSTALLED=$(ls -d "$RUN/ext"/livepatch-lens.livepatch-lens-* 2>/dev/null | head -1)
if [ -z "$INSTALLED" ] || [ ! -f "$INSTALLED/dist/server.js" ]; then
  cat "$RUN/install.log"; echo "e2e: 0 passed, 1 failed"; exit 1
fi
# Tested as the development extension, so it must not also load as an installed one.
mv "$INSTALLED" "$RUN/extension"

export E2E_WORKSPACE="$RUN/ws" E2E_RESULT_FILE="$RUN/result.json"
setsid node "$SERVER_MAIN" --host 127.0.0.1 --port "$PORT" --without-connection-token \
  --accept-server-license-terms --enable-smoke-test-driver --disable-telemetry --disable-workspace-trust \
  --extensions-dir "$RUN/ext" --user-data-dir "$RUN/user" --server-data-dir "$RUN/server" > "$RUN/server.log" 2>&1 &
SERVER_PID=$!
stop_server() {
  kill -- -"$SERVER_PID" 2>/dev/null || return 0
  for _ in $(seq 1 20); do kill -0 -- -"$SERVER_PID" 2>/dev/null || return 0; sleep 0.25; done
  kill -9 -- -"$SERVER_PID" 2>/dev/null || true
}
trap stop_server EXIT
for _ in $(seq 1 120); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.5; done
if ! curl -sf -o /dev/null "http://127.0.0.1:$PORT/"; then
  tail -30 "$RUN/server.log"; echo "e2e: 0 passed, 1 failed"; exit 1
fi

set +e
VSCODE_URL="http://127.0.0.1:$PORT" EXT_DEV_PATH="$RUN/extension" EXT_TESTS_PATH="$ROOT/test/out/e2e/index.js" \
  WORKSPACE="$RUN/ws" SCREENSHOT="$RUN/final.png" timeout 600 node scripts/vscode-workbench.mjs
rc=$?
set -e
if ! node -e 'const r=require(process.argv[1]);console.log(`e2e: ${r.passes} passed, ${r.failures} failed`);process.exit(r.failures||!r.passes?1:0)' "$E2E_RESULT_FILE" 2>/dev/null; then
  [ -f "$E2E_RESULT_FILE" ] || echo "e2e: 0 passed, 1 failed"
  rc=1
fi
echo "[e2e] logs in $RUN"
exit $rc
