import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fromRoot } from '../../support/paths';
import type { Base } from './mutator';
import type { Variant, Verdict } from './variant';

/** The real verdicts of one live run, as `npm run differential -- --record` writes them. */
export interface Recording {
  loader: string;
  seed: number;
  perBase: number;
  recorded: string;
  versions: Record<string, string>;
  /** sha256 of each base: a recording holds only for the bytes it was made from. */
  bases: Record<string, string>;
  variants: Array<{ id: string; mutator: string; description: string; real: Verdict }>;
}

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
export const recordingFile = (loader: string): string => fromRoot('test', 'fixtures', 'differential', `${loader}.json`);

export function readRecording(loader: string): Recording | undefined {
  const file = recordingFile(loader);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Recording) : undefined;
}

export function writeRecording(recording: Omit<Recording, 'bases' | 'variants'>, bases: readonly Base[], variants: readonly Variant[], verdicts: Map<string, Verdict>): string {
  const file = recordingFile(recording.loader);
  mkdirSync(path.dirname(file), { recursive: true });
  const full: Recording = {
    ...recording,
    bases: Object.fromEntries(bases.map((b) => [b.name, sha256(b.bytes)])),
    variants: variants.map((v) => ({ id: v.id, mutator: v.mutator, description: v.description, real: verdicts.get(v.id)! })),
  };
  writeFileSync(file, `${JSON.stringify(full, null, 1)}\n`);
  return file;
}
