import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/**
 * `Module.symvers`, which modpost writes at the top of a built tree and distributions ship in
 * their headers package (Debian: /usr/src/linux-headers-<release>/): one line per export,
 * `0x<crc>\t<symbol>\t<module>\t<EXPORT_SYMBOL|EXPORT_SYMBOL_GPL>\t<namespace>`. Every CRC is
 * 0x00000000 when the kernel is built without CONFIG_MODVERSIONS.
 */
export interface ModuleSymvers {
  file: string;
  modversions: boolean;
  /** Symbol -> the module exporting it (`vmlinux` for the kernel itself). */
  exports: Map<string, string>;
}

export function parseModuleSymvers(file: string, text: string): ModuleSymvers {
  const exports = new Map<string, string>();
  let modversions = false;
  for (const line of text.split('\n')) {
    const [crc, symbol, module] = line.split('\t');
    if (!symbol || !/^0x[0-9a-f]+$/i.test(crc)) continue;
    exports.set(symbol, module ?? '');
    if (parseInt(crc, 16) !== 0) modversions = true;
  }
  return { file, modversions, exports };
}

/**
 * Where a Module.symvers for this target may be: beside it, at the top of the source root (a
 * built tree), and for a distribution's `vmlinux-<release>` the headers of that release.
 */
export function moduleSymversCandidates(targetPath: string | undefined, sourceRoot: string | undefined): string[] {
  const candidates: string[] = [];
  if (targetPath) {
    candidates.push(path.join(path.dirname(targetPath), 'Module.symvers'));
    const release = /^vmlinux-(.+)$/.exec(path.basename(targetPath))?.[1];
    if (release) candidates.push(`/usr/src/linux-headers-${release}/Module.symvers`, `/lib/modules/${release}/build/Module.symvers`);
  }
  if (sourceRoot) candidates.push(path.join(sourceRoot, 'Module.symvers'));
  return candidates;
}

const read = new Map<string, { stamp: string; symvers: ModuleSymvers }>();

/** The first candidate that exists, read once per version of the file (a kernel's has 25 000 lines). */
export function findModuleSymvers(candidates: readonly string[]): ModuleSymvers | undefined {
  for (const file of candidates) {
    let stamp: string;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) continue;
      stamp = `${stat.size}:${stat.mtimeMs}`;
    } catch {
      continue;
    }
    const known = read.get(file);
    if (known?.stamp === stamp) return known.symvers;
    try {
      const symvers = parseModuleSymvers(file, readFileSync(file, 'utf8'));
      read.set(file, { stamp, symvers });
      return symvers;
    } catch {
      // Unreadable: try the next.
    }
  }
  return undefined;
}
