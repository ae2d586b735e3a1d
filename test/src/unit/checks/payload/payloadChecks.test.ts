import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkOpenedPayload, PayloadCheckEnv, payloadChecks } from '../../../../../server/out/checks/payload';
import type { Finding } from '../../../../../server/out/checks';
import { decodePayloadBytes, openPayload } from '../../../../../server/out/payload';
import { buildTargetIndexData, TargetIndex } from '../../../../../server/out/target';
import { buildSamples, targetPath } from '../../samples/binutils';
import { assemble, buildDir, linkRelocatable, objcopy } from '../../payload/build';
import { klpSample, renameSection, replaceInSection, sampleBytes, sectionData, setElfHeaderU16, setRelocationAddend, setSectionField, xenSample } from '../../payload/payloadBytes';
import { bigBss, hookIntoData, hookOutside, nameOutside, oldAddrMoved } from '../../payload/untrustedPayloads';
import { exportingTarget, moduleCalling, moduleWithBssFuncs } from '../../payload/moduleLoaderFixtures';
import { run } from '../../samples/binutils';
import { assertFires } from './assertFires';
import { xenMutations } from '../../machines/xenMutations';

let target: TargetIndex;
const withTarget = (): PayloadCheckEnv => ({ target });

const findingsOfBytes = (bytes: Buffer, name: string, env: PayloadCheckEnv = {}): Finding[] => checkOpenedPayload(decodePayloadBytes(bytes, name), env);
const findingsOfFile = (file: string, env: PayloadCheckEnv = {}): Finding[] => checkOpenedPayload(openPayload(file), env);
const codes = (findings: Finding[]): string[] => [...new Set(findings.map((f) => f.code))].sort();

const hello = () => sampleBytes(xenSample('xen_hello_world'));
const funcsAt = (bytes: Buffer, field: number) => sectionData(bytes, '.livepatch.funcs').offset + field;

before(async () => {
  buildSamples();
  target = new TargetIndex(await buildTargetIndexData(targetPath, { dwarfWorkers: 1 }));
});

test('the good sample payloads trip no check, with and without the target (prepost hooks only warns that it is vetoing)', () => {
  const samples = ['xen_hello_world', 'xen_bye_world', 'xen_replace_world', 'xen_nop', 'xen_prepost_hooks'].map(xenSample).concat(klpSample());
  for (const file of samples) {
    for (const env of [{}, withTarget()]) {
      const expected = file.endsWith('xen_prepost_hooks.livepatch') ? [payloadChecks.vetoingHooks.id] : [];
      assert.deepEqual(codes(findingsOfFile(file, env)), expected, `${file} ${env.target ? 'with' : 'without'} target`);
    }
  }
});

test('LP300: not x86-64 ELF64 (EM_386, ELFCLASS32) or not ET_REL', () => {
  assertFires(findingsOfBytes(setElfHeaderU16(hello(), 18, 3), 'x.livepatch'), 'LP300', 'Unsupported ELF Machine type');
  const class32 = hello();
  class32[4] = 1;
  assertFires(findingsOfBytes(class32, 'x.livepatch'), 'LP300', 'ELFCLASS32');
  assertFires(findingsOfBytes(setElfHeaderU16(hello(), 16, 2), 'x.livepatch'), 'LP300', 'Invalid ELF payload', 'ET_EXEC');
});

/** The errno a finding says the hypervisor returns, and when (real Xen 4.17's, test/src/unit/machines/realXenDifferential.test.ts). */
const refusal = (f: Finding) => f.data as { errno: string; stage?: string } | undefined;

test('LP301: program headers present, EOPNOTSUPP as real Xen returns it', () => {
  const hit = assertFires(findingsOfBytes(setElfHeaderU16(hello(), 56, 1), 'x.livepatch'), 'LP301', 'Invalid ELF payload');
  assert.equal(refusal(hit)?.errno, 'EOPNOTSUPP');
});

test('LP302: SHT_REL relocations, and a file that is not ELF at all', () => {
  assertFires(findingsOfBytes(setSectionField(hello(), '.rela.livepatch.funcs', 'type', 9n), 'x.livepatch'), 'LP302', 'SHT_REL relocation unsupported');
  assertFires(findingsOfBytes(Buffer.from('#!/bin/sh\necho not a payload\n'), 'x.livepatch'), 'LP302', 'bad magic');
});

test('LP303: .livepatch.depends missing, .livepatch.xen_depends empty', () => {
  assertFires(findingsOfBytes(renameSection(hello(), '.livepatch.depends', '.livepatch.dependz'), 'x.livepatch'), 'LP303', '.livepatch.depends is missing');
  assertFires(findingsOfBytes(setSectionField(hello(), '.livepatch.xen_depends', 'size', 0n), 'x.livepatch'), 'LP303', '.livepatch.xen_depends is empty');
});

test('LP304/LP305: funcs size not a multiple of 104, wrong version', () => {
  assertFires(findingsOfBytes(setSectionField(hello(), '.livepatch.funcs', 'size', 100n), 'x.livepatch'), 'LP304', 'Wrong size 100 of .livepatch.funcs (must be multiple of 104)');
  const v3 = hello();
  v3[funcsAt(v3, 32)] = 3;
  assertFires(findingsOfBytes(v3, 'x.livepatch'), 'LP305', 'Wrong version (3). Expected 2');
});

test('LP305 alone for a wrong version in a 104-byte entry: Xen sizes the section by its own struct, then refuses the version with EOPNOTSUPP', () => {
  const v1 = hello();
  v1[funcsAt(v1, 32)] = 1;
  const findings = findingsOfBytes(v1, 'x.livepatch');
  assert.equal(refusal(assertFires(findings, 'LP305', 'Wrong version (1). Expected 2'))?.errno, 'EOPNOTSUPP');
  assert.equal(findings.filter((f) => f.code === 'LP304').length, 0);
});

test('a version-1 (64-byte) entry decodes with the v1 layout and is refused by current Xen', () => {
  const v1 = hello();
  const at = funcsAt(v1, 0);
  v1[at + 32] = 1;
  setSectionField(v1, '.livepatch.funcs', 'size', 64n);
  const opened = decodePayloadBytes(v1, 'v1.livepatch');
  assert.equal(opened.payload?.kind, 'xen');
  if (opened.payload?.kind !== 'xen') return;
  assert.equal(opened.payload.funcsSection?.layout, 1);
  assert.deepEqual(
    opened.payload.funcs.map((f) => [f.name, f.newAddr.reloc?.symbol, f.expect]),
    [['xen_extra_version', 'xen_hello_world', undefined]],
  );
  const findings = checkOpenedPayload(opened);
  assertFires(findings, 'LP305', 'Wrong version (1). Expected 2');
  assertFires(findings, 'LP304', 'must be multiple of 104');
});

test('LP306/LP307: old_size zero, old_size below the 5-byte jump', () => {
  const zero = hello();
  zero.writeUInt32LE(0, funcsAt(zero, 28));
  assertFires(findingsOfBytes(zero, 'x.livepatch'), 'LP306', 'Address or size fields are zero');
  const small = hello();
  small.writeUInt32LE(4, funcsAt(small, 28));
  assertFires(findingsOfBytes(small, 'x.livepatch'), 'LP307', 'too small to patch');
});

test('LP308: a NOP-out over 31 bytes or over old_size', () => {
  const nop = () => sampleBytes(xenSample('xen_nop'));
  const long = nop();
  long.writeUInt32LE(32, funcsAt(long, 24));
  assertFires(findingsOfBytes(long, 'nop.livepatch'), 'LP308', 'at most 31 bytes');
  const over = nop();
  over.writeUInt32LE(12, funcsAt(over, 24));
  assertFires(findingsOfBytes(over, 'nop.livepatch'), 'LP308', 'old_size is only 11');
});

test("LP309: a placement puts the replacement more than 2 GiB from the old function (the emulator's upload path)", () => {
  const old = target.symbol('xen_extra_version')!.address;
  const far = findingsOfFile(xenSample('xen_hello_world'), { target, placement: () => ({ oldAddress: old, newAddress: old - (3n << 30n) }) });
  assertFires(far, 'LP309', 'EOVERFLOW');
  const near = findingsOfFile(xenSample('xen_hello_world'), { target, placement: () => ({ oldAddress: old, newAddress: old + 0x100000n }) });
  assert.deepEqual(codes(near), []);
});

test('LP309 against a target: an absolute new_addr 0x1000 is beyond 2 GiB of the old function the target defines', () => {
  const absolute = xenMutations.find((m) => m.check === 'LP309')!.mutate(hello());
  assertFires(findingsOfBytes(absolute, 'x.livepatch', withTarget()), 'LP309', 'EOVERFLOW');
  assert.equal(findingsOfBytes(absolute, 'x.livepatch').filter((f) => f.code === 'LP309').length, 0, 'without a target old_addr is not known');
});

test('LP310: an enabled expectation with reserved bits set, or longer than old_size', () => {
  const rsv = hello();
  rsv[funcsAt(rsv, 72)] = 0x81;
  assertFires(findingsOfBytes(rsv, 'x.livepatch'), 'LP310', 'reserved bits');
  const long = hello();
  long[funcsAt(long, 72)] = 1 | (20 << 1);
  const hit = assertFires(findingsOfBytes(long, 'x.livepatch'), 'LP310', 'more than old_size 13');
  assert.deepEqual(refusal(hit), { errno: 'ERANGE', stage: 'apply' }, 'Xen 4.17 uploads it and refuses the apply');
  const fine = hello();
  fine[funcsAt(fine, 72)] = 1 | (5 << 1);
  assert.deepEqual(codes(findingsOfBytes(fine, 'x.livepatch')), []);
});

test('LP311: a single-hook section holding two pointers', () => {
  const bytes = setSectionField(sampleBytes(xenSample('xen_prepost_hooks')), '.livepatch.hooks.preapply', 'size', 16n);
  assertFires(findingsOfBytes(bytes, 'hooks.livepatch'), 'LP311', 'exactly one 8-byte function pointer');
});

test('LP312: a writable and executable section', () => {
  assertFires(findingsOfBytes(setSectionField(hello(), '.text.xen_hello_world', 'flags', 7n), 'x.livepatch'), 'LP312', 'Not supporting .text.xen_hello_world section!');
});

test('LP313: .modinfo without its trailing NUL', () => {
  assertFires(findingsOfBytes(setSectionField(hello(), '.modinfo', 'size', 15n), 'x.livepatch'), 'LP313', 'Incorrect metadata format detected');
});

test('LP314: alternatives whose original instruction is outside the payload text', () => {
  const alternatives = (origOffset: string) =>
    assemble(
      `alt-${origOffset.replace(/\W/g, '')}`,
      `
    .section .text.alt_user,"ax"
alt_user: nop; nop; nop; ret
    .section .altinstr_replacement,"ax"
repl: .byte 0x90, 0x90
    .section .altinstructions,"a"
    .long alt_user - . + ${origOffset}
    .long repl - .
    .word 0
    .byte 3, 2, 0, 0
`,
    );
  const cut = findingsOfBytes(renameSection(hello(), '.rodata.__func__.0', '.altinstructions'), 'x.livepatch');
  assertFires(cut, 'LP314', 'Wrong size 9 of .altinstructions (must be multiple of 14)');
  const bad = linkRelocatable('alt-bad.livepatch', [xenSample('xen_hello_world'), alternatives('0x100')]);
  assertFires(findingsOfFile(bad), 'LP314', 'outside payload text');
  const good = linkRelocatable('alt-good.livepatch', [xenSample('xen_hello_world'), alternatives('0')]);
  assert.equal(findingsOfFile(good).filter((f) => f.code === 'LP314').length, 0);
});

test('LP315/LP316: an undefined symbol the target lacks, a new symbol the target has', () => {
  const unknown = replaceInSection(hello(), '.strtab', 'printk', 'printq');
  assertFires(findingsOfBytes(unknown, 'x.livepatch', withTarget()), 'LP315', 'Unknown symbol: printq');
  assert.equal(findingsOfBytes(unknown, 'x.livepatch').length, 0, 'without a target nothing is known about symbols');
  const duplicate = objcopy('duplicate.livepatch', xenSample('xen_hello_world'), ['--redefine-sym', 'livepatch_xen_hello_world=xen_major_version']);
  assertFires(findingsOfFile(duplicate, withTarget()), 'LP316', 'duplicate new symbol: xen_major_version');
});

/** readelf -sW: type and binding of the named symbol, the oracle for what the fixture really holds. */
function readelfSymbol(file: string, name: string): { type: string; bind: string; ndx: string } | undefined {
  const line = run('readelf', ['-sW', file])
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[7] === name);
  return line && { type: line[3], bind: line[4], ndx: line[6] };
}

test('LP315 for modules as the module loader resolves: what vmlinux exports, whatever its type (a NOTYPE GLOBAL __x86_return_thunk), and EXPORT_SYMBOL_GPL only for GPL modules', async () => {
  const vmlinux = exportingTarget();
  const thunk = readelfSymbol(vmlinux, '__x86_return_thunk');
  assert.deepEqual({ ...thunk, defined: thunk?.ndx !== 'UND' }, { type: 'NOTYPE', bind: 'GLOBAL', ndx: thunk?.ndx, defined: true }, 'the fixture defines it as retpoline.S does');
  const exporting: PayloadCheckEnv = { target: new TargetIndex(await buildTargetIndexData(vmlinux, { dwarfWorkers: 1 })) };
  const unknown = (callees: string[], license: string | null = 'GPL') =>
    findingsOfFile(moduleCalling(`calls-${callees.join('-') || 'nothing'}-${(license ?? 'nolicense').replace(/\W/g, '_')}`, callees, license ?? undefined), exporting).filter(
      (f) => f.code === 'LP315',
    );
  assert.deepEqual(unknown(['exported_func', 'gpl_func']), [], 'exported symbols, and the NOTYPE return thunk every module jumps to, resolve');
  assert.deepEqual(unknown(['exported_func'], 'Proprietary'), [], 'EXPORT_SYMBOL serves any license');
  assert.deepEqual(unknown(['gpl_func'], 'Dual MIT/GPL'), [], 'a GPL-compatible license may use EXPORT_SYMBOL_GPL');
  const gplOnly = unknown(['gpl_func'], 'Proprietary');
  assert.equal(gplOnly.length, 1);
  assertFires(gplOnly, 'LP315', 'EXPORT_SYMBOL_GPL', 'license "Proprietary"', 'Unknown symbol gpl_func');
  assertFires(unknown(['gpl_func'], null), 'LP315', 'without MODULE_LICENSE');
  for (const name of ['unexported_func', 'static_func']) assertFires(unknown([name]), 'LP315', 'defines it but does not export it', `Unknown symbol ${name} (err -2)`);
  assertFires(unknown(['no_such_symbol']), 'LP315', 'neither defines nor exports it');
  const weak = moduleCalling('calls-weak', ['no_such_symbol'], 'GPL', ['no_such_symbol']);
  assert.equal(readelfSymbol(weak, 'no_such_symbol')?.bind, 'WEAK');
  assert.deepEqual(
    findingsOfFile(weak, exporting).filter((f) => f.code === 'LP315'),
    [],
    'an unresolved weak reference stays 0 (simplify_symbols: "Ok if weak")',
  );
  assert.deepEqual(
    unknown(['klp_enable_patch']).map((f) => f.where),
    ['klp_enable_patch'],
    'with a real export table, the klp core API must be exported by the target too (CONFIG_LIVEPATCH)',
  );
});

test('LP337: a plain module (no livepatch=Y, no klp_enable_patch, no .klp.*) is information, not LP330/LP318; broken livepatch modules still get them', () => {
  const plain = findingsOfFile(moduleCalling('plain-module', [], 'GPL'));
  assert.deepEqual(codes(plain), ['LP337']);
  const info = assertFires(plain, 'LP337', 'plain-module is a plain kernel module, not a livepatch module', 'klp_object named "plain-module"');
  assert.equal(info.severity, 'information');
  const unmarked = findingsOfBytes(replaceInSection(sampleBytes(klpSample()), '.modinfo', 'livepatch=Y', 'livepatcX=Y'), 'm.ko');
  assert.deepEqual(codes(unmarked), ['LP330'], 'calls klp_enable_patch() without livepatch=Y: a broken livepatch module');
  const noEnable = objcopy('no-enable.ko', klpSample(), ['--redefine-sym', 'klp_enable_patch=klp_enable_patcx']);
  assert.deepEqual(codes(findingsOfFile(noEnable)), ['LP318'], 'livepatch=Y without a klp_enable_patch() call: a broken livepatch module');
  const klpSymOnly = objcopy('klp-sym-only.ko', noEnable, ['--redefine-sym', 'seq_printf=.klp.sym.vmlinux.seq_printf,0']);
  const klpSymUnmarked = replaceInSection(readFileSync(klpSymOnly), '.modinfo', 'livepatch=Y', 'livepatcX=Y');
  assert.ok(codes(findingsOfBytes(klpSymUnmarked, 'k.ko')).includes('LP330'), 'a .klp.sym symbol is a sign of a livepatch module');
});

test('a klp_func array in .bss (NOBITS, no file bytes) reads as zeros: an empty { } array, no LP302; cut short it still lacks its sentinel (LP331)', () => {
  const module = moduleWithBssFuncs();
  assert.equal(readelfSymbol(module, 'no_funcs')?.ndx, run('readelf', ['-SW', module]).match(/\[\s*(\d+)\] \.bss\s+NOBITS/)?.[1], 'gcc put the empty array in .bss');
  const findings = findingsOfFile(module);
  assert.deepEqual(codes(findings), []);
  const opened = openPayload(module);
  assert.equal(opened.payload?.kind, 'klp');
  const objects = opened.payload.kind === 'klp' ? (opened.payload.patch?.objects ?? []) : [];
  assert.deepEqual(
    objects.map((o) => ({ name: o.name, funcs: o.funcs.map((f) => f.oldName), terminated: o.funcsTerminated })),
    [
      { name: null, funcs: [], terminated: true },
      { name: 'busymod', funcs: ['busymod_work_func'], terminated: true },
    ],
  );
  const short = setSectionField(readFileSync(module), '.bss', 'size', 8n);
  assertFires(findingsOfBytes(short, 'bss-funcs-module.ko'), 'LP331', 'no all-zero { } entry');
});

test('LP317: vetoing hooks (quiet for load/unload hooks)', () => {
  assertFires(findingsOfFile(xenSample('xen_prepost_hooks')), 'LP317', 'REPLACE action is not supported on livepatches with vetoing hooks!');
  assert.equal(findingsOfFile(xenSample('xen_hello_world')).filter((f) => f.code === 'LP317').length, 0);
});

test('LP318: no functions and no hooks', () => {
  assertFires(findingsOfBytes(renameSection(sampleBytes(xenSample('xen_nop')), '.livepatch.funcs', '.livepatch.funcz'), 'nop.livepatch'), 'LP318', 'Nothing to patch. Aborting...');
});

test('LP319/LP325: the name Xen looks up is not in the target; xen_depends is not the target', () => {
  const renamed = replaceInSection(sampleBytes(xenSample('xen_replace_world')), '.rodata.replace_world_patch_this_fnc', 'xen_extra_version', 'xen_extra_versiom');
  assertFires(findingsOfBytes(renamed, 'replace.livepatch', withTarget()), 'LP319', 'Could not resolve old address of xen_extra_versiom');
  const other = hello();
  const note = sectionData(other, '.livepatch.xen_depends');
  other[note.offset + note.size - 1] ^= 0xff;
  assertFires(findingsOfBytes(other, 'x.livepatch', withTarget()), 'LP325', 'check against hypervisor build-id failed');
});

/** The sample module with its old_name string replaced (and its sympos field set). */
function klpVariant(oldName: string, sympos = 0n): Buffer {
  const bytes = replaceInSection(sampleBytes(klpSample()), '.rodata.str1.1', 'cmdline_proc_show', oldName);
  bytes.writeBigUInt64LE(sympos, sectionData(bytes, '.data.funcs').offset + 16);
  return bytes;
}

test('LP319-LP324 for klp: unknown, bad sympos, notrace, __init, inlined into callers, inlined into __schedule', () => {
  const check = (bytes: Buffer) => findingsOfBytes(bytes, 'livepatch-sample.ko', withTarget());
  assertFires(check(klpVariant('no_such_function')), 'LP319', "symbol 'no_such_function' not found in symbol table");
  assertFires(check(klpVariant('cmdline_proc_show', 2n)), 'LP320', "symbol position 2 for symbol 'cmdline_proc_show' in object 'vmlinux' not found");
  assertFires(check(klpVariant('sched_clock')), 'LP321', "failed to register ftrace handler for function 'sched_clock'");
  assertFires(check(klpVariant('proc_init')), 'LP322', '.init.text');
  const inlined = assertFires(check(klpVariant('update_curr')), 'LP323', 'scheduler_tick');
  assert.ok(
    target.inlinedInto('update_curr').every((i) => inlined.message.includes(i.function)),
    'every caller is listed',
  );
  assertFires(check(klpVariant('pick_next_task')), 'LP324', '__schedule');
});

test('LP330/LP331: no livepatch=Y; a klp_func array without its sentinel', () => {
  assertFires(findingsOfBytes(replaceInSection(sampleBytes(klpSample()), '.modinfo', 'livepatch=Y', 'livepatcX=Y'), 'm.ko'), 'LP330', 'is not marked as a livepatch module');
  const noSentinel = sampleBytes(klpSample());
  const funcs = sectionData(noSentinel, '.data.funcs');
  noSentinel.writeBigUInt64LE(1n, funcs.offset + funcs.size / 2 + 16);
  assertFires(findingsOfBytes(noSentinel, 'm.ko'), 'LP331', 'no all-zero { } entry');
});

test('LP332: .klp.sym names that do not parse or lack SHN_LIVEPATCH', () => {
  const unmarked = objcopy('klp-sym.ko', klpSample(), ['--redefine-sym', 'seq_printf=.klp.sym.vmlinux.seq_printf,0']);
  assertFires(findingsOfFile(unmarked), 'LP332', 'SHN_LIVEPATCH');
  const marked = readFileSync(unmarked);
  const opened = decodePayloadBytes(marked, 'klp-sym.ko');
  assert.equal(opened.payload?.kind, 'klp');
  markLivepatchSymbol(marked, '.klp.sym.vmlinux.seq_printf,0');
  assert.equal(findingsOfBytes(marked, 'klp-sym.ko').filter((f) => f.code === 'LP332').length, 0, 'a well-formed, SHN_LIVEPATCH symbol is quiet');
  const malformed = objcopy('klp-sym-bad.ko', klpSample(), ['--redefine-sym', 'seq_printf=.klp.sym.vmlinux-seq_printf']);
  assertFires(findingsOfFile(malformed), 'LP332', 'has an incorrectly formatted name');
});

/** Sets st_shndx of the named symbol to SHN_LIVEPATCH, as klp-convert does. */
function markLivepatchSymbol(bytes: Buffer, name: string): void {
  const symtab = sectionData(bytes, '.symtab');
  const strtab = sectionData(bytes, '.strtab');
  const nameOffset = bytes.subarray(strtab.offset, strtab.offset + strtab.size).indexOf(Buffer.from(`\0${name}\0`)) + 1;
  assert.ok(nameOffset > 0, `${name} in .strtab`);
  for (let at = symtab.offset; at < symtab.offset + symtab.size; at += 24) {
    if (bytes.readUInt32LE(at) === nameOffset) return void bytes.writeUInt16LE(0xff20, at + 6);
  }
  assert.fail(`no symbol ${name}`);
}

test('LP333: a name pointer past its section (a symbol value changed), and a name without its NUL', () => {
  const outside = assertFires(findingsOfBytes(nameOutside(), 'x.livepatch'), 'LP333', 'Function name of entry 0 outside payload', '.rodata.hello_world_patch_this_fnc');
  assert.equal((outside.data as { errno: string }).errno, 'EINVAL');
  const unterminated = hello();
  // The name "xen_extra_version" fills 18 bytes with its NUL; the section cut to 17 loses the NUL.
  setSectionField(unterminated, '.rodata.hello_world_patch_this_fnc', 'size', 17n);
  assertFires(findingsOfBytes(unterminated, 'x.livepatch'), 'LP333', 'not terminated in .rodata.hello_world_patch_this_fnc');
});

test('LP334: a hook pointer outside the payload, or into its data', () => {
  assertFires(findingsOfBytes(hookOutside(), 'x.livepatch'), 'LP334', 'Hook .livepatch.hooks.load[0] outside payload text', 'outside the payload');
  assertFires(findingsOfBytes(hookIntoData(), 'x.livepatch'), 'LP334', 'in .rodata.hello_world_patch_this_fnc, which is not code');
});

test('LP335: old_addr relocated 16 MiB past the old function (judged with the target; quiet without it)', () => {
  const moved = assertFires(findingsOfBytes(oldAddrMoved(), 'x.livepatch', withTarget()), 'LP335', 'outside hypervisor text', 'xen_extra_version+0x1000000');
  assert.ok(moved.message.includes(`0x${(target.symbol('xen_extra_version')!.address + 0x1000000n).toString(16)}`), moved.message);
  assert.deepEqual(codes(findingsOfBytes(oldAddrMoved(), 'x.livepatch')), []);
  // Past the end of the function by a few bytes is outside too: the jump would overwrite its neighbour.
  const size = target.symbol('xen_extra_version')!.size;
  assertFires(findingsOfBytes(setRelocationAddend(hello(), '.rela.livepatch.funcs', 2, size - 2n), 'x.livepatch', withTarget()), 'LP335', 'run past the end of xen_extra_version');
});

test('LP336: a writable .bss larger than LIVEPATCH_MAX_SIZE (1 GiB, 4 GiB, 2^64-1), quiet at 2 MiB', () => {
  for (const size of [1n << 30n, 1n << 32n, (1n << 64n) - 1n]) assertFires(findingsOfBytes(bigBss(size), 'x.livepatch'), 'LP336', `${size} bytes`, 'LIVEPATCH_MAX_SIZE');
  assert.deepEqual(codes(findingsOfBytes(bigBss(2n << 20n), 'x.livepatch')), []);
  const nobitsHooks = setSectionField(setSectionField(hello(), '.livepatch.hooks.load', 'type', 8n), '.livepatch.hooks.load', 'size', 1n << 40n);
  assertFires(findingsOfBytes(nobitsHooks, 'x.livepatch'), 'LP336', '.livepatch.hooks.load');
});

test('every payload check (LP3xx, and LP141) has a test in this folder that makes it fire', () => {
  const source = readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .map((f) => readFileSync(path.join(__dirname, f), 'utf8'))
    .join('\n');
  // Compiled, a call imported from another module reads `(0, assertFires_1.assertFires)(`.
  const fired = new Set([...source.matchAll(/assertFires\)?\([^;]*?'(LP\d{3})'/g)].map((m) => m[1]));
  assert.deepEqual(
    Object.values(payloadChecks)
      .map((c) => c.id)
      .filter((id) => !fired.has(id)),
    [],
  );
});

test('LP340: a relocation against STN_UNDEF, or of a type Xen does not handle (32S), is refused against any target', () => {
  const undef = xenMutations.find((m) => m.what.includes('STN_UNDEF'))!.mutate(hello());
  const hit = assertFires(findingsOfBytes(undef, 'x.livepatch'), 'LP340', 'Encountered STN_UNDEF');
  assert.equal((hit.data as { errno: string }).errno, 'EOPNOTSUPP');
  const s32 = xenMutations.find((m) => m.what.includes('R_X86_64_32S'))!.mutate(hello());
  assert.equal(readelfTypes(s32).includes('R_X86_64_32S'), true, 'readelf sees the 32S the mutation made');
  // The bundled payloads are built as Xen's are (PC32, PLT32, 64): the sample target is judged as a real hypervisor.
  assert.deepEqual(
    readelfTypes(hello()).filter((t) => !['R_X86_64_PC32', 'R_X86_64_PLT32', 'R_X86_64_64'].includes(t)),
    [],
  );
  assertFires(findingsOfBytes(s32, 'x.livepatch', withTarget()), 'LP340', 'Unhandled relocation 11');
  assertFires(findingsOfBytes(s32, 'x.livepatch'), 'LP340', 'Unhandled relocation 11');
});

/** readelf -rW of a payload's bytes: the relocation types, the oracle for what a mutation made. */
function readelfTypes(bytes: Buffer): string[] {
  const file = path.join(buildDir, 'lp340.livepatch');
  writeFileSync(file, bytes);
  return [...run('readelf', ['-rW', file]).matchAll(/\s(R_X86_64_\w+)\s/g)].map((m) => m[1]);
}

test("LP360: the torn-write scenario's payload patches what the #MC handler calls; the good samples are quiet (above)", () => {
  assertFires(findingsOfFile(xenSample('xen_trap_world'), withTarget()), 'LP360', 'do_nmi → default_nmi_callback → xen_build_info', 'arch_livepatch_mask');
});
