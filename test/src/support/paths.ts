import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The checkout's root: tests run from test/out, the sources they check live beside it. */
export const repoRoot = (() => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'esbuild.mjs'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no repository root above ${__dirname}`);
    dir = up;
  }
  return dir;
})();

export const fromRoot = (...parts: string[]): string => path.join(repoRoot, ...parts);
export const fixture = (...parts: string[]): string => fromRoot('test', 'fixtures', ...parts);
export const distDir = fromRoot('dist');
