import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { distDir, fixture, repoRoot } from '../../support/paths';

/** Runs the bundled CLI exactly as `npx livepatch-lens` would. */
function cli(...args: string[]) {
  const run = spawnSync(process.execPath, [path.join(distDir, 'cli.js'), ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('--help lists the commands and exits 0; no arguments is a usage error (2)', () => {
  const help = cli('--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: livepatch-lens <command>/);
  assert.match(help.stdout, /\n {2}symbols +list the livepatch constructs/);
  assert.equal(cli().status, 2);
});

test('--version prints the package version', () => {
  const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const run = cli('--version');
  assert.equal(run.status, 0);
  assert.equal(run.stdout.trim(), version);
});

test('symbols prints every construct with its 1-based position', () => {
  const file = fixture('c', 'klp_module.c');
  const run = cli('symbols', file);
  assert.equal(run.status, 0, run.stderr);
  const source = readFileSync(file, 'utf8').split('\n');
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines[0], file);
  const entry = lines.find((l) => l.includes('klp_func show_stat'));
  assert.ok(entry, run.stdout);
  const [, line, column] = /^\s+(\d+):(\d+)\s/.exec(entry) ?? [];
  assert.equal(source[Number(line) - 1].slice(Number(column) - 1).trimEnd(), '{', "the position is the entry's opening brace");
  assert.match(entry, /\.old_sympos = 2/);
});

/** What the assertions below read of `symbols --json` (its usage text gives the whole shape). */
interface SymbolsJson {
  file: string;
  constructs: Array<{ kind: string; fields: Record<string, string>; entries: Array<{ name: string }> }>;
}

test('symbols --json: one object per file, entries nested', () => {
  const run = cli('symbols', '--json', fixture('c', 'xen_payload.c'), fixture('c', 'plain.c'));
  assert.equal(run.status, 0, run.stderr);
  const [xen, plain] = JSON.parse(run.stdout) as SymbolsJson[];
  assert.deepEqual(
    xen.constructs.map((c) => c.kind),
    ['livepatch_func', 'livepatch_hook', 'livepatch_hook', 'livepatch_func'],
  );
  assert.deepEqual(
    xen.constructs[3].entries.map((e) => e.name),
    ['xen_minor_version', 'xen_major_version'],
  );
  assert.equal(xen.constructs[0].fields.old_size, 'OLD_CODE_SZ');
  assert.deepEqual(plain.constructs, []);
});

test('usage and I/O errors exit 2 with a message naming the problem', () => {
  const missing = cli('symbols', '/no/such/file.c');
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /cannot read \/no\/such\/file\.c: no such file/);
  const unknown = cli('frobnicate');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  const badFlag = cli('symbols', '--bogus', fixture('c', 'plain.c'));
  assert.equal(badFlag.status, 2);
  assert.match(badFlag.stderr, /--bogus/);
});
