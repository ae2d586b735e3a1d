import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { cpioNewc } from '../../../../server/out/machines/cpio';

// Odd name lengths and data lengths, so every 4-byte padding case is met.
const archive = cpioNewc([
  { kind: 'dir', path: '/bin' },
  { kind: 'file', path: '/bin/tool', data: Buffer.from('#!/bin/sh\necho x\n'), mode: 0o755 },
  { kind: 'file', path: 'a', data: Buffer.from('1') },
  { kind: 'file', path: 'ab', data: Buffer.from('12') },
  { kind: 'file', path: 'abc', data: Buffer.alloc(0) },
  { kind: 'dir', path: 'd' },
  { kind: 'file', path: 'd/bytes', data: Buffer.from([0, 255, 10, 13, 0]) },
  { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
  { kind: 'chardev', path: 'console', major: 5, minor: 1 },
]);

function cpio(args: string[], cwd?: string) {
  return spawnSync('cpio', args, { input: archive, cwd, encoding: 'utf8' });
}

test('GNU cpio lists every entry with its type, mode and device numbers', (t) => {
  if (spawnSync('cpio', ['--version']).status !== 0) return t.skip('cpio is not installed (apt-get install cpio)');
  const list = cpio(['-t', '-v', '--quiet']);
  assert.equal(list.status, 0, list.stderr);
  const rows = list.stdout.trim().split('\n');
  assert.deepEqual(
    rows.map((row) => row.split(/\s+/).at(-1)),
    ['bin', 'bin/tool', 'a', 'ab', 'abc', 'd', 'd/bytes', 'busybox', 'console'],
  );
  assert.match(rows[1], /^-rwxr-xr-x /);
  assert.match(rows[7], /^lrwxrwxrwx .* bin\/sh -> busybox$/);
  assert.match(rows[8], /^crw------- .* 5,\s+1 /);
});

test('GNU cpio extracts the same bytes, modes and link', (t) => {
  if (spawnSync('cpio', ['--version']).status !== 0) return t.skip('cpio is not installed (apt-get install cpio)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cpio-'));
  try {
    const run = cpio(['-i', '-d', '--quiet', '--no-absolute-filenames', '--nonmatching', 'console'], dir);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(readFileSync(path.join(dir, 'bin/tool'), 'utf8'), '#!/bin/sh\necho x\n');
    assert.equal(statSync(path.join(dir, 'bin/tool')).mode & 0o777, 0o755);
    assert.deepEqual([...readFileSync(path.join(dir, 'd/bytes'))], [0, 255, 10, 13, 0]);
    assert.equal(readFileSync(path.join(dir, 'abc')).length, 0);
    assert.equal(readlinkSync(path.join(dir, 'bin/sh')), 'busybox');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the archive is 4-byte aligned and ends with the trailer the kernel stops at', () => {
  assert.equal(archive.length % 4, 0);
  assert.match(archive.subarray(-140).toString('latin1'), /TRAILER!!!\0+$/);
});
