import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { moduleFacts } from './moduleFacts';
import { Candidate, linuxCandidates } from './mutators';

/** One generated module: its base, the one change made, and the bytes. */
export interface LinuxVariant {
  /** `<base>#<n>`: stable for a seed and a base. */
  id: string;
  base: string;
  family: string;
  what: string;
  bytes: Buffer;
  sha256: string;
}

/** mulberry32: a small seeded generator, so a seed names one list of variants. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A kbuild module as `make modules_install INSTALL_MOD_STRIP=1` installs it (`strip
 * --strip-debug`): the loader ignores DWARF, and without it a few hundred variants of seven
 * modules fit in one initramfs. The bases' digests go with the recorded verdicts.
 */
export function strippedBase(ko: string, cacheDir = path.join(os.tmpdir(), 'll-linux-variants')): Buffer {
  mkdirSync(cacheDir, { recursive: true });
  const out = path.join(cacheDir, `${createHash('sha256').update(readFileSync(ko)).digest('hex').slice(0, 16)}-${path.basename(ko)}`);
  execFileSync('objcopy', ['--strip-debug', ko, out]);
  return readFileSync(out);
}

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * `perBase` variants of each base: the candidates of each family shuffled by the seed, then
 * taken a family at a time in turn, so every family is tried before any is exhausted.
 */
export function linuxVariants(bases: Record<string, Buffer>, seed: number, perBase: number, riskyPerBase = 1): LinuxVariant[] {
  const variants: LinuxVariant[] = [];
  for (const [base, bytes] of Object.entries(bases).sort(([a], [b]) => a.localeCompare(b))) {
    const random = seeded(seed ^ hashOf(base));
    const byFamily = new Map<string, Candidate[]>();
    for (const c of linuxCandidates(moduleFacts(base, bytes))) byFamily.set(c.family, [...(byFamily.get(c.family) ?? []), c]);
    const queues = [...byFamily.values()].map((list) => shuffle(list, random));
    const picked: Candidate[] = [];
    let risky = 0;
    const take = (q: Candidate[]) => {
      const c = q.shift()!;
      if (c.risky && risky++ >= riskyPerBase) return;
      picked.push(c);
    };
    while (picked.length < perBase && queues.some((q) => q.length)) for (const q of queues) if (q.length && picked.length < perBase) take(q);
    picked.forEach((c, n) => {
      const made = c.make(Buffer.from(bytes));
      variants.push({ id: `${base}#${n}`, base, family: c.family, what: c.what, bytes: made, sha256: sha256(made) });
    });
  }
  return variants;
}

function shuffle<T>(list: T[], random: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function hashOf(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32LE(0);
}
