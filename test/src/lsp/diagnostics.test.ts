import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CreateFile, Diagnostic, TextDocumentEdit } from 'vscode-languageserver';
import { expectedFindings } from '../support/expectations';
import { LspClient } from '../support/lspClient';
import { distDir, fixture, fromRoot, repoRoot } from '../support/paths';

let client: LspClient;
const file = fixture('checks/source/klp_checks.c');
const uri = pathToFileURL(file).href;
const source = readFileSync(file, 'utf8');

before(async () => {
  // A cache of our own, so the test proves the index is built, not found.
  client = new LspClient(path.join(distDir, 'server.js'), ['--stdio'], { ...process.env, XDG_CACHE_HOME: mkdtempSync(path.join(tmpdir(), 'lpl-cache-')) });
  await client.initialize(repoRoot, { target: fromRoot('samples/build/target/sample-target'), sourceRoot: '' });
});
after(() => client.kill());

const codesAt = (diagnostics: Diagnostic[]) => diagnostics.map((d) => `${d.range.start.line + 1}:${String(d.code)}`).sort();

test('the target is indexed in the background with a progress report, then diagnostics use its facts', async () => {
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text: source } });
  const published = await client.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.some((d) => d.code === 'LP108'), 30000);
  assert.deepEqual(codesAt(published.diagnostics), expectedFindings(source));
  const states = client.notificationsOf('livepatch/targetState');
  assert.deepEqual(
    states.map((t) => t.state),
    ['loading', 'ready'],
    'the client is told which target the checks use',
  );
  assert.equal(states[1].buildId, execFileSync('readelf', ['-n', fromRoot('samples/build/target/sample-target')], { encoding: 'utf8' }).match(/Build ID: ([0-9a-f]+)/)![1]);
  assert.equal(states[1].bundled, true);
  const progress = client.notificationsOf('$/progress').map((p) => p.value.kind);
  assert.equal(progress[0], 'begin');
  assert.equal(progress.at(-1), 'end');
  const lp101 = published.diagnostics.find((d) => d.code === 'LP101');
  assert.ok(lp101);
  assert.equal(lp101.source, 'livepatch-lens');
  assert.equal(lp101.severity, 1);
  assert.match(lp101.codeDescription?.href ?? '', /^file:\/\/.*\/docs\/checks\/LP101\.md$/);
});

test('an edit that adds the sentinel clears LP101, and the result carries the edited version', async () => {
  const lines = source.split('\n');
  const last = lines.findIndex((l) => l.includes('.old_sympos = 1 },'));
  client.notify('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [{ range: { start: { line: last + 1, character: 0 }, end: { line: last + 1, character: 0 } }, text: '\t{ }\n' }],
  });
  const published = await client.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 2, 10000);
  assert.ok(!published.diagnostics.some((d) => d.code === 'LP101'));
  assert.ok(
    published.diagnostics.some((d) => d.code === 'LP108'),
    'the rest stays',
  );
});

test('quick successive edits: only the newest version is published last', async () => {
  for (let version = 3; version <= 6; version++) {
    client.notify('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: ' ' }],
    });
  }
  await client.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 6, 10000);
  await new Promise((resolve) => setTimeout(resolve, 400));
  const forUri = client.notificationsOf('textDocument/publishDiagnostics').filter((p) => p.uri === uri);
  assert.equal(forUri.at(-1)?.version, 6);
  assert.ok(!forUri.some((p) => [3, 4, 5].includes(p.version ?? 0)), 'debounced: intermediate versions are not analysed');
});

test('hover on a patched function: address and size as nm says, traceability, inlining, first instructions', async () => {
  const nm = execFileSync('nm', ['-S', fromRoot('samples/build/target/sample-target')], { encoding: 'utf8' });
  const [address, size] = /^([0-9a-f]+) ([0-9a-f]+) [tT] cmdline_proc_show$/m.exec(nm)!.slice(1);
  const lines = source.split('\n');
  const at = (needle: string) => ({ line: lines.findIndex((l) => l.includes(needle)), character: lines.find((l) => l.includes(needle))!.indexOf(needle) + 3 });
  const hover = await client.request('textDocument/hover', { textDocument: { uri }, position: at('"cmdline_proc_show"') });
  assert.ok(hover);
  const text = hover.contents.value;
  assert.match(text, new RegExp(`\\*\\*cmdline_proc_show\\*\\*`));
  assert.ok(text.includes(`\`0x${address.replace(/^0+/, '')}\`, ${parseInt(size, 16)} bytes, \`.text\``), text);
  assert.match(text, /traceable \| yes/);
  // The bytes before each instruction: e8 and a rel32 for the call (the patch site).
  assert.match(text, new RegExp(`${address.replace(/^0+/, '')}:  e8[0-9a-f]{8} +call +[0-9a-f]+ <__fentry__>`));
  const scheduleHover = await client.request('textDocument/hover', { textDocument: { uri }, position: at('"pick_next_task"') });
  assert.ok(scheduleHover);
  assert.match(scheduleHover.contents.value, /⚠ `__schedule` \(sched\.c:\d+\)/);
  assert.match(scheduleHover.contents.value, /address \| none: no out-of-line copy/);
  assert.equal(await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 1 } }), null, 'nothing to say outside patched functions');
});

test('go to definition: from an old_name to the function in the sample sources (the target is the bundled sample)', async () => {
  const lines = source.split('\n');
  const line = lines.findIndex((l) => l.includes('"update_curr"'));
  const locations = await client.request('textDocument/definition', { textDocument: { uri }, position: { line, character: lines[line].indexOf('update_curr') } });
  assert.equal(locations.length, 1);
  const target = readFileSync(new URL(locations[0].uri), 'utf8').split('\n')[locations[0].range.start.line];
  assert.match(target, /\bupdate_curr\(/);
  assert.ok(!target.trimEnd().endsWith(';'), 'a definition, not a prototype');
  assert.match(locations[0].uri, /samples\/target\/sched\.c$/);
});

test('code actions: the sentinel fix is offered for LP101 and its edit is well-formed', async () => {
  client.notify('textDocument/didChange', { textDocument: { uri, version: 7 }, contentChanges: [{ text: source }] });
  const published = await client.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 7, 10000);
  const lp101 = published.diagnostics.find((d) => d.code === 'LP101');
  assert.ok(lp101);
  const actions = await client.request('textDocument/codeAction', { textDocument: { uri }, range: lp101.range, context: { diagnostics: [lp101] } });
  assert.deepEqual(
    actions.map((a) => [a.title, a.kind, a.isPreferred]),
    [['Insert the { } sentinel', 'quickfix', true]],
  );
  const edits = actions[0].edit?.changes?.[uri];
  assert.deepEqual(
    edits?.map((e) => e.newText),
    ['\t{ }\n'],
  );
});

test('a .patch document: LP2xx findings on the hunk, against the samples (the source root of the bundled target)', async () => {
  const patchFile = fromRoot('samples/patches/pick-next-task-inlined-into-schedule.patch');
  const patchUri = pathToFileURL(patchFile).href;
  client.notify('textDocument/didOpen', { textDocument: { uri: patchUri, languageId: 'diff', version: 1, text: readFileSync(patchFile, 'utf8') } });
  const published = await client.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === patchUri && p.diagnostics.some((d) => d.code === 'LP210'), 15000);
  const lp210 = published.diagnostics.find((d) => d.code === 'LP210');
  assert.ok(lp210);
  const hunkLine = readFileSync(patchFile, 'utf8').split('\n')[lp210.range.start.line];
  assert.match(hunkLine, /^[-+]\t/, 'the finding sits on a changed line of the hunk');
  assert.match(lp210.message, /inlined into __schedule/);
});

test('hover in a patch: the function of a hunk header gets its target facts', async () => {
  const patchFile = fromRoot('samples/patches/update-curr-partly-inlined.patch');
  const patchUri = pathToFileURL(patchFile).href;
  const text = readFileSync(patchFile, 'utf8');
  client.notify('textDocument/didOpen', { textDocument: { uri: patchUri, languageId: 'diff', version: 1, text } });
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.startsWith('@@') && l.includes('update_curr'));
  assert.ok(line >= 0, 'the sample patch has a hunk in update_curr');
  const hover = await client.request('textDocument/hover', { textDocument: { uri: patchUri }, position: { line, character: lines[line].indexOf('update_curr') + 2 } });
  assert.ok(hover);
  assert.match(hover.contents.value, /\*\*update_curr\*\* — changed by this hunk/);
  assert.match(hover.contents.value, /inlined into \| `scheduler_tick`/);
  assert.equal(await client.request('textDocument/hover', { textDocument: { uri: patchUri }, position: { line: 0, character: 1 } }), null);
});

test('code action on a struct layout change in a patch: a shadow-variable skeleton created beside the patch', async () => {
  const patchFile = fromRoot('samples/patches/task-struct-layout.patch');
  const patchUri = pathToFileURL(patchFile).href;
  client.notify('textDocument/didOpen', { textDocument: { uri: patchUri, languageId: 'diff', version: 1, text: readFileSync(patchFile, 'utf8') } });
  const published = await client.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === patchUri && p.diagnostics.some((d) => d.code === 'LP220'), 15000);
  const lp220 = published.diagnostics.find((d) => d.code === 'LP220');
  assert.ok(lp220);
  const actions = await client.request('textDocument/codeAction', { textDocument: { uri: patchUri }, range: lp220.range, context: { diagnostics: [lp220] } });
  const skeleton = actions.find((a) => /shadow-variable skeleton/.test(a.title));
  assert.ok(skeleton, JSON.stringify(actions.map((a) => a.title)));
  // The skeleton's shape: create the file, then write it (the assertions below check it is so).
  const [create, write] = (skeleton.edit?.documentChanges ?? []) as [CreateFile, TextDocumentEdit];
  assert.equal(create.kind, 'create');
  assert.equal(create.uri, pathToFileURL(fromRoot('samples/patches/task_struct_shadow.c')).href);
  assert.match(write.edits[0].newText, /klp_shadow_get_or_alloc/);
});

test('closing the document clears its diagnostics', async () => {
  client.notify('textDocument/didClose', { textDocument: { uri } });
  const cleared = await client.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === uri && p.diagnostics.length === 0, 5000);
  assert.deepEqual(cleared.diagnostics, []);
});
