import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/* The oracles for diff tests: git and diffutils write the patches, GNU patch applies them. */

export function inTempDir<T>(body: (dir: string) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpl-diff-'));
  try {
    return body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `git diff` and `diff` exit 1 when the inputs differ: that is their success here. */
export function diffOutput(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'core.quotePath=true', ...args], { cwd, encoding: 'utf8' });
}

export function patchTree(dir: string, patchFile: string, strip = 1): void {
  execFileSync('patch', [`-p${strip}`, '--quiet', '--no-backup-if-mismatch', '-d', dir, '-i', patchFile], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A small deterministic generator, so a failing random edit can be replayed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
