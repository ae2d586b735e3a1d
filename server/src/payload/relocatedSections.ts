import { ElfError, ElfFile, ElfRelocation, ElfSection, ElfSymbol, R_X86_64, SHN, SHT, STT } from '../elf';
import { FieldValue, SymbolRef } from './model';

const signed = (n: bigint): string => (n < 0n ? `-0x${(-n).toString(16)}` : `+0x${n.toString(16)}`);

/**
 * Reads the data of a relocatable ELF the way its loader sees it: a pointer field is whatever
 * relocation targets its offset, named after the symbol it lands on. A section symbol plus an
 * addend is renamed to the function or object defined at that spot, so a hook shows as
 * `bye_func`, not `.text.bye_func+0`.
 */
export class RelocatedSections {
  private readonly byTarget = new Map<number, Map<bigint, ElfRelocation>>();
  private readonly symbols: ElfSymbol[];
  private readonly named = new Map<number, ElfSymbol[]>();
  private readonly data = new Map<number, Buffer>();

  constructor(readonly elf: ElfFile) {
    this.symbols = elf.symbols();
    for (const s of this.symbols) {
      if ((s.type === STT.FUNC || s.type === STT.OBJECT) && s.shndx !== SHN.UNDEF && s.shndx < SHN.LORESERVE) {
        const list = this.named.get(s.shndx);
        if (list) list.push(s);
        else this.named.set(s.shndx, [s]);
      }
    }
  }

  /** Section contents, read once. */
  bytes(section: ElfSection): Buffer {
    let bytes = this.data.get(section.index);
    if (!bytes) {
      bytes = this.elf.sectionData(section);
      this.data.set(section.index, bytes);
    }
    return bytes;
  }

  /** The relocations that apply to `section`, by the offset they patch. */
  relocationsOf(section: ElfSection): Map<bigint, ElfRelocation> {
    let map = this.byTarget.get(section.index);
    if (!map) {
      map = new Map();
      for (const rela of this.elf.relocationSectionsFor(section)) for (const r of this.elf.relocations(rela)) map.set(r.offset, r);
      this.byTarget.set(section.index, map);
    }
    return map;
  }

  /** An 8-byte pointer field at `offset` of `section`. */
  pointer(section: ElfSection, offset: bigint): FieldValue {
    const reloc = this.relocationsOf(section).get(offset);
    return { raw: this.field(section, offset, 8, 'pointer'), ...(reloc ? { reloc: this.describe(reloc, section) } : {}) };
  }

  /** The byte at `offset` of `section`. */
  byte(section: ElfSection, offset: bigint): number {
    return Number(this.field(section, offset, 1, 'byte'));
  }

  /** A little-endian field; a SHT_NOBITS section (.bss) has no file bytes and reads as the zeros the loader fills it with. */
  private field(section: ElfSection, offset: bigint, width: 1 | 8, what: string): bigint {
    const nobits = section.type === SHT.NOBITS;
    const size = nobits ? section.size : BigInt(this.bytes(section).length);
    if (offset < 0n || offset + BigInt(width) > size)
      throw new ElfError(
        this.elf.path,
        `${what} in ${section.name}`,
        section.offset + offset,
        `${width}-byte field at ${signed(offset)} lies outside of the section (${size} bytes)`,
      );
    if (nobits) return 0n;
    const bytes = this.bytes(section);
    return width === 8 ? bytes.readBigUInt64LE(Number(offset)) : BigInt(bytes[Number(offset)]);
  }

  /** Names what a relocation points at. */
  describe(reloc: ElfRelocation, from: ElfSection): SymbolRef {
    const symbol = this.symbols[reloc.symbolIndex];
    if (!symbol)
      throw new ElfError(
        this.elf.path,
        `relocation against ${from.name}`,
        reloc.offset,
        `symbol index ${reloc.symbolIndex} is outside the symbol table (${this.symbols.length} symbols)`,
      );
    const type = R_X86_64[reloc.type] ?? `R_X86_64_${reloc.type}`;
    if (symbol.shndx === SHN.UNDEF || symbol.shndx >= SHN.LORESERVE) {
      return { symbol: symbol.name, addend: reloc.addend, type, display: symbol.name + (reloc.addend ? signed(reloc.addend) : '') };
    }
    const section = this.elf.sectionAt(symbol.shndx, `section of symbol ${symbol.name}`);
    const sectionOffset = symbol.value + reloc.addend;
    const at = symbol.type === STT.SECTION ? this.symbolAt(symbol.shndx, sectionOffset) : symbol;
    const name = at?.name ?? section.name;
    const rest = sectionOffset - (at?.value ?? 0n);
    return { symbol: name, addend: reloc.addend, type, section: section.name, sectionOffset, display: name + (rest ? signed(rest) : '') };
  }

  /** The NUL-terminated string a relocated pointer lands on, when it lands inside the payload and ends there. */
  stringAt(ref: SymbolRef | undefined): string | undefined {
    if (!ref?.section || ref.sectionOffset === undefined) return undefined;
    const section = this.elf.section(ref.section);
    if (!section) return undefined;
    if (section.type === SHT.NOBITS) return ref.sectionOffset >= 0n && ref.sectionOffset < section.size ? '' : undefined;
    const bytes = this.bytes(section);
    const at = Number(ref.sectionOffset);
    if (at < 0 || at >= bytes.length) return undefined;
    const end = bytes.indexOf(0, at);
    return end < 0 ? undefined : bytes.toString('latin1', at, end);
  }

  /** The FUNC/OBJECT symbol defined at `offset` of section `shndx`. */
  private symbolAt(shndx: number, offset: bigint): ElfSymbol | undefined {
    const candidates = this.named.get(shndx) ?? [];
    return candidates.find((s) => s.value === offset) ?? candidates.find((s) => s.value < offset && offset < s.value + s.size);
  }
}
