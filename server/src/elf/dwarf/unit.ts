import { DwarfError } from '../errors';
import { DW_UT } from './constants';

/** One unit header of .debug_info, DWARF 2 to 5, 32- or 64-bit format. */
export interface Unit {
  index: number;
  /** Offset of the unit header in .debug_info. */
  offset: number;
  version: number;
  unitType: number;
  addressSize: number;
  offsetSize: number;
  abbrevOffset: number;
  /** Offset of the first DIE. */
  dieStart: number;
  /** Offset just past the unit. */
  end: number;
  /** Filled from the unit DIE, once the reader has prepared the unit. */
  prepared: boolean;
  strOffsetsBase: number;
  addrBase: number;
  rnglistsBase: number;
  stmtList: number;
  lowPc: bigint;
  name: string;
}

/** The longest unit header: 64-bit DWARF 5 type unit. */
const longestHeader = 40;

/** Every unit header; `load(start, end)` is asked for each header's bytes first (see DebugSections.loadInfo). */
export function readUnitHeaders(file: string, info: Buffer, load: (at: number, length: number) => void): Unit[] {
  const units: Unit[] = [];
  let at = 0;
  while (at < info.length) {
    load(at, Math.min(at + longestHeader, info.length));
    const fail = (detail: string): never => {
      throw new DwarfError(file, `.debug_info unit header ${units.length}`, BigInt(at), detail);
    };
    if (at + 11 > info.length) fail('unit header runs past the end of .debug_info');
    let length = info.readUInt32LE(at);
    let offsetSize = 4;
    let pos = at + 4;
    if (length === 0xffffffff) {
      if (at + 23 > info.length) fail('64-bit unit header runs past the end of .debug_info');
      const long = info.readBigUInt64LE(at + 4);
      if (long > BigInt(info.length)) fail(`unit length ${long} runs past the end of .debug_info (${info.length} bytes)`);
      length = Number(long);
      offsetSize = 8;
      pos = at + 12;
    } else if (length >= 0xfffffff0) fail(`reserved unit length 0x${length.toString(16)}`);
    const end = pos + length;
    if (end > info.length) fail(`unit length ${length} runs past the end of .debug_info (${info.length} bytes)`);
    const version = info.readUInt16LE(pos);
    pos += 2;
    if (version < 2 || version > 5) fail(`DWARF version ${version} is not supported`);
    let unitType: number = DW_UT.compile;
    let addressSize: number;
    let abbrevOffset: number;
    const readOffset = (): number => {
      const value = offsetSize === 8 ? Number(info.readBigUInt64LE(pos)) : info.readUInt32LE(pos);
      pos += offsetSize;
      return value;
    };
    if (version >= 5) {
      unitType = info[pos++];
      addressSize = info[pos++];
      abbrevOffset = readOffset();
      if (unitType === DW_UT.skeleton || unitType === DW_UT.split_compile) pos += 8;
      else if (unitType === DW_UT.type || unitType === DW_UT.split_type) pos += 8 + offsetSize;
    } else {
      abbrevOffset = readOffset();
      addressSize = info[pos++];
    }
    if (addressSize !== 8 && addressSize !== 4) fail(`address size ${addressSize} is not supported`);
    if (pos > end) fail('unit header is longer than the unit');
    units.push({
      index: units.length,
      offset: at,
      version,
      unitType,
      addressSize,
      offsetSize,
      abbrevOffset,
      dieStart: pos,
      end,
      strOffsetsBase: 0,
      addrBase: 0,
      rnglistsBase: 0,
      stmtList: -1,
      lowPc: 0n,
      name: '',
      prepared: false,
    });
    at = end;
  }
  return units;
}
