import { existsSync, mkdirSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { livepatchCacheDir } from '../cacheHome';

/**
 * The one place the real-machine runner writes: ~/.cache/livepatch-lens/KIND/ (or under
 * $XDG_CACHE_HOME), files named by a hash of their contents' inputs, so no scenario, payload or
 * module chooses a path; written to a temporary name and renamed, so a crash leaves no half file.
 */
export function machineCacheDir(kind: 'initramfs' | 'xen'): string {
  return livepatchCacheDir(kind);
}

/** Files kept per folder; older ones are removed when a new one is written. */
const keptFiles = 16;

/** The file `name` (a hex hash and a suffix) in `dir`, made by `make` when it is not there yet. */
export function cachedFile(dir: string, name: string, make: () => Uint8Array): { path: string; cached: boolean } {
  if (!/^[\w-]+\.[\w.]+$/.test(name)) throw new Error(`bad cache file name ${name}`);
  const file = path.join(dir, name);
  if (existsSync(file)) return { path: file, cached: true };
  mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, make());
  renameSync(partial, file);
  prune(dir, file);
  return { path: file, cached: false };
}

function prune(dir: string, keep: string): void {
  const suffix = path.extname(keep);
  const older = readdirSync(dir)
    .filter((name) => name.endsWith(suffix))
    .map((name) => path.join(dir, name))
    .filter((file) => file !== keep)
    .map((file) => ({ file, mtime: statSync(file).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { file } of older.slice(keptFiles - 1)) unlinkSync(file);
}
