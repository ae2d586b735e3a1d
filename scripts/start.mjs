// `npm start` (after the build and the samples): the CLI over the bundled sample payload sources,
// the same constructs the editor outline shows.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const sources = ['samples/payloads/xen', 'samples/payloads/klp'].flatMap((dir) =>
  readdirSync(path.join(root, dir))
    .filter((f) => f.endsWith('.c') && !f.endsWith('.mod.c'))
    .sort()
    .map((f) => path.join(dir, f)),
);
console.log(`$ livepatch-lens symbols ${sources.join(' ')}\n`);
const run = spawnSync(process.execPath, [path.join(root, 'dist/cli.js'), 'symbols', ...sources], { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 1);
