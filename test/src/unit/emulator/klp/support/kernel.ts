import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { LinuxKernel } from '../../../../../../server/out/emulator/klp/kernel';
import type { LinuxKernelOptions } from '../../../../../../server/out/emulator/klp/kernelServices';
import { runLinuxCommand, ShellResult } from '../../../../../../server/out/emulator/klp/shell';
import { fromRoot } from '../../../../support/paths';

export const sampleTarget = fromRoot('samples', 'build', 'target', 'sample-target');
export const sampleModules = fromRoot('samples', 'build', 'payloads', 'klp');

export function bootSample(options: LinuxKernelOptions = {}): LinuxKernel {
  assert.ok(existsSync(sampleTarget), `${sampleTarget} is not built: run \`npm run samples\``);
  return LinuxKernel.boot(sampleTarget, options);
}

/** Files insmod reads: a bare name is a sample module, an absolute path is itself. */
const io = { readFile: (p: string) => readFileSync(path.isAbsolute(p) ? p : path.join(sampleModules, p)) };

/** Runs one shell line (`echo 1 > PATH` takes its redirection apart as the scenario parser does). */
export function sh(kernel: LinuxKernel, text: string): ShellResult {
  const words = text.split(/\s+/).filter(Boolean);
  const at = words.indexOf('>');
  const redirect = at >= 0 ? { path: words[at + 1], append: false } : undefined;
  const argv = at >= 0 ? words.slice(0, at) : words;
  return runLinuxCommand(kernel, { argv, ...(redirect ? { redirect } : {}), expect: 0, text, source: 'test' }, io);
}

/** The kernel log lines since boot (or since the last call), without their stamps. */
export function newLog(kernel: LinuxKernel): string[] {
  return kernel.log.readNew().map((l) => l.replace(/^\[[ \d.]+\] /, ''));
}

const buildDir = fromRoot('test', 'fixtures', 'build', 'emulator', 'klp');

// The samples' kernel flags (samples/Makefile), so a test module is built like a sample one.
const CFLAGS = ['-std=gnu11', '-O2', '-nostdinc', `-I${fromRoot('samples', 'include')}`, '-mno-sse', '-mno-mmx', '-mno-red-zone', '-ffreestanding', '-fno-pic'];
const KERNEL = ['-fno-asynchronous-unwind-tables', '-mcmodel=kernel', '-mfentry', '-pg', '-mrecord-mcount', '-ffunction-sections', '-fdata-sections'];

/**
 * Builds a module from C source, as samples/Makefile builds the sample modules (the object and
 * the modpost-style .mod.o, linked with ld -r), into the test build folder; cached by content.
 */
export function buildModule(name: string, source: string, extraFlags: string[] = ['-fno-stack-protector'], withModC = true): string {
  const hash = createHash('sha256').update(source).update(extraFlags.join(' ')).update(String(withModC)).digest('hex').slice(0, 12);
  const dir = path.join(buildDir, `${name}-${hash}`);
  const ko = path.join(dir, `${name}.ko`);
  if (existsSync(ko)) return ko;
  mkdirSync(dir, { recursive: true });
  const modname = `-DKBUILD_MODNAME="${name.replace(/-/g, '_')}"`;
  writeFileSync(path.join(dir, `${name}.c`), source);
  execFileSync('gcc', [...CFLAGS, ...KERNEL, ...extraFlags, modname, '-c', '-o', path.join(dir, 'mod.o'), path.join(dir, `${name}.c`)]);
  const objects = [path.join(dir, 'mod.o')];
  if (withModC) {
    execFileSync('gcc', [
      ...CFLAGS,
      ...KERNEL,
      '-fno-stack-protector',
      modname,
      '-c',
      '-o',
      path.join(dir, 'mod.mod.o'),
      fromRoot('samples', 'payloads', 'klp', 'livepatch-sample.mod.c'),
    ]);
    objects.push(path.join(dir, 'mod.mod.o'));
  }
  execFileSync('ld', ['-r', '-o', ko, ...objects]);
  return ko;
}

/** insmod of a test module; asserts it loaded. */
export function insmod(kernel: LinuxKernel, ko: string, ...params: string[]): void {
  const r = sh(kernel, `insmod ${ko} ${params.join(' ')}`);
  assert.equal(
    r.exitCode,
    0,
    r.stderr +
      kernel.log
        .entries()
        .map((e) => e.text)
        .join('\n'),
  );
}

/** The address of a symbol, for comparing stack functions. */
export function addressOf(kernel: LinuxKernel, name: string): bigint {
  const s = kernel.machine.symbols.get(name);
  assert.ok(s, `no symbol ${name}`);
  return s.address;
}
