import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EmulatorModel } from '../../../../client/out/features/emulator/model';
import { eventsShown, panelContent } from '../../../../client/out/features/emulator/panelContent';
import { EmulatorSession } from '../../../../server/out/emulator/session';
import { runtimeFactory } from '../../../../server/out/emulator/runtimes';
import { commandLine } from '../../../../server/out/scenario/dialect';
import { parseScript } from '../../../../server/out/scenario/parse';
import type { ScenarioCommand } from '../../../../server/src/scenario/command';
import { fromRoot } from '../../support/paths';
import { buildSamples } from '../emulator/xen/support/xenPayloads';

// The emulator panel's content from real sessions, fed to the model as the server feeds it (the
// state, then the command's answer): every task row must say what the machine's own ps and
// /proc/PID/patch_state say, and the event log what the commands printed.

buildSamples();
const target = fromRoot('samples', 'build', 'target', 'sample-target');

function session(runtime: 'xen' | 'linux') {
  const machine = new EmulatorSession(runtimeFactory(runtime), { target, baseDir: fromRoot('samples', 'build', 'payloads', runtime === 'xen' ? 'xen' : 'klp') });
  const model = new EmulatorModel();
  const run = (line: string) => {
    const command = parseScript(line, 'test')[0] as ScenarioCommand;
    const result = machine.run(command);
    model.update(machine.state());
    model.record({
      commandLine: commandLine(command, runtime),
      exitCode: result.exitCode,
      stdout: result.stdout,
      stderr: result.stderr,
      console: result.log,
      ...(result.call ? { call: result.call } : {}),
    });
    return result;
  };
  return { run, model };
}

/** `ps`: PID S PATCH COMMAND STACK rows. */
const psRows = (stdout: string) =>
  stdout
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => {
      const [pid, state, patch, comm] = line.trim().split(/\s+/);
      return { pid: Number(pid), state, patchState: Number(patch), comm };
    });

test('a transition blocked by a sleeping kworker: one row a task as ps lists it, its universe from patch_state, the blocker and its function', () => {
  const { run, model } = session('linux');
  assert.equal(run('insmod sleepy-work.ko sleep_secs=3').exitCode, 0);
  assert.equal(panelContent(model, true).linux!.transition, undefined);
  assert.ok(panelContent(model, true).linux!.tasks.every((t) => t.universe === 'none' && !t.pending));
  assert.equal(run('insmod lp-sleepy-patch.ko').exitCode, 0);
  assert.equal(run('cat /sys/kernel/livepatch/lp_sleepy_patch/transition').stdout, '1\n');

  const ps = psRows(run('ps').stdout);
  const linux = panelContent(model, true).linux!;
  // ps leaves out the idle task (pid 0), which the livepatch core switches too.
  const listed = linux.tasks.filter((t) => t.pid !== 0);
  assert.deepEqual(
    listed.map((t) => ({ pid: t.pid, state: t.state, patchState: t.patchState, comm: t.comm })),
    ps,
  );
  assert.deepEqual(
    linux.tasks.filter((t) => t.pid === 0).map((t) => t.comm),
    ['swapper'],
  );
  for (const task of listed) {
    const patchState = Number(run(`cat /proc/${task.pid}/patch_state`).stdout);
    assert.equal(task.universe, patchState === 1 ? 'new' : patchState === 0 ? 'old' : 'none', `${task.comm} ${patchState}`);
    assert.equal(task.pending, patchState === 0, `${task.comm}: the patching transition waits for every task still unpatched`);
  }
  const blockers = linux.tasks.filter((t) => t.blockedIn !== undefined);
  assert.equal(blockers.length, 1);
  assert.match(blockers[0].comm, /^kworker\//);
  assert.equal(blockers[0].blockedIn, 'sleepy_work_fn');
  assert.ok(
    blockers[0].stack.some((frame) => frame.startsWith('sleepy_work_fn')),
    blockers[0].stack.join(),
  );
  const t = linux.transition!;
  assert.deepEqual([t.patch, t.target, t.from, t.to, t.blocking], ['lp_sleepy_patch', 'patched', 'old', 'new', 1]);
  assert.equal(t.pending, linux.tasks.filter((task) => task.pending).length);
  assert.equal(t.switched, linux.tasks.filter((task) => task.universe === 'new').length);
  assert.ok(t.pending >= 1);
  assert.deepEqual(linux.patches, ['lp_sleepy_patch: enabled · in transition']);

  // The kworker wakes and leaves sleepy_work_fn: the transition completes, no task is waited for.
  assert.equal(run('sleep 5').exitCode, 0);
  assert.equal(run('cat /sys/kernel/livepatch/lp_sleepy_patch/transition').stdout, '0\n');
  const after = panelContent(model, true).linux!;
  assert.equal(after.transition, undefined);
  assert.deepEqual(after.patches, ['lp_sleepy_patch: enabled']);
  assert.ok(after.tasks.every((task) => !task.pending && task.blockedIn === undefined));
});

test("the event log: every command with what it printed and the machine's log lines, oldest first", () => {
  const { run, model } = session('linux');
  const insmod = run('insmod livepatch-sample.ko');
  const dmesg = run('dmesg').stdout;
  const events = panelContent(model, true).events;
  assert.deepEqual(
    events.map((e) => [e.runtime, e.commandLine, e.exitCode]),
    [
      ['linux', 'insmod livepatch-sample.ko', 0],
      ['linux', 'dmesg', 0],
    ],
  );
  // insmod's kernel lines are the ones dmesg then prints (its lines end with them).
  const logged = events[0].lines.filter((l) => l.kind === 'log').map((l) => l.text);
  assert.deepEqual(logged, insmod.log);
  assert.ok(logged.length > 0);
  for (const line of logged) assert.ok(dmesg.includes(line), line);
  assert.deepEqual(
    events[1].lines.map((l) => l.kind),
    dmesg
      .replace(/\n$/, '')
      .split('\n')
      .map(() => 'stdout'),
  );
  assert.ok(events[0].seq < events[1].seq);
});

test('Xen: payload states and the applied stack as xen-livepatch list says, a failing command and a guest fault in the log', () => {
  const { run, model } = session('xen');
  assert.equal(run('load xen_hello_world.livepatch').exitCode, 0);
  assert.equal(run('upload xen_replace_world xen_replace_world.livepatch').exitCode, 0);
  const list = run('list').stdout;
  const xen = panelContent(model, true).xen!;
  const listed = [...list.matchAll(/^(\S+)\s+\| (CHECKED|APPLIED)\s/gm)].map((m) => `${m[1]}: ${m[2]}`);
  assert.deepEqual(xen.payloads, listed);
  assert.deepEqual(xen.applied, ['xen_hello_world']);
  assert.equal(xen.buildId, model.xen!.buildId);

  const refused = run('unload xen_hello_world');
  assert.notEqual(refused.exitCode, 0);
  const fault = run('call 0');
  assert.notEqual(fault.exitCode, 0);
  const events = panelContent(model, true).events;
  const last = events.at(-2)!;
  assert.equal(last.exitCode, refused.exitCode);
  assert.deepEqual(
    last.lines.filter((l) => l.kind === 'stderr').map((l) => l.text),
    refused.stderr.replace(/\n$/, '').split('\n'),
  );
  const faulted = events.at(-1)!;
  assert.equal(faulted.commandLine, 'emu call 0');
  assert.ok(
    faulted.lines.some((l) => l.kind === 'stderr' || l.kind === 'fault'),
    JSON.stringify(faulted),
  );
  assert.equal(panelContent(model, true).runtime, 'xen');
});

test('a panic is the event of the command that caused it, once; the log keeps the last page; an untrusted workspace shows nothing', () => {
  const model = new EmulatorModel();
  const answer = (commandLine: string) => ({ commandLine, exitCode: 1, stdout: '', stderr: '', console: [] });
  model.update({ runtime: 'xen', target: '/t/xen-syms', appliedStack: [], payloads: [] });
  model.record(answer('xen-livepatch apply a'));
  model.update({ runtime: 'xen', target: '/t/xen-syms', appliedStack: [], payloads: [], panicked: 'livepatch: a: inconsistent state' });
  model.record(answer('xen-livepatch apply b'));
  model.record(answer('xen-livepatch list'));
  const events = panelContent(model, true).events;
  assert.deepEqual(
    events.map((e) => e.lines.filter((l) => l.kind === 'fault').map((l) => l.text)),
    [[], ['panicked: livepatch: a: inconsistent state'], []],
  );
  assert.equal(panelContent(model, true).xen!.panicked, 'livepatch: a: inconsistent state');
  for (let i = 0; i < eventsShown + 5; i++) model.record(answer(`xen-livepatch list ${i}`));
  const shown = panelContent(model, true).events;
  assert.equal(shown.length, eventsShown);
  assert.equal(shown.at(-1)!.commandLine, `xen-livepatch list ${eventsShown + 4}`);
  assert.deepEqual(panelContent(model, false), { trusted: false, target: '', events: [] });
});
