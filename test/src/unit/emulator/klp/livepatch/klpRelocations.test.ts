import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readElf, SHN } from '../../../../../../server/out/elf';
import { LoadedImage } from '../../../../../../server/out/emulator/loader';
import { writeKlpRelocations } from '../../../../../../server/out/emulator/klp/livepatch/klpRelocations';
import { fromRoot } from '../../../../support/paths';
import { KERNEL_FLAGS } from '../../support/gcc';
import { FakeKernel } from './support/fakeKernel';

// klp_write_section_relocs() on the sections the loader kept back: a `.klp.rela.<obj>.*` section's
// SHN_LIVEPATCH symbols are found as klp_find_object_symbol() finds them, then the relocations are
// written; a module going away gets them cleared. The object is built as klp-convert leaves one:
// the reference to the target is a `.klp.sym.vmlinux.<name>,<sympos>` symbol in SHN_LIVEPATCH.

const dir = mkdtempSync(path.join(tmpdir(), 'lp-klprela-'));
const unpatched = /#define XEN_EXTRAVERSION "([^"]*)"/.exec(readFileSync(fromRoot('samples', 'target', 'version.c'), 'utf8'))![1];

/** An object whose through_klp() calls the target through `klpName`, that symbol in SHN_LIVEPATCH. */
function klpObject(klpName: string): string {
  const c = path.join(dir, 'klp.c');
  writeFileSync(c, `extern const char *target_fn(void) __asm__("\\"${klpName}\\"");\nconst char *through_klp(void) { return target_fn(); }\n`);
  const o = path.join(dir, 'klp.o');
  execFileSync('gcc', ['-c', ...KERNEL_FLAGS, '-O2', c, '-o', o]);
  const bytes = readFileSync(o);
  const elf = readElf(o);
  const symtab = elf.sections.find((s) => s.name === '.symtab')!;
  const symbol = elf.symbols().find((s) => s.name === klpName)!;
  elf.close();
  bytes.writeUInt16LE(SHN.LIVEPATCH, Number(symtab.offset) + symbol.index * 24 + 6);
  const out = path.join(dir, `klp-${symbol.index}-${Date.now()}.o`);
  writeFileSync(out, bytes);
  return out;
}

/** Loaded with `.rela.text.through_klp` kept back under the name a livepatch module gives it. */
function load(k: FakeKernel, klpName: string, sectionObject = 'vmlinux'): LoadedImage {
  const image = k.machine.loadObject(klpObject(klpName), 'klp', { defer: (rela) => rela.name === '.rela.text.through_klp' });
  image.deferred = image.deferred.map((s) => ({ ...s, name: `.klp.rela.${sectionObject}.text.through_klp` }));
  return image;
}

test('a .klp.rela.vmlinux section is resolved through kallsyms and written; clearing zeroes it', () => {
  const k = new FakeKernel();
  const image = load(k, '.klp.sym.vmlinux.xen_extra_version,0');
  assert.equal(writeKlpRelocations(k, image, 'lp_busymod', true), 0, 'another object: nothing to do');
  assert.equal(writeKlpRelocations(k, image, 'vmlinux', true), 0);
  assert.equal(k.machine.memory.readCString(k.run(k.swapper, 'through_klp').rax), unpatched);
  const [section] = image.deferred;
  const place = section.target.address + section.relocations[0].offset;
  assert.notEqual(k.machine.memory.readU32(place), 0);
  assert.equal(writeKlpRelocations(k, image, 'vmlinux', false), 0);
  assert.equal(k.machine.memory.readU32(place), 0, 'clear_relocate_add() zeroes the field');
  assert.deepEqual(k.log, []);
});

test('the kernel refuses what klp_resolve_symbols() refuses, with its messages', () => {
  const k = new FakeKernel();
  assert.equal(writeKlpRelocations(k, load(k, '.klp.sym.vmlinux.xen_extra_version,2'), 'vmlinux', true), -22);
  assert.equal(writeKlpRelocations(k, load(k, '.klp.sym.vmlinux.no_such_function,0'), 'vmlinux', true), -22);
  assert.equal(writeKlpRelocations(k, load(k, '.klp.sym.vmlinux.xen_extra_version,0', 'lp_busymod'), 'lp_busymod', true), -22);
  assert.equal(writeKlpRelocations(k, load(k, '.klp.sym.vmlinux-xen_extra_version'), 'vmlinux', true), -22);
  assert.deepEqual(k.log, [
    "livepatch: symbol position 2 for symbol 'xen_extra_version' in object 'vmlinux' not found",
    "livepatch: symbol 'no_such_function' not found in symbol table",
    "livepatch: invalid access to vmlinux symbol 'xen_extra_version' from module-specific livepatch relocation section",
    'livepatch: symbol .klp.sym.vmlinux-xen_extra_version has an incorrectly formatted name',
  ]);
});
