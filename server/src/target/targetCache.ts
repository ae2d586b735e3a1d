import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cacheFormatVersion, CachedIndex, decodeIndex, encodeIndex } from './cacheFormat';
import { TargetIndexData } from './model';

/** `$XDG_CACHE_HOME/livepatch-lens/targets`, or `~/.cache/livepatch-lens/targets`. */
export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'livepatch-lens', 'targets');
}

export function cacheFile(cacheDir: string, buildId: string): string {
  return path.join(cacheDir, `${buildId}.v${cacheFormatVersion}.json`);
}

/** The cached index for this build-id, or undefined when absent, stale or unreadable. */
export function readCachedIndex(cacheDir: string, buildId: string): TargetIndexData | undefined {
  try {
    return decodeIndex(JSON.parse(readFileSync(cacheFile(cacheDir, buildId), 'utf8')) as CachedIndex, buildId);
  } catch {
    // A missing or corrupt cache file only means the index is built again.
    return undefined;
  }
}

/** Writes atomically (temp file + rename) so a concurrent reader never sees half a file. */
export function writeCachedIndex(cacheDir: string, data: TargetIndexData): string {
  mkdirSync(cacheDir, { recursive: true });
  const file = cacheFile(cacheDir, data.buildId);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(encodeIndex(data)));
  renameSync(temp, file);
  return file;
}
