import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { GuestFiles } from '../../../../server/out/machines/guestFiles';
import { guestImageEntries } from '../../../../server/out/machines/linuxProfile';

test('the image holds /init, the console node, busybox, the scenario files and --modules-dir under /lib/modules/NAME, each path once', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'image-'));
  try {
    const modules = path.join(dir, '6.1.0-test');
    mkdirSync(path.join(modules, 'kernel', 'drivers'), { recursive: true });
    writeFileSync(path.join(modules, 'modules.dep'), '');
    writeFileSync(path.join(modules, 'kernel', 'drivers', 'a.ko'), 'ELF');
    writeFileSync(path.join(dir, 'p.ko'), 'ELF');
    const files = new GuestFiles(dir);
    files.add('p.ko');
    const paths = guestImageEntries({ busybox: process.execPath }, files, modules).map((e) => `${e.kind}:${e.path}`);
    for (const expected of [
      'file:/init',
      'chardev:/dev/console',
      'file:/bin/busybox',
      'file:/modules/p.ko',
      'file:/lib/modules/6.1.0-test/modules.dep',
      'file:/lib/modules/6.1.0-test/kernel/drivers/a.ko',
    ])
      assert.ok(paths.includes(expected), `${expected} in ${paths.join(' ')}`);
    assert.equal(new Set(paths).size, paths.length);
    assert.throws(() => guestImageEntries({ busybox: process.execPath }, files, path.join(dir, 'p.ko')), /--modules-dir .*p\.ko is not a folder/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
