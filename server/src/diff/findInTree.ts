import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { FileDiff } from './unifiedDiff';

/**
 * Which file of the source root a diff patches, and with which `-p` strip level: `-p1` first
 * (git's `a/` `b/`, or `linux-6.1.orig/`), then the names as written (`-p0`, as `git diff
 * --no-prefix` writes them), then deeper levels. Patch itself needs the level given; kpatch-build
 * gives it `-p1`, so a file found at another level is one that build would not find.
 */
export interface FoundFile {
  /** The path in the tree, as it was found. */
  path: string;
  text: string;
  /** The `-p` level that found it. */
  strip: number;
}

export async function findInTree(root: string, file: FileDiff): Promise<FoundFile | undefined> {
  // Patch reads the old name; a plain diff's new name is tried too (`--- x.c.orig`, `+++ x.c`).
  const names = [file.oldName, ...(file.status === 'modified' ? [file.newName] : [])].filter((n): n is string => n !== null);
  const deepest = Math.max(0, ...names.map((n) => n.split('/').length - 1));
  const tried = new Set<string>();
  for (const strip of [1, 0, ...Array.from({ length: Math.max(0, deepest - 1) }, (_, i) => i + 2)]) {
    for (const name of names) {
      const candidate = stripComponents(name, strip);
      if (candidate === undefined || tried.has(candidate)) continue;
      tried.add(candidate);
      const text = await readInside(root, candidate);
      if (text !== undefined) return { path: candidate, text, strip };
    }
  }
  return undefined;
}

/** `patch -pN`: the name less its first N slash-separated components; undefined when it has fewer. */
export function stripComponents(name: string, strip: number): string | undefined {
  const parts = name.split('/');
  if (strip && parts.length <= strip) return undefined;
  return parts
    .slice(strip)
    .filter((p, i, all) => p !== '' || i === all.length - 1)
    .join('/');
}

async function readInside(root: string, candidate: string): Promise<string | undefined> {
  const full = path.resolve(root, candidate);
  // A patch names files inside the tree; `../` must not read outside it.
  if (!full.startsWith(path.resolve(root) + path.sep)) return undefined;
  try {
    return await readFile(full, 'utf8');
  } catch {
    return undefined;
  }
}
