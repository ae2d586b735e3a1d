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
mkdir -p "$RUN/ws" "$RUN/ext" "$RUN/user" "$RUN/home"
export HOME="$RUN/home" XDG_CONFIG_HOME="$RUN/home/.config" XDG_DATA_HOME="$RUN/home/.local/share"
cp test/fixtures/c/*.c samples/payloads/klp/livepatch-sample.c samples/payloads/xen/xen_hello_world.c test/fixtures/checks/source/klp_checks.c samples/patches/*.patch samples/build/payloads/xen/xen_hello_world.livepatch samples/build/payloads/xen/xen_replace_world.livepatch samples/build/payloads/xen/xen_prepost_hooks.livepatch samples/build/payloads/klp/livepatch-sample.ko samples/build/payloads/klp/sleepy-work.ko samples/build/payloads/klp/lp-sleepy-patch.ko "$RUN/ws/"

# What a user does: install the .vsix. Then run the suite against exactly those files.
node "$CS_BIN" --extensions-dir "$RUN/ext" --user-data-dir "$RUN/user" --install-extension "$ROOT/livepatch-lens.vsix" > "$RUN/install.log" 2>&1
INSTALLED=$(ls -d "$RUN/ext"/livepatch-lens.livepatch-lens-* 2>/dev/null | head -1)
if [ -z "$INSTALLED" ] || [ ! -f "$INSTALLED/dist/server.js" ]; then
  cat "$RUN/install.log"; echo "e2e: 0 passed, 1 failed"; exit 1
fi
# Tested as the development extension, so it must not also load as an installed one.
mv "$INSTALLED" "$RUN/extension"

SERVER_PID=
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill -- -"$SERVER_PID" 2>/dev/null || { SERVER_PID=; return 0; }
  for _ in $(seq 1 20); do kill -0 -- -"$SERVER_PID" 2>/dev/null || { SERVER_PID=; return 0; }; sleep 0.25; done
  kill -9 -- -"$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}
trap stop_server EXIT

# One VS Code server and one mocha run: `run_suite NAME [server flags...]`; the result in $RUN/NAME.json.
run_suite() {
  local name=$1; shift
  # Its own copy of the workspace: a suite's edits (a quick fix saved) must not reach the next one.
  cp -r "$RUN/ws" "$RUN/$name-ws"
  mkdir -p "$RUN/$name-user" "$RUN/$name-server"
  # The suite's own profile; the untrusted one must not be asked at startup to trust the folder.
  # VS Code in a browser saves a dirty file after 1 s by default (desktop: never): a suite that
  # applies a quick fix and reverts it would then race the save, and the next suite read the fix.
  mkdir -p "$RUN/$name-user/User" && echo "{ \"security.workspace.trust.startupPrompt\": \"never\", \"files.autoSave\": \"off\"${E2E_TRACE:+, \"livepatch.trace.server\": \"messages\"} }" > "$RUN/$name-user/User/settings.json"
  E2E_WORKSPACE="$RUN/$name-ws" E2E_RESULT_FILE="$RUN/$name.json" setsid node "$SERVER_MAIN" --host 127.0.0.1 --port "$PORT" --without-connection-token \
    --accept-server-license-terms --enable-smoke-test-driver --disable-telemetry "$@" \
    --extensions-dir "$RUN/ext" --user-data-dir "$RUN/$name-user" --server-data-dir "$RUN/$name-server" > "$RUN/$name-server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.5; done
  if ! curl -sf -o /dev/null "http://127.0.0.1:$PORT/"; then
    tail -30 "$RUN/$name-server.log"; stop_server; return 1
  fi
  local rc=0
  VSCODE_URL="http://127.0.0.1:$PORT" EXT_DEV_PATH="$RUN/extension" EXT_TESTS_PATH="$ROOT/test/out/e2e/index.js" \
    WORKSPACE="$RUN/$name-ws" SCREENSHOT="$RUN/$name-final.png" timeout 600 node scripts/vscode-workbench.mjs || rc=$?
  stop_server
  return $rc
}

# E2E_SUITES picks the runs (default both): trusted, untrusted.
SUITES="${E2E_SUITES:-trusted untrusted}"
results=()
rc=0
set +e
if [[ " $SUITES " == *" trusted "* ]]; then
  run_suite trusted --disable-workspace-trust || rc=1
  results+=("$RUN/trusted.json")
fi
# Workspace Trust on, and the folder never trusted: the suite of test/out/e2e/*.untrusted.js.
if [[ " $SUITES " == *" untrusted "* ]]; then
  E2E_UNTRUSTED=1 run_suite untrusted || rc=1
  results+=("$RUN/untrusted.json")
fi
set -e
if ! node -e '
  const fs = require("fs"); let passes = 0, failures = 0, ran = 0;
  for (const f of process.argv.slice(1)) { if (!fs.existsSync(f)) { failures++; continue; } const r = JSON.parse(fs.readFileSync(f, "utf8")); ran++; passes += r.passes; failures += r.failures; if (!r.passes) failures++; }
  console.log(`e2e: ${passes} passed, ${failures} failed`); process.exit(failures ? 1 : 0);' "${results[@]}"; then
  rc=1
fi
echo "[e2e] logs in $RUN"
exit $rc
