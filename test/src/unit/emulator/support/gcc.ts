import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { fromRoot } from '../../../support/paths';

const run = promisify(execFile);

/** Where the emulator tests put what they build (git-ignored). */
export const buildDir = fromRoot('test', 'fixtures', 'build', 'emulator');
export const corpusDir = fromRoot('test', 'fixtures', 'emulator');
mkdirSync(buildDir, { recursive: true });

/** The flags every kernel object is built with (dependencies.md §4). */
export const KERNEL_FLAGS = [
  '-mno-sse',
  '-mno-mmx',
  '-mno-80387',
  '-mno-red-zone',
  '-ffreestanding',
  '-fno-pic',
  '-fno-stack-protector',
  '-fno-asynchronous-unwind-tables',
  '-ffunction-sections',
  '-fdata-sections',
  '-mcmodel=kernel',
  '-fno-common',
];

const FENTRY = ['-pg', '-mfentry'];

/** The six compiler-flag variants the emulator must run identically to native code. */
export const VARIANTS: Record<string, string[]> = {
  O2: ['-O2', ...FENTRY],
  'O2-nojt': ['-O2', '-fno-jump-tables', ...FENTRY],
  Os: ['-Os', ...FENTRY],
  'Os-nojt': ['-Os', '-fno-jump-tables', ...FENTRY],
  'O2-hard': ['-O2', ...FENTRY, '-mindirect-branch=thunk-extern', '-mindirect-branch-register', '-mfunction-return=thunk-extern', '-fcf-protection=branch', '-mharden-sls=all'],
  'O2-nofentry': ['-O2'],
};

const pending = new Map<string, Promise<string>>();

/** Runs gcc once per distinct output within this process; later callers share the result. */
export function gcc(output: string, args: string[]): Promise<string> {
  const out = path.join(buildDir, output);
  let job = pending.get(out);
  if (!job) {
    mkdirSync(path.dirname(out), { recursive: true });
    job = run('gcc', [...args, '-o', out], { maxBuffer: 16 << 20 }).then(
      () => out,
      (error: { stderr?: string; message: string }) => {
        throw new Error(`gcc ${args.join(' ')} failed:\n${error.stderr ?? error.message}`);
      },
    );
    pending.set(out, job);
  }
  return job;
}

/** A kernel-style relocatable object of `source` in one variant. */
export function kernelObject(source: string, variant: string): Promise<string> {
  const base = path.basename(source, '.c');
  return gcc(`${base}.${variant}.o`, ['-c', ...KERNEL_FLAGS, ...VARIANTS[variant], source]);
}

/** Runs a host program and returns its standard output. */
export async function runProgram(program: string, args: string[] = []): Promise<string> {
  const { stdout } = await run(program, args, { maxBuffer: 64 << 20 });
  return stdout;
}
