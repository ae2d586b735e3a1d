import { readFileSync, writeFileSync } from 'node:fs';

/** SHN_LIVEPATCH and SHF_RELA_LIVEPATCH (module-elf-format.rst). */
const SHN_LIVEPATCH = 0xff20;
const SHF_ALLOC = 0x2n;
const SHF_RELA_LIVEPATCH = 0x100000n;

interface Section {
  at: number;
  name: string;
  type: number;
  link: number;
}

/**
 * Turns a module into a livepatch module in the format klp-convert writes: the relocation
 * section `.rela<text>` becomes `.klp.rela.<obj><text>` with SHF_ALLOC|SHF_RELA_LIVEPATCH, and
 * every `.klp.sym.*` symbol gets st_shndx SHN_LIVEPATCH. The new section name must already be in
 * .shstrtab (the source names a dummy section so): that section loses its name. Writes
 * NAME-klp.ko beside the module and returns its path.
 */
export function makeKlpRelocations(ko: string, textSection: string, objectName: string): string {
  const b = readFileSync(ko);
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shnum = b.readUInt16LE(0x3c);
  const shstrndx = b.readUInt16LE(0x3e);
  const header = (i: number) => shoff + i * 64;
  const strtabOffset = Number(b.readBigUInt64LE(header(shstrndx) + 24));
  const cstring = (at: number) => b.toString('latin1', at, b.indexOf(0, at));
  const sections: Section[] = Array.from({ length: shnum }, (_, i) => ({
    at: header(i),
    name: cstring(strtabOffset + b.readUInt32LE(header(i))),
    type: b.readUInt32LE(header(i) + 4),
    link: b.readUInt32LE(header(i) + 40),
  }));
  const wanted = `.klp.rela.${objectName}${textSection}`;
  const rela = sections.find((s) => s.name === `.rela${textSection}`);
  const dummy = sections.find((s) => s.name === wanted);
  if (!rela || !dummy) throw new Error(`${ko}: no .rela${textSection} or no section named ${wanted} to take the name from`);
  b.writeUInt32LE(b.readUInt32LE(dummy.at), rela.at);
  b.writeUInt32LE(0, dummy.at);
  b.writeBigUInt64LE(b.readBigUInt64LE(rela.at + 8) | SHF_ALLOC | SHF_RELA_LIVEPATCH, rela.at + 8);
  const symtab = sections.find((s) => s.type === 2)!;
  const symOffset = Number(b.readBigUInt64LE(symtab.at + 24));
  const symSize = Number(b.readBigUInt64LE(symtab.at + 32));
  const names = Number(b.readBigUInt64LE(sections[symtab.link].at + 24));
  for (let at = symOffset; at < symOffset + symSize; at += 24) {
    if (cstring(names + b.readUInt32LE(at)).startsWith('.klp.sym.')) b.writeUInt16LE(SHN_LIVEPATCH, at + 6);
  }
  const out = ko.replace(/\.ko$/, '-klp.ko');
  writeFileSync(out, b);
  return out;
}
