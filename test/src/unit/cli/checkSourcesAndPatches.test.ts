import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { ReportRow } from '../../../../server/out/checks/report/reportRow';
import { expectedFindings } from '../../support/expectations';
import { distDir, fixture, fromRoot } from '../../support/paths';

const rows = (stdout: string) => JSON.parse(stdout) as ReportRow[];

/** What the SARIF test reads of the log. */
interface SarifLog {
  version: string;
  runs: Array<{ results: Array<{ ruleId: string; level: string; locations: Array<{ physicalLocation: { region: { startLine: number } } }> }> }>;
}

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, [path.join(distDir, 'cli.js'), ...args], { encoding: 'utf8', cwd: fromRoot() });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('check on a C source: the LP1xx findings of the fixture, 1-based, exit 1 for errors', () => {
  const file = fixture('checks/source/klp_checks.c');
  const run = cli('check', file, '--target', fromRoot('samples/build/target/sample-target'), '--format', 'json');
  assert.equal(run.status, 1, run.stderr);
  const findings = rows(run.stdout);
  assert.deepEqual(findings.map((f) => `${f.line}:${f.code}`).sort(), expectedFindings(readFileSync(file, 'utf8')));
  assert.deepEqual(Object.keys(findings[0]).sort(), ['code', 'column', 'file', 'line', 'message', 'severity']);
});

test('check on the sample patches with --source-root and --target: each patch its hazard, the safe one nothing', () => {
  // The hazards samples/README.md gives for each patch.
  const expected: Record<string, string[]> = {
    'cmdline-safe.patch': [],
    'pick-next-task-inlined-into-schedule.patch': ['LP210'],
    'proc-init.patch': ['LP214'],
    'task-struct-layout.patch': ['LP220'],
    'update-curr-partly-inlined.patch': ['LP211'],
  };
  for (const [patch, codes] of Object.entries(expected)) {
    const run = cli('check', `samples/patches/${patch}`, '--source-root', 'samples', '--target', 'samples/build/target/sample-target', '--format', 'json');
    const found = new Set(rows(run.stdout).map((f) => f.code));
    for (const code of codes) assert.ok(found.has(code), `${patch}: ${code} in ${[...found].join(', ')}`);
    if (!codes.length) assert.deepEqual([...found], [], `${patch} is safe`);
    assert.equal(run.status, codes.length ? (rows(run.stdout).some((f) => f.severity === 'error') ? 1 : 0) : 0);
  }
});

test('check --format sarif: a SARIF 2.1.0 log whose results carry the rule ids and 1-based regions', () => {
  const run = cli('check', 'samples/patches/proc-init.patch', '--source-root', 'samples', '--format', 'sarif');
  const log = JSON.parse(run.stdout) as SarifLog;
  assert.equal(log.version, '2.1.0');
  const result = log.runs[0].results.find((r) => r.ruleId === 'LP214');
  assert.ok(result);
  assert.equal(result.level, 'error');
  assert.ok(result.locations[0].physicalLocation.region.startLine >= 1);
});

test('check: a missing --source-root directory and an unknown kind of file are usage errors', () => {
  assert.equal(cli('check', 'samples/patches/proc-init.patch', '--source-root', '/no/such/dir').status, 2);
  const other = cli('check', 'package.json', 'samples/patches/proc-init.patch', '--format', 'json');
  assert.match(other.stderr, /package\.json: not a file check reads/);
  assert.equal(other.status, 2);
  assert.ok(
    rows(other.stdout).some((f) => f.code === 'LP202' || f.code === 'LP214'),
    'the readable file is still checked',
  );
});
