import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { before, test } from 'node:test';
import type { LinuxKernel as Kernel } from '../../../../server/out/emulator/klp/kernel';
import { LinuxKernel } from '../../../../server/out/emulator/klp/kernel';
import { LinuxRuntime } from '../../../../server/out/emulator/klp/linuxRuntime';
import { klpLayoutFrom } from '../../../../server/out/payload/klp/klpLayout';
import { gdbLayout } from '../dwarf/oracles';
import { kbuildSamples } from '../../support/kbuildSamples';
import { linuxShell } from '../../support/linuxShell';
import { fixture } from '../../support/paths';
import { run } from '../samples/binutils';
import { runScenarioCli } from './linuxDifferential/machines';
import { Normalised, normaliseRun } from './linuxDifferential/normalise';

// Issue 18, the Linux half: Debian's own vmlinux as the emulated machine. The kernel's
// samples/livepatch modules, built by kbuild, insmod against it; `cat /proc/cmdline` runs the
// image's cmdline_proc_show (its seq_puts, its saved_command_line), then the module's replacement.
const found = kbuildSamples({ vmlinux: true });
const skip = found.skip || false;
const vmlinux = found.samples?.vmlinux ?? '';
let kernel: Kernel;

before(() => {
  if (!skip) kernel = LinuxKernel.boot(vmlinux);
});

const sh = (text: string) => linuxShell(kernel, found.samples!.modules)(text);

/** `nm` of the image: a symbol's address. */
const nmAddress = (name: string) => BigInt(`0x${new RegExp(`^([0-9a-f]{16}) \\w ${name}$`, 'm').exec(run('nm', [vmlinux]))![1]}`);

/** The NUL-terminated string at a symbol, read from the file at the offset readelf's program headers give it. */
function imageString(name: string): string {
  const address = nmAddress(name);
  const load = [...run('readelf', ['-lW', vmlinux]).matchAll(/^\s*LOAD\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x[0-9a-f]+ 0x([0-9a-f]+)/gm)]
    .map((m) => ({ offset: BigInt(`0x${m[1]}`), vaddr: BigInt(`0x${m[2]}`), size: BigInt(`0x${m[3]}`) }))
    .find((segment) => address >= segment.vaddr && address < segment.vaddr + segment.size)!;
  const fd = openSync(vmlinux, 'r');
  try {
    const bytes = Buffer.alloc(512);
    readSync(fd, bytes, 0, bytes.length, Number(load.offset + address - load.vaddr));
    return bytes.toString('latin1', 0, bytes.indexOf(0));
  } finally {
    closeSync(fd);
  }
}

test("cat /proc/cmdline runs the image's own cmdline_proc_show: it prints what saved_command_line points at", { skip }, () => {
  const m = kernel.machine.memory;
  const saved = m.readU64(nmAddress('saved_command_line'));
  const own = m.readCString(saved);
  assert.equal(sh('cat /proc/cmdline').stdout, `${own}\n`);
  // The real function reads the guest's variable: another command line there is what cat prints.
  m.writeCString(saved, 'root=/dev/lens');
  try {
    assert.equal(sh('cat /proc/cmdline').stdout, 'root=/dev/lens\n');
  } finally {
    m.writeCString(saved, own);
  }
  assert.equal(kernel.machine.symbols.get('cmdline_proc_show')!.address, nmAddress('cmdline_proc_show'));
});

test('livepatch-sample.ko: insmod patches the real cmdline_proc_show, disabling it gives the image its function back; the log is the kernel log', { skip }, () => {
  const mark = kernel.log.mark();
  const own = sh('cat /proc/cmdline').stdout;
  assert.equal(sh('insmod livepatch-sample.ko').exitCode, 0);
  // The replacement's text is the module's own string (samples/livepatch/livepatch-sample.c).
  const patched = /this has been live patched/.exec(run('strings', ['-a', found.samples!.modules['livepatch-sample']]))![0];
  assert.equal(sh('cat /proc/cmdline').stdout, `${patched}\n`);
  assert.equal(sh('cat /sys/kernel/livepatch/livepatch_sample/enabled').stdout, '1\n');
  const site = kernel.ftrace.siteOf(nmAddress('cmdline_proc_show'));
  assert.ok(site !== undefined && kernel.ftrace.isTraced(site), "the image's function's own __fentry__ site is traced");
  assert.equal(sh('echo 0 > /sys/kernel/livepatch/livepatch_sample/enabled').exitCode, 0);
  assert.equal(sh('cat /proc/cmdline').stdout, own);
  assert.equal(sh('rmmod livepatch_sample').exitCode, 0);
  const log = kernel.log.since(mark).map((line) => line.replace(/^\[\s*\d+\.\d{6}\] /, ''));
  // kernel/livepatch/core.c and transition.c's messages, as 6.1's printk stores them.
  for (const line of [
    "livepatch: enabling patch 'livepatch_sample'",
    "livepatch: 'livepatch_sample': starting patching transition",
    "livepatch: 'livepatch_sample': patching complete",
    "livepatch: 'livepatch_sample': starting unpatching transition",
    "livepatch: 'livepatch_sample': unpatching complete",
  ])
    assert.ok(log.includes(line), `${line}\n in\n${log.join('\n')}`);
});

test("the livepatch core reads a module's klp structs by the image's own layout (its DWARF, from the index), which is gdb's for livepatch-sample.ko", { skip }, () => {
  const layout = klpLayoutFrom((name) => kernel.layout.find(name));
  assert.ok(layout, "the image's DWARF describes the klp structs");
  const ko = found.samples!.modules['livepatch-sample'];
  const gdb = (name: string) => gdbLayout(ko, 'struct', name);
  const offset = (struct: string, member: string) => gdb(struct).members.find((m) => m.name === member)!.offset;
  const [func, object] = [gdb('klp_func'), gdb('klp_object')];
  assert.deepEqual(
    [
      layout.funcSize,
      layout.objectSize,
      layout.func.oldName,
      layout.func.newFunc,
      layout.func.oldSympos,
      layout.object.name,
      layout.object.funcs,
      layout.object.callbacks,
      layout.object.mod,
    ],
    [
      func.size,
      object.size,
      offset('klp_func', 'old_name'),
      offset('klp_func', 'new_func'),
      offset('klp_func', 'old_sympos'),
      offset('klp_object', 'name'),
      offset('klp_object', 'funcs'),
      offset('klp_object', 'callbacks'),
      offset('klp_object', 'mod'),
    ],
  );
  assert.deepEqual([layout.patch.objs, layout.patch.states, layout.patch.replace], [offset('klp_patch', 'objs'), offset('klp_patch', 'states'), offset('klp_patch', 'replace')]);
});

/** A scenario of the Linux differential through `livepatch-lens emu --target vmlinux`, normalised, and what Debian's real 6.1 answered in QEMU (the recorded fixture). */
async function emulatedAndReal(name: string): Promise<{ emulated: Normalised[]; real: Normalised[]; stderr: string }> {
  const run = await runScenarioCli('emu', fixture('differential', 'linux', `${name}.scn`), found.samples!.dir, 'linux', vmlinux);
  const own = run.results[0]?.command === 'cat /proc/cmdline' ? run.results[0].stdout.trimEnd() : undefined;
  const real = JSON.parse(readFileSync(fixture('differential', 'linux', `real-${name}.json`), 'utf8')) as { results: Normalised[] };
  return { emulated: normaliseRun(run.results, own), real: real.results, stderr: run.stderr };
}

test("livepatch-sample.scn through `livepatch-lens emu --target vmlinux`: every command as Debian's real 6.1 answered it in QEMU, kernel log included", { skip }, async () => {
  const { emulated, real, stderr } = await emulatedAndReal('livepatch-sample');
  assert.equal(emulated.length, real.length, stderr);
  emulated.forEach((result, i) => assert.deepEqual(result, real[i], result.command));
});

test(
  "callbacks.scn through `livepatch-lens emu --target vmlinux`: every command as the real 6.1 answered it, busymod's work asleep in msleep holding up the transition until it leaves",
  { skip },
  async () => {
    const { emulated, real, stderr } = await emulatedAndReal('callbacks');
    assert.equal(emulated.length, real.length, stderr);
    emulated.forEach((result, i) => assert.deepEqual(result, real[i], result.command));
    // The agreement is the scheduler's: the work item printed its first line, slept 3 s, and its exit line came with `sleep 5`.
    const sleep = real.findIndex((r) => r.command === 'sleep 5');
    assert.equal(emulated[sleep].log[0], 'livepatch_callbacks_busymod: busymod_work_func exit');
  },
);

test(
  'the shadow samples on vmlinux: shadow-mod allocates a dummy a second on delayed work, fix1 takes over its allocation and its leak, every dummy is freed at rmmod',
  { skip },
  () => {
    const lines = (text: string) => {
      const mark = kernel.log.mark();
      assert.equal(sh(text).exitCode, 0, text);
      return kernel.log.since(mark).map((line) => line.replace(/^\[\s*\d+\.\d{6}\] /, ''));
    };
    const count = (log: string[], pattern: RegExp) => log.filter((line) => pattern.test(line)).length;
    lines('insmod livepatch-shadow-mod.ko');
    const first = lines('sleep 3.5');
    // The image's vsnprintf prints %p as a siphash of the pointer, 16 hex digits.
    assert.equal(count(first, /^dummy_alloc: dummy @ [0-9a-f]{16}, expires @ [0-9a-f]+$/), 3, first.join('\n'));
    lines('insmod livepatch-shadow-fix1.ko');
    const fixed = lines('sleep 3.5');
    assert.equal(count(fixed, /^dummy_alloc: /), 0, 'fix1 replaces dummy_alloc');
    const underFix1 = count(fixed, /^livepatch_shadow_fix1: livepatch_fix1_dummy_alloc: dummy @ [0-9a-f]{16}, expires @ [0-9a-f]+$/);
    assert.ok(underFix1 >= 3, fixed.join('\n'));
    lines('echo 0 > /sys/kernel/livepatch/livepatch_shadow_fix1/enabled');
    // klp_shadow_free_all() with fix1's destructor: one line per dummy that fix1 gave a shadow leak pointer.
    assert.equal(
      count(lines('rmmod livepatch_shadow_fix1'), /^livepatch_shadow_fix1: livepatch_fix1_dummy_leak_dtor: dummy @ [0-9a-f]{16}, prevented leak @ [0-9a-f]{16}$/),
      underFix1,
    );
    assert.equal(count(lines('rmmod livepatch_shadow_mod'), /^dummy_free: /), 3 + underFix1);
  },
);

test("/proc/version is the image's version_proc_show over init_uts_ns: the image's linux_banner", { skip }, () => {
  const banner = imageString('linux_banner');
  assert.match(banner, /^Linux version .*\n$/);
  assert.equal(sh('cat /proc/version').stdout, banner);
  assert.equal(new LinuxRuntime(kernel).version, banner.trimEnd());
});

test("the image's printk: its own vsnprintf formats, the message lands in the log at its level", { skip }, () => {
  const heap = kernel.heap;
  const format = heap.string('\x013lens: %s is at %ps, %05d\n');
  const name = heap.string('cmdline_proc_show');
  try {
    const mark = kernel.log.mark();
    const result = kernel.callAtomic('_printk', [format, name, nmAddress('cmdline_proc_show'), 42n]);
    assert.equal(result.status, 'returned', result.fault?.report());
    const [record] = kernel.log.entries().slice(mark);
    assert.deepEqual({ level: record.level, text: record.text }, { level: 3, text: 'lens: cmdline_proc_show is at cmdline_proc_show, 00042' });
  } finally {
    heap.free(format);
    heap.free(name);
  }
});

test('hardware the emulator does not model, and page 0, stop the call with a fault naming the function and the native it needs', { skip }, () => {
  const cmos = kernel.callAtomic('rtc_cmos_read', [0n]);
  assert.equal(cmos.status, 'fault');
  assert.match(cmos.fault!.message, /^out in rtc_cmos_read: hardware the emulator does not model; this path needs a native for rtc_cmos_read or one of its callers/);
  // The per-CPU template is linked at 0 and not zero in the file: a NULL read would have found it.
  const nul = kernel.callAtomic('strlen', [0n]);
  assert.equal(nul.status, 'fault');
  assert.equal(nul.fault!.kind, 'page-fault');
});
