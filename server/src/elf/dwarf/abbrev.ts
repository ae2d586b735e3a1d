import { DwarfError } from '../errors';
import { DW_AT, DW_FORM } from './constants';

const DW_AT_sibling = DW_AT.sibling;

/**
 * One unit's abbreviations as flat arrays indexed by abbreviation code (gcc numbers them 1..n
 * densely), with the attribute specs of code c at [first[c], first[c] + count[c]) of attrs,
 * forms and implicitConsts. A vmlinux has some 360k abbreviations: as objects with arrays each,
 * they were the largest source of garbage in a scan.
 */
export class AbbrevTable {
  /** DW_TAG per code; undefined for codes the table does not define. */
  readonly tag: number[] = [];
  readonly hasChildren: boolean[] = [];
  readonly first: number[] = [];
  readonly count: number[] = [];
  /** Bytes all attributes take when every form has a fixed size in this unit, else -1. */
  readonly fixedSize: number[] = [];
  /** Byte offset of DW_AT_sibling from the DIE's first attribute when every form before it has a fixed size, else -1. */
  readonly siblingAt: number[] = [];
  readonly siblingForm: number[] = [];
  readonly attrs: number[] = [];
  readonly forms: number[] = [];
  /** DW_FORM_implicit_const values (0 for other forms). */
  readonly implicitConsts: number[] = [];
  /** Each form's size in this unit when fixed, else -1: skipping adds these without a dispatch on the form. */
  readonly sizes: number[] = [];
}

function uleb(buf: Buffer, cursor: { pos: number }): number {
  // Nearly every code, tag, attribute and form fits in one byte.
  const first = buf[cursor.pos];
  if (first < 0x80) {
    cursor.pos++;
    return first;
  }
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = buf[cursor.pos++];
    if (byte === undefined) throw new RangeError('uleb128 past the end');
    result += (byte & 0x7f) * 2 ** shift;
    if (!(byte & 0x80)) return result;
    shift += 7;
  }
}

function sleb(buf: Buffer, cursor: { pos: number }): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = buf[cursor.pos++];
    if (byte === undefined) throw new RangeError('sleb128 past the end');
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(byte & 0x80)) return byte & 0x40 ? result - 2 ** shift : result;
  }
}

/** Size of a form's value when it does not depend on the data, or -1. */
export function fixedFormSize(form: number, addressSize: number, offsetSize: number): number {
  // prettier-ignore
  switch (form) {
    case DW_FORM.flag_present: case DW_FORM.implicit_const: return 0;
    case DW_FORM.data1: case DW_FORM.ref1: case DW_FORM.flag: case DW_FORM.strx1: case DW_FORM.addrx1: return 1;
    case DW_FORM.data2: case DW_FORM.ref2: case DW_FORM.strx2: case DW_FORM.addrx2: return 2;
    case DW_FORM.strx3: case DW_FORM.addrx3: return 3;
    case DW_FORM.data4: case DW_FORM.ref4: case DW_FORM.ref_sup4: case DW_FORM.strx4: case DW_FORM.addrx4: return 4;
    case DW_FORM.data8: case DW_FORM.ref8: case DW_FORM.ref_sig8: case DW_FORM.ref_sup8: return 8;
    case DW_FORM.data16: return 16;
    case DW_FORM.addr: return addressSize;
    case DW_FORM.strp: case DW_FORM.line_strp: case DW_FORM.sec_offset: case DW_FORM.ref_addr:
    case DW_FORM.strp_sup: case DW_FORM.GNU_ref_alt: case DW_FORM.GNU_strp_alt: return offsetSize;
    default: return -1;
  }
}

/** Parses the abbreviation table at `offset` of .debug_abbrev. */
export function parseAbbrevTable(file: string, buf: Buffer, offset: number, addressSize: number, offsetSize: number): AbbrevTable {
  const table = new AbbrevTable();
  const cursor = { pos: offset };
  const fail = (detail: string): never => {
    throw new DwarfError(file, '.debug_abbrev table', BigInt(offset), detail);
  };
  try {
    if (offset >= buf.length) fail(`table offset is past the end of .debug_abbrev (${buf.length} bytes)`);
    for (;;) {
      const at = cursor.pos;
      const code = uleb(buf, cursor);
      if (code === 0) return table;
      if (code > 0xffffff) fail(`abbreviation code ${code} at 0x${at.toString(16)} is implausible`);
      const tag = uleb(buf, cursor);
      const children = buf[cursor.pos++];
      if (children !== 0 && children !== 1) fail(`abbreviation ${code} at 0x${at.toString(16)} has children flag ${children}`);
      if (table.tag[code] !== undefined) fail(`abbreviation code ${code} is defined twice`);
      table.tag[code] = tag;
      table.hasChildren[code] = children === 1;
      table.first[code] = table.attrs.length;
      let fixedSize = 0;
      let siblingAt = -1;
      let siblingForm = 0;
      for (;;) {
        const attr = uleb(buf, cursor);
        const form = uleb(buf, cursor);
        if (attr === 0 && form === 0) break;
        if (attr === DW_AT_sibling && fixedSize >= 0) {
          siblingAt = fixedSize;
          siblingForm = form;
        }
        table.attrs.push(attr);
        table.forms.push(form);
        table.implicitConsts.push(form === DW_FORM.implicit_const ? sleb(buf, cursor) : 0);
        const size = fixedFormSize(form, addressSize, offsetSize);
        table.sizes.push(size);
        fixedSize = size < 0 || fixedSize < 0 ? -1 : fixedSize + size;
      }
      table.count[code] = table.attrs.length - table.first[code];
      table.fixedSize[code] = fixedSize;
      table.siblingAt[code] = siblingAt;
      table.siblingForm[code] = siblingForm;
    }
  } catch (error) {
    if (error instanceof RangeError) fail(`table runs past the end of .debug_abbrev (${buf.length} bytes) without its terminating 0`);
    throw error;
  }
}
