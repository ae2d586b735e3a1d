import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { PublishDiagnosticsParams } from 'vscode-languageserver';
import type { CheckWorkspaceFileResult } from '../../../server/src/protocol';
import { LspClient } from '../support/lspClient';
import { distDir, fixture, fromRoot, repoRoot } from '../support/paths';

// Check Workspace (issue 12 part 6) over a workspace of copies: the oracle for each file's findings
// is the CLI's `check` on the same file, a separate path through the engine.
const target = fromRoot('samples/build/target/sample-target');
const workspace = mkdtempSync(path.join(tmpdir(), 'lpl-workspace-'));
const files = {
  module: path.join(workspace, 'klp_checks.c'),
  patch: path.join(workspace, 'inlined.patch'),
  payload: path.join(workspace, 'lp-notrace.ko'),
  plainC: path.join(workspace, 'helper.c'),
  plainModule: path.join(workspace, 'leaky.ko'),
  targetObject: path.join(workspace, 'sched.o'),
};
const uri = (file: string) => pathToFileURL(file).href;
let client: LspClient;

before(async () => {
  copyFileSync(fixture('checks/source/klp_checks.c'), files.module);
  copyFileSync(fromRoot('samples/patches/pick-next-task-inlined-into-schedule.patch'), files.patch);
  copyFileSync(fromRoot('samples/build/payloads/klp/lp-notrace.ko'), files.payload);
  copyFileSync(fromRoot('samples/build/payloads/klp/leaky.ko'), files.plainModule);
  copyFileSync(fromRoot('samples/build/target/sched.o'), files.targetObject);
  writeFileSync(files.plainC, 'int helper(void) { return 1; }\n');
  client = new LspClient(path.join(distDir, 'server.js'), ['--stdio'], { ...process.env, XDG_CACHE_HOME: mkdtempSync(path.join(tmpdir(), 'lpl-cache-')) });
  await client.initialize(repoRoot, { target, sourceRoot: fromRoot('samples') });
  await client.waitForNotification('livepatch/targetState', (s) => s.state === 'ready', 30000);
});
after(() => {
  client.kill();
  rmSync(workspace, { recursive: true, force: true });
});

const cliCodes = (file: string): string[] => {
  let out: string;
  try {
    out = execFileSync(process.execPath, [path.join(distDir, 'cli.js'), 'check', file, '--target', target, '--source-root', fromRoot('samples'), '--format', 'json'], {
      encoding: 'utf8',
    });
  } catch (error) {
    out = (error as { stdout: string }).stdout; // exit 1: error-level findings
  }
  return (JSON.parse(out) as Array<{ line: number; code: string }>).map((f) => `${f.line}:${f.code}`).sort();
};
const codes = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => `${d.range.start.line + 1}:${String(d.code)}`).sort();
const publishedSoFar = (file: string) => client.notificationsOf('textDocument/publishDiagnostics').filter((p) => p.uri === uri(file)).length;
/** The next publishDiagnostics for the file after `seen` of them. */
const nextPublish = (file: string, seen: number, timeoutMs = 20000) => {
  let n = 0;
  return client.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === uri(file) && ++n > seen, timeoutMs);
};

test('each file checked from disk publishes what the CLI check finds; C with no klp_func/livepatch_func table and objects that are no live patch are not read', async () => {
  for (const file of [files.module, files.patch, files.payload]) {
    const expected = cliCodes(file);
    assert.ok(expected.length > 0, `${path.basename(file)} has findings to show`);
    const published = nextPublish(file, publishedSoFar(file));
    const result = await client.request<CheckWorkspaceFileResult>('livepatch/checkWorkspaceFile', { uri: uri(file) }, 30000);
    assert.deepEqual(result, { checked: true, findings: expected.length });
    assert.deepEqual(codes(await published), expected, path.basename(file));
  }
  for (const file of [files.plainC, files.plainModule, files.targetObject]) {
    // What CLI check would say of them is the payload checks' verdict on what is no payload.
    if (file !== files.plainC) assert.ok(cliCodes(file).length > 0, `${path.basename(file)} is a file the CLI has findings for`);
    assert.deepEqual(await client.request<CheckWorkspaceFileResult>('livepatch/checkWorkspaceFile', { uri: uri(file) }), { checked: false, findings: 0 }, path.basename(file));
    assert.equal(publishedSoFar(file), 0);
  }
});

test('a watched file changed on disk is checked again: the sentinel added clears LP101', async () => {
  const before = cliCodes(files.module);
  assert.ok(before.some((c) => c.endsWith(':LP101')));
  const text = readFileSync(files.module, 'utf8');
  const lines = text.split('\n');
  const last = lines.findIndex((l) => l.includes('.old_sympos = 1 },'));
  lines.splice(last + 1, 0, '\t{ }');
  writeFileSync(files.module, lines.join('\n'));
  const after = cliCodes(files.module);
  assert.ok(!after.some((c) => c.endsWith(':LP101')));
  const published = nextPublish(files.module, publishedSoFar(files.module));
  client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(files.module), type: 2 }] });
  assert.deepEqual(codes(await published), after);
});

test('opened, the live diagnostics replace the workspace ones; closed, those come back', async () => {
  const onDisk = cliCodes(files.patch);
  const seen = publishedSoFar(files.patch);
  const live = nextPublish(files.patch, seen);
  // An unsaved edit that drops the hunk: the live analysis has nothing to say, the disk copy does.
  client.notify('textDocument/didOpen', { textDocument: { uri: uri(files.patch), languageId: 'diff', version: 1, text: '' } });
  assert.deepEqual(codes(await live), []);
  const cleared = nextPublish(files.patch, seen + 1);
  const back = nextPublish(files.patch, seen + 2);
  client.notify('textDocument/didClose', { textDocument: { uri: uri(files.patch) } });
  assert.deepEqual(codes(await cleared), [], 'the live ones go first');
  assert.deepEqual(codes(await back), onDisk, 'then the findings of the file on disk');
});

test('a deleted file loses its findings; a new one is checked once the workspace has been', async () => {
  const published = nextPublish(files.payload, publishedSoFar(files.payload));
  rmSync(files.payload);
  client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(files.payload), type: 3 }] });
  assert.deepEqual((await published).diagnostics, []);
  const created = path.join(workspace, 'copy.patch');
  copyFileSync(files.patch, created);
  const first = nextPublish(created, 0);
  client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: uri(created), type: 1 }] });
  assert.deepEqual(codes(await first), cliCodes(created));
});

test('a text file past livepatch.limits.documentMiB is not read: one diagnostic says why and names the setting', async () => {
  const bounded = new LspClient(path.join(distDir, 'server.js'), ['--stdio'], { ...process.env, XDG_CACHE_HOME: mkdtempSync(path.join(tmpdir(), 'lpl-cache-')) });
  try {
    await bounded.initialize(repoRoot, { target: '', sourceRoot: '', limits: { documentBytes: 100 } });
    const big = path.join(workspace, 'big.patch');
    copyFileSync(fromRoot('samples/patches/pick-next-task-inlined-into-schedule.patch'), big);
    const published = bounded.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === uri(big));
    assert.deepEqual(await bounded.request<CheckWorkspaceFileResult>('livepatch/checkWorkspaceFile', { uri: uri(big) }), { checked: true, findings: 1 });
    const [only] = (await published).diagnostics;
    assert.match(only.message, /not checked: \d+ bytes, more than the 100 bytes per document .* livepatch\.limits\.documentMiB/);
  } finally {
    bounded.kill();
  }
});

test('two checks of the same file at once (Check Workspace and the event of a file just written) both give its findings', async () => {
  const expected = cliCodes(files.patch);
  const [first, second, third] = await Promise.all([0, 1, 2].map(() => client.request<CheckWorkspaceFileResult>('livepatch/checkWorkspaceFile', { uri: uri(files.patch) }, 30000)));
  for (const result of [first, second, third]) assert.deepEqual(result, { checked: true, findings: expected.length });
  const last = client
    .notificationsOf('textDocument/publishDiagnostics')
    .filter((p) => p.uri === uri(files.patch))
    .at(-1)!;
  assert.deepEqual(codes(last), expected);
});
