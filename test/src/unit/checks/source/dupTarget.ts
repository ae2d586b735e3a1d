import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { targetFacts } from '../../../../../server/out/checks/facts/targetFacts';
import type { FactsProvider } from '../../../../../server/out/checks/facts/functionFacts';
import { loadTargetIndex } from '../../../../../server/out/target';
import { fixture } from '../../../support/paths';

/**
 * The facts of a target where kallsyms lists dup_fn twice: two static functions of one name in
 * two files. Each test file builds its own copy (`folder`), as node:test runs files at once.
 */
export async function dupTargetFacts(folder: string): Promise<FactsProvider> {
  const out = fixture('build', folder);
  mkdirSync(out, { recursive: true });
  const elf = `${out}/dup-target`;
  // prettier-ignore
  execFileSync('gcc', ['-O2', '-g', '-pg', '-mfentry', '-nostdlib', '-static', '-fno-pic', '-no-pie', '-o', elf,
    fixture('checks/source/dup-target/a.c'), fixture('checks/source/dup-target/b.c')]);
  return targetFacts(await loadTargetIndex(elf, { cacheDir: null, inWorker: false }));
}
