import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { cpuFeatures } from '../../../../../server/out/emulator/cpu/features';
import { XenSession } from '../../../../../server/out/emulator/xen';
import { renameSection } from '../../payload/payloadBytes';
import { boot, uploadSample } from './support/boot';
import { replacingPayload, samplePayload, samples, targetPath } from './support/xenPayloads';

// Exceptions inside payload code (issue 17, item 5), through the emulator session as `emu` runs
// it: WARN/BUG/ASSERT bug frames, exception-table fixups and alternatives, in Xen 4.17's wording.
// The oracles: the sources' own line numbers (grep), objdump's disassembly and nm's sizes of the
// payloads, the assembler's bytes of the replacement sequences.

const objdump = (file: string, fn: string): string => execFileSync('objdump', ['-d', `--disassemble=${fn}`, file], { encoding: 'utf8' });

/** Offsets of the ud2 instructions in a payload function, as objdump shows them. */
function ud2Offsets(file: string, fn: string): number[] {
  const text = objdump(file, fn);
  const start = Number.parseInt(new RegExp(`^([0-9a-f]+) <${fn}>:`, 'm').exec(text)![1], 16);
  return [...text.matchAll(/^\s*([0-9a-f]+):\s+0f 0b\s+ud2/gm)].map((m) => Number.parseInt(m[1], 16) - start);
}

/** `nm -S` size of a payload symbol. */
function nmSize(file: string, symbol: string): number {
  const line = execFileSync('nm', ['-S', file], { encoding: 'utf8' })
    .split('\n')
    .find((l) => l.endsWith(` ${symbol}`))!;
  return Number.parseInt(line.split(' ')[1], 16);
}

/** The 1-based line of the first line of a sample source matching `pattern`. */
const sourceLine = (file: string, pattern: RegExp): number =>
  readFileSync(path.join(samples, file), 'utf8')
    .split('\n')
    .findIndex((l) => pattern.test(l)) + 1;

/** How Xen prints a bug frame's file name: longer than 50 characters, `...` and its last 47. */
const xenFile = (file: string): string => (file.length > 50 ? `...${file.slice(-47)}` : file);
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const session = (): XenSession => new XenSession({ target: targetPath });

/** The lines after `from` in `lines`, asserting each of `expected` comes in order (a regexp or the exact line). */
function assertInOrder(lines: string[], expected: (string | RegExp)[]): void {
  let at = 0;
  for (const want of expected) {
    const found = lines.findIndex((line, i) => i >= at && (typeof want === 'string' ? line === want : want.test(line)));
    assert.ok(found >= 0, `${want} after line ${at} of:\n${lines.join('\n')}`);
    at = found + 1;
  }
}

test('a WARN in a load hook prints Xen WARN at file:line with the registers at its ud2 and goes on', () => {
  const file = samplePayload('xen_warn');
  const s = session();
  const load = s.run(['load', file]);
  assert.equal(load.exitCode, 0, load.stderr);
  const line = sourceLine('payloads/xen/xen_warn.c', /^\tWARN\(\);$/);
  const [offset] = ud2Offsets(file, 'warn_hook');
  const at = `warn_hook+0x${offset.toString(16)}/0x${nmSize(file, 'warn_hook').toString(16)} [xen_warn]`;
  assertInOrder(load.console, [
    '(XEN) warn_hook: before the WARN',
    `(XEN) Xen WARN at payloads/xen/xen_warn.c:${line}`,
    '(XEN) CPU:    0',
    new RegExp(`^\\(XEN\\) RIP:    e008:\\[<ffffffff[0-9a-f]{8}>\\] ${escape(at)}$`),
    /^\(XEN\) RFLAGS: [0-9a-f]{16} {3}CONTEXT: hypervisor$/,
    /^\(XEN\) rax: [0-9a-f]{16} {3}rbx: [0-9a-f]{16} {3}rcx: [0-9a-f]{16}$/,
    '(XEN) Xen call trace:',
    new RegExp(`^\\(XEN\\)    \\[<[0-9a-f]{16}>\\] R ${escape(at)}$`),
    '(XEN) warn_hook: after the WARN',
    '(XEN) livepatch: xen_warn finished APPLY with rc=0',
  ]);
  // The RIP printed is the ud2's address where the payload was placed.
  const rip = /RIP: {4}e008:\[<([0-9a-f]+)>\]/.exec(load.console.join('\n'))![1];
  const xen = boot();
  uploadSample(xen, 'xen_warn');
  assert.equal(BigInt(`0x${rip}`), xen.machine.symbols.get('warn_hook')!.address + BigInt(offset));
});

const replacing = replacingPayload;

/** print_xen_info()'s line as the register dump prints it before the registers (its parts are fatalTraps.test's). */
const banner = '----\\[ Xen-\\d+\\.\\d+\\S*  x86_64  [^\\n]+  Not tainted \\]----';

test('a WARN in a replacement function: every call warns and goes on, and returns what the function returns', () => {
  const file = replacing('lp_warn_mce', 'do_machine_check', 'WARN()');
  const source = file.replace(/\.livepatch$/, '.c');
  const line =
    readFileSync(source, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('WARN()')) + 1;
  const s = session();
  assert.equal(s.run(['load', file]).exitCode, 0);
  for (let i = 0; i < 2; i++) {
    const call = s.run(['call', 'do_machine_check', '0']);
    assert.equal(call.exitCode, 0, call.stderr);
    assert.equal(call.call?.rax, '0x4d', 'the replacement answers 77 after its WARN');
    assert.match(
      call.stdout,
      new RegExp(
        `^Xen WARN at ${escape(xenFile(source))}:${line}\\n${banner}\\nCPU: {4}0\\nRIP: {4}e008:\\[<[0-9a-f]{16}>\\] lp_replacement\\+0x0/0x[0-9a-f]+ \\[lp_warn_mce\\]$`,
        'm',
      ),
    );
  }
  assert.equal(s.run(['revert', 'lp_warn_mce']).exitCode, 0);
  assert.doesNotMatch(s.run(['call', 'do_machine_check', '0']).stdout, /WARN/);
});

test('a WARN in the replacement of a function the register dump calls for its banner (xen_minor_version): the report recurses into a double fault', () => {
  const s = session();
  assert.equal(s.run(['load', replacing('lp_warn_minor', 'xen_minor_version', 'WARN()')]).exitCode, 0);
  const call = s.run(['call', 'xen_minor_version']);
  assert.equal(call.exitCode, 1);
  assertInOrder(call.stdout.split('\n'), [/^Xen WARN at .*lp_warn_minor\.c:\d+$/, '*** DOUBLE FAULT ***']);
  assert.match(call.stderr, /DOUBLE FAULT -- system shutdown: the register dump after `Xen WARN at .*` prints its banner with xen_minor_version\(\)/);
  assertInOrder(call.console, ['(XEN) Panic on CPU 0:', '(XEN) DOUBLE FAULT -- system shutdown']);
  assert.equal(s.run(['list']).exitCode, 1);
});

test('a BUG in payload code prints Xen BUG at file:line and the registers, then panics: the call faults and the hypervisor is dead', () => {
  const file = replacing('lp_bug', 'do_machine_check', 'BUG()');
  const source = file.replace(/\.livepatch$/, '.c');
  const where = `${escape(xenFile(source))}:${
    readFileSync(source, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('BUG()')) + 1
  }`;
  const s = session();
  assert.equal(s.run(['load', file]).exitCode, 0);
  const call = s.run(['call', 'do_machine_check', '0']);
  assert.equal(call.exitCode, 1);
  assert.match(
    call.stdout,
    new RegExp(`^Xen BUG at ${where}\\n${banner}\\nCPU: {4}0\\nRIP: {4}e008:\\[<[0-9a-f]{16}>\\] lp_replacement\\+0x[0-9a-f]+/0x[0-9a-f]+ \\[lp_bug\\]$`, 'm'),
  );
  // The fault report names the payload's code as payload!function, the hypervisor's bare.
  assert.match(call.stderr, new RegExp(`^guest fault \\(panic\\) at lp_bug!lp_replacement(\\+0x[0-9a-f]+)?: Xen BUG at ${where}$`, 'm'));
  assert.match(call.stderr, /^ {2}do_machine_check \(returns to <host-return>\)$/m);
  assertInOrder(call.console, ['(XEN) ****************************************', '(XEN) Panic on CPU 0:', new RegExp(`^\\(XEN\\) Xen BUG at ${where}$`)]);
  const after = s.run(['list']);
  assert.equal(after.exitCode, 1);
  assert.match(after.stderr, new RegExp(`the hypervisor has panicked \\(Xen BUG at ${where}\\)`));
});

test('an ASSERT that fails prints Assertion ... failed at file:line with its predicate, then panics', () => {
  const file = replacing('lp_assert', 'do_machine_check', 'volatile unsigned int x = 0; ASSERT(x != 0)');
  const source = file.replace(/\.livepatch$/, '.c');
  const where = `${escape(xenFile(source))}:${
    readFileSync(source, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('ASSERT(')) + 1
  }`;
  const s = session();
  assert.equal(s.run(['load', file]).exitCode, 0);
  const call = s.run(['call', 'do_machine_check', '0']);
  assert.equal(call.exitCode, 1);
  assert.match(call.stdout, new RegExp(`^Assertion 'x != 0' failed at ${where}$`, 'm'));
  assert.match(call.console.join('\n'), new RegExp(`Panic on CPU 0:\\n\\(XEN\\) Assertion 'x != 0' failed at ${where}\\n`));
});

test('a faulting read with an .ex_table entry goes on at its fixup (-EFAULT); without the table the same read is a fault naming payload!function', () => {
  const s = session();
  const load = s.run(['load', samplePayload('xen_extable')]);
  assert.equal(load.exitCode, 0, load.stderr);
  assertInOrder(load.console, ['(XEN) extable_hook: own word: rc=0 value=0x1234', '(XEN) extable_hook: non-canonical address: rc=-14 value=0x0']);
  const call = s.run(['call', 'xen_major_version']);
  assert.equal(call.call?.rax, `0x${(40 + 14).toString(16)}`);

  const dir = mkdtempSync(path.join(tmpdir(), 'lp-extable-'));
  const stripped = path.join(dir, 'xen_extable_nofix.livepatch');
  writeFileSync(stripped, renameSection(readFileSync(samplePayload('xen_extable')), '.ex_table', '.ex_tabl'));
  const bare = session();
  const upload = bare.run(['upload', 'nofix', stripped]);
  assert.equal(upload.exitCode, 0, upload.stderr);
  const faulted = bare.run(['apply', 'nofix']);
  assert.notEqual(faulted.exitCode, 0);
  // The faulting instruction is the one the table would have named: the mov objdump shows in xen_extable_read.
  const mov = /^\s*([0-9a-f]+):\s+(?:[0-9a-f]{2} )+\s*mov\s+\(%rdi\),%r\w+/m.exec(objdump(stripped, 'xen_extable_read'))![1];
  assertInOrder(faulted.console, [
    `(XEN) guest fault (page-fault) at nofix!xen_extable_read+0x${Number.parseInt(mov, 16).toString(16)}: #PF: read of an unmapped address 0x8000000000000000`,
    '(XEN) call stack (innermost first):',
    /^\(XEN\) {3}nofix!xen_extable_read \(returns to nofix!extable_hook\+0x[0-9a-f]+\)$/,
    '(XEN) Panic on CPU 0:',
  ]);
});

test('alternatives are applied at upload for the emulated CPU: the LM site runs its replacement, the VP2INTERSECT site its original', () => {
  assert.ok(cpuFeatures.has(2 * 32 + 29) && !cpuFeatures.has(9 * 32 + 8), 'the emulated CPU has LM and not AVX512_VP2INTERSECT');
  const file = samplePayload('xen_alternative');
  const s = session();
  const load = s.run(['load', file]);
  assert.equal(load.exitCode, 0, load.stderr);
  assert.ok(load.console.includes('(XEN) alternative_hook: LM site runs the replacement, VP2INTERSECT site runs the original'), load.console.join('\n'));
  // Upload prints the table's bounds (Xen's `alt table %p -> %p`): 28 bytes, two entries of 14.
  const [, from, to] = /^\(XEN\) alt table ([0-9a-f]{16}) -> ([0-9a-f]{16})$/m.exec(load.console.join('\n'))!;
  assert.equal(
    BigInt(`0x${to}`) - BigInt(`0x${from}`),
    BigInt(Number.parseInt(/\.altinstructions\s+PROGBITS\s+\S+\s+\S+\s+([0-9a-f]+)/.exec(execFileSync('readelf', ['-SW', file], { encoding: 'utf8' }))![1], 16)),
  );
  assert.equal(s.run(['call', 'xen_extra_version']).call?.string, '-lm-orig');
  // The bytes: as built, each site is `xor %eax,%eax` and three 0x90 NOPs (objdump); after upload the LM
  // site holds the replacement objdump shows in .altinstr_replacement, the other Xen's 3-byte NOP.
  assert.match(objdump(file, 'xen_alternative_lm'), /31 c0\s+xor\s+%eax,%eax\n.*90\s+nop\n.*90\s+nop\n.*90\s+nop\n.*c3\s+ret/);
  const replacement = execFileSync('objdump', ['-d', '-j', '.altinstr_replacement', file], { encoding: 'utf8' });
  const [lm] = [...replacement.matchAll(/:\s+((?:[0-9a-f]{2} )+)\s+mov\s+\$0x1,%eax/g)].map((m) => Buffer.from(m[1].replace(/ /g, ''), 'hex'));
  assert.equal(lm.length, 5);
  const xen = boot();
  uploadSample(xen, 'xen_alternative');
  const bytes = (fn: string) => Buffer.from(xen.machine.memory.read(xen.machine.symbols.get(fn)!.address, 6)).toString('hex');
  assert.equal(bytes('xen_alternative_lm'), `${lm.toString('hex')}c3`);
  assert.equal(bytes('xen_alternative_vp2intersect'), '31c00f1f00c3');
});
