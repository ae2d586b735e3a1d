import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheFormatVersion, decodeIndex, encodeIndex } from './cacheFormat';
import { TargetTables } from './tables';

/** `$XDG_CACHE_HOME/livepatch-lens/targets`, or `~/.cache/livepatch-lens/targets`. */
export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'livepatch-lens', 'targets');
}

export function cacheFile(cacheDir: string, buildId: string): string {
  return path.join(cacheDir, `${buildId}.v${cacheFormatVersion}.bin`);
}

/** The cached index for this build-id, or undefined when absent, stale or unreadable. */
export function readCachedIndex(cacheDir: string, buildId: string): TargetTables | undefined {
  try {
    return decodeIndex(readFileSync(cacheFile(cacheDir, buildId)), buildId);
  } catch {
    // A missing or corrupt cache file only means the index is built again.
    return undefined;
  }
}

/** Writes atomically (temp file + rename) so a concurrent reader never sees half a file. */
export function writeCachedIndex(cacheDir: string, tables: TargetTables): string {
  mkdirSync(cacheDir, { recursive: true });
  const file = cacheFile(cacheDir, tables.buildId);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, Buffer.concat(encodeIndex(tables)));
  renameSync(temp, file);
  return file;
}
