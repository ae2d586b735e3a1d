import type * as Sarif from 'sarif';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { distDir, fromRoot } from '../../support/paths';

// `livepatch-lens check --format sarif` as a CI job runs it: from the checkout, on its patches.
// No SARIF 2.1.0 schema ships in an npm package, so the log is checked against the spec's rules
// one by one (types from @types/sarif, the spec's own TypeScript rendering).

const target = fromRoot('samples/build/target/sample-target');
const patch = 'pick-next-task-inlined-into-schedule.patch';
const scratch = mkdtempSync(path.join(tmpdir(), 'lpl-sarif-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function sarif(cwd: string, file: string): Sarif.Log {
  const run = spawnSync(process.execPath, [path.join(distDir, 'cli.js'), 'check', file, '--target', target, '--source-root', fromRoot('samples'), '--format', 'sarif'], {
    encoding: 'utf8',
    cwd,
  });
  assert.equal(run.status, 1, run.stderr);
  return JSON.parse(run.stdout) as Sarif.Log;
}

/** A checkout of its own: the patch under patches/, with `prefix` lines (a commit message) above it. */
function checkout(name: string, prefix: string): string {
  const dir = path.join(scratch, name);
  mkdirSync(path.join(dir, 'patches'), { recursive: true });
  writeFileSync(path.join(dir, 'patches', patch), prefix + readFileSync(fromRoot('samples/patches', patch), 'utf8'));
  return dir;
}

test('sarif: artifact URIs relative to %SRCROOT%, which originalUriBaseIds places at the directory check ran in', () => {
  const log = sarif(fromRoot(), `samples/patches/${patch}`);
  assert.equal(log.version, '2.1.0');
  const [run] = log.runs;
  assert.equal(run.originalUriBaseIds?.['%SRCROOT%']?.uri, `file://${fromRoot()}/`);
  for (const result of run.results ?? []) {
    const artifact = result.locations?.[0].physicalLocation?.artifactLocation;
    assert.equal(artifact?.uriBaseId, '%SRCROOT%');
    assert.equal(artifact?.uri, `samples/patches/${patch}`);
    assert.ok(!path.isAbsolute(artifact.uri) && !artifact.uri.includes('..'));
  }
});

test('sarif: the LP210 call site is a relatedLocation in the target source, on the line that calls the function', () => {
  const [run] = sarif(fromRoot(), `samples/patches/${patch}`).runs;
  const lp210 = run.results?.find((r) => r.ruleId === 'LP210');
  assert.ok(lp210, 'LP210 fires on the sample patch (samples/README.md)');
  const related = lp210.relatedLocations ?? [];
  assert.ok(related.length > 0, 'the call site inside __schedule is related');
  for (const location of related) {
    const artifact = location.physicalLocation?.artifactLocation;
    assert.equal(artifact?.uriBaseId, '%SRCROOT%');
    const line = location.physicalLocation?.region?.startLine ?? 0;
    // The oracle: the source line the DWARF names calls pick_next_task.
    const text = readFileSync(fromRoot(artifact?.uri ?? ''), 'utf8').split('\n')[line - 1];
    assert.match(text, /pick_next_task\s*\(/, `${artifact?.uri}:${line}`);
    assert.ok(location.message?.text);
    assert.equal(typeof location.id, 'number');
  }
});

test('sarif: partialFingerprints stay the same when lines are added above a finding; the line numbers do not', () => {
  const before = sarif(checkout('a', ''), `patches/${patch}`).runs[0].results ?? [];
  const moved = sarif(checkout('b', 'Subject: [PATCH] sched: prefer equal priority\n\nA commit message of three lines.\n---\n'), `patches/${patch}`).runs[0].results ?? [];
  assert.equal(moved.length, before.length);
  assert.ok(before.length > 0);
  for (let i = 0; i < before.length; i++) {
    assert.equal(moved[i].ruleId, before[i].ruleId);
    assert.notEqual(moved[i].locations?.[0].physicalLocation?.region?.startLine, before[i].locations?.[0].physicalLocation?.region?.startLine);
    assert.deepEqual(moved[i].partialFingerprints, before[i].partialFingerprints);
  }
  // ... and differ between findings of different rules.
  assert.equal(new Set(before.map((r) => JSON.stringify(r.partialFingerprints))).size, before.length);
});

test('sarif: the structure SARIF 2.1.0 requires, no URI of the producing machine but the base, help from the docs page', () => {
  const log = sarif(fromRoot(), `samples/patches/${patch}`);
  assert.ok(log.$schema?.includes('sarif-2.1.0'));
  const [run] = log.runs;
  assert.equal(run.tool.driver.name, 'livepatch-lens');
  const rules = run.tool.driver.rules ?? [];
  for (const result of run.results ?? []) {
    assert.ok(result.message.text);
    assert.ok(['error', 'warning', 'note', 'none'].includes(result.level ?? ''));
    assert.equal(rules[result.ruleIndex ?? -1]?.id, result.ruleId, 'ruleIndex points at its rule');
    const region = result.locations?.[0].physicalLocation?.region;
    assert.ok((region?.startLine ?? 0) >= 1 && (region?.startColumn ?? 0) >= 1);
  }
  for (const rule of rules) {
    assert.equal(rule.helpUri, undefined, 'a file: URI of this machine resolves nowhere else');
    const page = readFileSync(fromRoot('docs/checks', `${rule.id}.md`), 'utf8');
    assert.equal(rule.help?.markdown, page);
    assert.ok(rule.help?.text && page.includes(rule.help.text));
  }
  const text = JSON.stringify(run.results);
  assert.ok(!text.includes('file:'), 'results name files through %SRCROOT% only');
});

test('sarif: a file outside %SRCROOT% keeps its absolute file URI', () => {
  const elsewhere = path.join(scratch, 'elsewhere');
  mkdirSync(elsewhere, { recursive: true });
  copyFileSync(fromRoot('samples/patches', patch), path.join(elsewhere, patch));
  const [run] = sarif(fromRoot(), path.join(elsewhere, patch)).runs;
  const artifact = run.results?.[0].locations?.[0].physicalLocation?.artifactLocation;
  assert.equal(artifact?.uriBaseId, undefined);
  assert.equal(artifact?.uri, `file://${path.join(elsewhere, patch)}`);
});
