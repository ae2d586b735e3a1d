import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromRoot } from '../../support/paths';

// The acceptance set (test/fixtures/acceptance/linux-6.1.json) against Debian's real kernel: every
// patch, and its shifted, fuzzed, reversed and corrupted variants (each confirmed by GNU patch to be
// what it claims), must get kpatch-build's verdict from `check --target vmlinux --source-root`, or
// be listed there as a known difference with its reason. Skipped, and reported as skipped, without
// linux-source-6.1 and the vmlinux -dbg package (`npm run test:acceptance` installs them).
const artifacts = JSON.parse(readFileSync(fromRoot('scripts', 'debian-artifacts.json'), 'utf8')) as { files: Record<string, string>; linuxAbi: string };
const missing = [
  [artifacts.files.sourceTarball, 'linux-source-6.1'],
  [artifacts.files.vmlinux, `linux-image-${artifacts.linuxAbi}-dbg`],
].find(([file]) => !existsSync(file));
const skip = missing ? `${missing[0]} is not installed (apt-get install ${missing[1]}, or npm run test:acceptance, which installs it)` : false;

interface Result {
  name: string;
  kpatch: string;
  ours: string;
  errors: string[];
  findings: string[];
  agrees: boolean;
  knownDifference?: string;
  gnuPatch: { variantIsWhatItClaims: boolean; output: string };
}

test('the acceptance set: every patch gets kpatch-build\'s verdict, or is a known difference with its reason', { skip, timeout: 900_000 }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lpl-acceptance-test-'));
  try {
    const out = path.join(dir, 'results.json');
    execFileSync('node', [fromRoot('scripts', 'acceptance-set.mjs'), '--json', out], { stdio: ['ignore', 'ignore', 'inherit'] });
    const { results } = JSON.parse(readFileSync(out, 'utf8')) as { results: Result[] };
    const cases = (JSON.parse(readFileSync(fromRoot('test', 'fixtures', 'acceptance', 'linux-6.1.json'), 'utf8')) as { cases: unknown[] }).cases;
    assert.ok(cases.length >= 30 && results.length >= 40, `${results.length} patches from ${cases.length} cases`);
    for (const r of results) assert.ok(r.gnuPatch.variantIsWhatItClaims, `${r.name}: GNU patch says ${r.gnuPatch.output}`);
    const unexplained = results.filter((r) => !r.agrees && !r.knownDifference);
    assert.deepEqual(
      unexplained.map((r) => `${r.name}: kpatch ${r.kpatch}, ours ${r.ours} ${r.errors.join(',')}\n    ${r.findings.join('\n    ')}`),
      [],
    );
    // A known difference that no longer differs is a stale entry: the list must stay true.
    assert.deepEqual(
      results.filter((r) => r.agrees && r.knownDifference).map((r) => r.name),
      [],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
