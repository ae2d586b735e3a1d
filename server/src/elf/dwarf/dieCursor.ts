import { DwarfError } from '../errors';
import { DW_FORM } from './constants';
import { DebugSections } from './debugSections';
import { SectionStrings } from './sectionStrings';
import { Unit } from './unit';

const DW_OP_plus_uconst = 0x23;
const DW_OP_constu = 0x10;

/**
 * Reads attribute values at `pos` in .debug_info for the current unit. Values that the index
 * needs are returned as numbers (offsets and sizes fit well below 2^53) or BigInt (addresses).
 */
export class DieCursor {
  pos = 0;
  unit!: Unit;
  private readonly strCache = new SectionStrings();
  private readonly lineStrCache = new SectionStrings();

  constructor(
    readonly file: string,
    readonly info: Buffer,
    readonly sections: DebugSections,
  ) {}

  fail(structure: string, detail: string, offset = this.pos): never {
    throw new DwarfError(this.file, structure, BigInt(offset), detail);
  }

  uleb(): number {
    const buf = this.info;
    let byte = buf[this.pos++];
    if (byte < 0x80) return byte;
    let result = byte & 0x7f;
    let shift = 7;
    for (;;) {
      byte = buf[this.pos++];
      if (byte === undefined) this.fail('.debug_info', 'LEB128 runs past the end of the section');
      result += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return result;
      shift += 7;
    }
  }

  sleb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.info[this.pos++];
      if (byte === undefined) this.fail('.debug_info', 'LEB128 runs past the end of the section');
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(byte & 0x80)) return byte & 0x40 ? result - 2 ** shift : result;
    }
  }

  private offsetValue(): number {
    const value = this.unit.offsetSize === 8 ? Number(this.info.readBigUInt64LE(this.pos)) : this.info.readUInt32LE(this.pos);
    this.pos += this.unit.offsetSize;
    return value;
  }

  /** Moves past one attribute value. */
  skip(form: number): void {
    const info = this.info;
    // prettier-ignore
    switch (form) {
      case DW_FORM.flag_present: case DW_FORM.implicit_const: return;
      case DW_FORM.data1: case DW_FORM.ref1: case DW_FORM.flag: case DW_FORM.strx1: case DW_FORM.addrx1: this.pos += 1; return;
      case DW_FORM.data2: case DW_FORM.ref2: case DW_FORM.strx2: case DW_FORM.addrx2: this.pos += 2; return;
      case DW_FORM.strx3: case DW_FORM.addrx3: this.pos += 3; return;
      case DW_FORM.data4: case DW_FORM.ref4: case DW_FORM.ref_sup4: case DW_FORM.strx4: case DW_FORM.addrx4: this.pos += 4; return;
      case DW_FORM.data8: case DW_FORM.ref8: case DW_FORM.ref_sig8: case DW_FORM.ref_sup8: this.pos += 8; return;
      case DW_FORM.data16: this.pos += 16; return;
      case DW_FORM.addr: this.pos += this.unit.addressSize; return;
      case DW_FORM.strp: case DW_FORM.line_strp: case DW_FORM.sec_offset: case DW_FORM.strp_sup:
      case DW_FORM.GNU_ref_alt: case DW_FORM.GNU_strp_alt: this.pos += this.unit.offsetSize; return;
      case DW_FORM.ref_addr: this.pos += this.unit.version <= 2 ? this.unit.addressSize : this.unit.offsetSize; return;
      case DW_FORM.udata: case DW_FORM.sdata: case DW_FORM.ref_udata: case DW_FORM.strx: case DW_FORM.addrx:
      case DW_FORM.loclistx: case DW_FORM.rnglistx: case DW_FORM.GNU_addr_index: case DW_FORM.GNU_str_index:
        while (info[this.pos++] & 0x80);
        return;
      case DW_FORM.string: {
        const end = info.indexOf(0, this.pos);
        if (end < 0) this.fail('DW_FORM_string', 'string is not NUL-terminated');
        this.pos = end + 1;
        return;
      }
      case DW_FORM.block1: this.pos += 1 + info[this.pos]; return;
      case DW_FORM.block2: this.pos += 2 + info.readUInt16LE(this.pos); return;
      case DW_FORM.block4: this.pos += 4 + info.readUInt32LE(this.pos); return;
      case DW_FORM.block: case DW_FORM.exprloc: { const length = this.uleb(); this.pos += length; return; }
      case DW_FORM.indirect: this.skip(this.uleb()); return;
      default: this.fail('attribute form', `unknown DW_FORM 0x${form.toString(16)}`);
    }
  }

  /** A constant, flag, section offset or index. */
  unsigned(form: number, implicitConst: number): number {
    const info = this.info;
    let value: number;
    // prettier-ignore
    switch (form) {
      case DW_FORM.data1: case DW_FORM.flag: value = info[this.pos]; this.pos += 1; return value;
      case DW_FORM.data2: value = info.readUInt16LE(this.pos); this.pos += 2; return value;
      case DW_FORM.data4: value = info.readUInt32LE(this.pos); this.pos += 4; return value;
      case DW_FORM.data8: value = Number(info.readBigUInt64LE(this.pos)); this.pos += 8; return value;
      case DW_FORM.udata: case DW_FORM.rnglistx: case DW_FORM.loclistx: return this.uleb();
      case DW_FORM.sdata: return this.sleb();
      case DW_FORM.implicit_const: return implicitConst;
      case DW_FORM.flag_present: return 1;
      case DW_FORM.sec_offset: return this.offsetValue();
      case DW_FORM.exprloc: case DW_FORM.block1: return this.constantExpression(form);
      default: this.skip(form); return -1;
    }
  }

  /** DW_AT_data_member_location as an expression (DWARF 2 style): DW_OP_plus_uconst N. */
  private constantExpression(form: number): number {
    const length = form === DW_FORM.block1 ? this.info[this.pos++] : this.uleb();
    const end = this.pos + length;
    const op = this.info[this.pos++];
    const value = op === DW_OP_plus_uconst || op === DW_OP_constu ? this.uleb() : -1;
    this.pos = end;
    return value;
  }

  /** A reference, as an offset in .debug_info. */
  reference(form: number): number {
    const info = this.info;
    let value: number;
    // prettier-ignore
    switch (form) {
      case DW_FORM.ref1: value = info[this.pos]; this.pos += 1; break;
      case DW_FORM.ref2: value = info.readUInt16LE(this.pos); this.pos += 2; break;
      case DW_FORM.ref4: value = info.readUInt32LE(this.pos); this.pos += 4; break;
      case DW_FORM.ref8: value = Number(info.readBigUInt64LE(this.pos)); this.pos += 8; break;
      case DW_FORM.ref_udata: value = this.uleb(); break;
      case DW_FORM.ref_addr: return this.unit.version <= 2 && this.unit.addressSize === 4 ? (this.pos += 4, info.readUInt32LE(this.pos - 4)) : this.offsetValue();
      default: this.skip(form); return -1;
    }
    return this.unit.offset + value;
  }

  string(form: number): string {
    // prettier-ignore
    switch (form) {
      case DW_FORM.string: {
        const start = this.pos;
        this.skip(form);
        return this.info.toString('utf8', start, this.pos - 1);
      }
      case DW_FORM.strp: return this.stringAt('str', this.strCache, this.offsetValue());
      case DW_FORM.line_strp: return this.stringAt('line_str', this.lineStrCache, this.offsetValue());
      case DW_FORM.strx: case DW_FORM.GNU_str_index: return this.indexedString(this.uleb());
      case DW_FORM.strx1: return this.indexedString(this.info[this.pos++]);
      case DW_FORM.strx2: this.pos += 2; return this.indexedString(this.info.readUInt16LE(this.pos - 2));
      case DW_FORM.strx3: this.pos += 3; return this.indexedString(this.info.readUIntLE(this.pos - 3, 3));
      case DW_FORM.strx4: this.pos += 4; return this.indexedString(this.info.readUInt32LE(this.pos - 4));
      default: this.skip(form); return '';
    }
  }

  private stringAt(section: 'str' | 'line_str', cache: SectionStrings, offset: number): string {
    const bytes = this.sections.get(section) ?? this.sections.require(section, `string reference in unit at 0x${this.unit.offset.toString(16)}`, this.pos);
    const known = offset < bytes.length ? cache.get(offset, bytes.length) : undefined;
    if (known !== undefined) return known;
    const end = offset < bytes.length ? bytes.indexOf(0, offset) : -1;
    if (end < 0)
      this.fail(
        `.debug_${section} reference`,
        `string offset 0x${offset.toString(16)} is out of range (.debug_${section} is ${bytes.length} bytes)`,
        this.pos - this.unit.offsetSize,
      );
    const value = bytes.toString('utf8', offset, end);
    cache.set(offset, value);
    return value;
  }

  private indexedString(index: number): string {
    const table = this.sections.require('str_offsets', 'DW_FORM_strx', this.pos);
    const at = this.unit.strOffsetsBase + index * this.unit.offsetSize;
    if (at + this.unit.offsetSize > table.length) this.fail('DW_FORM_strx', `string index ${index} is outside .debug_str_offsets`);
    const offset = this.unit.offsetSize === 8 ? Number(table.readBigUInt64LE(at)) : table.readUInt32LE(at);
    return this.stringAt('str', this.strCache, offset);
  }

  address(form: number): bigint {
    // prettier-ignore
    switch (form) {
      case DW_FORM.addr:
        this.pos += this.unit.addressSize;
        return this.unit.addressSize === 8 ? this.info.readBigUInt64LE(this.pos - 8) : BigInt(this.info.readUInt32LE(this.pos - 4));
      case DW_FORM.addrx: case DW_FORM.GNU_addr_index: return this.indexedAddress(this.uleb());
      case DW_FORM.addrx1: return this.indexedAddress(this.info[this.pos++]);
      case DW_FORM.addrx2: this.pos += 2; return this.indexedAddress(this.info.readUInt16LE(this.pos - 2));
      case DW_FORM.addrx3: this.pos += 3; return this.indexedAddress(this.info.readUIntLE(this.pos - 3, 3));
      case DW_FORM.addrx4: this.pos += 4; return this.indexedAddress(this.info.readUInt32LE(this.pos - 4));
      default: this.skip(form); return -1n;
    }
  }

  indexedAddress(index: number): bigint {
    const table = this.sections.require('addr', 'DW_FORM_addrx', this.pos);
    const at = this.unit.addrBase + index * this.unit.addressSize;
    if (at + this.unit.addressSize > table.length) this.fail('DW_FORM_addrx', `address index ${index} is outside .debug_addr`);
    return this.unit.addressSize === 8 ? table.readBigUInt64LE(at) : BigInt(table.readUInt32LE(at));
  }
}
