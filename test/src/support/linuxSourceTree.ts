import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { fixture } from './paths';

/** Debian's linux-source-6.1 (scripts/debian-artifacts.json pins its version). */
export const linuxSourceTarball = '/usr/src/linux-source-6.1.tar.xz';

/** The reason the real-kernel-source tests skip, or false when they can run. */
export const noLinuxSource = existsSync(linuxSourceTarball) ? false : `${linuxSourceTarball} is not installed (apt-get install linux-source-6.1)`;

// Every part the real-world tests read, in one list: each tar run decompresses the whole 140 MB
// tarball, so the tests share one extraction instead of paying for one each.
const parts = [
  'samples/livepatch',
  'kernel/livepatch',
  'kernel/sched',
  'kernel/fork.c',
  'kernel/cred.c',
  'kernel/workqueue.c',
  'lib/sort.c',
  'include',
  'mm/shmem.c',
  'mm/vmstat.c',
  'mm/highmem.c',
  'mm/memory.c',
  'fs/namei.c',
];
// A new part in the list means a new folder, so an older extraction is never taken for complete.
const tree = fixture('build', `linux-source-6.1-${parts.length}`);

/**
 * The root of the extracted parts of linux-source-6.1, extracted on first use. Test files run in
 * parallel processes: each extracts into a folder of its own and renames it into place, and the
 * one that loses the race throws its copy away, so no test ever reads a half-extracted tree.
 */
export function linuxSourceTree(): string {
  if (existsSync(tree)) return tree;
  const part = `${tree}.part-${process.pid}`;
  rmSync(part, { recursive: true, force: true });
  mkdirSync(part, { recursive: true });
  execFileSync('tar', ['-xJf', linuxSourceTarball, '-C', part, '--strip-components=1', ...parts.map((p) => `linux-source-6.1/${p}`)]);
  try {
    renameSync(part, tree);
  } catch (error) {
    rmSync(part, { recursive: true, force: true });
    if (!existsSync(tree)) throw error;
  }
  return tree;
}
