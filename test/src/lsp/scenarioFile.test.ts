import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { EmulatorCommandResult, EmulatorScenarioResult, EmulatorState } from '../../../server/src/protocol';
import { LspClient } from '../support/lspClient';
import { distDir, fromRoot, repoRoot } from '../support/paths';
import { buildSamples } from '../unit/emulator/xen/support/xenPayloads';

// livepatch.emulator.runScenario: a scenario file run in the server's own session (what Run
// Scenario in the editor does), judged by the CLI that runs the same file: the same stdout,
// stderr and status; a state notification after every command; and the session left as the
// scenario made it, for the next command of the editor.

let client: LspClient;

before(async () => {
  buildSamples();
  client = new LspClient(path.join(distDir, 'server.js'));
  await client.initialize(repoRoot);
});
after(() => client.kill());

async function scenario(file: string): Promise<{ answer: EmulatorScenarioResult; states: EmulatorState[] }> {
  const seen = client.notifications.length;
  const answer = await client.request<EmulatorScenarioResult>('workspace/executeCommand', { command: 'livepatch.emulator.runScenario', arguments: [{ path: file }] }, 120000);
  const states = client.notifications
    .slice(seen)
    .filter((n) => n.method === 'livepatch/emulatorState')
    .map((n) => n.params as EmulatorState);
  return { answer, states };
}

const cli = (file: string) => spawnSync(process.execPath, [path.join(distDir, 'cli.js'), 'emu', '--echo', '--script', file], { encoding: 'utf8', timeout: 120000 });

const shell = (line: string) =>
  client.request<EmulatorCommandResult>('workspace/executeCommand', { command: 'livepatch.emulator.run', arguments: [{ line, runtime: 'linux' }] }, 60000);

test('the Xen demo: the transcript, stderr and status of `livepatch-lens emu --echo --script`, a state after each command', async () => {
  const file = fromRoot('samples', 'demo.xlp');
  const { answer, states } = await scenario(file);
  const expected = cli(file);
  assert.equal(answer.stdout, expected.stdout);
  assert.equal(answer.stderr, expected.stderr);
  assert.equal(answer.exitCode, expected.status);
  assert.equal(answer.runtime, 'xen');
  assert.equal(answer.commandLine, `livepatch-lens emu --echo --script ${file}`);
  // The reboot, then one answer and one state per command of the file.
  assert.equal(answer.steps[0].commandLine, 'emu reset');
  assert.equal(answer.steps.length, (expected.stdout.match(/^\$ /gm) ?? []).length + 1);
  assert.equal(states.length, answer.steps.length);
  assert.ok(states.every((s) => s.runtime === 'xen'));
  assert.ok(answer.transcript.startsWith('# Livepatch Lens demo'), answer.transcript.slice(0, 80));
});

test('a Linux scenario leaves the session as it ended, and a second run starts from a fresh boot again', async () => {
  const file = fromRoot('samples', 'scenarios', 'blocking-task.sh');
  const first = await scenario(file);
  const expected = cli(file);
  assert.equal(first.answer.stdout, expected.stdout);
  assert.equal(first.answer.exitCode, 0, first.answer.transcript);
  assert.equal(first.answer.runtime, 'linux');
  // The transition was watched as it went: in flight in some states, over in the last.
  const transitions = first.states.map((s) => (s.runtime === 'linux' ? (s.transition?.patch ?? '') : '?'));
  assert.ok(transitions.includes('lp_sleepy_patch'), transitions.join());
  assert.equal(transitions.at(-1), '');
  assert.equal((await shell('cat /sys/kernel/livepatch/lp_sleepy_patch/enabled')).stdout, '1\n');
  assert.match((await shell('cat /proc/modules')).stdout, /^lp_sleepy_patch /m);
  // insmod of a loaded module fails: the same transcript again means the session was rebooted first.
  const second = await scenario(file);
  assert.equal(second.answer.stdout.replace(/\[ *[\d.]+\]/g, '[t]'), first.answer.stdout.replace(/\[ *[\d.]+\]/g, '[t]'));
  assert.equal(second.answer.exitCode, 0);
});

test('a missing or unparsable file is an exit status 2 that names it, and the session is untouched', async () => {
  const missing = path.join(repoRoot, 'no-such.xlp');
  const { answer } = await scenario(missing);
  assert.equal(answer.exitCode, 2);
  assert.equal(answer.stderr, `livepatch-lens emu: cannot read the script ${missing}: ENOENT\n`);
  assert.deepEqual(answer.steps, []);
  assert.equal((await shell('cat /sys/kernel/livepatch/lp_sleepy_patch/enabled')).stdout, '1\n');
});
