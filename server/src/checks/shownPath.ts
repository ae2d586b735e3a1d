import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** Where the user's files are: the editor's workspace folders, then the tree the patches apply to. */
export interface PathRoots {
  workspaceRoots?: readonly string[];
  sourceRoot?: string;
}

const under = (root: string, file: string): string | undefined => {
  const relative = path.relative(root, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : undefined;
};

/**
 * The user's copy of `file`. A target's DWARF names the paths of the machine that built it
 * (`/build/linux/kernel/sched/core.c`, or the sample target built in another checkout, which
 * may exist here too): the longest tail of such a path that exists under a workspace folder or
 * the source root is the copy the user edits. A tree path (relative) is the workspace's copy,
 * else the source root's.
 */
export function localPath(file: string, roots: PathRoots): string {
  const trees = [...(roots.workspaceRoots ?? []), ...(roots.sourceRoot ? [roots.sourceRoot] : [])];
  if (!path.isAbsolute(file)) {
    const copies = trees.map((root) => path.join(root, file));
    return copies.find((copy) => existsSync(copy)) ?? (roots.sourceRoot ? path.join(roots.sourceRoot, file) : file);
  }
  if (trees.some((root) => under(root, file))) return file;
  const parts = file.split(path.sep).filter(Boolean);
  for (let i = 1; i < parts.length; i++) {
    for (const root of trees) {
      const candidate = path.join(root, ...parts.slice(i));
      if (existsSync(candidate)) return candidate;
    }
  }
  return file;
}

/**
 * How a message names a file: relative to the source root (a tree path, as the patch names its
 * files) or the workspace folder holding it, else absolute; never with `../`, which would climb
 * out of wherever the reader stands.
 */
export function shownPath(file: string, roots: PathRoots): string {
  if (!path.isAbsolute(file)) return file;
  const local = localPath(file, roots);
  for (const root of [...(roots.sourceRoot ? [roots.sourceRoot] : []), ...(roots.workspaceRoots ?? [])]) {
    const relative = under(root, local);
    if (relative) return relative;
  }
  return local;
}
