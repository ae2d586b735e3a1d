import type { ElfFile } from '../elfFile';
import { DwarfError } from '../errors';
import { AbbrevTable, parseAbbrevTable } from './abbrev';
import { DW_AT, DW_FORM, DW_TAG, DW_UT } from './constants';
import { DebugSections } from './debugSections';
import { DieCursor } from './dieCursor';
import { DieNames } from './dieNames';
import { LineFileTable, readLineFileNames } from './lineFiles';
import { DwarfColumnFacts, DwarfFacts, DwarfScanOptions, DwarfSubprogram, InlineColumns, InlineSite, StructLayout } from './model';
import { firstRangeStart } from './ranges';
import { TypeNamer } from './typeNamer';
import { Unit, readUnitHeaders } from './unit';

/** A struct member as the scan sees it, before its type is named. */
interface RawMember {
  name: string;
  type: number;
  location: number;
  bitSize: number;
  dataBitOffset: number;
  bitOffset: number;
  byteSize: number;
}

interface RawStruct {
  name: string;
  kind: 'struct' | 'union';
  size: number;
  members: RawMember[];
}

/**
 * Per inlined copy, the raw facts resolved to names after the whole scan, one array per field:
 * an object per copy (150k per worker on a vmlinux) was most of what survived into old space.
 * `func` indexes RawFunctions; `parent` this table (-1: the copy sits in the function itself).
 */
interface RawInlines {
  origin: number[];
  func: number[];
  parent: number[];
  unit: number[];
  callFile: number[];
  callLine: number[];
  address: Array<bigint | undefined>;
  die: number[];
}

/** Subprograms as the scan finds them, one array per field (see RawInlines). */
interface RawFunctions {
  die: number[];
  lowPc: Array<bigint | undefined>;
  concrete: boolean[];
  unit: number[];
}

/**
 * DWARF 2-5 reader over .debug_info, as gcc emits it. `scan()` walks every DIE once, keeping
 * only subprograms, inlined subroutines and struct layouts, skipping the rest by its forms.
 */
export class DwarfReader {
  readonly sections: DebugSections;
  readonly units: Unit[];
  private readonly info: Buffer;
  private readonly cursor: DieCursor;

  constructor(readonly elf: ElfFile) {
    this.sections = new DebugSections(elf);
    this.info = this.sections.get('info') ?? Buffer.alloc(0);
    this.cursor = new DieCursor(elf.path, this.info, this.sections);
    this.units = readUnitHeaders(elf.path, this.info, (start, end) => this.sections.loadInfo(start, end));
  }

  private readonly abbrevCache = new Map<number, AbbrevTable>();

  /**
   * The unit's abbreviation table. A vmlinux has one per unit (5 MB in all), so only the last
   * few are kept: a scan meets units in order, and every table kept survives into old space.
   */
  abbrevsOf(unit: Unit): AbbrevTable {
    // A number, not a string: type lookups ask for the table once per type DIE.
    const key = unit.abbrevOffset * 32 + unit.addressSize * 2 + (unit.offsetSize === 8 ? 1 : 0);
    let table = this.abbrevCache.get(key);
    if (!table) {
      table = parseAbbrevTable(this.elf.path, this.sections.get('abbrev') ?? Buffer.alloc(0), unit.abbrevOffset, unit.addressSize, unit.offsetSize);
      if (this.abbrevCache.size >= 16) this.abbrevCache.delete(this.abbrevCache.keys().next().value!);
      this.abbrevCache.set(key, table);
    }
    return table;
  }

  /** Reads the unit's bytes and its unit DIE's bases once; every reader of a unit's DIEs calls this first. */
  prepare(unit: Unit): void {
    if (unit.prepared) return;
    unit.prepared = true;
    this.sections.loadInfo(unit.offset, unit.end);
    this.readUnitDie(unit);
  }

  /** The unit containing a .debug_info offset. */
  unitAt(offset: number): Unit {
    let lo = 0;
    let hi = this.units.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const unit = this.units[mid];
      if (offset < unit.offset) hi = mid - 1;
      else if (offset >= unit.end) lo = mid + 1;
      else return unit;
    }
    throw new DwarfError(this.elf.path, 'DIE reference', BigInt(offset), 'points outside every unit of .debug_info');
  }

  /** Reads the attributes of the unit DIE that the rest of the unit depends on (bases, line table). */
  private readUnitDie(unit: Unit): void {
    const c = this.cursor;
    c.unit = unit;
    c.pos = unit.dieStart;
    const abbrevs = this.abbrevsOf(unit);
    const code = this.abbrevAt(unit, abbrevs, c.uleb());
    if (code === 0) return;
    let lowPcIndex = -1;
    let compDir = '';
    for (let i = abbrevs.first[code]; i < abbrevs.first[code] + abbrevs.count[code]; i++) {
      const form = abbrevs.forms[i];
      // prettier-ignore
      switch (abbrevs.attrs[i]) {
        case DW_AT.name: unit.name = c.string(form); break;
        case DW_AT.comp_dir: compDir = c.string(form); break;
        case DW_AT.str_offsets_base: unit.strOffsetsBase = c.unsigned(form, abbrevs.implicitConsts[i]); break;
        case DW_AT.addr_base: unit.addrBase = c.unsigned(form, abbrevs.implicitConsts[i]); break;
        case DW_AT.rnglists_base: unit.rnglistsBase = c.unsigned(form, abbrevs.implicitConsts[i]); break;
        case DW_AT.stmt_list: unit.stmtList = c.unsigned(form, abbrevs.implicitConsts[i]); break;
        case DW_AT.low_pc:
          if (form === DW_FORM.addr) unit.lowPc = c.address(form);
          else lowPcIndex = c.unsigned(form === DW_FORM.addrx ? DW_FORM.udata : form, 0);
          break;
        default: c.skip(form);
      }
    }
    if (lowPcIndex >= 0) unit.lowPc = c.indexedAddress(lowPcIndex);
    this.compDirs.set(unit.index, compDir);
  }

  private readonly compDirs = new Map<number, string>();

  /** `code`, once checked to be 0 (a null entry) or defined in the unit's table. */
  private abbrevAt(unit: Unit, abbrevs: AbbrevTable, code: number): number {
    if (code !== 0 && abbrevs.tag[code] === undefined) {
      throw new DwarfError(
        this.elf.path,
        `DIE in unit at 0x${unit.offset.toString(16)}`,
        BigInt(this.cursor.pos),
        `abbreviation code ${code} is not in the unit's abbreviation table (at .debug_abbrev 0x${unit.abbrevOffset.toString(16)})`,
      );
    }
    return code;
  }

  /** The DW_AT_name of the DIE at `offset`, or the offset its abstract_origin/specification points to. */
  private subprogramNameAt(offset: number): string | number {
    const unit = this.unitAt(offset);
    this.prepare(unit);
    const abbrevs = this.abbrevsOf(unit);
    const c = this.cursor;
    c.unit = unit;
    c.pos = offset;
    const code = this.abbrevAt(unit, abbrevs, c.uleb());
    let origin = -1;
    for (let i = abbrevs.first[code]; code !== 0 && i < abbrevs.first[code] + abbrevs.count[code]; i++) {
      const attr = abbrevs.attrs[i];
      if (attr === DW_AT.name) return c.string(abbrevs.forms[i]);
      if (attr === DW_AT.abstract_origin || attr === DW_AT.specification) origin = c.reference(abbrevs.forms[i]);
      else c.skip(abbrevs.forms[i]);
    }
    return origin >= 0 ? origin : `<die 0x${offset.toString(16)}>`;
  }

  /** Walks every compile unit once and returns subprograms, inlined copies and struct layouts. */
  scan(options: DwarfScanOptions = {}): DwarfFacts {
    const { inlines: i, ...facts } = this.scanColumns(options);
    const inlines = i.callee.map((callee, n): InlineSite => {
      const site: InlineSite = { callee, function: i.function[n], caller: i.caller[n], callFile: i.callFile[n], callLine: i.callLine[n], die: i.die[n] };
      if (i.address[n] !== undefined) site.address = i.address[n];
      return site;
    });
    return { ...facts, inlines };
  }

  /** The same as scan(), with the inlined copies as one array per field rather than an object each. */
  scanColumns(options: DwarfScanOptions = {}): DwarfColumnFacts {
    const part = options.part ?? { index: 0, count: 1 };
    const slice = Math.ceil(this.info.length / part.count);
    // A unit belongs to the slice its header starts in.
    const todo = this.units.filter((u) => this.hasDies(u) && Math.floor(u.offset / slice) === part.index);
    const raw = this.scanUnits(todo, undefined, options.onProgress);
    return this.resolving(() => {
      const { subprograms, inlines } = this.resolveFunctions(raw.names, raw.functions, raw.inlines);
      return { subprograms, inlines, structs: this.resolveStructs(raw.structs), units: todo.length, dies: raw.dies };
    });
  }

  /**
   * The layouts of the structs and unions named, as scanColumns() finds them, without naming the
   * types of every other struct nor the functions: a module's five klp structs among the few
   * hundred its headers define, read on every insmod.
   */
  structLayouts(wanted: ReadonlySet<string>): Map<string, StructLayout> {
    const raw = this.scanUnits(
      this.units.filter((u) => this.hasDies(u)),
      wanted,
    );
    return this.resolving(() => this.resolveStructs(raw.structs));
  }

  private hasDies(unit: Unit): boolean {
    return unit.unitType === DW_UT.compile || unit.unitType === DW_UT.partial;
  }

  private scanUnits(todo: Unit[], wanted: ReadonlySet<string> | undefined, onProgress?: DwarfScanOptions['onProgress']) {
    const raw = {
      names: new DieNames(),
      functions: { die: [], lowPc: [], concrete: [], unit: [] } as RawFunctions,
      inlines: { origin: [], func: [], parent: [], unit: [], callFile: [], callLine: [], address: [], die: [] } as RawInlines,
      structs: new Map<string, RawStruct>(),
      dies: 0,
    };
    let done = 0;
    for (const unit of todo) {
      try {
        raw.dies += this.scanUnit(unit, raw.names, raw.functions, raw.inlines, raw.structs, wanted);
      } catch (error) {
        if (error instanceof RangeError) {
          throw new DwarfError(this.elf.path, `unit at 0x${unit.offset.toString(16)}`, BigInt(this.cursor.pos), 'a value runs past the end of .debug_info');
        }
        throw error;
      }
      onProgress?.(++done, todo.length);
    }
    return raw;
  }

  /** Runs a resolution step, a read past the end of a section being a DwarfError. */
  private resolving<T>(step: () => T): T {
    try {
      return step();
    } catch (error) {
      if (error instanceof RangeError) {
        throw new DwarfError(this.elf.path, 'type or line table reference', BigInt(this.cursor.pos), 'a value runs past the end of its section');
      }
      throw error;
    }
  }

  private scanUnit(unit: Unit, names: DieNames, functions: RawFunctions, inlines: RawInlines, structs: Map<string, RawStruct>, wanted?: ReadonlySet<string>): number {
    this.prepare(unit);
    const c = this.cursor;
    const info = this.info;
    c.unit = unit;
    c.pos = unit.dieStart;
    const abbrevs = this.abbrevsOf(unit);
    const { attrs, forms, implicitConsts, sizes } = abbrevs;
    // Per depth: the enclosing concrete function, inlined copy and struct being recorded.
    const ctxFunc: number[] = [-1];
    const ctxInline: number[] = [-1];
    const ctxStruct: Array<RawStruct | undefined> = [undefined];
    let depth = 0;
    let dies = 0;
    while (c.pos < unit.end) {
      const die = c.pos;
      let code = info[c.pos++];
      if (code >= 0x80) {
        c.pos--;
        code = c.uleb();
      }
      if (code === 0) {
        if (--depth < 0) depth = 0;
        continue;
      }
      dies++;
      const tag = abbrevs.tag[code];
      if (tag === undefined) this.abbrevAt(unit, abbrevs, code);
      const first = abbrevs.first[code];
      const end = first + abbrevs.count[code];
      const hasChildren = abbrevs.hasChildren[code];
      let childFunc = ctxFunc[depth];
      let childInline = ctxInline[depth];
      let childStruct: RawStruct | undefined;
      if (tag === DW_TAG.subprogram || tag === DW_TAG.inlined_subroutine) {
        let name: string | undefined;
        let origin = -1;
        let lowPc: bigint | undefined;
        let rangesForm = 0;
        let rangesValue = -1;
        let declaration = false;
        let callFile = -1;
        let callLine = 0;
        let sibling = -1;
        for (let i = first; i < end; i++) {
          const form = forms[i];
          // prettier-ignore
          switch (attrs[i]) {
            case DW_AT.name: name = c.string(form); break;
            case DW_AT.abstract_origin: case DW_AT.specification: origin = c.reference(form); break;
            case DW_AT.low_pc: case DW_AT.entry_pc: { const a = c.address(form); if (lowPc === undefined || attrs[i] === DW_AT.low_pc) lowPc = a; break; }
            case DW_AT.ranges: rangesForm = form; rangesValue = c.unsigned(form, implicitConsts[i]); break;
            case DW_AT.declaration: declaration = c.unsigned(form, implicitConsts[i]) !== 0; break;
            case DW_AT.call_file: callFile = c.unsigned(form, implicitConsts[i]); break;
            case DW_AT.call_line: callLine = c.unsigned(form, implicitConsts[i]); break;
            case DW_AT.sibling: sibling = c.reference(form); break;
            default: c.skip(forms[i]);
          }
        }
        if (lowPc === undefined && rangesValue >= 0) {
          const saved = c.pos;
          lowPc = firstRangeStart(c, unit, rangesForm, rangesValue);
          c.pos = saved;
        }
        const hasCode = lowPc !== undefined || rangesValue >= 0;
        if (tag === DW_TAG.subprogram) {
          if (name !== undefined) names.set(die, name);
          else if (origin >= 0) names.set(die, origin);
          if (!declaration && (hasCode || name !== undefined || origin >= 0)) {
            functions.die.push(die);
            functions.lowPc.push(lowPc);
            functions.concrete.push(hasCode);
            functions.unit.push(unit.index);
            if (hasCode) {
              childFunc = functions.die.length - 1;
              childInline = -1;
            }
          }
          if (!hasCode && sibling > die && sibling <= unit.end) {
            // Declarations and abstract instances hold parameters, never inlined copies.
            c.pos = sibling;
            continue;
          }
        } else if (childFunc >= 0 && origin >= 0) {
          inlines.origin.push(origin);
          inlines.func.push(childFunc);
          inlines.parent.push(childInline);
          inlines.unit.push(unit.index);
          inlines.callFile.push(callFile);
          inlines.callLine.push(callLine);
          inlines.address.push(lowPc);
          inlines.die.push(die);
          childInline = inlines.die.length - 1;
        }
      } else if (tag === DW_TAG.structure_type || tag === DW_TAG.union_type) {
        let name: string | undefined;
        let size = -1;
        let declaration = false;
        let sibling = -1;
        for (let i = first; i < end; i++) {
          const form = forms[i];
          // prettier-ignore
          switch (attrs[i]) {
            case DW_AT.name: name = c.string(form); break;
            case DW_AT.byte_size: size = c.unsigned(form, implicitConsts[i]); break;
            case DW_AT.declaration: declaration = c.unsigned(form, implicitConsts[i]) !== 0; break;
            case DW_AT.sibling: sibling = c.reference(form); break;
            default: c.skip(form);
          }
        }
        const keep =
          name !== undefined &&
          !declaration &&
          size >= 0 &&
          (wanted === undefined || wanted.has(name)) &&
          (!structs.has(name) || (structs.get(name)!.kind === 'union' && tag === DW_TAG.structure_type));
        if (keep) {
          childStruct = { name: name!, kind: tag === DW_TAG.structure_type ? 'struct' : 'union', size, members: [] };
          structs.set(name!, childStruct);
        } else if (sibling > die && sibling <= unit.end && hasChildren) {
          c.pos = sibling;
          continue;
        }
      } else if (tag === DW_TAG.member && ctxStruct[depth] !== undefined) {
        const member: RawMember = { name: '', type: -1, location: -1, bitSize: -1, dataBitOffset: -1, bitOffset: -1, byteSize: -1 };
        for (let i = first; i < end; i++) {
          const form = forms[i];
          // prettier-ignore
          switch (attrs[i]) {
            case DW_AT.name: member.name = c.string(form); break;
            case DW_AT.type: member.type = c.reference(form); break;
            case DW_AT.data_member_location: member.location = c.unsigned(form, implicitConsts[i]); break;
            case DW_AT.bit_size: member.bitSize = c.unsigned(form, implicitConsts[i]); break;
            case DW_AT.data_bit_offset: member.dataBitOffset = c.unsigned(form, implicitConsts[i]); break;
            case DW_AT.bit_offset: member.bitOffset = c.unsigned(form, implicitConsts[i]); break;
            case DW_AT.byte_size: member.byteSize = c.unsigned(form, implicitConsts[i]); break;
            default: c.skip(form);
          }
        }
        ctxStruct[depth]!.members.push(member);
      } else if (hasChildren && abbrevs.siblingAt[code] >= 0 && tag !== DW_TAG.lexical_block && depth > 0) {
        // Enumerations, subroutine types, parameter lists: nothing below them matters here.
        c.pos += abbrevs.siblingAt[code];
        const sibling = c.reference(abbrevs.siblingForm[code]);
        if (sibling <= die || sibling > unit.end) {
          throw new DwarfError(this.elf.path, `DIE at 0x${die.toString(16)}`, BigInt(die), `DW_AT_sibling 0x${sibling.toString(16)} is outside its unit`);
        }
        c.pos = sibling;
        continue;
      } else if (abbrevs.fixedSize[code] >= 0) {
        c.pos += abbrevs.fixedSize[code];
      } else {
        for (let i = first; i < end; i++) {
          if (sizes[i] >= 0) c.pos += sizes[i];
          else c.skip(forms[i]);
        }
      }
      if (c.pos > unit.end) {
        throw new DwarfError(this.elf.path, `DIE at 0x${die.toString(16)}`, BigInt(die), `attributes run past the end of the unit at 0x${unit.offset.toString(16)}`);
      }
      if (hasChildren) {
        depth++;
        ctxFunc[depth] = childFunc;
        ctxInline[depth] = childInline;
        ctxStruct[depth] = childStruct;
      }
    }
    return dies;
  }

  private resolveFunctions(names: DieNames, functions: RawFunctions, raw: RawInlines): Pick<DwarfColumnFacts, 'subprograms' | 'inlines'> {
    const nameOf = (die: number): string => {
      let at: string | number = die;
      for (let hops = 0; typeof at === 'number' && hops < 16; hops++) {
        // A reference into a unit this scan did not read (another worker's slice): read that DIE.
        let next = names.get(at);
        if (next === undefined) names.set(at, (next = this.subprogramNameAt(at)));
        at = next;
      }
      return typeof at === 'string' ? at : `<die 0x${die.toString(16)}>`;
    };
    const subprograms = functions.die.map((die, n): DwarfSubprogram => {
      const lowPc = functions.lowPc[n];
      return { name: nameOf(die), die, concrete: functions.concrete[n], unit: this.units[functions.unit[n]].name, ...(lowPc !== undefined ? { lowPc } : {}) };
    });
    const fileTables = new Map<number, LineFileTable | undefined>();
    const filesOf = (unitIndex: number): LineFileTable | undefined => {
      let files = fileTables.get(unitIndex);
      if (!fileTables.has(unitIndex)) {
        const unit = this.units[unitIndex];
        files = unit.stmtList >= 0 ? readLineFileNames(this.elf.path, this.sections, unit.stmtList, this.compDirs.get(unitIndex) ?? '') : undefined;
        fileTables.set(unitIndex, files);
      }
      return files;
    };
    const callee = raw.origin.map(nameOf);
    const inlines: InlineColumns = {
      callee,
      function: raw.func.map((f) => subprograms[f].name),
      caller: raw.parent.map((parent, n) => (parent >= 0 ? callee[parent] : subprograms[raw.func[n]].name)),
      callFile: raw.callFile.map((file, n) => (file >= 0 ? (filesOf(raw.unit[n])?.name(file) ?? `<file ${file}>`) : '')),
      callLine: raw.callLine,
      address: raw.address,
      die: raw.die,
      func: raw.func,
    };
    return { subprograms, inlines };
  }

  private resolveStructs(rawStructs: Map<string, RawStruct>): Map<string, StructLayout> {
    const namer = new TypeNamer(this, this.cursor);
    const structs = new Map<string, StructLayout>();
    for (const [name, s] of rawStructs) {
      structs.set(name, {
        name,
        kind: s.kind,
        size: s.size,
        members: s.members.map((m) => {
          const size = m.byteSize >= 0 && m.bitSize < 0 ? m.byteSize : namer.size(m.type);
          let bitOffset = m.dataBitOffset;
          // DWARF 2-4 bit-fields count DW_AT_bit_offset from the storage unit's most significant bit.
          if (bitOffset < 0 && m.bitSize >= 0 && m.bitOffset >= 0) {
            const storage = m.byteSize >= 0 ? m.byteSize : size;
            bitOffset = Math.max(m.location, 0) * 8 + storage * 8 - m.bitOffset - m.bitSize;
          }
          const isBitField = m.bitSize >= 0;
          // prettier-ignore
          return {
            name: m.name, type: namer.name(m.type), size,
            offset: isBitField && bitOffset >= 0 ? Math.floor(bitOffset / 8) : Math.max(m.location, 0),
            ...(isBitField ? { bitSize: m.bitSize, bitOffset: bitOffset >= 0 ? bitOffset : Math.max(m.location, 0) * 8 } : {}),
          };
        }),
      });
    }
    return structs;
  }
}
