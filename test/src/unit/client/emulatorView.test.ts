import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { contextKeys } from '../../../../client/out/features/emulator/actions';
import { EmulatorModel } from '../../../../client/out/features/emulator/model';
import { ViewNode, viewNodes } from '../../../../client/out/features/emulator/viewNodes';
import { rememberTarget, recentTargetsKept } from '../../../../client/out/recentTargets';
import { EmulatorSession } from '../../../../server/out/emulator/session';
import { runtimeFactory } from '../../../../server/out/emulator/runtimes';
import { commandFromWords, parseScript } from '../../../../server/out/scenario/parse';
import type { ScenarioCommand } from '../../../../server/src/scenario/command';
import { fromRoot } from '../../support/paths';
import { buildSamples } from '../emulator/xen/support/xenPayloads';

// The Livepatch view's content and the context keys, from real sessions' states: at each step
// the tree must say what the machine itself says (xen-livepatch list, /sys/kernel/livepatch).

buildSamples();
const target = fromRoot('samples', 'build', 'target', 'sample-target');

function session(runtime: 'xen' | 'linux') {
  const machine = new EmulatorSession(runtimeFactory(runtime), { target, baseDir: fromRoot('samples', 'build', 'payloads', runtime === 'xen' ? 'xen' : 'klp') });
  const model = new EmulatorModel();
  let changes = 0;
  model.onDidChange(() => changes++);
  // A line as a script has it (an `echo 1 > FILE` redirects), or words.
  const run = (...argv: string[]) => {
    const command = argv.length === 1 ? (parseScript(argv[0], 'test')[0] as ScenarioCommand) : commandFromWords(argv, 'test');
    const result = machine.run(command);
    model.update(machine.state());
    return result;
  };
  return { run, model, changes: () => changes };
}

const find = (nodes: ViewNode[], id: string): ViewNode | undefined => {
  for (const n of nodes) {
    if (n.id === id) return n;
    const inner = find(n.children, id);
    if (inner) return inner;
  }
  return undefined;
};

/** What `xen-livepatch list` prints: NAME | STATE rows. */
const listed = (stdout: string): Array<[string, string]> => [...stdout.matchAll(/^(\S+)\s+\| (CHECKED|APPLIED)\s/gm)].map((m) => [m[1], m[2]]);

test('the Xen demo step by step: the view shows the states xen-livepatch list prints, and offers only the verbs the hypervisor accepts', () => {
  const { run, model, changes } = session('xen');
  const step = (...argv: string[]) => {
    assert.equal(run(...argv).exitCode, 0, argv.join(' '));
    const list = listed(run('list').stdout);
    const xen = find(viewNodes(model, true), 'xenSession')!;
    const payloads = xen.children.filter((n) => n.contextValue.startsWith('xenPayload'));
    assert.deepEqual(
      payloads.map((p) => [p.label, p.description]),
      list,
      argv.join(' '),
    );
    return { xen, payloads: new Map(payloads.map((p) => [p.label, p])), keys: contextKeys(model) };
  };
  let view = step('upload', 'xen_hello_world', 'xen_hello_world.livepatch');
  assert.equal(view.payloads.get('xen_hello_world')!.contextValue, 'xenPayload:apply:replace:unload');
  assert.deepEqual(view.keys, { ...view.keys, 'livepatch.emulator.canApply': true, 'livepatch.emulator.canRevert': false, 'livepatch.emulator.runtime': 'xen' });

  view = step('apply', 'xen_hello_world');
  const hello = view.payloads.get('xen_hello_world')!;
  assert.equal(hello.contextValue, 'xenPayload:revert');
  assert.equal(hello.icon, 'pass-filled');
  const func = hello.children[0];
  const state = model.xen!.payloads[0].funcs[0];
  assert.equal(func.label, 'xen_extra_version');
  assert.equal(func.description, `applied · ${state.oldAddr} → ${state.newAddr}`);
  assert.match(func.description, /^applied · 0x[0-9a-f]+ → 0x[0-9a-f]+$/);
  // The chain: the hypervisor's build-id, then hello world's, which depends on it.
  const chain = find([view.xen], 'buildIdChain')!;
  assert.deepEqual(
    chain.children.map((n) => n.description),
    [model.xen!.buildId, model.xen!.payloads[0].buildId],
  );
  assert.equal(model.xen!.payloads[0].depends, model.xen!.buildId);
  assert.deepEqual([view.keys['livepatch.emulator.canRevert'], view.keys['livepatch.emulator.canApply'], view.keys['livepatch.emulator.canUnload']], [true, false, false]);

  view = step('upload', 'xen_replace_world', 'xen_replace_world.livepatch');
  assert.equal(view.payloads.get('xen_replace_world')!.contextValue, 'xenPayload:apply:replace:unload');
  assert.equal(view.keys['livepatch.emulator.canReplace'], true);

  view = step('replace', 'xen_replace_world');
  assert.equal(view.payloads.get('xen_replace_world')!.contextValue, 'xenPayload:revert');
  assert.equal(view.payloads.get('xen_hello_world')!.children[0].description!.startsWith('not applied'), true);

  view = step('revert', 'xen_replace_world');
  view = step('unload', 'xen_replace_world');
  assert.deepEqual([...view.payloads.keys()], ['xen_hello_world']);

  // Hello world has .data: applied again after a revert, the hypervisor refuses it with an rc.
  const again = run('apply', 'xen_hello_world');
  assert.notEqual(again.exitCode, 0);
  const failed = find(viewNodes(model, true), 'xenPayload/xen_hello_world')!;
  assert.equal(failed.icon, 'error');
  assert.match(failed.description!, new RegExp(`^CHECKED · rc ${model.xen!.payloads[0].rc}$`));
  assert.ok(model.xen!.payloads[0].rc < 0);
  assert.ok(changes() >= 12, 'one change event per state');
});

test('the klp sample and a blocked transition: patches, objects, functions, tasks and what blocks them, as sysfs says', () => {
  const { run, model } = session('linux');
  const sysfs = (path: string) => run('cat', path).stdout.trim();
  assert.equal(run('insmod', 'livepatch-sample.ko').exitCode, 0);
  let nodes = viewNodes(model, true);
  const sample = find(nodes, 'linuxPatch/livepatch_sample')!;
  assert.equal(sysfs('/sys/kernel/livepatch/livepatch_sample/enabled'), '1');
  assert.equal(sample.description, 'enabled');
  assert.equal(sample.contextValue, 'linuxPatch:disable');
  assert.equal(
    find(nodes, 'linuxPatch/livepatch_sample/vmlinux')!.description,
    sysfs('/sys/kernel/livepatch/livepatch_sample/vmlinux/patched') === '1' ? 'patched' : 'not patched',
  );
  assert.match(find(nodes, 'linuxPatch/livepatch_sample/vmlinux/cmdline_proc_show')!.description!, /^patched · → 0x[0-9a-f]+$/);
  // Its module holds the patch: rmmod is not offered until the patch is disabled and gone.
  assert.equal(find(nodes, 'linuxModule/livepatch_sample')!.contextValue, 'linuxModule');
  assert.equal(contextKeys(model)['livepatch.emulator.runtime'], 'linux');

  assert.equal(run('insmod', 'sleepy-work.ko', 'sleep_secs=60').exitCode, 0);
  assert.equal(run('insmod', 'lp-sleepy-patch.ko').exitCode, 0);
  nodes = viewNodes(model, true);
  assert.equal(sysfs('/sys/kernel/livepatch/lp_sleepy_patch/transition'), '1');
  const sleepy = find(nodes, 'linuxPatch/lp_sleepy_patch')!;
  assert.equal(sleepy.description, 'enabled · in transition');
  assert.equal(sleepy.contextValue, 'linuxPatch:disable:force');
  const blocker = model.linux!.transition!.blocking[0];
  const task = find(nodes, `linux/tasks/${blocker.pid}`)!;
  assert.equal(task.label, blocker.comm);
  assert.match(task.description!, /patch_state 0 \(unpatched\) · blocked in sleepy_work_fn$/);
  assert.equal(contextKeys(model)['livepatch.emulator.canForce'], true);

  assert.equal(run('echo 1 > /sys/kernel/livepatch/lp_sleepy_patch/force').exitCode, 0);
  // Forced, every task switched; the next retry (every second) completes the transition.
  assert.equal(run('sleep', '1').exitCode, 0);
  nodes = viewNodes(model, true);
  assert.equal(sysfs('/sys/kernel/livepatch/lp_sleepy_patch/transition'), '0');
  assert.equal(find(nodes, 'linuxPatch/lp_sleepy_patch')!.description, 'enabled · forced');
  assert.equal(contextKeys(model)['livepatch.emulator.canForce'], false);

  // Forcing marks every patch forced: the kernel never gives their modules back.
  assert.equal(run('echo 0 > /sys/kernel/livepatch/livepatch_sample/enabled').exitCode, 0);
  assert.equal(run('sleep', '1').exitCode, 0);
  nodes = viewNodes(model, true);
  assert.equal(find(nodes, 'linuxPatch/livepatch_sample'), undefined, 'a disabled patch is freed');
  assert.equal(find(nodes, 'linuxModule/livepatch_sample')!.contextValue, 'linuxModule');
  assert.notEqual(run('rmmod', 'livepatch_sample').exitCode, 0);
  // A module no patch holds can go.
  assert.equal(find(nodes, 'linuxModule/sleepy_work')!.contextValue, 'linuxModule:rmmod');
  assert.equal(run('rmmod', 'sleepy_work').exitCode, 0);
  assert.equal(find(viewNodes(model, true), 'linuxModule/sleepy_work'), undefined);
});

test('the klp sample disabled without a force: its module is offered for rmmod, and rmmod removes it', () => {
  const { run, model } = session('linux');
  assert.equal(run('insmod', 'livepatch-sample.ko').exitCode, 0);
  assert.equal(find(viewNodes(model, true), 'linuxModule/livepatch_sample')!.contextValue, 'linuxModule');
  assert.equal(run('echo 0 > /sys/kernel/livepatch/livepatch_sample/enabled').exitCode, 0);
  assert.equal(run('sleep', '1').exitCode, 0);
  assert.equal(find(viewNodes(model, true), 'linuxModule/livepatch_sample')!.contextValue, 'linuxModule:rmmod');
  assert.equal(contextKeys(model)['livepatch.emulator.canRmmod'], true);
  assert.equal(run('rmmod', 'livepatch_sample').exitCode, 0);
  assert.equal(find(viewNodes(model, true), 'linuxModule/livepatch_sample'), undefined);
});

test('in an untrusted workspace the view says the emulator is off and why', () => {
  const model = new EmulatorModel();
  model.setTarget({ state: 'ready', path: '/t/xen-syms', buildId: 'ab12', flavour: 'xen', bundled: false });
  const nodes = viewNodes(model, false);
  assert.deepEqual(
    nodes.map((n) => [n.label, n.description]),
    [
      ['Target: xen-syms', 'xen · build-id ab12'],
      ['Emulator disabled: this workspace is not trusted', undefined],
    ],
  );
  assert.equal(nodes[1].command?.command, 'workbench.trust.manage');
  assert.equal(nodes[0].command?.command, 'livepatch.selectTarget');
  // A Xen target shows only the hypervisor's session; a new server forgets the sessions.
  assert.deepEqual(
    viewNodes(model, true).map((n) => n.id),
    ['target', 'xenSession'],
  );
});

test('recent targets: the chosen one first, no duplicates, a bounded list', () => {
  assert.deepEqual(rememberTarget(['/a', '/b'], '/b'), ['/b', '/a']);
  const many = Array.from({ length: 20 }, (_, i) => `/t${i}`);
  assert.equal(rememberTarget(many, '/new').length, recentTargetsKept);
  assert.equal(rememberTarget(many, '/new')[0], '/new');
});

test("the view's item menus show each action exactly where the node offers its verb", () => {
  const manifest = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { contributes: { menus: Record<string, Array<{ command: string; when: string }>> } };
  const verbOf: Record<string, string> = {
    'livepatch.uploadPayload': 'upload',
    'livepatch.loadPayload': 'insmod',
    'livepatch.applyPayload': 'apply',
    'livepatch.replacePayloads': 'replace',
    'livepatch.revertPayload': 'revert',
    'livepatch.unloadPayload': 'unload',
    'livepatch.enablePatch': 'enable',
    'livepatch.disablePatch': 'disable',
    'livepatch.forcePatch': 'force',
    'livepatch.removeModule': 'rmmod',
    'livepatch.resetEmulator': 'reset',
  };
  const contexts = [
    'xenSession:upload:reset',
    'xenPayload:apply:replace:unload',
    'xenPayload:revert',
    'xenPayload',
    'linuxSession:insmod:reset',
    'linuxPatch:disable:force',
    'linuxPatch:enable',
    'linuxModule:rmmod',
    'linuxModule',
    'xenFunction',
  ];
  const items = manifest.contributes.menus['view/item/context'].filter((m) => m.command in verbOf);
  assert.ok(items.length >= 20);
  for (const item of items) {
    const pattern = new RegExp(/viewItem =~ \/(.+)\/$/.exec(item.when)![1]);
    assert.match(item.when, /isWorkspaceTrusted/, `${item.command} hidden in an untrusted workspace`);
    const kind = /\^(\w+)/.exec(pattern.source)![1];
    for (const context of contexts) {
      const offers = context.startsWith(`${kind}:`) && context.split(':').slice(1).includes(verbOf[item.command]);
      assert.equal(pattern.test(context), offers, `${item.command} on ${context}`);
    }
  }
});

test('the CPUs node: each CPU with where it is, its task, IRQ state and NMI state, once another CPU ran (issue 17)', () => {
  const { run, model } = session('xen');
  assert.equal(run('list').exitCode, 0);
  assert.equal(find(viewNodes(model, true), 'xen/cpus'), undefined, 'no CPUs node before anything ran on another CPU');
  // CPU 1 spins with interrupts off: objdump says where its loop is (the `jmp` to itself after the `cli`).
  assert.equal(run('run', '1', 'spin_irqs_off').exitCode, 0);
  const listing = execFileSync('objdump', ['-d', '--no-show-raw-insn', '--disassemble=spin_irqs_off', target], { encoding: 'utf8' });
  const start = BigInt(`0x${/^([0-9a-f]+) <spin_irqs_off>:/m.exec(listing)![1]}`);
  const loop = BigInt(`0x${/^ *([0-9a-f]+):\s+jmp\s+\1 /m.exec(listing)![1]}`);
  let cpus = find(viewNodes(model, true), 'xen/cpus')!;
  assert.match(cpus.description!, /^2 · seed 1 · poke xen$/);
  assert.deepEqual(
    cpus.children.map((c) => c.label),
    ['CPU0', 'CPU1'],
  );
  assert.equal(cpus.children[0].description, 'runs the commands · IRQs on');
  assert.equal(cpus.children[1].description, `at spin_irqs_off+0x${(loop - start).toString(16)} · runs spin_irqs_off · IRQs off`);
  assert.equal(cpus.children[1].icon, 'circle-slash');

  // A fresh machine: CPU 1 loops through the patched function; an NMI raised during the patch is
  // lost, on the CPUs the load's own notes name.
  run('reset');
  assert.equal(run('run', '1', 'xen_build_info', '--loop').exitCode, 0);
  assert.equal(run('nmi', '0', 'after', '1').exitCode, 0);
  assert.equal(run('nmi', '1', 'after', '2').exitCode, 0);
  const load = run('load', 'xen_trap_world.livepatch');
  assert.equal(load.exitCode, 0, load.stderr);
  cpus = find(viewNodes(model, true), 'xen/cpus')!;
  let total = 0;
  for (const [i, cpu] of cpus.children.entries()) {
    const lost = load.stderr.split('\n').filter((line) => line.startsWith(`CPU${i}: NMI lost`)).length;
    total += lost;
    if (lost) assert.ok(cpu.description!.includes(`${lost} NMIs lost`), cpu.description);
    else assert.doesNotMatch(cpu.description!, /lost/);
  }
  assert.ok(total > 0, load.stderr);
  assert.match(cpus.children[1].description!, /runs xen_build_info \(loop\) · IRQs on/);
  assert.match(cpus.children[1].tooltip!, /^CPU1: runs xen_build_info \(loop\), \d+ calls returned/);
});

test('a CPU inside an NMI handler shows the latch', () => {
  const model = new EmulatorModel();
  model.update({
    runtime: 'linux',
    target,
    patches: [],
    tasks: [],
    modules: [],
    cpus: { count: 2, seed: 9, poke: 'linux', cpus: [{ id: 1, where: 'do_nmi+0x5', job: 'f', loop: true, calls: 3, irqs: false, inNmi: true, lostNmis: 0 }] },
  });
  const cpu = find(viewNodes(model, true), 'linux/cpus/1')!;
  assert.equal(cpu.description, 'at do_nmi+0x5 · runs f (loop) · IRQs off · in an NMI');
  assert.equal(cpu.icon, 'zap');
});
