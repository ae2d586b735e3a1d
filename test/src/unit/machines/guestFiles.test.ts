import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { GuestFiles } from '../../../../server/out/machines/guestFiles';
import { command } from './commands';

test("insmod's host file is copied under /modules and the command rewritten; guest paths and other words stay", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'guest-files-'));
  try {
    mkdirSync(path.join(dir, 'other'));
    for (const f of ['p.ko', 'other/p.ko', 'q.ko']) writeFileSync(path.join(dir, f), 'ELF');
    const files = new GuestFiles(dir);
    const commands = [
      command('insmod', 'p.ko'),
      command('insmod', `${dir}/other/p.ko`, 'x=1'),
      command('insmod', '-f', 'q.ko'),
      command('insmod', '/lib/modules/x.ko'),
      command('cat', 'p.ko'),
    ];
    files.addNamedBy(commands);
    assert.deepEqual(files.entries(), [
      { host: path.join(dir, 'p.ko'), guest: '/modules/p.ko' },
      { host: path.join(dir, 'other/p.ko'), guest: '/modules/2/p.ko' },
      { host: path.join(dir, 'q.ko'), guest: '/modules/q.ko' },
    ]);
    assert.deepEqual(
      commands.map((c) => files.rewrite(c.argv)),
      [
        ['insmod', '/modules/p.ko'],
        ['insmod', '/modules/2/p.ko', 'x=1'],
        ['insmod', '-f', '/modules/q.ko'],
        ['insmod', '/lib/modules/x.ko'],
        ['cat', 'p.ko'],
      ],
    );
    assert.equal(files.add(path.join(dir, 'p.ko')), '/modules/p.ko', 'the same host file once');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
