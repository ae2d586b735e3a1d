import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EmulatorSession } from '../../../../../server/out/emulator/session';
import { runtimeFactory } from '../../../../../server/out/emulator/runtimes';
import { commandFromWords } from '../../../../../server/out/scenario/parse';
import type { LinuxEmulatorState } from '../../../../../server/src/protocol';
import { fromRoot } from '../../../support/paths';
import { buildSamples } from '../xen/support/xenPayloads';

// The Linux runtime as the session drives it: reset's banner, dump, and `call` as a guest task
// (`--pid`), refused where the kernel would refuse it.

buildSamples();

function linux() {
  const session = new EmulatorSession(runtimeFactory('linux'), {
    target: fromRoot('samples', 'build', 'target', 'sample-target'),
    baseDir: fromRoot('samples', 'build', 'payloads', 'klp'),
  });
  return { session, run: (...argv: string[]) => session.run(commandFromWords(argv, 'test')) };
}

test("reset's banner and the state's version are /proc/version's first line, and reading it took no pid", () => {
  const { session, run } = linux();
  const version = run('cat', '/proc/version');
  assert.equal(version.exitCode, 0);
  const reset = run('reset');
  assert.equal(reset.stdout, `Rebooted ${session.target} (${version.stdout.split('\n')[0]}).\n`);
  assert.equal((session.state() as LinuxEmulatorState).version, version.stdout.split('\n')[0]);
  // A cat is a process: the first one after boot takes the pid after the kworkers'.
  const pids = (session.state() as LinuxEmulatorState).tasks.map((t) => t.pid);
  assert.equal(Math.max(...pids), 7, `the boot's tasks only: ${pids.join(' ')}`);
});

test('dump prints ps into the kernel log', () => {
  const { run } = linux();
  const ps = run('ps').stdout.trimEnd().split('\n');
  const dump = run('dump');
  assert.equal(dump.exitCode, 0);
  assert.deepEqual(
    dump.log.map((l) => l.replace(/^\[[^\]]*\] /, '')),
    ['sysrq: Show State', ...ps],
  );
});

test('call --pid: an unknown pid or a missing one is a usage error (exit 2); a call that would sleep faults as scheduling while atomic', () => {
  const { session, run } = linux();
  const unknown = run('call', '--pid', '999', 'xen_minor_version');
  assert.equal(unknown.exitCode, 2);
  assert.match(unknown.stderr, /^no task with pid 999 \(ps lists them\)\n/);
  assert.equal(run('call', 'xen_minor_version', '--pid').exitCode, 2);
  assert.equal(run('insmod', 'lp-minor1.ko').exitCode, 0);
  assert.equal(run('insmod', 'lp-minor2.ko', 'lp_minor2_hold=1').exitCode, 0);
  const kworker = (session.state() as LinuxEmulatorState).tasks.find((t) => t.comm.startsWith('kworker/'))!;
  const held = run('call', '--pid', String(kworker.pid), 'xen_minor_version');
  assert.equal(held.exitCode, 1);
  assert.ok(held.stderr.includes(`scheduling while atomic: ${kworker.comm}/${kworker.pid} (an emulator call runs in atomic context)`), held.stderr);
  assert.match(held.stderr, /lp_minor2_minor_version/, 'the fault names the function that slept');
  // The kernel goes on: the kworker was not touched, the next call runs.
  assert.equal(run('ps').exitCode, 0);
  const top = BigInt(/return (\d+);/.exec(readFileSync(fromRoot('samples', 'payloads', 'klp', 'lp-minor2.c'), 'utf8'))![1]);
  assert.equal(BigInt(run('call', '--pid', String(kworker.pid), 'xen_minor_version').call?.rax ?? -1), top);
});
