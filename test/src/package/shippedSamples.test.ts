import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { distDir, fromRoot } from '../support/paths';

// The sample workspace ships in the .vsix with its target and payloads prebuilt (issue 12 part 9),
// so it works without gcc. The shipped copies must behave as a fresh build of the same sources:
// the same check findings and the same emulator transcripts as `make` in a clean tree gives.
const vsix = fromRoot('livepatch-lens.vsix');
const hasGcc = spawnSync('gcc', ['--version']).status === 0;
const cli = path.join(distDir, 'cli.js');

/** A CLI run's stdout, whatever its exit status, with the tree's own path taken out. */
function run(root: string, args: string[]): string {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
  return result.stdout.split(root).join('<root>') + `(exit ${result.status})`;
}

test('the shipped target and payloads give the findings and emulator runs of a fresh build', { skip: !hasGcc && 'needs gcc (apt-get install gcc) for the fresh build' }, () => {
  assert.ok(existsSync(vsix), `${vsix} exists (npm run package)`);
  const unpacked = mkdtempSync(path.join(tmpdir(), 'lpl-vsix-'));
  execFileSync('unzip', ['-q', vsix, 'extension/samples/*', '-d', unpacked]);
  const shipped = path.join(unpacked, 'extension', 'samples');
  const fresh = path.join(mkdtempSync(path.join(tmpdir(), 'lpl-fresh-')), 'samples');
  cpSync(fromRoot('samples'), fresh, { recursive: true, filter: (from) => !path.relative(fromRoot('samples'), from).startsWith('build') });
  // The Makefile reads the Debian artifact list beside the samples (for its real-Xen targets).
  cpSync(fromRoot('scripts/debian-artifacts.json'), path.join(fresh, '..', 'scripts', 'debian-artifacts.json'));
  execFileSync('make', ['-s', '-C', fresh], { stdio: 'inherit' });
  const payloads = ['xen', 'klp'].flatMap((dir) =>
    readdirSync(path.join(shipped, 'build', 'payloads', dir))
      .filter((f) => /\.(livepatch|ko)$/.test(f))
      .map((f) => `build/payloads/${dir}/${f}`),
  );
  assert.ok(payloads.some((p) => p.endsWith('xen_hello_world.livepatch')) && payloads.some((p) => p.endsWith('livepatch-sample.ko')), payloads.join(' '));
  for (const payload of payloads) {
    assert.ok(existsSync(path.join(fresh, payload)), `${payload} is built by make`);
    const check = (root: string) => run(root, ['check', payload, '--target', 'build/target/sample-target', '--format', 'json']);
    assert.equal(check(shipped), check(fresh), payload);
  }
  for (const script of ['demo.xlp', 'demo-klp.sh', 'scenarios/blocking-task.sh']) {
    const emu = (root: string) => run(root, ['emu', '--json', '--target', 'build/target/sample-target', '--script', script]);
    const transcript = emu(shipped);
    assert.match(transcript, /\(exit 0\)$/, `${script} runs to the end on the shipped copies`);
    assert.equal(transcript, emu(fresh), script);
  }
});
