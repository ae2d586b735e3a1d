import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, test, type TestContext } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LspClient } from '../support/lspClient';
import type { DocumentSymbol } from 'vscode-languageserver';
import type { EmulatorCommandResult, InspectPayloadResult } from '../../../server/src/protocol';
import { distDir, fixture, fromRoot, repoRoot } from '../support/paths';

// A patch module no editor should choke on: one klp_func array with `entries` entries, each
// naming a function the target does not have (so each is a finding), about 60 bytes apiece.
function pathologicalModule(entries: number, tag = ''): string {
  const lines = ['#include <linux/livepatch.h>', 'static int fix(void) { return 0; }', 'static struct klp_func funcs[] = {'];
  for (let i = 0; i < entries; i++) lines.push(`\t{ .old_name = "no_function_${tag}${i}", .new_func = fix, },`);
  lines.push('\t{ }', '};', 'static struct klp_object objs[] = { { .funcs = funcs, }, { } };', 'static struct klp_patch patch = { .mod = THIS_MODULE, .objs = objs, };', '');
  return lines.join('\n');
}

// Enough to keep the worker busy for seconds (and the main thread, were the analysis there).
// LPL_PATHOLOGICAL_ENTRIES=300000 makes it a 16 MB file (the most livepatch.limits.cParseMiB lets be parsed), to measure (with all the time it needs).
const measuring = Number(process.env.LPL_PATHOLOGICAL_ENTRIES);
const entries = measuring || 30_000;
const small = fixture('checks/source/klp_checks.c');
const smallUri = pathToFileURL(small).href;
const smallText = readFileSync(small, 'utf8');
const hoverAt = (() => {
  const lines = smallText.split('\n');
  const line = lines.findIndex((l) => l.includes('"cmdline_proc_show"'));
  return { line, character: lines[line].indexOf('cmdline_proc_show') + 2 };
})();

const startClient = (initializationOptions: object) => {
  const client = new LspClient(path.join(distDir, 'server.js'), ['--stdio'], { ...process.env, XDG_CACHE_HOME: mkdtempSync(path.join(tmpdir(), 'lpl-cache-')) });
  return { client, ready: client.initialize(repoRoot, { target: fromRoot('samples/build/target/sample-target'), sourceRoot: '', ...initializationOptions }) };
};

const published = (client: LspClient, uri: string) => client.notificationsOf('textDocument/publishDiagnostics').filter((p) => p.uri === uri);

let client: LspClient;
let smallVersion = 1;
/** How long the big document's analysis took, from didOpen to its diagnostics. */
let fullAnalysisMs = 0;

before(async () => {
  const started = startClient(measuring ? { limits: { analysisTimeoutMs: 600_000, cParseBytes: 16 * 1024 * 1024 } } : {});
  client = started.client;
  await started.ready;
  client.notify('textDocument/didOpen', { textDocument: { uri: smallUri, languageId: 'c', version: 1, text: smallText } });
  // The small document analysed with the target's facts: its hover is ready before the load starts.
  await client.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === smallUri && p.diagnostics.some((d) => d.code === 'LP108'), 60000);
});
after(() => client.kill());

const hover = () => client.request('textDocument/hover', { textDocument: { uri: smallUri }, position: hoverAt });

/**
 * Hovers in the small document, one every 50 ms, until `finished()`: how long each waited. With
 * `edit`, each after a new version of the document, so the hover needs its analysis, which
 * must not queue behind the load.
 */
async function hoversWhile(finished: () => boolean, edit: boolean): Promise<number[]> {
  const delays: number[] = [];
  while (!finished()) {
    if (edit) {
      client.notify('textDocument/didChange', {
        textDocument: { uri: smallUri, version: ++smallVersion },
        contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: ' ' }],
      });
    }
    const sent = performance.now();
    const answer = await hover();
    delays.push(performance.now() - sent);
    assert.ok(answer, 'a hover answer');
    assert.match(answer.contents.value, /\*\*cmdline_proc_show\*\*/);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return delays;
}

/**
 * Runs `attempt` (a load and the hovers meanwhile) until its slowest hover is under 200 ms, at
 * most three times. Work on the main loop delays the hovers of every attempt by the seconds the
 * load takes; other work on a busy machine (load above 10) delays one now and then. One attempt
 * under 200 ms proves the load did not run on the main loop.
 */
async function responsiveUnder<T extends { delays: number[] }>(t: TestContext, what: string, attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    const result = await attempt(n);
    const slowest = Math.max(...result.delays);
    t.diagnostic(`${what}, attempt ${n}: ${result.delays.length} hovers meanwhile, slowest ${slowest.toFixed(1)} ms`);
    if (slowest < 200 || n === 3) {
      assert.ok(slowest < 200, `in each of ${n} attempts a hover waited 200 ms or more (the last: ${result.delays.map((d) => d.toFixed(0)).join(', ')} ms)`);
      return result;
    }
  }
}

test('while a pathological document is analysed, a hover in an edited document elsewhere is answered within 200 ms, every time', async (t) => {
  const text = pathologicalModule(entries);
  const { uri, diagnostics, delays, transportMs } = await responsiveUnder(t, `${text.length} bytes, ${entries} klp_func entries`, async (n) => {
    const named = (k: number) => pathToFileURL(path.join(tmpdir(), `lpl-pathological-${k}.c`)).href;
    // The previous attempt's document is done with; a new one is analysed from scratch.
    if (n > 1) client.notify('textDocument/didClose', { textDocument: { uri: named(n - 1) } });
    const uri = named(n);
    const opened = performance.now();
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
    let done = false;
    const diagnostics = client
      .waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === uri, 120000)
      .then((p) => {
        done = true;
        fullAnalysisMs = performance.now() - opened;
        return p;
      });
    // The first answer also waits for the document itself to come through the pipe: that is the
    // transport's cost, the same for any message of that size, not the analysis's.
    const transported = performance.now();
    await hover();
    const transportMs = performance.now() - transported;
    const delays = await hoversWhile(() => done, true);
    return { uri, diagnostics, delays, transportMs };
  });
  t.diagnostic(`analysed in ${fullAnalysisMs.toFixed(0)} ms; the first hover after it came in ${transportMs.toFixed(1)} ms`);
  assert.ok(delays.length >= 10, `the analysis overlapped only ${delays.length} hovers: the document is not pathological enough to prove anything`);
  assert.ok(transportMs < 1000, `the first hover waited ${transportMs.toFixed(0)} ms: more than the document's transport`);

  // The big document's own results are there, bounded.
  const { diagnostics: found } = await diagnostics;
  const file = fileURLToPath(uri);
  assert.equal(found.length, 2001, 'the default limit of 2000 diagnostics, then one that counts the rest');
  assert.ok(found.slice(0, 2000).every((d) => d.code === 'LP102'));
  assert.match(found[2000].message, new RegExp(`${entries + 3 - 2000 - 3} more findings .*livepatch\\.limits\\.diagnosticsPerDocument`));
  assert.ok(found[2000].message.startsWith(file), 'the message names the file');
  const outline = await client.request('textDocument/documentSymbol', { textDocument: { uri } });
  const children = outline.find((s) => s.name === 'funcs')?.children ?? [];
  const shown = children.length - 1;
  assert.ok(shown > 0 && shown < entries);
  assert.equal(children.at(-1)?.name, `${entries - shown} more`);
  assert.match(children.at(-1)?.detail ?? '', /livepatch\.limits\.outlineSymbols/);
  client.notify('textDocument/didClose', { textDocument: { uri } });
});

test('a newer version supersedes the older (a small one, so it also changes workers): only the newest is published, without waiting for the old one', async (t) => {
  assert.ok(fullAnalysisMs > 0, 'needs the measure of the previous test');
  const uri = pathToFileURL(path.join(tmpdir(), 'lpl-superseded.c')).href;
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text: pathologicalModule(entries, 'v1_') } });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const changed = performance.now();
  client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: smallText }] });
  const newest = await client.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 2, 60000);
  const waited = performance.now() - changed;
  t.diagnostic(`version 2 published ${waited.toFixed(0)} ms after the change; version 1 alone would take about ${fullAnalysisMs.toFixed(0)} ms`);
  assert.ok(
    newest.diagnostics.some((d) => d.code === 'LP108'),
    'the small version is fully analysed',
  );
  assert.ok(waited < fullAnalysisMs / 2, `version 2 waited ${waited.toFixed(0)} ms; the whole of version 1 takes ${fullAnalysisMs.toFixed(0)} ms`);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(
    published(client, uri).map((p) => p.version),
    [2],
    'version 1 is never published',
  );
  client.notify('textDocument/didClose', { textDocument: { uri } });
});

test('a normal document still gets its diagnostics and outline after the worker was restarted', async () => {
  const version = ++smallVersion;
  client.notify('textDocument/didChange', { textDocument: { uri: smallUri, version }, contentChanges: [{ text: `${smallText}\n` }] });
  const again = await client.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === smallUri && p.version === version, 30000);
  assert.ok(
    again.diagnostics.some((d) => d.code === 'LP108'),
    'the target facts are back in the new worker',
  );
  const outline = await client.request('textDocument/documentSymbol', { textDocument: { uri: smallUri } });
  assert.ok(outline.some((s) => s.name === 'funcs'));
});

test('a runaway guest call runs off the main loop: hovers meanwhile are answered within 200 ms', async (t) => {
  const { result, delays } = await responsiveUnder(t, 'a runaway guest call', async () => {
    // printk's width loop spins for ever; the instruction budget stops it after seconds of emulation.
    let done = false;
    const call = client
      .request<EmulatorCommandResult>(
        'workspace/executeCommand',
        { command: 'livepatch.emulator.call', arguments: [{ function: 'printk', args: ['str:%2000000000d', 5] }] },
        120000,
      )
      .finally(() => (done = true));
    const delays = await hoversWhile(() => done, false);
    return { result: await call, delays };
  });
  t.diagnostic(`guest call stopped after ${result.call?.instructions} instructions`);
  assert.equal(result.exitCode, 1);
  assert.equal(result.call?.status, 'fault');
  assert.match(result.call?.fault ?? '', /budget/);
  assert.ok(delays.length >= 5, `the guest ran during only ${delays.length} hovers`);
});

test('a big payload is inspected off the main loop: hovers meanwhile are answered within 200 ms, and the inspection gives its findings', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpl-big-payload-'));
  // 200,000 functions, each with a call relocation: about a second of decoding and checks.
  const functions = 200_000;
  const assembly = ['.text'];
  for (let i = 0; i < functions; i++) assembly.push(`.globl f${i}`, `.type f${i},@function`, `f${i}:`, `call f${(i * 7) % functions}`, 'ret', `.size f${i},.-f${i}`);
  writeFileSync(path.join(dir, 'big.s'), `${assembly.join('\n')}\n`);
  const built = spawnSync('gcc', ['-c', path.join(dir, 'big.s'), '-o', path.join(dir, 'big.o')], { encoding: 'utf8' });
  if (built.error || built.status !== 0) return t.skip(`needs gcc (apt-get install gcc) to assemble the big payload: ${built.error?.message ?? built.stderr}`);
  const uri = pathToFileURL(path.join(dir, 'big.o')).href;
  const { inspection, delays, ms } = await responsiveUnder(t, `${functions} functions`, async () => {
    let done = false;
    const started = performance.now();
    const inspected = client.request<InspectPayloadResult | null>('livepatch/inspectPayload', { uri }, 120000).finally(() => (done = true));
    const delays = await hoversWhile(() => done, false);
    return { inspection: await inspected, delays, ms: performance.now() - started };
  });
  t.diagnostic(`inspected in ${ms.toFixed(0)} ms`);
  assert.ok(inspection, "an inspection, not the guard's empty answer");
  assert.equal(inspection.view.file, fileURLToPath(uri));
  assert.equal(inspection.target.state, 'ready', 'checked against the shared target index');
  assert.ok(delays.length >= 5, `the inspection ran during only ${delays.length} hovers: the payload is not big enough to prove anything`);
  const published = await client.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === uri, 10000);
  assert.deepEqual(
    published.diagnostics.map((d) => d.code),
    inspection.diagnostics.map((d) => d.code),
    'the same findings in the Problems panel',
  );
  client.notify('livepatch/closePayload', { uri });
});

test('an analysis past livepatch.limits.analysisTimeoutMs is stopped with one diagnostic saying so; the server goes on', async () => {
  const { client: limited, ready } = startClient({ limits: { analysisTimeoutMs: 1 } });
  try {
    await ready;
    limited.notify('textDocument/didOpen', { textDocument: { uri: smallUri, languageId: 'c', version: 1, text: smallText } });
    const stopped = await limited.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === smallUri, 30000);
    assert.equal(stopped.diagnostics.length, 1);
    const [only] = stopped.diagnostics;
    assert.equal(only.severity, 2, 'a warning');
    assert.ok(only.message.startsWith(`${small}: the analysis was stopped after 0.001 s`), only.message);
    assert.match(only.message, /raise the setting livepatch\.limits\.analysisTimeoutMs/);
    const hover = await limited.request('textDocument/hover', { textDocument: { uri: smallUri }, position: hoverAt }, 5000);
    assert.equal(hover, null, 'no analysis, no hover: but an answer');
    assert.deepEqual(await limited.request('textDocument/documentSymbol', { textDocument: { uri: smallUri } }, 5000), []);
  } finally {
    limited.kill();
  }
});

test('initializationOptions.limits reach the analysis worker: diagnostics and outline cut, a document past documentBytes not read', async () => {
  const documentBytes = Buffer.byteLength(smallText);
  const { client: limited, ready } = startClient({ limits: { diagnosticsPerDocument: 3, outlineSymbols: 4, documentBytes } });
  try {
    await ready;
    // Opened once the target is indexed, the document is analysed once, with the target's facts.
    await limited.waitForNotification('livepatch/targetState', (p) => p.state === 'ready', 60000);
    limited.notify('textDocument/didOpen', { textDocument: { uri: smallUri, languageId: 'c', version: 1, text: smallText } });
    const full = await client.request('textDocument/documentSymbol', { textDocument: { uri: smallUri } });
    const { diagnostics } = await limited.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === smallUri && p.diagnostics.length > 0, 30000);
    const unlimited = published(client, smallUri).at(-1)!.diagnostics;
    assert.ok(unlimited.length > 3, 'the fixture has more findings than the limit');
    assert.deepEqual(
      diagnostics.slice(0, 3).map((d) => d.code),
      unlimited.slice(0, 3).map((d) => d.code),
    );
    assert.equal(diagnostics.length, 4);
    assert.match(diagnostics[3].message, new RegExp(`${unlimited.length - 3} more findings from here on are not shown \\(the limit is 3 per document\\)`));
    const outline = await limited.request('textDocument/documentSymbol', { textDocument: { uri: smallUri } });
    const count = (symbols: DocumentSymbol[]): number => symbols.reduce((n, s) => n + 1 + count(s.children ?? []), 0);
    assert.ok(count(full) > 4);
    // Four symbols, each list cut short closed by one that counts the rest.
    const marker = (symbols: DocumentSymbol[]): DocumentSymbol[] => symbols.flatMap((s) => [...(/^\d+ more$/.test(s.name) ? [s] : []), ...marker(s.children ?? [])]);
    assert.equal(count(outline) - marker(outline).length, 4);
    assert.ok(marker(outline).length >= 1);
    // One byte more than the limit: not read at all.
    const bigger = pathToFileURL(path.join(tmpdir(), 'lpl-bigger.c')).href;
    limited.notify('textDocument/didOpen', { textDocument: { uri: bigger, languageId: 'c', version: 1, text: `${smallText} ` } });
    const refused = await limited.waitForNotification('textDocument/publishDiagnostics', (p) => p.uri === bigger, 30000);
    assert.equal(refused.diagnostics.length, 1);
    assert.equal(refused.diagnostics[0].code, 'LP235', 'the same check the CLI reports');
    assert.ok(
      refused.diagnostics[0].message.startsWith(
        `${path.join(tmpdir(), 'lpl-bigger.c')} is ${documentBytes + 1} bytes long, more than the ${documentBytes} bytes per document the analyzers read, so it is not analysed.`,
      ),
      refused.diagnostics[0].message,
    );
    assert.match(refused.diagnostics[0].message, /the setting livepatch\.limits\.documentMiB\.$/);
  } finally {
    limited.kill();
  }
});
