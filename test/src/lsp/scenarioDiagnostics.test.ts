import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../support/lspClient';
import { distDir, fromRoot, repoRoot } from '../support/paths';

let client: LspClient;

before(async () => {
  client = new LspClient(path.join(distDir, 'server.js'), ['--stdio'], { ...process.env, XDG_CACHE_HOME: mkdtempSync(path.join(tmpdir(), 'lpl-cache-')) });
  await client.initialize(repoRoot, { target: '', sourceRoot: '' });
});
after(() => client.kill());

const open = async (file: string, languageId: string, text: string) => {
  const uri = pathToFileURL(file).href;
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  return (await client.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === uri)).diagnostics;
};

test('the bundled scenarios and demo have no diagnostics (their payloads and modules are built)', async () => {
  for (const [file, language] of [
    ['samples/demo.xlp', 'livepatch-scenario'],
    ['samples/demo-klp.sh', 'livepatch-scenario'],
    ['samples/scenarios/blocking-task.sh', 'livepatch-scenario'],
  ]) {
    assert.deepEqual(await open(fromRoot(file), language, readFileSync(fromRoot(file), 'utf8')), [], file);
  }
});

test('an unknown command and a missing payload are errors on their lines; a payload that exists is not', async () => {
  const file = fromRoot('samples/typos.xlp');
  const text = [
    '# a typo and a missing payload',
    'lsit',
    'load build/payloads/xen/xen_hello_world.livepatch',
    'load build/payloads/xen/no_such.livepatch',
    'expect 2 revert xen_hello_world',
  ].join('\n');
  const diagnostics = await open(file, 'livepatch-scenario', text);
  assert.deepEqual(
    diagnostics.map((d) => [d.range.start.line, d.severity, d.message.split(':')[0]]),
    [
      [1, 1, "unknown command 'lsit'"],
      [3, 1, 'build/payloads/xen/no_such.livepatch'],
    ],
  );
  const missing = diagnostics[1];
  assert.equal(text.split('\n')[3].slice(missing.range.start.character, missing.range.end.character), 'build/payloads/xen/no_such.livepatch');
});

test('a line that does not parse is one error naming the problem; fixing it clears it', async () => {
  const file = fromRoot('samples/scenarios/quote.sh');
  const uri = pathToFileURL(file).href;
  const diagnostics = await open(file, 'livepatch-scenario', 'ps\ncat "/proc/cmdline\n');
  assert.deepEqual(
    diagnostics.map((d) => [d.range.start.line, d.message]),
    [[1, 'unbalanced double quote']],
  );
  client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: 'ps\ncat "/proc/cmdline"\n' }] });
  const fixed = await client.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 2);
  assert.deepEqual(fixed.diagnostics, []);
});

test('a shell script that is not a scenario gets nothing', async () => {
  const file = fromRoot('samples/way-out-offset.sh');
  const uri = pathToFileURL(file).href;
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'shellscript', version: 1, text: 'set -e\nnm "$1" | awk "{print}"\n' } });
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(client.notificationsOf('textDocument/publishDiagnostics').filter((p) => p.uri === uri && p.diagnostics.length).length, 0);
});
