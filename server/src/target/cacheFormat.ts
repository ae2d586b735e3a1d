import { columnKinds, rowCount, TableName, tableSchema, Tables, TargetTables } from './tables';

/** Bump whenever the meaning or layout of any field changes: old files are then ignored. */
export const cacheFormatVersion = 7;
const formatName = 'livepatch-lens-target-index';
const magic = Buffer.from('LPLTIDX\0', 'latin1');
const tableNames = Object.keys(tableSchema) as TableName[];

/** The JSON header after the magic, the version and the header's length. */
interface Header {
  format: typeof formatName;
  version: number;
  buildId: string;
  path: string;
  /** Strings in the table, and bytes of their NUL-separated UTF-8. */
  strings: number;
  stringBytes: number;
  /** Rows per table, in tableSchema order. */
  rows: number[];
}

const align8 = (n: number): number => (n + 7) & ~7;

/**
 * On-disk form of the index: the magic, the version (u32), the header length (u32), a JSON
 * header, the string table, then every column of tableSchema in order, each 8-byte aligned,
 * in the machine's (little-endian) byte order. Loading maps the columns without parsing them.
 * See docs/target-index.md.
 */
export function encodeIndex(tables: TargetTables): Buffer[] {
  const strings = Buffer.from(tables.strings.join('\0'), 'utf8');
  // prettier-ignore
  const header: Header = {
    format: formatName, version: cacheFormatVersion, buildId: tables.buildId, path: tables.path,
    strings: tables.strings.length, stringBytes: strings.length, rows: tableNames.map((name) => rowCount(tables[name])),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(16);
  magic.copy(prefix);
  prefix.writeUInt32LE(cacheFormatVersion, 8);
  prefix.writeUInt32LE(json.length, 12);
  const chunks: Buffer[] = [];
  const push = (bytes: Buffer): void => {
    chunks.push(bytes, Buffer.alloc(align8(bytes.length) - bytes.length));
  };
  push(Buffer.concat([prefix, json]));
  push(strings);
  for (const name of tableNames) for (const column of Object.values(tables[name]) as ArrayBufferView[]) push(Buffer.from(column.buffer, column.byteOffset, column.byteLength));
  return chunks;
}

/** UTF-8 bytes of the string table decoded at once: a slice takes milliseconds, the whole table of a vmlinux up to 0.2 s. */
const stringSliceBytes = 1024 * 1024;

/**
 * Decodes a cache file, or returns undefined when it is of another format, version or build,
 * or cut short. Yields between slices of the string table (the only part that is not mapped).
 */
function* decoding(file: Buffer, buildId: string): Generator<void, TargetTables | undefined, void> {
  if (file.length < 16 || !file.subarray(0, 8).equals(magic) || file.readUInt32LE(8) !== cacheFormatVersion) return undefined;
  const headerEnd = 16 + file.readUInt32LE(12);
  if (headerEnd > file.length) return undefined;
  const header = JSON.parse(file.toString('utf8', 16, headerEnd)) as Header;
  if (header.format !== formatName || header.version !== cacheFormatVersion || header.buildId !== buildId) return undefined;
  // Typed-array views need aligned offsets: copy the (rare) file buffer that does not start on 8 bytes.
  const bytes = file.byteOffset % 8 === 0 ? file : Buffer.from(Uint8Array.from(file).buffer);
  let at = align8(headerEnd);
  const stringsEnd = at + header.stringBytes;
  if (stringsEnd > bytes.length) return undefined;
  const strings: string[] = [];
  // Each slice ends at a NUL, so no string is cut.
  for (let from = at; header.strings;) {
    const nul = stringsEnd - from > stringSliceBytes ? bytes.indexOf(0, from + stringSliceBytes) : -1;
    const to = nul >= 0 && nul < stringsEnd ? nul : stringsEnd;
    for (const string of bytes.toString('utf8', from, to).split('\0')) strings.push(string);
    if (to === stringsEnd) break;
    from = to + 1;
    yield;
  }
  if (strings.length !== header.strings) return undefined;
  at = align8(stringsEnd);
  const tables: Record<string, Record<string, ArrayBufferView>> = {};
  for (const [t, name] of tableNames.entries()) {
    const rows = header.rows[t];
    const columns: Record<string, ArrayBufferView> = {};
    for (const [column, Kind] of columnKinds(name)) {
      const length = rows * Kind.BYTES_PER_ELEMENT;
      if (at + length > bytes.length) return undefined;
      columns[column] = new Kind(bytes.buffer, bytes.byteOffset + at, rows);
      at = align8(at + length);
    }
    tables[name] = columns;
  }
  if (at !== bytes.length) return undefined;
  return { path: header.path, buildId, strings, ...(tables as unknown as Tables<TableName>) };
}

/** `decoding` at once: in a worker, where nothing else waits. */
export function decodeIndex(file: Buffer, buildId: string): TargetTables | undefined {
  const steps = decoding(file, buildId);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** `decoding` with the event loop run between slices: on the server's main thread, where requests wait. */
export async function decodeIndexInSlices(file: Buffer, buildId: string): Promise<TargetTables | undefined> {
  const steps = decoding(file, buildId);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
