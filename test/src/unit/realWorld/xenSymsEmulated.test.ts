import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { XenLivepatch } from '../../../../server/out/emulator/xen';
import { distDir, fixture, fromRoot } from '../../support/paths';
import { run } from '../samples/binutils';
import { runScenarioCli } from './linuxDifferential/machines';

// Issue 18: Debian's own xen-syms as the emulated machine. Its real printk, spinlocks and per-CPU
// data run as the image's code; what it printed is judged against what Debian's real Xen printed
// for the same payload (the recorded transcript; realXenTranscript.test.ts reruns it in QEMU).
const artifacts = JSON.parse(readFileSync(fromRoot('scripts', 'debian-artifacts.json'), 'utf8')) as { files: { xenSyms: string } };
const xenSyms = artifacts.files.xenSyms;
const skip = existsSync(xenSyms) ? false : `${xenSyms} is not installed: run \`node scripts/xen-artifacts.mjs --install\` (package xen-hypervisor-4.17-amd64-dbg)`;
const payloads = fromRoot('samples', 'build', 'payloads', 'xen-real', path.basename(xenSyms));
const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(distDir, 'cli.js'), 'emu', '--target', xenSyms, ...args], { encoding: 'utf8' });

/** `nm` of the image: address of each symbol, and the sorted addresses (Xen's %pS size is the distance to the next symbol). */
const nm = () => {
  const rows = [...run('nm', ['-n', xenSyms]).matchAll(/^([0-9a-f]{16}) \w (\S+)$/gm)].map((m) => ({ address: BigInt(`0x${m[1]}`), name: m[2] }));
  return { address: (name: string) => rows.find((r) => r.name === name)!.address, after: (address: bigint) => rows.find((r) => r.address > address)!.address };
};

/** The transcript file: per `$ COMMAND`, its stdout lines and its (XEN) lines. */
function recorded(): { command: string; stdout: string; log: string[] }[] {
  const commands: { command: string; stdout: string; log: string[] }[] = [];
  for (const line of readFileSync(fixture('differential', 'xen', 'real-hello-world.transcript'), 'utf8').split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    if (line.startsWith('$ ')) commands.push({ command: line.slice(2), stdout: '', log: [] });
    else if (line.startsWith('(XEN) ')) commands[commands.length - 1].log.push(line);
    else commands[commands.length - 1].stdout += `${line}\n`;
  }
  return commands;
}

before(() => {
  if (!skip) run('make', ['-s', '-C', fromRoot('samples'), 'real-xen', `XEN_SYMS=${xenSyms}`]);
});

test(
  "hello world on Debian's xen-syms: upload, apply (the real printk prints hi_func's line), the patched extra version, revert, unload — as Debian's real Xen printed them",
  { skip },
  async () => {
    const emulated = await runScenarioCli('emu', fixture('differential', 'xen', 'real-hello-world.scn'), payloads, 'xen', xenSyms);
    const expected = recorded();
    assert.equal(emulated.results.length, expected.length, emulated.stderr);
    emulated.results.forEach((result, i) => {
      assert.equal(result.command, expected[i].command);
      assert.equal(result.exitCode, 0, `${result.command}: ${result.stderr}`);
      assert.equal(result.stdout, expected[i].stdout, result.command);
      assert.deepEqual(result.log, expected[i].log, result.command);
    });
  },
);

test("the image's own vsnprintf formats a call of printk: the log level is taken off, %pS names the symbol as Xen's symbols_lookup does", { skip }, () => {
  const symbols = nm();
  const at = symbols.address('xen_extra_version');
  const result = cli('call', 'printk', 'str:<3>%s at %pS\n', 'str:extra', `0x${at.toString(16)}`);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`^\\(XEN\\) extra at xen_extra_version\\+0/0x${(symbols.after(at) - at).toString(16)}$`, 'm'));
});

test('a call that reaches hardware the emulator does not model stops with a guest fault naming the function, the path and the native it needs', { skip }, () => {
  const result = cli('call', 'get_cmos_time');
  assert.equal(result.status, 1, result.stdout + result.stderr);
  const output = result.stdout + result.stderr;
  assert.match(
    output,
    /guest fault \(privileged\) at get_cmos_time\+0x[0-9a-f]+: (in|out) in get_cmos_time: hardware the emulator does not model; this path needs a native for get_cmos_time/,
  );
  assert.match(output, /call stack \(innermost first\):\n {2}get_cmos_time \(returns to <host-return>\)/);
});

test('the machine is the one boot leaves: per-CPU data through cpu_info on the stack, read-only text, init memory freed, the idle vCPU current', { skip }, (t) => {
  const started = performance.now();
  const xen = XenLivepatch.boot(xenSyms);
  const bootMs = performance.now() - started;
  const { machine } = xen;
  const symbols = nm();
  // this_cpu(__preempt_count) = per_cpu____preempt_count + the per_cpu_offset _spin_lock reads from cpu_info.
  const offset = machine.memory.readU64(symbols.address('__per_cpu_offset'));
  const preempt = symbols.address('per_cpu____preempt_count') + offset;
  const lock = machine.allocate(4096n, 'a spinlock');
  assert.equal(machine.call('_spin_lock', [lock]).status, 'returned');
  assert.equal(machine.memory.readU32(preempt), 1, "_spin_lock's preempt_disable() counted on CPU 0's per-CPU data");
  assert.equal(machine.call('_spin_unlock', [lock]).status, 'returned');
  assert.equal(machine.memory.readU32(preempt), 0);
  // Another CPU's area is Xen's INVALID_PERCPU_AREA (percpu_init_areas ran): 2^63 - __per_cpu_start.
  assert.equal(machine.memory.readU64(symbols.address('__per_cpu_offset') + 8n), BigInt.asUintN(64, (1n << 63n) - symbols.address('__per_cpu_start')));
  const idle = machine.memory.readU64(symbols.address('idle_vcpu'));
  assert.notEqual(idle, 0n, 'idle_vcpu[0] is set');

  // The stack is Xen's: STACK_SIZE (cpu0_stack's size) aligned, two pages of primary stack, a guard below.
  const task = machine.currentTask;
  const stackSize = BigInt(parseInt(/^\S+ ([0-9a-f]+) \w cpu0_stack$/m.exec(run('nm', ['-S', xenSyms]))![1], 16));
  assert.equal((task.stackTop | (stackSize - 1n)) + 1n - task.stackBase, 2n * 4096n, 'the primary stack is the top two pages of its STACK_SIZE block');
  const overflow = machine.call('memset', [task.stackBase - 8n, 0, 8], { task: machine.createTask('another CPU-0 task') });
  assert.equal(overflow.status, 'fault');
  assert.match(overflow.fault!.detail, /write in the guard page below Xen's primary stack of 'idle vCPU d32767v0' \(stack overflow\)/);

  const write = machine.call('memset', [symbols.address('xen_extra_version'), 0, 1]);
  assert.equal(write.status, 'fault');
  assert.match(write.fault!.detail, /write of a page without write permission/);
  const init = machine.call('cmdline_parse', [0]);
  assert.equal(init.status, 'fault');
  assert.match(init.fault!.detail, /Xen's \.init\.text, freed at the end of boot/);
  t.diagnostic(`boot of the emulated xen-syms: ${bootMs.toFixed(0)} ms`);
});

test("xmalloc at the hardware boundary: the image's _xmalloc honours the alignment, _xzalloc zeroes, a second xfree of a block is Xen's BUG", { skip }, () => {
  const { machine } = XenLivepatch.boot(xenSyms);
  const first = machine.call('_xmalloc', [24, 4096]);
  assert.equal(first.status, 'returned');
  assert.equal(first.rax % 4096n, 0n, `0x${first.rax.toString(16)} is page-aligned`);
  machine.memory.write(first.rax, new Uint8Array(24).fill(0xaa));
  assert.equal(machine.call('xfree', [first.rax]).status, 'returned');
  const zeroed = machine.call('_xzalloc', [24, 8]);
  assert.equal(zeroed.rax % 16n, 0n, "xmalloc's smallest alignment is 16");
  assert.deepEqual([...machine.memory.read(zeroed.rax, 24)], new Array<number>(24).fill(0));
  const twice = machine.call('xfree', [first.rax]);
  assert.equal(twice.status, 'fault');
  assert.match(twice.fault!.detail, /Xen BUG: xfree\(0x[0-9a-f]+\): not a block the allocator handed out, or freed twice/);
});
