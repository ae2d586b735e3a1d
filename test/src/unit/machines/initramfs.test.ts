import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { buildInitramfs, ImageEntry, initramfsKey, withParents } from '../../../../server/out/machines/initramfs';

const entries: ImageEntry[] = [
  { kind: 'file', path: '/init', data: Buffer.from('#!/bin/sh\n'), mode: 0o755 },
  { kind: 'file', path: '/modules/p.ko', data: Buffer.from('ELF') },
  { kind: 'symlink', path: '/bin/sh', target: 'busybox' },
  { kind: 'chardev', path: '/dev/console', major: 5, minor: 1 },
];

test('the cache key depends on the contents, not on the order the inputs were named in', () => {
  assert.equal(initramfsKey(entries), initramfsKey([...entries].reverse()));
  const changed = (i: number, entry: ImageEntry) => initramfsKey(entries.map((e, k) => (k === i ? entry : e)));
  const key = initramfsKey(entries);
  assert.notEqual(changed(1, { kind: 'file', path: '/modules/p.ko', data: Buffer.from('ELG') }), key, 'one byte');
  assert.notEqual(changed(1, { kind: 'file', path: '/modules/q.ko', data: Buffer.from('ELF') }), key, 'the guest path');
  assert.notEqual(changed(0, { kind: 'file', path: '/init', data: Buffer.from('#!/bin/sh\n'), mode: 0o644 }), key, 'the mode');
  assert.notEqual(changed(2, { kind: 'symlink', path: '/bin/sh', target: 'dash' }), key, 'a link target');
  assert.notEqual(changed(3, { kind: 'chardev', path: '/dev/console', major: 4, minor: 64 }), key, 'a device');
  assert.notEqual(initramfsKey(entries.slice(1)), key, 'an entry fewer');
});

test('parent folders come once, before their first child', () => {
  const paths = withParents([...entries, { kind: 'file', path: '/modules/2/p.ko', data: Buffer.from('') }]).map((e) => `${e.kind}:${e.path}`);
  assert.deepEqual(paths, [
    'file:/init',
    'dir:modules',
    'file:/modules/p.ko',
    'dir:bin',
    'symlink:/bin/sh',
    'dir:dev',
    'chardev:/dev/console',
    'dir:modules/2',
    'file:/modules/2/p.ko',
  ]);
});

test('an image is built once per key and then found in the cache; old images are pruned', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'initramfs-'));
  try {
    const first = buildInitramfs(entries, dir);
    assert.equal(first.cached, false);
    assert.equal(path.basename(first.path), `${first.key}.cpio.gz`);
    assert.match(gunzipSync(readFileSync(first.path)).toString('latin1'), /^070701.*modules\/p\.ko\0/s);
    assert.deepEqual({ ...buildInitramfs([...entries].reverse(), dir), cached: true }, { ...first, cached: true }, 'the same inputs in another order: the same image');
    assert.equal(buildInitramfs([...entries].reverse(), dir).cached, true);
    for (let i = 0; i < 20; i++) {
      const built = buildInitramfs([...entries, { kind: 'file', path: '/n', data: Buffer.from(String(i)) }], dir);
      utimesSync(built.path, new Date(), new Date(Date.now() + i * 1000));
    }
    const left = readdirSync(dir);
    assert.ok(left.length <= 16, `${left.length} images kept`);
    assert.ok(!left.some((name) => name.endsWith('.tmp')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
