import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { XenSession } from '../../../../../server/out/emulator/xen';
import { sectionData } from '../../payload/payloadBytes';
import { replacingPayload, samplePayload, targetPath } from './support/xenPayloads';

// Issue 17, item 5's leftovers, through the emulator session as `emu` runs it: what Xen 4.17 does
// with a #UD, #DE or #GP that neither a bug frame nor an exception-table entry takes (the panic
// of do_invalid_op, fatal_trap and do_general_protection), run_in_exception_handler() frames,
// and the BUG_ON()s of _apply_alternatives() at upload. The oracles: objdump's disassembly of
// the payloads, the sources' strings, and Debian's xen-syms itself (its bug frames and strings).

const objdump = (file: string, fn: string): string => execFileSync('objdump', ['-d', `--disassemble=${fn}`, file], { encoding: 'utf8' });

/** Offsets in `fn` of the instructions objdump names `mnemonic`. */
function offsetsOf(file: string, fn: string, mnemonic: string): number[] {
  const text = objdump(file, fn);
  const start = Number.parseInt(new RegExp(`^([0-9a-f]+) <${fn}>:`, 'm').exec(text)![1], 16);
  return [...text.matchAll(new RegExp(`^\\s*([0-9a-f]+):\\s+(?:[0-9a-f]{2} )+\\s*${mnemonic}\\b`, 'gm'))].map((m) => Number.parseInt(m[1], 16) - start);
}

const session = (): XenSession => new XenSession({ target: targetPath });

/** The register dump's RIP line and what panic() said, prefixes taken off (a `call` prints the dump on its stdout, the banner on the console). */
function dumpAndPanic(result: { stdout: string; console: string[] }): { rip: string; panic: string[] } {
  const lines = [...result.stdout.split('\n'), ...result.console].map((line) => line.replace(/^\(XEN\) /, ''));
  const rip = lines.find((line) => line.startsWith('RIP: '));
  const at = lines.indexOf('Panic on CPU 0:');
  assert.ok(rip && at > lines.indexOf(rip), `a register dump, then the panic:\n${lines.join('\n')}`);
  const end = lines.findIndex((line, i) => i > at && /^\*+$/.test(line));
  return { rip, panic: lines.slice(at + 1, end) };
}

test('a ud2 without a bug frame in a load hook: the registers at the ud2, then Xen panics FATAL TRAP: vector = 6 (invalid opcode)', () => {
  const file = samplePayload('xen_fatal_trap');
  const load = session().run(['load', file]);
  assert.equal(load.exitCode, 1);
  const [ud2] = offsetsOf(file, 'fatal_trap_hook', 'ud2');
  const { rip, panic } = dumpAndPanic(load);
  assert.match(rip, new RegExp(`\\] fatal_trap_hook\\+0x${ud2.toString(16)}/0x[0-9a-f]+ \\[xen_fatal_trap\\]$`));
  assert.deepEqual(panic, ['FATAL TRAP: vector = 6 (invalid opcode)']);
  assert.ok(load.console.includes('(XEN) fatal_trap_hook: before the ud2'));
  assert.doesNotMatch(load.console.join('\n'), /guest fault/, "Xen's words, not the emulator's fault report");
  assert.match(load.stderr, /the hypervisor has panicked \(FATAL TRAP: vector = 6 \(invalid opcode\)\)/);
});

test('a division by zero in a load hook: fatal_trap() panics FATAL TRAP: vec 0, #DE[0000] at the div', () => {
  const file = samplePayload('xen_divide_error');
  const load = session().run(['load', file]);
  assert.equal(load.exitCode, 1);
  const [div] = offsetsOf(file, 'divide_error_hook', 'div');
  const { rip, panic } = dumpAndPanic(load);
  assert.match(rip, new RegExp(`\\] divide_error_hook\\+0x${div.toString(16)}/0x[0-9a-f]+ \\[xen_divide_error\\]$`));
  assert.deepEqual(panic, ['FATAL TRAP: vec 0, #DE[0000] IN INTERRUPT CONTEXT']);
  assert.ok(!load.console.some((line) => line.includes('1 / 0 =')), 'the division never returns');
});

test("an instruction the emulator does not implement (iretq) is the emulator's fault report, not Xen's #UD panic", () => {
  const s = session();
  assert.equal(s.run(['load', replacingPayload('lp_iretq', 'do_machine_check', 'asm volatile("iretq")')]).exitCode, 0);
  const call = s.run(['call', 'do_machine_check', '0']);
  assert.equal(call.exitCode, 1);
  assert.match(call.stderr, /guest fault \(invalid-opcode\) at lp_iretq!lp_replacement.*unsupported instruction 'iretq'/);
  assert.doesNotMatch(call.console.join('\n'), /FATAL TRAP|Panic on CPU/);
  assert.equal(s.run(['list']).exitCode, 0, 'the hypervisor lives on: the emulator, not the payload, is at fault');
});

test('bytes that are no instruction (0f 04) are a #UD like a ud2: FATAL TRAP: vector = 6 (invalid opcode)', () => {
  const s = session();
  const file = replacingPayload('lp_undefined', 'do_machine_check', 'asm volatile(".byte 0x0f, 0x04")');
  assert.equal(s.run(['load', file]).exitCode, 0);
  const call = s.run(['call', 'do_machine_check', '0']);
  assert.equal(call.exitCode, 1);
  assert.match(objdump(file, 'lp_replacement'), /0f 04\s+\(bad\)/, 'objdump decodes no instruction there either');
  const { rip, panic } = dumpAndPanic(call);
  assert.match(rip, /\] lp_replacement\+0x0\/0x[0-9a-f]+ \[lp_undefined\]$/);
  assert.deepEqual(panic, ['FATAL TRAP: vector = 6 (invalid opcode)']);
});

test('a #UD with an exception-table entry still goes on at its fixup, not to the panic', () => {
  const s = session();
  const fixed = replacingPayload(
    'lp_ud_fixup',
    'do_machine_check',
    'unsigned int v = 1; asm volatile("1: ud2\\n2:\\n.pushsection .fixup, \\"ax\\"\\n3: mov $5, %0\\njmp 2b\\n.popsection\\n.pushsection .ex_table, \\"a\\"\\n.long 1b - ., 3b - .\\n.popsection" : "+r"(v)); return v',
  );
  assert.equal(s.run(['load', fixed]).exitCode, 0);
  const call = s.run(['call', 'do_machine_check', '0']);
  assert.equal(call.exitCode, 0, call.stderr);
  assert.equal(call.call?.rax, '0x5');
  assert.doesNotMatch(call.console.join('\n'), /FATAL TRAP/);
});

test('run_in_exception_handler(): the handler gets the registers at the ud2 (vector 6) and the hook goes on after it', () => {
  const file = samplePayload('xen_run_fn');
  const s = session();
  const load = s.run(['load', file]);
  assert.equal(load.exitCode, 0, load.stderr);
  const [ud2] = offsetsOf(file, 'run_fn_hook', 'ud2');
  const lines = load.console.filter((line) => /run_fn_(hook|handler):/.test(line));
  assert.deepEqual(lines, [`(XEN) run_fn_handler: vector 6 at run_fn_hook+${ud2}`, '(XEN) run_fn_hook: after the ud2, the handler ran 1 time(s)']);
  const version = s.run(['call', 'xen_minor_version']);
  assert.equal(version.call?.rax, '0x4c', 'xen_run_fn_func.c answers 76: the payload was applied after its hook went on');
});

/** A replacement of do_machine_check returning rax as it is after a run_fn frame (rax 1 at its ud2) whose function is `handler`. */
const runFnPayload = (name: string, handler: string): string =>
  replacingPayload(
    name,
    'do_machine_check',
    'unsigned long v = 1; asm volatile("1: ud2\\n.pushsection .bug_frames.0, \\"a\\", @progbits\\n.p2align 2\\n2: .long 1b - 2b\\n.long %c1 - 2b\\n.popsection" : "+a"(v) : "i"(lp_handler)); return (unsigned int)v',
    `static void lp_handler(struct cpu_user_regs *regs) { ${handler} }`,
  );

test('run_in_exception_handler(): what the handler writes into regs is in the registers after the ud2, and a BUG in the handler panics', () => {
  const s = session();
  const file = runFnPayload('lp_run_fn_regs', 'regs->rax = regs->rax * 1000 + regs->entry_vector;');
  assert.equal(s.run(['load', file]).exitCode, 0);
  const call = s.run(['call', 'do_machine_check', '0']);
  assert.equal(call.exitCode, 0, call.stderr);
  assert.equal(call.call?.rax, `0x${(1 * 1000 + 6).toString(16)}`, 'rax was 1 at the ud2; the handler saw it and vector 6, and its write is what the code after the ud2 returns');

  const bug = session();
  const bugging = runFnPayload('lp_run_fn_bug', 'BUG();');
  assert.equal(bug.run(['load', bugging]).exitCode, 0);
  const died = bug.run(['call', 'do_machine_check', '0']);
  assert.equal(died.exitCode, 1);
  const reported = died.stdout.split('\n').find((l) => l.startsWith('Xen BUG at'));
  assert.match(reported ?? '', /^Xen BUG at .*lp_run_fn_bug\.c:\d+$/);
  const { rip, panic } = dumpAndPanic(died);
  assert.deepEqual(panic, [reported]);
  assert.match(rip, /\] lp_handler\+0x[0-9a-f]+\/0x[0-9a-f]+ \[lp_run_fn_bug\]$/);
});

/** xen_alternative with fields of its first .altinstructions entry set: [offset in the entry (cpuid 8, u16; orig_len 10, repl_len 11, pad_len 12), value, width]. */
function editedAlternative(name: string, edits: [offset: number, value: number, bytes?: 1 | 2][]): string {
  const bytes = readFileSync(samplePayload('xen_alternative'));
  const { offset } = sectionData(bytes, '.altinstructions');
  for (const [at, value, width] of edits) {
    if (width === 2) bytes.writeUInt16LE(value, offset + at);
    else bytes[offset + at] = value;
  }
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'lp-alt-bug-')), `${name}.livepatch`);
  writeFileSync(file, bytes);
  return file;
}

test("an alternative Xen's _apply_alternatives() BUG()s on: Xen BUG at arch/x86/alternative.c:258/259/260 at upload, then the panic", () => {
  for (const [file, line] of [
    [samplePayload('xen_bad_alternative'), 258],
    [editedAlternative('lp_alt_total', [[12, 253]]), 259],
    [editedAlternative('lp_alt_cpuid', [[8, 21 * 32, 2]]), 260],
  ] as const) {
    const s = session();
    const upload = s.run(['upload', 'bad', file]);
    assert.notEqual(upload.exitCode, 0, file);
    const lines = upload.console.map((l) => l.replace(/^\(XEN\) /, ''));
    const bug = `Xen BUG at arch/x86/alternative.c:${line}`;
    assert.ok(lines.indexOf(bug) > lines.findIndex((l) => l.startsWith('alt table ')), `${file}: ${bug} after the alt table line:\n${lines.join('\n')}`);
    assert.equal(lines[lines.indexOf('Panic on CPU 0:') + 1], bug);
    // The hypercall never returns to dom0: xen-livepatch prints neither "failed" nor an errno.
    assert.match(upload.stdout, /^Uploading .*\.\.\. $/);
    assert.doesNotMatch(upload.stderr, /^Error \d+:/m);
    assert.match(upload.stderr, new RegExp(`the hypervisor has panicked \\(${bug.replace(/[.]/g, '\\.')}\\)`));
    assert.equal(s.run(['list']).exitCode, 1, 'the hypervisor is dead');
  }
  // The feature number just below the end is a feature the CPU lacks: no BUG, the original stays.
  assert.equal(session().run(['upload', 'ok', editedAlternative('lp_alt_cpuid_ok', [[8, 21 * 32 - 1, 2]])]).exitCode, 0);
});

const xenSyms = '/usr/lib/debug/boot/xen-syms-4.17-amd64';

test(
  "the BUG lines are Debian's: the frames of xen-syms's .bug_frames.2 whose ud2s are _apply_alternatives' name arch/x86/alternative.c:258, 259, 260",
  { skip: existsSync(xenSyms) ? undefined : `no ${xenSyms} (install xen-hypervisor-4.17-amd64-dbg)` },
  () => {
    const nm = new Map(
      execFileSync('nm', ['-S', xenSyms], { encoding: 'utf8' })
        .split('\n')
        .map((l) => l.split(' '))
        .filter((p) => p.length >= 3)
        .map((p) => [p.at(-1)!, { address: BigInt(`0x${p[0]}`), size: p.length === 4 ? BigInt(`0x${p[1]}`) : 0n }] as const),
    );
    const fn = nm.get('_apply_alternatives')!;
    const rodata = /\.rodata\s+PROGBITS\s+([0-9a-f]+) ([0-9a-f]+)/.exec(execFileSync('readelf', ['-SW', xenSyms], { encoding: 'utf8' }))!;
    const [base, fileOffset] = [BigInt(`0x${rodata[1]}`), Number.parseInt(rodata[2], 16)];
    const image = readFileSync(xenSyms);
    const at = (address: bigint) => fileOffset + Number(address - base);
    const s24 = (word: number) => (word << 8) >> 8;
    const found: string[] = [];
    for (let frame = nm.get('__stop_bug_frames_1')!.address; frame < nm.get('__stop_bug_frames_2')!.address; frame += 8n) {
      const [loc, ptr] = [image.readInt32LE(at(frame)), image.readInt32LE(at(frame + 4n))];
      const ud2 = frame + BigInt(s24(loc));
      if (ud2 < fn.address || ud2 >= fn.address + fn.size) continue;
      const name = image
        .subarray(at(frame + BigInt(s24(ptr))))
        .toString('latin1')
        .split('\0')[0];
      const line = ((((loc >>> 24) + (s24(loc) < 0 ? 1 : 0)) & 0x7f) << 7) + (((ptr >>> 24) + (s24(ptr) < 0 ? 1 : 0)) & 0x7f);
      found.push(`Xen BUG at ${name}:${line}`);
    }
    const emulated = [
      [samplePayload('xen_bad_alternative')],
      [editedAlternative('lp_alt_total_real', [[12, 253]])],
      [editedAlternative('lp_alt_cpuid_real', [[8, 21 * 32, 2]])],
    ].map(([file]) =>
      session()
        .run(['upload', 'bad', file])
        .console.find((l) => l.includes('Xen BUG at'))!
        .replace('(XEN) ', ''),
    );
    assert.deepEqual(emulated, found);
  },
);

/** The string a function of a sample C file returns (`return "...";`), or the value of a `#define NAME`. */
const sourceValue = (file: string, pattern: RegExp): string => pattern.exec(readFileSync(path.join(path.dirname(targetPath), '..', '..', file), 'utf8'))![1];

test("the register dump's banner is print_xen_info()'s from the hypervisor's own functions: after xen_trap_world it shows the replacement's string", () => {
  const version = `${sourceValue('target/version.c', /#define XEN_VERSION (\d+)/)}.${sourceValue('target/version.c', /#define XEN_SUBVERSION (\d+)/)}${sourceValue('target/version.c', /#define XEN_EXTRAVERSION "([^"]*)"/)}`;
  const banner = (build: string) => `(XEN) ----[ Xen-${version}  x86_64  ${build}  Not tainted ]----`;
  const s = session();
  const first = s.run(['load', samplePayload('xen_warn')]);
  assert.equal(
    first.console[first.console.findIndex((line) => line.startsWith('(XEN) Xen WARN at ')) + 1],
    banner(sourceValue('target/version.c', /xen_build_info\(void\)\s*\{\s*return "([^"]*)"/)),
  );
  assert.equal(s.run(['revert', 'xen_warn']).exitCode, 0);
  assert.equal(s.run(['unload', 'xen_warn']).exitCode, 0);
  assert.equal(s.run(['load', samplePayload('xen_trap_world')]).exitCode, 0);
  const patched = s.run(['load', samplePayload('xen_warn'), '--nodeps']);
  assert.equal(patched.exitCode, 0, patched.stderr);
  const warn = patched.console.findIndex((line) => line.startsWith('(XEN) Xen WARN at '));
  assert.equal(patched.console[warn + 1], banner(sourceValue('payloads/xen/xen_trap_world_func.c', /return "([^"]*)"/)));
});
