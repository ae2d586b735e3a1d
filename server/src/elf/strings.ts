import { ElfError } from './errors';

/** The NUL-terminated string at `offset` in a string table, with bounds checks. */
export function cString(table: Buffer, offset: number, file: string, structure: string, tableFileOffset: bigint): string {
  if (offset >= table.length) {
    if (offset === 0 && table.length === 0) return '';
    throw new ElfError(file, structure, tableFileOffset, `string offset ${offset} is outside the string table (${table.length} bytes)`);
  }
  const end = table.indexOf(0, offset);
  if (end < 0) throw new ElfError(file, structure, tableFileOffset + BigInt(offset), 'string is not NUL-terminated');
  return table.toString('utf8', offset, end);
}
