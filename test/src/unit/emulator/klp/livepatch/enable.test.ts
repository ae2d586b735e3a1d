import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readElf } from '../../../../../../server/out/elf';
import { fromRoot } from '../../../../support/paths';
import { FakeKernel } from './support/fakeKernel';

// klp_enable_patch() from a module's init: the function is redirected only once it is patched,
// the site keeps its bytes until then and gets them back after, sysfs shows the 6.1 attributes,
// and the log says what 6.1's dmesg says.

const dir = '/sys/kernel/livepatch/lp_minor1';

/** The first 9 bytes of a target function, from the ELF file (the oracle for "untouched"). */
function elfBytes(name: string): Buffer {
  const elf = readElf(fromRoot('samples', 'build', 'target', 'sample-target'));
  const symbol = elf.symbols().find((s) => s.name === name)!;
  const text = elf.sections.find((s) => symbol.value >= s.addr && symbol.value < s.addr + s.size)!;
  const bytes = elf.sectionData(text).subarray(Number(symbol.value - text.addr), Number(symbol.value - text.addr) + 9);
  elf.close();
  return Buffer.from(bytes);
}

test('a patch redirects its function once enabled, and the original runs again once disabled', () => {
  const k = new FakeKernel();
  const address = k.machine.symbols.get('xen_minor_version')!.address;
  const original = elfBytes('xen_minor_version');
  assert.equal(k.call('xen_minor_version'), 21n);
  assert.deepEqual(Buffer.from(k.machine.memory.read(address, 9)), original, 'untouched before any patch');

  assert.equal(k.insmod('lp-minor1'), 0);
  assert.equal(k.call('xen_minor_version'), 1001n);
  assert.notDeepEqual(Buffer.from(k.machine.memory.read(address, 9)), original, 'the fentry site calls the handler');
  assert.deepEqual(k.log, ["livepatch: enabling patch 'lp_minor1'", "livepatch: 'lp_minor1': starting patching transition", "livepatch: 'lp_minor1': patching complete"]);
  assert.deepEqual(k.levels, [5, 5, 5], 'pr_notice');
  assert.equal(k.cat(`${dir}/enabled`), '1\n');
  assert.equal(k.cat(`${dir}/transition`), '0\n');
  assert.equal(k.cat(`${dir}/vmlinux/patched`), '1\n');
  assert.ok(k.files.has(`${dir}/vmlinux/xen_minor_version,1`), 'the <function,sympos> directory, sympos 0 shown as 1');
  assert.equal(k.files.get(`${dir}/force`)?.read, undefined, 'force is write-only');
  assert.equal(k.rmmod('lp_minor1'), -16, 'an enabled patch holds its module');

  assert.equal(k.echo('0', `${dir}/enabled`), 0);
  assert.equal(k.call('xen_minor_version'), 21n);
  assert.deepEqual(Buffer.from(k.machine.memory.read(address, 9)), original, 'the site has its bytes back');
  assert.deepEqual(k.log.slice(3), ["livepatch: 'lp_minor1': starting unpatching transition", "livepatch: 'lp_minor1': unpatching complete"]);
  assert.equal(k.files.has(dir), false, 'a disabled patch is freed, with its sysfs directory');
  assert.equal(k.rmmod('lp_minor1'), 0);
});

test('sysfs writes take kstrtobool values and refuse what 6.1 refuses', () => {
  const k = new FakeKernel();
  assert.equal(k.insmod('lp-minor1'), 0);
  assert.equal(k.echo('1', `${dir}/enabled`), -22, 'already enabled: -EINVAL');
  assert.equal(k.echo('maybe', `${dir}/enabled`), -22, 'not a boolean: -EINVAL');
  assert.equal(k.echo('1', `${dir}/force`), -22, 'force outside a transition: -EINVAL');
  assert.equal(k.echo('0', `${dir}/force`), 0, 'force 0 does nothing');
  assert.equal(k.cat(`${dir}/enabled`), '1\n');
  assert.equal(k.echo('off', `${dir}/enabled`), 0, '"off" is false');
  assert.equal(k.call('xen_minor_version'), 21n);
});

test('a notrace function cannot be patched: ftrace has no location for it and the enable fails', () => {
  const k = new FakeKernel();
  const clock = k.machine.symbols.get('sched_clock')!.address;
  const before = Buffer.from(k.machine.memory.read(clock, 9));
  assert.equal(k.insmod('lp-notrace'), -22);
  assert.deepEqual(k.log, [
    "livepatch: enabling patch 'lp_notrace'",
    "livepatch: failed to find location for function 'sched_clock'",
    "livepatch: failed to patch object 'vmlinux'",
    "livepatch: failed to enable patch 'lp_notrace'",
    "livepatch: 'lp_notrace': unpatching complete",
  ]);
  assert.deepEqual(k.levels, [5, 3, 4, 4, 5]);
  assert.equal(k.files.has('/sys/kernel/livepatch/lp_notrace'), false);
  assert.deepEqual(Buffer.from(k.machine.memory.read(clock, 9)), before);
  assert.equal(k.modules.has('lp_notrace'), false, 'the failing init refused the module');
});

test("the kernel's livepatch-sample: /proc/cmdline reads the replacement once enabled", () => {
  const k = new FakeKernel();
  k.call('proc_init');
  const name = k.machine.allocate(16n);
  k.machine.memory.writeCString(name, 'cmdline');
  const read = (): string => k.machine.memory.readCString(k.run(k.swapper, 'proc_read', [name]).rax);
  assert.equal(read(), 'console=ttyS0 root=/dev/vda1 ro livepatch.sample=1\n');
  assert.equal(k.insmod('livepatch-sample'), 0);
  assert.equal(read(), 'this has been live patched\n');
  assert.deepEqual(k.log, [
    "livepatch: enabling patch 'livepatch_sample'",
    "livepatch: 'livepatch_sample': starting patching transition",
    "livepatch: 'livepatch_sample': patching complete",
  ]);
  assert.equal(k.echo('0', '/sys/kernel/livepatch/livepatch_sample/enabled'), 0);
  assert.equal(read(), 'console=ttyS0 root=/dev/vda1 ro livepatch.sample=1\n');
});

test('a module without livepatch=Y in .modinfo cannot enable a patch', () => {
  const k = new FakeKernel();
  assert.equal(
    k.insmod('lp-minor1', (mod) => Object.assign(mod, { livepatch: false })),
    -22,
  );
  assert.deepEqual(k.log, ['livepatch: module lp_minor1 is not marked as a livepatch module']);
  assert.equal(k.levels[0], 3);
  assert.equal(k.files.has(dir), false);
});
