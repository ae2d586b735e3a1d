import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { readElf, SHN } from '../../../../server/out/elf';
import { applyDeferredRelocations, LoadedImage, LoaderError, Machine, symbolByPosition } from '../../../../server/out/emulator';
import { fromRoot } from '../../support/paths';
import { KERNEL_FLAGS } from './support/gcc';
import { buildSamples, targetPath } from './xen/support/xenPayloads';

// The loader features the Linux livepatch core builds on: relocation sections kept back at load
// and applied later (`.klp.rela.<obj>.<sec>`, SHN_LIVEPATCH symbols), and a symbol found by its
// `sympos` in symbol-table order. Oracles: the bytes of a normal load, readelf -s, native C.

buildSamples();
const dir = mkdtempSync(path.join(tmpdir(), 'lp-loader-'));
const unpatched = /#define XEN_EXTRAVERSION "([^"]*)"/.exec(readFileSync(fromRoot('samples', 'target', 'version.c'), 'utf8'))![1];

function compile(name: string, source: string): string {
  const c = path.join(dir, `${name}.c`);
  writeFileSync(c, source);
  const o = path.join(dir, `${name}.o`);
  execFileSync('gcc', ['-c', ...KERNEL_FLAGS, '-O2', c, '-o', o]);
  return o;
}

function machine(): Machine {
  const m = new Machine();
  m.loadTarget(targetPath);
  return m;
}

/** Every byte of an image's sections. */
const sectionBytes = (m: Machine, image: LoadedImage): string[] => image.sections.map((s) => `${s.name}:${Buffer.from(m.memory.read(s.address, Number(s.size))).toString('hex')}`);

// A call to the target (PLT32), a string's address (32S in the kernel code model), a table of pointers (64).
const relocated = compile(
  'relocated',
  `extern const char *xen_extra_version(void);
static const char message[] = "kept back";
const char *pick(int i) { return i ? message : xen_extra_version(); }
const void *table[] = { pick, message };
`,
);

test('deferred relocation sections, applied later, give the bytes a normal load writes', () => {
  const normal = machine();
  const eager = normal.loadObject(relocated, 'relocated');
  assert.deepEqual(eager.deferred, []);
  const later = machine();
  const lazy = later.loadObject(relocated, 'relocated', { defer: (rela) => rela.name.startsWith('.rela') });
  assert.deepEqual(
    lazy.sections.map((s) => s.address),
    eager.sections.map((s) => s.address),
    'the same layout: only the relocations wait',
  );
  const elf = readElf(relocated);
  const relaSections = elf.sections.filter((s) => s.name.startsWith('.rela') && s.size > 0n).map((s) => s.name);
  elf.close();
  assert.deepEqual(lazy.deferred.map((d) => d.name).sort(), relaSections.sort(), 'every .rela section was kept back');
  assert.notDeepEqual(sectionBytes(later, lazy), sectionBytes(normal, eager), 'nothing was relocated yet');
  for (const section of lazy.deferred) applyDeferredRelocations(later.memory, lazy, section, () => undefined);
  assert.deepEqual(sectionBytes(later, lazy), sectionBytes(normal, eager));
  const string = (m: Machine, i: number) => m.memory.readCString(m.call('pick', [i]).rax, 64);
  assert.equal(string(later, 1), 'kept back');
  assert.equal(string(later, 0), string(normal, 0));
});

test('a SHN_LIVEPATCH symbol is resolved only when its deferred section is applied, by the caller', () => {
  // As klp-convert leaves a module: the reference to the target is a .klp.sym symbol in SHN_LIVEPATCH.
  const klpName = '.klp.sym.vmlinux.xen_extra_version,0';
  const object = compile('klpsym', `extern const char *target_version(void) __asm__("\\"${klpName}\\"");\nconst char *through_klp(void) { return target_version(); }\n`);
  const bytes = readFileSync(object);
  const elf = readElf(object);
  const symtab = elf.sections.find((s) => s.name === '.symtab')!;
  const symbol = elf.symbols().find((s) => s.name === klpName)!;
  elf.close();
  bytes.writeUInt16LE(SHN.LIVEPATCH, Number(symtab.offset) + symbol.index * 24 + 6);
  const patched = path.join(dir, 'klpsym-livepatch.o');
  writeFileSync(patched, bytes);

  assert.throws(
    () => machine().loadObject(patched),
    (e: unknown) => e instanceof LoaderError && /against livepatch symbol '\.klp\.sym\.vmlinux\.xen_extra_version,0'/.test(e.message),
  );
  const m = machine();
  const image = m.loadObject(patched, 'klpsym', { defer: (rela) => rela.name === '.rela.text.through_klp' });
  const [section] = image.deferred;
  const asked: string[] = [];
  const target = m.images.find((i) => i.kind === 'executable')!;
  applyDeferredRelocations(m.memory, image, section, (s) => {
    asked.push(`${s.name} ${s.shndx}`);
    const [, name, pos] = /^\.klp\.sym\.vmlinux\.(.+),(\d+)$/.exec(s.name)!;
    return symbolByPosition(target, name, Number(pos));
  });
  assert.deepEqual(asked, [`${klpName} ${SHN.LIVEPATCH}`], 'only the livepatch symbol is the caller’s to resolve');
  assert.equal(m.memory.readCString(m.call('through_klp').rax, 64), unpatched);
  assert.throws(
    () => applyDeferredRelocations(m.memory, image, section, () => undefined),
    (e: unknown) => e instanceof LoaderError && e.message.includes(`cannot resolve symbol '${klpName}'`),
  );
});

test('sympos counts the symbols of one name in symbol-table order (readelf -s), 0 meaning the only one', () => {
  const a = compile('dup_a', `static __attribute__((noinline)) int dup(int x) { return x + 1; }\nint from_a(int x) { return dup(x); }\n`);
  const b = compile('dup_b', `static __attribute__((noinline)) int dup(int x) { return x * 3; }\nint from_b(int x) { return dup(x); }\n`);
  const linked = path.join(dir, 'dup.o');
  execFileSync('ld', ['-r', b, a, '-o', linked]);
  // readelf's order, with the FILE symbol each local follows.
  let file = '';
  const dups: Array<{ file: string; value: bigint; ndx: number }> = [];
  for (const line of execFileSync('readelf', ['-sW', linked], { encoding: 'utf8' }).split('\n')) {
    const f = /^\s*\d+:\s+([0-9a-f]+)\s+\d+\s+(\w+)\s+(\w+)\s+\w+\s+(\w+)\s+(\S+)$/.exec(line);
    if (!f) continue;
    if (f[2] === 'FILE') file = f[5];
    if (f[5] === 'dup') dups.push({ file, value: BigInt(`0x${f[1]}`), ndx: Number(f[4]) });
  }
  assert.deepEqual(
    dups.map((d) => d.file),
    ['dup_b.c', 'dup_a.c'],
    'ld -r keeps the input order: b first',
  );
  const m = machine();
  const image = m.loadObject(linked, 'dup');
  const address = (d: (typeof dups)[number]) => image.sections.find((s) => s.index === d.ndx)!.address + d.value;
  assert.equal(symbolByPosition(image, 'dup', 1), address(dups[0]));
  assert.equal(symbolByPosition(image, 'dup', 2), address(dups[1]));
  // Native semantics of the two sources: b's triples, a's adds one.
  assert.equal(m.call(symbolByPosition(image, 'dup', 1), [5]).rax, 15n);
  assert.equal(m.call(symbolByPosition(image, 'dup', 2), [5]).rax, 6n);
  assert.equal(symbolByPosition(image, 'from_a', 0), image.symbols.find((s) => s.name === 'from_a')!.address, 'a unique name, sympos 0');
  assert.throws(() => symbolByPosition(image, 'dup', 0, 'dup'), /unresolvable ambiguity for symbol 'dup' in object 'dup'/);
  assert.throws(() => symbolByPosition(image, 'dup', 3), /symbol position 3 for symbol 'dup' in object 'vmlinux' not found/);
  assert.throws(() => symbolByPosition(image, 'nothing', 0), /symbol 'nothing' not found in symbol table/);
});
