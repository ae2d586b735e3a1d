import { DW_FORM } from './constants';
import { DieCursor } from './dieCursor';
import { Unit } from './unit';

interface AddressRange {
  start: bigint;
  end: bigint;
}

const DW_RLE = { end_of_list: 0, base_addressx: 1, startx_endx: 2, startx_length: 3, offset_pair: 4, base_address: 5, start_end: 6, start_length: 7 };

/**
 * The address ranges of a DW_AT_ranges value: .debug_rnglists for DWARF 5 (sec_offset or
 * rnglistx through DW_AT_rnglists_base), .debug_ranges for DWARF 4. The cursor is used only for
 * its section access; its position is saved and restored.
 */
function readRanges(cursor: DieCursor, unit: Unit, form: number, value: number, limit = Infinity): AddressRange[] {
  return unit.version >= 5 ? rnglists(cursor, unit, form, value, limit) : debugRanges(cursor, unit, value, limit);
}

/** Where the first range starts: the scan wants only that, for each of some 100k DIEs with DW_AT_ranges. */
export function firstRangeStart(cursor: DieCursor, unit: Unit, form: number, value: number): bigint | undefined {
  return readRanges(cursor, unit, form, value, 1)[0]?.start;
}

function rnglists(cursor: DieCursor, unit: Unit, form: number, value: number, limit: number): AddressRange[] {
  const buf = cursor.sections.require('rnglists', 'DW_AT_ranges', value);
  let at = value;
  if (form === DW_FORM.rnglistx) {
    const slot = unit.rnglistsBase + value * unit.offsetSize;
    if (slot + unit.offsetSize > buf.length) cursor.fail('DW_FORM_rnglistx', `range list index ${value} is outside .debug_rnglists`, slot);
    at = unit.rnglistsBase + (unit.offsetSize === 8 ? Number(buf.readBigUInt64LE(slot)) : buf.readUInt32LE(slot));
  }
  const reader = new Reader(buf, at, cursor, unit);
  const ranges: AddressRange[] = [];
  let base = unit.lowPc;
  while (ranges.length < limit) {
    const kind = reader.byte();
    // prettier-ignore
    switch (kind) {
      case DW_RLE.end_of_list: return ranges;
      case DW_RLE.base_addressx: base = cursor.indexedAddress(reader.uleb()); break;
      case DW_RLE.startx_endx: ranges.push({ start: cursor.indexedAddress(reader.uleb()), end: cursor.indexedAddress(reader.uleb()) }); break;
      case DW_RLE.startx_length: { const start = cursor.indexedAddress(reader.uleb()); ranges.push({ start, end: start + BigInt(reader.uleb()) }); break; }
      case DW_RLE.offset_pair: { const start = base + BigInt(reader.uleb()); ranges.push({ start, end: base + BigInt(reader.uleb()) }); break; }
      case DW_RLE.base_address: base = reader.address(); break;
      case DW_RLE.start_end: ranges.push({ start: reader.address(), end: reader.address() }); break;
      case DW_RLE.start_length: { const start = reader.address(); ranges.push({ start, end: start + BigInt(reader.uleb()) }); break; }
      default: cursor.fail('.debug_rnglists entry', `unknown range list entry kind ${kind}`, reader.pos - 1);
    }
  }
  return ranges;
}

function debugRanges(cursor: DieCursor, unit: Unit, offset: number, limit: number): AddressRange[] {
  const buf = cursor.sections.require('ranges', 'DW_AT_ranges', offset);
  const reader = new Reader(buf, offset, cursor, unit);
  const all = unit.addressSize === 8 ? 0xffffffffffffffffn : 0xffffffffn;
  const ranges: AddressRange[] = [];
  let base = unit.lowPc;
  while (ranges.length < limit) {
    const start = reader.address();
    const end = reader.address();
    if (start === 0n && end === 0n) return ranges;
    if (start === all) base = end;
    else ranges.push({ start: base + start, end: base + end });
  }
  return ranges;
}

class Reader {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
    private readonly cursor: DieCursor,
    private readonly unit: Unit,
  ) {}

  private need(bytes: number): void {
    if (this.pos + bytes > this.buf.length) this.cursor.fail('range list', 'range list runs past the end of its section', this.pos);
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  uleb(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return result;
      shift += 7;
    }
  }

  address(): bigint {
    this.need(this.unit.addressSize);
    this.pos += this.unit.addressSize;
    return this.unit.addressSize === 8 ? this.buf.readBigUInt64LE(this.pos - 8) : BigInt(this.buf.readUInt32LE(this.pos - 4));
  }
}
