import { ElfFile, ElfSection, ElfSymbol, ET, R_X86_64_PC32, R_X86_64_PLT32, SHF, STT } from '../elf';

const endbr64 = Buffer.from([0xf3, 0x0f, 0x1e, 0xfa]);
/** The NOP ftrace writes over `call __fentry__` (and objtool/recordmcount with --mnop). */
const nop5 = Buffer.from([0x0f, 0x1f, 0x44, 0x00, 0x00]);

export interface EntryFacts {
  traceable: boolean;
  endbr: boolean;
}

/** A call site as one number: section index above a 64-bit address (a string key cost a BigInt-to-decimal conversion per function). */
const siteKey = (section: number, address: bigint): bigint => (BigInt(section) << 64n) | BigInt.asUintN(64, address);

/** Whether `bytes` holds `pattern` at `at` (without a subarray per call: this runs for every function). */
function startsWith(bytes: Buffer, at: number, pattern: Buffer): boolean {
  if (at + pattern.length > bytes.length) return false;
  for (let i = 0; i < pattern.length; i++) if (bytes[at + i] !== pattern[i]) return false;
  return true;
}

/**
 * Decides from a function's first bytes whether ftrace can patch it: a `call __fentry__` (or
 * its NOP) right at the entry, after ENDBR64 when IBT is on. Where the image records the call
 * sites (`__mcount_loc`, or vmlinux's __start_mcount_loc..__stop_mcount_loc), the site must
 * be listed there too.
 */
export class EntryInspector {
  private readonly code = new Map<number, Buffer>();
  private readonly fentry: ElfSymbol | undefined;
  private readonly mcountSites: Set<bigint> | undefined;
  private readonly fentryRelocs = new Set<bigint>();
  private readonly relocatable: boolean;

  constructor(
    private readonly elf: ElfFile,
    symbols: readonly ElfSymbol[],
  ) {
    this.relocatable = elf.header.type === ET.REL;
    this.fentry = symbols.find((s) => s.name === '__fentry__');
    if (this.relocatable) this.collectFentryRelocations(symbols);
    this.mcountSites = this.readMcountSites(symbols);
  }

  inspect(symbol: ElfSymbol): EntryFacts {
    const section = this.elf.sections[symbol.shndx];
    if (!section || !(section.flags & SHF.EXECINSTR) || symbol.type !== STT.FUNC) return { traceable: false, endbr: false };
    const bytes = this.sectionCode(section);
    const start = Number(this.relocatable ? symbol.value : symbol.value - section.addr);
    const endbr = startsWith(bytes, start, endbr64);
    const site = start + (endbr ? 4 : 0);
    const available = Math.min(bytes.length - site, Number(symbol.size) - (site - start));
    if (available < 5) return { traceable: false, endbr };
    const siteAddress = this.relocatable ? BigInt(site) : section.addr + BigInt(site);
    let calls = false;
    if (startsWith(bytes, site, nop5)) calls = true;
    else if (bytes[site] === 0xe8) {
      if (this.relocatable) calls = this.fentryRelocs.has(siteKey(section.index, BigInt(site + 1)));
      else calls = this.fentry !== undefined && siteAddress + 5n + BigInt(bytes.readInt32LE(site + 1)) === this.fentry.value;
    }
    const listed = !this.mcountSites || this.mcountSites.has(siteKey(this.relocatable ? section.index : 0, siteAddress));
    return { traceable: calls && listed, endbr };
  }

  private sectionCode(section: ElfSection): Buffer {
    let bytes = this.code.get(section.index);
    if (!bytes) {
      bytes = this.elf.sectionData(section);
      this.code.set(section.index, bytes);
    }
    return bytes;
  }

  private collectFentryRelocations(symbols: readonly ElfSymbol[]): void {
    for (const section of this.elf.sections) {
      if (!(section.flags & SHF.EXECINSTR)) continue;
      for (const rela of this.elf.relocationSectionsFor(section)) {
        for (const r of this.elf.relocations(rela)) {
          if ((r.type === R_X86_64_PLT32 || r.type === R_X86_64_PC32) && symbols[r.symbolIndex]?.name === '__fentry__') {
            this.fentryRelocs.add(siteKey(section.index, r.offset));
          }
        }
      }
    }
  }

  /** Call-site keys (see siteKey; section 0 for linked images, where addresses are absolute). */
  private readMcountSites(symbols: readonly ElfSymbol[]): Set<bigint> | undefined {
    const section = this.elf.section('__mcount_loc');
    if (section && this.relocatable) {
      const sites = new Set<bigint>();
      for (const rela of this.elf.relocationSectionsFor(section)) {
        for (const r of this.elf.relocations(rela)) {
          const target = symbols[r.symbolIndex];
          if (target) sites.add(siteKey(target.shndx, (target.type === STT.SECTION ? 0n : target.value) + r.addend));
        }
      }
      return sites;
    }
    let bytes: Buffer | undefined;
    if (section) bytes = this.elf.sectionData(section);
    else {
      const start = symbols.find((s) => s.name === '__start_mcount_loc');
      const stop = symbols.find((s) => s.name === '__stop_mcount_loc');
      const holder = start && this.elf.sections[start.shndx];
      if (!start || !stop || !holder || stop.value < start.value) return undefined;
      const from = Number(start.value - holder.addr);
      bytes = this.elf.sectionData(holder).subarray(from, from + Number(stop.value - start.value));
    }
    const sites = new Set<bigint>();
    for (let at = 0; at + 8 <= bytes.length; at += 8) sites.add(bytes.readBigUInt64LE(at));
    return sites;
  }
}
