import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../support/lspClient';
import { distDir, fixture, repoRoot } from '../support/paths';

// A target that is not an ELF: the server says so, naming the file, and keeps working without target facts.
let client: LspClient;
const scratch = mkdtempSync(path.join(tmpdir(), 'lpl-bad-target-'));
const target = path.join(scratch, 'vmlinux');

before(async () => {
  writeFileSync(target, 'this is not an ELF file\n');
  client = new LspClient(path.join(distDir, 'server.js'), ['--stdio'], { ...process.env, XDG_CACHE_HOME: scratch });
  await client.initialize(repoRoot, { target, sourceRoot: '' });
});
after(() => client.kill());

test('a target that is not an ELF: a warning naming the file and the problem, and target-free diagnostics still arrive', async () => {
  // window/showMessageRequest: the server's showWarningMessage, which may carry actions.
  const warning = await client.waitForNotification('window/showMessageRequest', (p) => p.type === 2, 15000);
  assert.ok(warning.message.includes(target), warning.message);
  assert.match(warning.message, /not an ELF file/);
  assert.equal(warning.message.split(target).length - 1, 1, 'the file is named once');
  const failed = await client.waitForNotification('livepatch/targetState', (p) => p.state === 'failed', 5000);
  assert.equal(failed.path, target);
  assert.equal(failed.bundled, false);
  const file = fixture('checks/source/klp_checks.c');
  const uri = pathToFileURL(file).href;
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text: readFileSync(file, 'utf8') } });
  const published = await client.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === uri, 10000);
  const codes = new Set(published.diagnostics.map((d) => d.code));
  assert.ok(codes.has('LP101'), 'target-free checks run');
  assert.ok(!codes.has('LP108'), 'no target facts are invented');
  const symbols = await client.request('textDocument/documentSymbol', { textDocument: { uri } });
  assert.ok(symbols.length > 0, 'the server still answers');
});
