import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { findInTree } from '../../../../server/out/diff/findInTree';
import { reconstructAfter } from '../../../../server/out/diff/reconstruct';
import { parseUnifiedDiff, type FileDiff } from '../../../../server/out/diff/unifiedDiff';
import { diffOutput } from './oracle';

/*
 * GNU patch as the oracle for hunk application: variants of a patch and of the tree it applies
 * to (shifted, fuzzed, reversed, corrupted, ...), each run through `patch --dry-run --verbose`
 * and through reconstructAfter, hunk by hunk.
 */

/** What is compared for one hunk: `Hunk #N succeeded at A with fuzz F (offset O lines).` or `FAILED at A`. */
export interface HunkVerdict {
  number: number;
  applied: boolean;
  at: number;
  fuzz: number;
  offset: number;
}

export interface Verdict {
  reversed: boolean;
  hunks: HunkVerdict[];
  /** The file patch writes (the original, for a reversed patch undone), when every hunk applied. */
  text?: string;
  /** Patch itself died (2.7.6 asserts `outstate->after_newline` on a hunk after one that wrote a last line without newline): its verdicts stop there. */
  crashed?: string;
}

const hunkLine = /^Hunk #(\d+) (succeeded|FAILED|ignored) at (-?\d+)(?: with fuzz (\d+))?(?: \(offset (-?\d+) lines?\))?(?: \(different line endings\))?\.$/;

/** `patch --batch` (a reversed patch is undone, "Assuming -R."), once dry to read its verdict, once for real to read the file. */
export function gnuPatch(dir: string, patchFile: string, strip: number, target: string): Verdict {
  const args = ['--batch', `-p${strip}`, '--no-backup-if-mismatch', '-d', dir, '-i', patchFile];
  const dry = spawnSync('patch', ['--dry-run', '--verbose', ...args], { encoding: 'utf8' });
  if (dry.error) throw dry.error;
  const output = dry.stdout + dry.stderr;
  const hunks: HunkVerdict[] = [];
  for (const line of output.split('\n')) {
    const m = hunkLine.exec(line);
    if (m) hunks.push({ number: Number(m[1]), applied: m[2] === 'succeeded', at: Number(m[3]), fuzz: Number(m[4] ?? 0), offset: Number(m[5] ?? 0) });
  }
  const reversed = output.includes('Reversed (or previously applied) patch detected!');
  if (dry.status !== 0 && dry.status !== 1) return { reversed, hunks, crashed: output.trim().split('\n').pop() ?? '' };
  if (!hunks.length) throw new Error(`patch printed no hunk verdict:\n${output}`);
  if (hunks.some((h) => !h.applied)) return { reversed, hunks };
  const before = readFileSync(path.join(dir, target), 'utf8');
  const real = spawnSync('patch', ['--quiet', ...args], { encoding: 'utf8' });
  if (real.status !== 0) {
    writeFileSync(path.join(dir, target), before);
    return { reversed, hunks, crashed: `${real.stdout}${real.stderr}`.trim() };
  }
  const text = readFileSync(path.join(dir, target), 'utf8');
  writeFileSync(path.join(dir, target), before);
  return { reversed, hunks, text };
}

export function ourVerdict(original: string, file: FileDiff): Verdict {
  const result = reconstructAfter(original, file);
  const hunks = result.hunks.map((h) => ({ number: h.number, applied: h.applied, at: h.at, fuzz: h.fuzz, offset: h.offset }));
  const text = result.reversed ? result.applied?.before : result.applied?.after;
  return { reversed: result.reversed, hunks, ...(text !== undefined ? { text } : {}) };
}

/** Whether `patch -pN --dry-run` finds the file to patch (it says `can't find file to patch` otherwise). */
export function patchFindsFile(dir: string, patchFile: string, strip: number): boolean {
  const run = spawnSync('patch', ['--dry-run', '--batch', `-p${strip}`, '-d', dir, '-i', patchFile], { encoding: 'utf8' });
  return !/can't find file to patch/.test(run.stdout + run.stderr);
}

export async function ourStrip(dir: string, patchText: string): Promise<number | undefined> {
  const file = parseUnifiedDiff(patchText).files[0];
  return file ? (await findInTree(dir, file))?.strip : undefined;
}

/** A unified diff of two texts under the names given (`diff -u --label`), with `context` lines of context. */
export function unifiedDiff(dir: string, before: string, after: string, names: [string, string], context: number): string {
  mkdirSync(path.join(dir, '.diff'), { recursive: true });
  writeFileSync(path.join(dir, '.diff', 'old'), before);
  writeFileSync(path.join(dir, '.diff', 'new'), after);
  return diffOutput('diff', [`-U${context}`, '--label', names[0], '--label', names[1], path.join(dir, '.diff', 'old'), path.join(dir, '.diff', 'new')], dir);
}
