import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, test } from 'node:test';
import { AnalysisRunner, analysisWorkerResourceLimits, defaultRunnerOptions } from '../../../server/out/features/analysis/analysisRunner';
import { configureLimits } from '../../../server/out/limits';

// Stand-in workers that misbehave on purpose; each start appends a line to `starts`, so the
// test counts restarts from the outside.
const dir = mkdtempSync(path.join(tmpdir(), 'lpl-runner-'));
const starts = path.join(dir, 'starts');

function fakeWorker(name: string, onAnalyze: string): string {
  const file = path.join(dir, `${name}.js`);
  writeFileSync(
    file,
    `const { parentPort } = require('node:worker_threads');
require('node:fs').appendFileSync(${JSON.stringify(starts)}, '${name}\\n');
parentPort.on('message', (request) => {
  if (request.type !== 'analyze') return;
  const { job } = request;
  const reply = (m) => parentPort.postMessage(m);
  ${onAnalyze}
});`,
  );
  return file;
}

const startsOf = (name: string) =>
  readFileSync(starts, 'utf8')
    .split('\n')
    .filter((line) => line === name).length;
/** The worker side of a result with these diagnostics (JS source of an array), none by default. */
const answerWith = (diagnostics = '[]') =>
  `reply({ type: 'analyzed', id: job.id, result: { diagnostics: ${diagnostics}, symbols: [], sites: { names: '', nameEnds: new Int32Array(0), rows: new Int32Array(0), roles: [] } } });`;
const answer = answerWith();
const job = (version: number, uri = 'file:///x.c') => ({ uri, version, language: 'c' as const, text: 'int x;', file: '/x.c', sourceRoot: '', workspaceRoots: [] });

let runner: AnalysisRunner | undefined;
const logs: string[] = [];
const make = (workerFile: string, graceMs = 100) => (runner = new AnalysisRunner((m) => logs.push(m), { graceMs, maxCrashes: 2, workerFile, niceness: 0 }));
afterEach(() => {
  runner?.dispose();
  configureLimits({});
  logs.length = 0;
});

test("the analysis worker runs with the young generation the pathological bench measured, not V8's default", async () => {
  const runner = make(fakeWorker('limits', answerWith("[{ message: String(require('node:worker_threads').resourceLimits.maxYoungGenerationSizeMb) }]")));
  const outcome = await runner.analyze(job(1));
  assert.equal(outcome.kind, 'analyzed');
  const young = Number((outcome as { result: { diagnostics: Array<{ message: string }> } }).result.diagnostics[0].message);
  assert.equal(analysisWorkerResourceLimits.maxYoungGenerationSizeMb, 16);
  assert.equal(young, 16, 'the worker reports the nursery it was given');
});

test('a worker that crashes is restarted, the error logged; after too many crashes in a row analysis stops', async () => {
  const runner = make(fakeWorker('crashing', 'process.exit(3);'));
  for (let version = 1; version <= 3; version++) {
    const outcome = await runner.analyze(job(version));
    assert.equal(outcome.kind, 'failed');
    assert.match((outcome as { message: string }).message, /exited with code 3/);
  }
  assert.equal(startsOf('crashing'), 3, 'one fresh worker per job');
  assert.ok(logs.filter((l) => /analysis worker crashed: it exited with code 3/.test(l)).length >= 3, logs.join('\n'));
  assert.ok(logs.some((l) => /no longer analysed/.test(l)));
  const refused = await runner.analyze(job(4));
  assert.deepEqual([refused.kind, startsOf('crashing')], ['failed', 3], 'no fourth worker');
});

test('a job past limits().analysisTimeoutMs is stopped and the next job gets a fresh worker', async () => {
  configureLimits({ analysisTimeoutMs: 200 });
  const runner = make(fakeWorker('endless', `if (job.version === 1) for (;;) {} ${answer}`));
  const started = Date.now();
  assert.deepEqual(await runner.analyze(job(1)), { kind: 'stopped', afterMs: 200 });
  assert.ok(Date.now() - started < 2000);
  const next = await runner.analyze(job(2));
  assert.equal(next.kind, 'analyzed');
  assert.equal(startsOf('endless'), 2);
});

test('a superseded job that does not stop within the grace period costs its worker; the newest version runs at once', async () => {
  const runner = make(fakeWorker('stubborn', `if (job.version === 1) { const until = Date.now() + 5000; while (Date.now() < until); } ${answer}`));
  const first = runner.analyze(job(1));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const started = Date.now();
  const second = runner.analyze(job(2));
  assert.deepEqual(await first, { kind: 'cancelled' });
  assert.equal((await second).kind, 'analyzed');
  assert.ok(Date.now() - started < 2000, `version 2 waited ${Date.now() - started} ms behind a 5 s job`);
  assert.equal(startsOf('stubborn'), 2);
  assert.ok(logs.some((l) => /did not stop within 100 ms of being superseded/.test(l)));
});

test('only the newest waiting version of a document runs; the ones it replaced are cancelled unanalysed', async () => {
  const ran = path.join(dir, 'ran');
  const runner = make(fakeWorker('counting', `require('node:fs').appendFileSync(${JSON.stringify(ran)}, job.uri + ' ' + job.version + ';'); ${answer}`));
  const outcomes = await Promise.all([runner.analyze(job(1, 'file:///busy.c')), runner.analyze(job(1)), runner.analyze(job(2)), runner.analyze(job(3))]);
  assert.deepEqual(
    outcomes.map((o) => o.kind),
    ['analyzed', 'cancelled', 'cancelled', 'analyzed'],
  );
  assert.deepEqual(readFileSync(ran, 'utf8').split(';').filter(Boolean), ['file:///busy.c 1', 'file:///x.c 3']);
});

test('once every document it analysed is closed the worker is stopped (its memory returned); the next job starts another', async () => {
  const runner = make(fakeWorker('idle', answer));
  assert.equal((await runner.analyze(job(1, 'file:///a.c'))).kind, 'analyzed');
  assert.equal((await runner.analyze(job(1, 'file:///b.c'))).kind, 'analyzed');
  runner.close('file:///a.c');
  assert.equal((await runner.analyze(job(2, 'file:///b.c'))).kind, 'analyzed');
  assert.equal(startsOf('idle'), 1, 'b.c is still open: the same worker');
  runner.close('file:///b.c');
  assert.equal((await runner.analyze(job(1, 'file:///c.c'))).kind, 'analyzed');
  assert.equal(startsOf('idle'), 2);
});

test('the real worker stops a superseded parse at once, without being replaced', async (t) => {
  // 4.4 MB: past the default C parse bound, which would refuse it before any parse.
  configureLimits({ cParseBytes: 8 * 1024 * 1024 });
  t.after(() => configureLimits({}));
  const runner = make(defaultRunnerOptions.workerFile, 60000);
  assert.equal((await runner.analyze(job(1))).kind, 'analyzed', 'the worker is up (grammar loaded)');
  const entries = Array.from({ length: 100_000 }, (_, i) => `\t{ .old_name = "f${i}", .new_func = fix, },`);
  const text = `static struct klp_func funcs[] = {\n${entries.join('\n')}\n\t{ }\n};\n`;
  const old = runner.analyze({ ...job(2), text });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const superseded = Date.now();
  const newest = runner.analyze(job(3));
  assert.deepEqual(await old, { kind: 'cancelled' });
  const stoppedAfter = Date.now() - superseded;
  assert.equal((await newest).kind, 'analyzed');
  // Parsing 100k entries takes over a second: the parser itself noticed, not a checkpoint after it.
  assert.ok(stoppedAfter < 500, `the superseded job went on for ${stoppedAfter} ms`);
  assert.deepEqual(logs, [], 'no restart');
});
