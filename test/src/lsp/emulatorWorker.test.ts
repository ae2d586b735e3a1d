import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { EmulatorWorker } from '../../../server/out/features/emulator/emulatorWorkerClient';

// A stand-in emulator that dies on its second command; each start appends a line to `starts`.
const dir = mkdtempSync(path.join(tmpdir(), 'lpl-emulator-'));
const starts = path.join(dir, 'starts');
const worker = path.join(dir, 'dying.js');
writeFileSync(
  worker,
  `const { parentPort } = require('node:worker_threads');
require('node:fs').appendFileSync(${JSON.stringify(starts)}, 'start\\n');
let commands = 0;
parentPort.on('message', ({ id, target, argv }) => {
  if (++commands === 2) process.exit(3);
  parentPort.postMessage({ id, result: { commandLine: argv.join(' '), exitCode: 0, stdout: target, stderr: '', console: [] }, state: { target, appliedStack: [], payloads: [] } });
});`,
);

test('a dead emulator worker: the commands waiting on it are lost, the next one gets a fresh worker', async () => {
  const emulator = new EmulatorWorker(worker);
  try {
    const first = await emulator.run('/t', ['list']);
    assert.ok('result' in first && first.result.stdout === '/t' && first.result.commandLine === 'list');
    const [dies, queued] = await Promise.all([emulator.run('/t', ['apply', 'a']), emulator.run('/t', ['list'])]);
    assert.deepEqual(dies, { lost: 'the emulator exited with code 3' });
    assert.deepEqual(queued, dies, 'a command queued behind the one that killed it is lost too');
    const fresh = await emulator.run('/t', ['list']);
    assert.ok('result' in fresh);
    assert.equal(readFileSync(starts, 'utf8'), 'start\nstart\n');
  } finally {
    emulator.dispose();
  }
});
