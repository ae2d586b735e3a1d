// Runs every bench/*.bench.mjs in turn (or those named on the command line). Benchmarks are
// never part of `npm test`; each prints its own figures as ratios against a reference run.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const all = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .sort();
let failed = 0;
for (const file of all.filter((f) => !wanted.length || wanted.some((w) => f.includes(w)))) {
  console.log(`\n== ${file}`);
  const run = spawnSync(process.execPath, [path.join(here, file)], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
