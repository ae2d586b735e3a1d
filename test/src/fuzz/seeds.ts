import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fromRoot } from '../support/paths';
import { FuzzKind } from './recipe';

/**
 * The seed corpus: the built samples (`npm run samples`) and the patches and C sources in git.
 * Paths are relative to the repository root so recipes replay on any checkout.
 */
// prettier-ignore
const seedFolders: Record<FuzzKind, Array<{ dir: string; pattern: RegExp }>> = {
  elf: [
    { dir: 'samples/build/target', pattern: /^(sample-target|sched\.o|proc\.o)$/ },
    { dir: 'samples/build/payloads/xen', pattern: /\.(livepatch|o)$/ },
    { dir: 'samples/build/payloads/klp', pattern: /\.(ko|o)$/ },
  ],
  xen: [{ dir: 'samples/build/payloads/xen', pattern: /\.livepatch$/ }],
  klp: [{ dir: 'samples/build/payloads/klp', pattern: /^livepatch-sample\.(ko|o)$/ }],
  diff: [{ dir: 'samples/patches', pattern: /\.patch$/ }],
  c: [
    { dir: 'samples/payloads/xen', pattern: /\.c$/ },
    { dir: 'samples/payloads/klp', pattern: /\.c$/ },
    { dir: 'samples/target', pattern: /\.c$/ },
  ],
};

export const sampleTarget = 'samples/build/target/sample-target';

export function seedsOf(kind: FuzzKind): string[] {
  const seeds = seedFolders[kind].flatMap(({ dir, pattern }) =>
    existsSync(fromRoot(dir))
      ? readdirSync(fromRoot(dir))
          .filter((f) => pattern.test(f))
          .sort()
          .map((f) => `${dir}/${f}`)
      : [],
  );
  if (!seeds.length) throw new Error(`no ${kind} seeds: build the samples first (npm run samples)`);
  return seeds;
}

const cache = new Map<string, Buffer>();

export function seedBytes(sample: string): Buffer {
  let bytes = cache.get(sample);
  if (!bytes) cache.set(sample, (bytes = readFileSync(fromRoot(sample))));
  return bytes;
}

/** The name a fuzz input is analysed under: recognisable in every message, with the seed's extension. */
export function inputName(kind: FuzzKind, n: number, sample: string): string {
  return `fuzz-${kind}-${n}${path.extname(sample)}`;
}
