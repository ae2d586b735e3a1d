import { existsSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The payload a patch-module source builds, by the convention of the samples' Makefile and
 * of kbuild: `name.c` gives `name.livepatch` (Xen) or `name.ko` (Linux), beside it or in a
 * `build/` tree that mirrors the sources. The module is named as kbuild names it (dashes as
 * underscores); a payload as Xen names it, after its file.
 */
export function builtPayloadFor(source: string, flavour: 'klp' | 'xen'): { name: string; path?: string } {
  const stem = path.basename(source).replace(/\.[^.]*$/, '');
  const file = `${stem}${flavour === 'xen' ? '.livepatch' : '.ko'}`;
  const name = flavour === 'xen' ? stem : stem.replace(/-/g, '_');
  const dir = path.dirname(source);
  const candidates = [path.join(dir, file)];
  for (let ancestor = dir, depth = 0; depth < 6 && path.dirname(ancestor) !== ancestor; ancestor = path.dirname(ancestor), depth++) {
    candidates.push(path.join(ancestor, 'build', path.relative(ancestor, dir), file));
  }
  const found = candidates.find((candidate) => existsSync(candidate));
  return found ? { name, path: found } : { name };
}
