import { mkdir, open, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { livepatchCacheDir } from '../cacheHome';
import { cacheFormatVersion, decodeIndex, decodeIndexInSlices, encodeIndex } from './cacheFormat';
import { TargetTables } from './tables';

/** `$XDG_CACHE_HOME/livepatch-lens/targets`, or `~/.cache/livepatch-lens/targets`. */
export function defaultCacheDir(): string {
  return livepatchCacheDir('targets');
}

export function cacheFile(cacheDir: string, buildId: string): string {
  return path.join(cacheDir, `${buildId}.v${cacheFormatVersion}.bin`);
}

/**
 * An index whose columns are views of `shared`, its cache-file form in memory every thread can
 * map: the analysis and payload workers decode the same bytes (`sharedTables`) instead of each
 * reading and holding a copy (17 MB of columns for Debian's vmlinux 6.1).
 */
export interface SharedIndex {
  tables: TargetTables;
  shared: SharedArrayBuffer;
}

/** Reads are this long at most: each is one libuv job, so the main loop runs between them. */
const readSliceBytes = 8 * 1024 * 1024;

async function readShared(file: string): Promise<SharedArrayBuffer> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const shared = new SharedArrayBuffer(size);
    const bytes = Buffer.from(shared);
    for (let done = 0; done < size;) {
      const { bytesRead } = await handle.read(bytes, done, Math.min(readSliceBytes, size - done), done);
      if (bytesRead === 0) throw new Error(`${file} shrank while being read`);
      done += bytesRead;
    }
    return shared;
  } finally {
    await handle.close();
  }
}

/** The tables of an index in its shared form (another thread's `SharedIndex.shared`), or undefined when they are not of this build. */
export function sharedTables(shared: SharedArrayBuffer, buildId: string): TargetTables | undefined {
  return decodeIndex(Buffer.from(shared), buildId);
}

/** The cached index for this build-id, or undefined when absent, stale or unreadable. */
export async function readCachedIndex(cacheDir: string, buildId: string): Promise<SharedIndex | undefined> {
  try {
    const shared = await readShared(cacheFile(cacheDir, buildId));
    const tables = await decodeIndexInSlices(Buffer.from(shared), buildId);
    return tables && { tables, shared };
  } catch {
    // A missing or corrupt cache file only means the index is built again.
    return undefined;
  }
}

/** A freshly built index in its shared form: encoded once, as the cache file holds it. */
export async function shareIndex(tables: TargetTables): Promise<SharedIndex> {
  const chunks = encodeIndex(tables);
  const shared = new SharedArrayBuffer(chunks.reduce((n, chunk) => n + chunk.length, 0));
  const bytes = Buffer.from(shared);
  let at = 0;
  for (const chunk of chunks) at += chunk.copy(bytes, at);
  const decoded = await decodeIndexInSlices(bytes, tables.buildId);
  if (!decoded) throw new Error(`the index of ${tables.path} does not decode from its own encoding`);
  return { tables: { ...decoded, path: tables.path }, shared };
}

/** Writes atomically (temp file + rename) so a concurrent reader never sees half a file. */
export async function writeCachedIndex(cacheDir: string, index: SharedIndex): Promise<string> {
  await mkdir(cacheDir, { recursive: true });
  const file = cacheFile(cacheDir, index.tables.buildId);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, Buffer.from(index.shared));
  await rename(temp, file);
  return file;
}
