import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { EmulatorCommandResult, EmulatorState, XenEmulatorState } from '../../../server/src/protocol';
import { LspClient } from '../support/lspClient';
import { distDir, fromRoot, repoRoot } from '../support/paths';
import { sourceString } from '../unit/emulator/xen/support/boot';
import { faultingLoadHook } from '../unit/emulator/xen/support/extraPayloads';
import { buildSamples, nmSymbol, objdumpBytes, samplePayload } from '../unit/emulator/xen/support/xenPayloads';

// The emulator's LSP commands (workspace/executeCommand) and the livepatch/emulatorState
// notification, through the real server on the bundled sample target: the seeds' story of
// livepatch-tools.md §3.3, §3.6, §3.7 and §3.9 (load, stack, wrong-order revert, REPLACE).

let client: LspClient;

// Expected strings come from the sources: the target's XEN_EXTRAVERSION and each replacement's return.
const unpatched = /#define XEN_EXTRAVERSION "([^"]*)"/.exec(readFileSync(fromRoot('samples', 'target', 'version.c'), 'utf8'))![1];
const hello = sourceString('payloads/xen/xen_hello_world_func.c');
const bye = sourceString('payloads/xen/xen_bye_world_func.c');
const again = sourceString('payloads/xen/xen_replace_world_func.c');

before(() => {
  buildSamples();
  client = new LspClient(path.join(distDir, 'server.js'));
});
after(() => client.kill());

/** One command, its answer and the state notification that went out before the answer. */
async function send(verb: string, args?: object): Promise<{ answer: EmulatorCommandResult; state: EmulatorState }> {
  const seen = client.notifications.length;
  const answer = await client.request<EmulatorCommandResult>('workspace/executeCommand', { command: `livepatch.emulator.${verb}`, arguments: args ? [args] : [] }, 30000);
  const state = client.notifications.slice(seen).find((n) => n.method === 'livepatch/emulatorState')?.params as EmulatorState;
  assert.ok(state, `no livepatch/emulatorState after ${verb}`);
  return { answer, state };
}

/** A command of the Xen session: its state is the hypervisor's. */
async function run(verb: string, args?: object): Promise<{ answer: EmulatorCommandResult; state: XenEmulatorState }> {
  const { answer, state } = await send(verb, args);
  assert.equal(state.runtime, 'xen', `the state after ${verb} is the hypervisor's`);
  return { answer, state };
}

async function callExtraVersion(): Promise<string | null | undefined> {
  const { answer } = await run('call', { function: 'xen_extra_version' });
  assert.equal(answer.exitCode, 0, answer.stderr);
  assert.equal(answer.call?.status, 'returned');
  return answer.call?.string;
}

const extraVersion = nmSymbol('xen_extra_version');
const originalBytes = objdumpBytes('xen_extra_version', extraVersion.size).toString('hex');

test('initialize advertises every emulator command', async () => {
  const result = await client.initialize(repoRoot);
  const advertised: string[] = result.capabilities.executeCommandProvider.commands;
  for (const verb of ['upload', 'apply', 'revert', 'replace', 'unload', 'load', 'list', 'call', 'dump', 'reset'])
    assert.ok(advertised.includes(`livepatch.emulator.${verb}`), verb);
});

test('load applies hello world: E9 rel32 to the replacement at old_addr, and the call returns its string', async () => {
  const file = samplePayload('xen_hello_world');
  const { answer, state } = await run('load', { path: file });
  assert.equal(answer.exitCode, 0, answer.stderr);
  assert.equal(answer.commandLine, `xen-livepatch load ${file}`);
  assert.equal(answer.stdout, `Uploading ${file}... completed\nApplying xen_hello_world... completed\n`);
  assert.ok(answer.console.includes('(XEN) livepatch: xen_hello_world finished APPLY with rc=0'), answer.console.join('\n'));
  assert.deepEqual(state.appliedStack, ['xen_hello_world']);
  assert.equal(state.panicked, undefined);
  const [p] = state.payloads;
  assert.equal(p.state, 'APPLIED');
  assert.equal(p.rc, 0);
  const [f] = p.funcs;
  assert.equal(f.name, 'xen_extra_version');
  assert.equal(BigInt(f.oldAddr), extraVersion.address, 'old_addr is the target symbol (nm)');
  assert.equal(f.applied, true);
  // §3.7: rel32 = new_addr - (old_addr + 5), the rest of the function untouched.
  const bytes = Buffer.from(f.bytes!, 'hex');
  assert.equal(bytes[0], 0xe9);
  assert.equal(BigInt(bytes.readInt32LE(1)), BigInt(f.newAddr) - (BigInt(f.oldAddr) + 5n));
  assert.equal(bytes.subarray(5).toString('hex'), originalBytes.slice(10));
  assert.equal(await callExtraVersion(), hello);
});

test('bye world stacks on hello world; reverting hello world first is refused with EBUSY (exit 2)', async () => {
  const loaded = await run('load', { path: samplePayload('xen_bye_world') });
  assert.equal(loaded.answer.exitCode, 0, loaded.answer.stderr);
  assert.deepEqual(loaded.state.appliedStack, ['xen_hello_world', 'xen_bye_world']);
  assert.equal(await callExtraVersion(), bye);

  const { answer, state } = await run('revert', { name: 'xen_hello_world' });
  assert.equal(answer.exitCode, 2, 'EBUSY is "try again"');
  assert.equal(answer.stdout, 'Reverting xen_hello_world... failed\n');
  assert.equal(answer.stderr, 'Error 16: Device or resource busy\n');
  assert.deepEqual(answer.console, ["(XEN) livepatch: xen_hello_world: can't unload. Top is xen_bye_world"]);
  assert.deepEqual(state.appliedStack, ['xen_hello_world', 'xen_bye_world'], 'nothing changed');
  assert.deepEqual(
    state.payloads.map((p) => [p.name, p.state, p.funcs[0].applied]),
    [
      ['xen_hello_world', 'APPLIED', true],
      ['xen_bye_world', 'APPLIED', true],
    ],
  );
  assert.equal(await callExtraVersion(), bye);
});

test('reverting from the top restores the original bytes (objdump) and the original string', async () => {
  assert.equal((await run('revert', { name: 'xen_bye_world' })).answer.exitCode, 0);
  const { answer, state } = await run('revert', { name: 'xen_hello_world' });
  assert.equal(answer.exitCode, 0, answer.stderr);
  assert.equal(answer.stdout, 'Reverting xen_hello_world... completed\n');
  assert.deepEqual(state.appliedStack, []);
  for (const p of state.payloads) {
    assert.equal(p.state, 'CHECKED');
    assert.equal(p.funcs[0].applied, false);
    assert.equal(p.funcs[0].bytes, originalBytes, `${p.name}: xen_extra_version as linked`);
  }
  assert.equal(await callExtraVersion(), unpatched);
});

test('REPLACE reverts the applied payloads and applies the replacement, found by name (old_addr 0)', async () => {
  for (const name of ['xen_bye_world', 'xen_hello_world']) assert.equal((await run('unload', { name })).answer.exitCode, 0);
  assert.equal((await run('load', { path: samplePayload('xen_hello_world') })).answer.exitCode, 0);
  const uploaded = await run('upload', { name: 'xen_replace_world', path: samplePayload('xen_replace_world') });
  assert.equal(uploaded.answer.exitCode, 0, uploaded.answer.stderr);
  assert.equal(uploaded.state.payloads.find((p) => p.name === 'xen_replace_world')?.state, 'CHECKED');

  const { answer, state } = await run('replace', { name: 'xen_replace_world' });
  assert.equal(answer.exitCode, 0, answer.stderr);
  assert.equal(answer.stdout, 'Replacing all live patches with xen_replace_world... completed\n');
  const reverted = answer.console.indexOf('(XEN) livepatch: xen_hello_world: Reverting');
  const finished = answer.console.indexOf('(XEN) livepatch: xen_replace_world finished REPLACE with rc=0');
  assert.ok(reverted >= 0 && finished > reverted, answer.console.join('\n'));
  assert.deepEqual(state.appliedStack, ['xen_replace_world']);
  assert.equal(state.payloads.find((p) => p.name === 'xen_hello_world')?.state, 'CHECKED');
  assert.equal(BigInt(state.payloads.find((p) => p.name === 'xen_replace_world')!.funcs[0].oldAddr), extraVersion.address);
  assert.equal(await callExtraVersion(), again);
});

test('list, dump and a panic-free end: everything reverted and unloaded', async () => {
  const listed = await run('list');
  assert.match(listed.answer.stdout, /^xen_replace_world +\| APPLIED {4}\| $/m);
  const dumped = await run('dump');
  assert.ok(dumped.answer.console.includes("(XEN) 'x' pressed - Dumping all livepatch patches"));
  assert.equal((await run('revert', { name: 'xen_replace_world' })).answer.exitCode, 0);
  for (const name of ['xen_replace_world', 'xen_hello_world']) assert.equal((await run('unload', { name })).answer.exitCode, 0);
  const { answer, state } = await run('list');
  assert.equal(answer.stdout, 'Nothing to list\n');
  assert.deepEqual(state.payloads, []);
  assert.equal(state.panicked, undefined);
  assert.equal(await callExtraVersion(), unpatched);
});

test('bad arguments are an answer (exit 2) and change nothing', async () => {
  const { answer, state } = await run('apply', {});
  assert.equal(answer.exitCode, 2);
  assert.match(answer.stderr, /'name' must be a non-empty string/);
  assert.deepEqual(state.payloads, []);
  const unknown = await run('call', { function: 'no_such_function' });
  assert.equal(unknown.answer.exitCode, 2);
  assert.match(unknown.answer.stderr, /unknown function 'no_such_function'/);
});

test('a hypervisor panic is reported, refuses further commands, and reset boots a fresh one', async () => {
  const { answer, state } = await run('load', { path: faultingLoadHook() });
  assert.notEqual(answer.exitCode, 0);
  assert.match(state.panicked ?? '', /page-fault/);
  assert.ok(
    answer.console.some((line) => line.startsWith('(XEN) Panic on CPU 0:')),
    answer.console.join('\n'),
  );
  const refused = await run('list');
  assert.equal(refused.answer.exitCode, 1);
  assert.match(refused.answer.stderr, /panicked/);
  const reset = await run('reset');
  assert.equal(reset.answer.exitCode, 0, reset.answer.stderr);
  assert.equal(reset.state.panicked, undefined);
  assert.deepEqual(reset.state.payloads, []);
  assert.equal(await callExtraVersion(), unpatched);
});

test('a scenario line runs on the session its runtime says; the state notification is keyed by runtime', async () => {
  const listed = await run('run', { line: 'xen-livepatch list' });
  assert.equal(listed.answer.exitCode, 0, listed.answer.stderr);
  assert.equal(listed.answer.commandLine, 'xen-livepatch list');
  assert.equal(listed.answer.stdout, 'Nothing to list\n');

  const linux = await send('run', { line: 'echo 1 > /sys/kernel/livepatch/p/enabled' });
  assert.equal(linux.state.runtime, 'linux');
  assert.equal(linux.answer.commandLine, 'echo 1 > /sys/kernel/livepatch/p/enabled');
  if (linux.state.runtime !== 'linux') return;
  // The kernel booted: no patch, so busybox's redirection finds no such attribute; its kworkers sleep in worker_thread.
  assert.deepEqual([linux.state.patches, linux.state.modules], [[], []]);
  assert.equal(linux.answer.exitCode, 1);
  assert.equal(linux.answer.stderr, "sh: can't create /sys/kernel/livepatch/p/enabled: No such file or directory\n");
  assert.ok(
    linux.state.tasks.some((t) => t.comm.startsWith('kworker/') && t.stack.some((f) => f.startsWith('worker_thread'))),
    JSON.stringify(linux.state.tasks),
  );
  const insmod = await send('insmod', { path: '/nowhere/livepatch-sample.ko' });
  assert.equal(insmod.state.runtime, 'linux');
  assert.equal(insmod.answer.commandLine, 'insmod /nowhere/livepatch-sample.ko');
  assert.equal(insmod.answer.stderr, 'insmod: ERROR: could not load module /nowhere/livepatch-sample.ko: No such file or directory\n');

  // The hypervisor's session is untouched by the kernel's; call goes to the runtime named, or the last one.
  const call = await run('call', { function: 'xen_extra_version', runtime: 'xen' });
  assert.equal(call.answer.call?.string, unpatched);
  assert.equal((await run('dump')).answer.exitCode, 0, 'after a Xen command, dump is the hypervisor’s');
});

test('a scenario line that does not parse is refused with its error, and nothing runs', async () => {
  const { answer } = await run('run', { line: 'call f "open', runtime: 'xen' });
  assert.equal(answer.exitCode, 2);
  assert.equal(answer.stderr, 'livepatch.emulator.run: line:1: unbalanced double quote\n');
  const runtime = await run('call', { function: 'xen_extra_version', runtime: 'vax' });
  assert.equal(runtime.answer.exitCode, 2);
  assert.match(runtime.answer.stderr, /'runtime' must be one of xen, linux/);
});

test("the state notification carries the CPUs once another CPU runs: CPU 1's job, where it is, its IRQ flag (issue 17)", async () => {
  const before = await run('reset');
  assert.equal(before.state.cpus, undefined, 'a fresh machine whose other CPUs never ran shows none');
  const { answer, state } = await run('run', { line: 'run 1 spin_irqs_off', runtime: 'xen' });
  assert.equal(answer.exitCode, 0, answer.stderr);
  assert.ok(state.cpus, JSON.stringify(state));
  assert.deepEqual([state.cpus.count, state.cpus.seed, state.cpus.poke], [2, 1, 'xen']);
  const cpu1 = state.cpus.cpus.find((c) => c.id === 1)!;
  const spin = nmSymbol('spin_irqs_off');
  assert.equal(cpu1.job, 'spin_irqs_off');
  assert.equal(cpu1.irqs, false, 'spin_irqs_off runs cli');
  const offset = Number.parseInt(/^spin_irqs_off\+0x([0-9a-f]+)$/.exec(cpu1.where ?? '')?.[1] ?? 'x', 16);
  assert.ok(offset > 0 && offset < spin.size, `${cpu1.where} is inside spin_irqs_off (${spin.size} bytes)`);
  await run('reset');
});
