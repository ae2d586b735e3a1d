import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CpioEntry, cpioNewc } from './cpio';

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

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'livepatch-lens', 'initramfs');
}

/** Images kept in the cache; older ones are removed when a new one is written. */
const keptImages = 16;

export interface BuiltImage {
  path: string;
  key: string;
  /** True when the image was already in the cache. */
  cached: boolean;
  bytes: number;
}

/** The gzipped cpio of the entries, from the cache when an image of the same key is there. */
export function buildInitramfs(entries: ImageEntry[], cacheDir = defaultCacheDir()): BuiltImage {
  const key = initramfsKey(entries);
  const file = path.join(cacheDir, `${key}.cpio.gz`);
  if (existsSync(file)) return { path: file, key, cached: true, bytes: statSync(file).size };
  mkdirSync(cacheDir, { recursive: true });
  // gzip level 1: the kernel unpacks it under emulation, where size matters less than our time to write it.
  const image = gzipSync(cpioNewc(withParents(entries)), { level: 1 });
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, image);
  renameSync(partial, file);
  prune(cacheDir, file);
  return { path: file, key, cached: false, bytes: image.length };
}

function prune(cacheDir: string, keep: string): void {
  const images = readdirSync(cacheDir)
    .filter((name) => name.endsWith('.cpio.gz'))
    .map((name) => path.join(cacheDir, name))
    .filter((file) => file !== keep)
    .map((file) => ({ file, mtime: statSync(file).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { file } of images.slice(keptImages - 1)) unlinkSync(file);
}

/** A host file as an image entry, at the guest path given, with its execute bit kept. */
export function hostFileEntry(hostPath: string, guestPath: string): ImageEntry {
  const mode = statSync(hostPath).mode & 0o111 ? 0o755 : 0o644;
  return { kind: 'file', path: guestPath, data: readFileSync(hostPath), mode };
}
