import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linuxStateSummary } from '../../../../client/out/linuxStateSummary';
import { EmulatorSession } from '../../../../server/out/emulator/session';
import { runtimeFactory } from '../../../../server/out/emulator/runtimes';
import { commandFromWords } from '../../../../server/out/scenario/parse';
import type { LinuxEmulatorState } from '../../../../server/src/protocol';
import { fromRoot } from '../../support/paths';
import { buildSamples } from '../emulator/xen/support/xenPayloads';

// The emulator channel's lines about the kernel, from a real session's state: a transition
// blocked by the kworker asleep in the function being patched, then the same patch complete.

buildSamples();

test('the Linux summary names the patch, its functions, and the task that blocks its transition on which function', () => {
  const session = new EmulatorSession(runtimeFactory('linux'), {
    target: fromRoot('samples', 'build', 'target', 'sample-target'),
    baseDir: fromRoot('samples', 'build', 'payloads', 'klp'),
  });
  const run = (...argv: string[]) => assert.equal(session.run(commandFromWords(argv, 'test')).exitCode, 0, argv.join(' '));
  run('insmod', 'sleepy-work.ko', 'sleep_secs=3');
  run('insmod', 'lp-sleepy-patch.ko');
  const blocked = linuxStateSummary(session.state() as LinuxEmulatorState);
  assert.equal(blocked[0], '# livepatch lp_sleepy_patch: enabled, in transition - sleepy_work:sleepy_work_fn');
  assert.match(blocked[1], /^# transition of lp_sleepy_patch to patched: 1 task to switch; blocked by kworker\/0:\d \(pid \d+\) in sleepy_work_fn$/);
  run('sleep', '5');
  assert.deepEqual(linuxStateSummary(session.state() as LinuxEmulatorState), ['# livepatch lp_sleepy_patch: enabled - sleepy_work:sleepy_work_fn']);
});
