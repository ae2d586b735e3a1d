import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Base, Mutator } from '../core/mutator';
import { ModuleFacts, moduleFacts } from './moduleFacts';
import { Candidate, linuxCandidates } from './mutators';

/**
 * A kbuild module as `make modules_install INSTALL_MOD_STRIP=1` installs it (`strip
 * --strip-debug`): the loader ignores DWARF, and without it hundreds of variants of seven
 * modules fit in one initramfs. The recording keeps the digests of these bytes.
 */
export function strippedBase(ko: string, cacheDir = path.join(os.tmpdir(), 'll-linux-bases')): Buffer {
  mkdirSync(cacheDir, { recursive: true });
  const out = path.join(cacheDir, `${createHash('sha256').update(readFileSync(ko)).digest('hex').slice(0, 16)}-${path.basename(ko)}`);
  execFileSync('objcopy', ['--strip-debug', ko, out]);
  return readFileSync(out);
}

const families = [
  'elf-header',
  'section-flags',
  'alignment',
  'size',
  'this-module',
  'reloc-type',
  'reloc-addend',
  'reloc-symbol',
  'symbol-binding',
  'symbol-type',
  'symbol-section',
  'symbol-value',
  'duplicate-symbol',
  'undefined-symbol',
  'modinfo',
  'build-id',
  'klp-func',
  'klp-sentinel',
  'klp-section',
];

/** The candidates of a base, read once per base (the generator hands each draw a copy of its bytes). */
const byBase = new Map<string, { facts: ModuleFacts; byFamily: Map<string, Candidate[]> }>();
function candidatesOf(base: Base): Map<string, Candidate[]> {
  const digest = createHash('sha256').update(base.bytes).digest('hex');
  const key = `${base.name}:${digest}`;
  let known = byBase.get(key);
  if (!known) {
    const facts = moduleFacts(base.name, Buffer.from(base.bytes));
    const byFamily = new Map<string, Candidate[]>();
    // A change that leaves the real kernel oopsing costs a reboot (tens of seconds under TCG on a busy host): not drawn.
    for (const c of linuxCandidates(facts).filter((c) => !c.risky)) byFamily.set(c.family, [...(byFamily.get(c.family) ?? []), c]);
    known = { facts, byFamily };
    byBase.set(key, known);
  }
  return known.byFamily;
}

/** One mutator per family (core/mutator.ts): the draw picks one of the family's candidate changes for the base. */
export const linuxMutators: Mutator[] = families.map((family) => ({
  name: family,
  mutate: (base, rng) => {
    const candidates = candidatesOf(base).get(family);
    if (!candidates?.length) return undefined;
    const c = rng.pick(candidates);
    return { description: c.what, bytes: c.make(base.bytes) };
  },
}));
