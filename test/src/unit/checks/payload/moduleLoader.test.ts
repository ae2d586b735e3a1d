import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { analyzePayloadFile } from '../../../../../server/out/checks/payload';
import { parseElf } from '../../../../../server/out/elf';
import { fromRoot } from '../../../support/paths';
import { assertFires } from './assertFires';

// LP141 fires on what load_module() refuses in the file itself, in the kernel's words, and stays
// quiet on a module the kernel loads (the bundled sample; the differential judges it on Debian's 6.1).

const sample = readFileSync(fromRoot('samples', 'build', 'payloads', 'klp', 'livepatch-sample.ko'));
const dir = mkdtempSync(path.join(os.tmpdir(), 'll-lp141-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const findings = (bytes: Buffer) => {
  const file = path.join(dir, 'm.ko');
  writeFileSync(file, bytes);
  return analyzePayloadFile(file).findings;
};
const lp141 = (bytes: Buffer): string[] =>
  findings(bytes)
    .filter((f) => f.code === 'LP141')
    .map((f) => f.message);

test('LP141 stays quiet on a module the kernel loads', () => {
  assert.deepEqual(lp141(sample), []);
});

test('LP141 quotes elf_validity_check(), simplify_symbols() and the x86 relocation refusal', () => {
  const elf = parseElf(sample, 'm');
  const shstrtab = elf.sections[elf.header.shstrndx];
  const noNul = Buffer.from(sample);
  noNul[Number(shstrtab.offset + shstrtab.size) - 1] = 0x58;
  assertFires(findings(noNul), 'LP141', "ELF Spec violation: section name table isn't null terminated", 'Invalid module format');
  const rela = elf.sections.find((s) => s.name.startsWith('.rela.text'))!;
  const got = Buffer.from(sample);
  got.writeUInt32LE(3, Number(rela.offset) + 8);
  assert.match(lp141(got)[0], /"module: livepatch_sample: Unknown rela relocation: 3"/);
  const symtab = elf.sections.find((s) => s.type === 2)!;
  const defined = elf.symbols(symtab).find((s) => s.name === 'init_module')!;
  const index = Buffer.from(sample);
  index.writeUInt16LE(elf.header.shnum + 3, Number(symtab.offset) + defined.index * 24 + 6);
  assert.deepEqual(
    lp141(index).map((m) => m.split('"')[1]),
    [`livepatch_sample: Symbol init_module has an invalid section index ${elf.header.shnum + 3} (max ${elf.header.shnum - 1})`],
  );
});
