import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fromRoot } from '../../support/paths';
import { run } from '../samples/binutils';

/** Variants built for a test live in test/fixtures/build (git-ignored). */
export const buildDir = fromRoot('test', 'fixtures', 'build', 'payload');

export function writeSource(name: string, text: string): string {
  mkdirSync(buildDir, { recursive: true });
  const file = path.join(buildDir, name);
  writeFileSync(file, text);
  return file;
}

export function assemble(name: string, source: string): string {
  const input = writeSource(`${name}.S`, source);
  const out = path.join(buildDir, `${name}.o`);
  run('gcc', ['-c', '-o', out, input]);
  return out;
}

export function linkRelocatable(name: string, inputs: string[]): string {
  const out = path.join(buildDir, name);
  run('ld', ['-r', '-o', out, ...inputs]);
  return out;
}

export function objcopy(name: string, input: string, args: string[]): string {
  const out = path.join(buildDir, name);
  run('objcopy', [...args, input, out]);
  return out;
}
