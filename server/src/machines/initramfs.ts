import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { CpioEntry, cpioNewc } from './cpio';
import { cachedFile, machineCacheDir } from './machineCache';

/** What goes into the image: files by content, the links and nodes by value. Parent folders are added when written. */
export type ImageEntry = Exclude<CpioEntry, { kind: 'dir' }>;

/**
 * The cache key of an image: its entries' paths, kinds, modes and a hash of each file's bytes,
 * in path order. The same inputs give the same key whatever order they were named in and
 * wherever the host files live; one changed byte gives another key.
 */
export function initramfsKey(entries: ImageEntry[]): string {
  const hash = createHash('sha256');
  for (const e of [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const value = e.kind === 'file' ? createHash('sha256').update(e.data).digest('hex') : e.kind === 'symlink' ? e.target : `${e.major}:${e.minor}`;
    hash.update(`${e.kind}\0${e.path}\0${e.kind === 'symlink' ? '' : (e.mode ?? '')}\0${value}\n`);
  }
  return hash.digest('hex').slice(0, 32);
}

/** The entries with every parent folder before its first child, as the kernel's unpacker needs. */
export function withParents(entries: ImageEntry[]): CpioEntry[] {
  const seen = new Set<string>();
  const out: CpioEntry[] = [];
  for (const entry of entries) {
    const parts = entry.path.replace(/^\/+/, '').split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!seen.has(dir)) out.push({ kind: 'dir', path: dir });
      seen.add(dir);
    }
    out.push(entry);
  }
  return out;
}

export interface BuiltImage {
  path: string;
  key: string;
  /** True when the image was already in the cache. */
  cached: boolean;
}

/** The gzipped cpio of the entries, from the cache when an image of the same key is there. */
export function buildInitramfs(entries: ImageEntry[], cacheDir = machineCacheDir('initramfs')): BuiltImage {
  const key = initramfsKey(entries);
  // gzip level 1: the kernel unpacks it under emulation, where size matters less than our time to write it.
  const { path, cached } = cachedFile(cacheDir, `${key}.cpio.gz`, () => gzipSync(cpioNewc(withParents(entries)), { level: 1 }));
  return { path, key, cached };
}

/** A host file as an image entry, at the guest path given, with its execute bit kept. */
export function hostFileEntry(hostPath: string, guestPath: string): ImageEntry {
  const mode = statSync(hostPath).mode & 0o111 ? 0o755 : 0o644;
  return { kind: 'file', path: guestPath, data: readFileSync(hostPath), mode };
}
