import * as path from 'node:path';
import { DwarfError } from '../errors';
import { DW_FORM } from './constants';
import { DebugSections } from './debugSections';

const DW_LNCT_path = 1;
const DW_LNCT_directory_index = 2;

/**
 * A line table's file names, resolved to paths only when asked for: a vmlinux unit lists
 * hundreds of headers and a call site names a few of them.
 */
export class LineFileTable {
  private readonly resolved = new Map<number, string>();

  constructor(
    private readonly compDir: string,
    private readonly dirs: string[],
    private readonly files: Array<{ path: string; dir: number } | undefined>,
  ) {}

  /** The path of DW_AT_call_file `index` (DWARF 5 counts from 0, DWARF 4 from 1). */
  name(index: number): string | undefined {
    let name = this.resolved.get(index);
    const entry = this.files[index];
    if (name === undefined && entry) {
      // Directory 0 is the compilation directory (DWARF 5 lists it, DWARF 4 is given it); the others are relative to it unless absolute.
      name = joinPath(this.dirs[0] || this.compDir, entry.dir === 0 ? '' : (this.dirs[entry.dir] ?? ''), entry.path);
      this.resolved.set(index, name);
    }
    return name;
  }
}

/**
 * Joins path parts as a path resolution would (a later absolute part starts over), but never
 * against this process's working directory: Debian builds its kernel with a relative
 * DW_AT_comp_dir (`debian/build/build_amd64_none_amd64`), whose files stay relative.
 */
function joinPath(...parts: string[]): string {
  const joined = parts.reduce((at, part) => (part.startsWith('/') ? part : at && part ? `${at}/${part}` : at || part), '');
  return path.posix.normalize(joined || '.');
}

/** The file table of the .debug_line program at `offset`: enough to name DW_AT_call_file. */
export function readLineFileNames(file: string, sections: DebugSections, offset: number, compDir: string): LineFileTable {
  const buf = sections.require('line', 'DW_AT_stmt_list', offset);
  let pos = offset;
  const fail = (detail: string): never => {
    throw new DwarfError(file, `.debug_line header at 0x${offset.toString(16)}`, BigInt(pos), detail);
  };
  const need = (n: number): void => {
    if (pos + n > buf.length) fail('header runs past the end of .debug_line');
  };
  const u8 = (): number => (need(1), buf[pos++]);
  const u16 = (): number => (need(2), (pos += 2), buf.readUInt16LE(pos - 2));
  const uleb = (): number => {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = u8();
      result += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return result;
    }
  };
  const cstring = (): string => {
    const end = buf.indexOf(0, pos);
    if (end < 0) fail('string is not NUL-terminated');
    const value = buf.toString('utf8', pos, end);
    pos = end + 1;
    return value;
  };
  need(4);
  let offsetSize = 4;
  let length = buf.readUInt32LE(pos);
  pos += 4;
  if (length === 0xffffffff) {
    need(8);
    length = Number(buf.readBigUInt64LE(pos));
    pos += 8;
    offsetSize = 8;
  }
  const end = pos + length;
  if (end > buf.length) fail(`unit length ${length} runs past the end of .debug_line`);
  const version = u16();
  if (version < 2 || version > 5) fail(`line table version ${version} is not supported`);
  if (version >= 5) pos += 2; // address_size, segment_selector_size
  need(offsetSize);
  pos += offsetSize; // header_length
  pos += version >= 4 ? 5 : 4; // minimum_instruction_length .. line_range
  const opcodeBase = u8();
  pos += Math.max(opcodeBase - 1, 0);
  const offsetValue = (): number => {
    need(offsetSize);
    pos += offsetSize;
    return offsetSize === 8 ? Number(buf.readBigUInt64LE(pos - 8)) : buf.readUInt32LE(pos - 4);
  };
  const sectionString = (name: 'str' | 'line_str', at: number): string => {
    const table = sections.require(name, '.debug_line file entry', pos);
    const stop = at < table.length ? table.indexOf(0, at) : -1;
    if (stop < 0) fail(`string offset 0x${at.toString(16)} is outside .debug_${name}`);
    return table.toString('utf8', at, stop);
  };
  if (version < 5) {
    const dirs = [compDir];
    for (let dir = cstring(); dir !== ''; dir = cstring()) dirs.push(dir);
    const files: Array<{ path: string; dir: number } | undefined> = [undefined];
    for (let name = cstring(); name !== ''; name = cstring()) {
      const dir = uleb();
      uleb();
      uleb();
      files.push({ path: name, dir });
    }
    return new LineFileTable(compDir, dirs, files);
  }
  const entries = (): Array<{ path: string; dir: number }> => {
    const formats: Array<[number, number]> = [];
    for (let n = u8(); n > 0; n--) formats.push([uleb(), uleb()]);
    const list: Array<{ path: string; dir: number }> = [];
    for (let n = uleb(); n > 0; n--) {
      const entry = { path: '', dir: 0 };
      for (const [content, form] of formats) {
        let text: string | undefined;
        let value = 0;
        // prettier-ignore
        switch (form) {
          case DW_FORM.string: text = cstring(); break;
          case DW_FORM.line_strp: text = sectionString('line_str', offsetValue()); break;
          case DW_FORM.strp: text = sectionString('str', offsetValue()); break;
          case DW_FORM.udata: value = uleb(); break;
          case DW_FORM.data1: value = u8(); break;
          case DW_FORM.data2: value = u16(); break;
          case DW_FORM.data4: need(4); value = buf.readUInt32LE(pos); pos += 4; break;
          case DW_FORM.data8: need(8); pos += 8; break;
          case DW_FORM.data16: need(16); pos += 16; break;
          case DW_FORM.block: pos += uleb(); break;
          default: fail(`unsupported form 0x${form.toString(16)} in the file table`);
        }
        if (content === DW_LNCT_path && text !== undefined) entry.path = text;
        if (content === DW_LNCT_directory_index) entry.dir = value;
      }
      list.push(entry);
    }
    return list;
  };
  const dirs = entries().map((d) => d.path);
  return new LineFileTable(compDir, dirs, entries());
}
