import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { GuestFiles } from '../../../../server/out/machines/guestFiles';
import { QemuMachine } from '../../../../server/out/machines/qemuMachine';
import { findXenPieces } from '../../../../server/out/machines/xenPieces';
import { xenProfile } from '../../../../server/out/machines/xenProfile';
import { fromRoot } from '../../support/paths';
import { command } from './commands';
import { hostPieces } from './hostSkip';

const host = hostPieces(() => findXenPieces(), 'real Xen');

// The bundled payload, built for the sample target with -pg: the real hypervisor has no __fentry__ to resolve it against.
const bundled = fromRoot('samples/build/payloads/xen/xen_hello_world.livepatch');

/** The version Debian's package says the hypervisor is: 4.17.7 of 4.17.7+13-g2445b30a44-0+deb12u1. */
function packagedVersion(xen: string): string | undefined {
  const owner = spawnSync('dpkg-query', ['-S', xen], { encoding: 'utf8' }).stdout.split(':')[0];
  const version = owner ? spawnSync('dpkg-query', ['-W', '-f=${Version}', owner], { encoding: 'utf8' }).stdout : '';
  return /^\d+\.\d+\.\d+/.exec(version)?.[0];
}

test('real Xen in QEMU: dom0 runs the real xen-livepatch, each command with the (XEN) lines it caused', { skip: host.skip, timeout: 180_000 }, async (t) => {
  const files = new GuestFiles('/');
  if (existsSync(bundled)) files.add(bundled);
  const machine = await QemuMachine.boot(xenProfile(host.found!, files));
  const run = (...words: string[]) => machine.run(command(...words));
  try {
    t.diagnostic(`booted ${machine.profile.booted} with ${machine.accel} in ${machine.bootMs.toFixed(0)} ms`);

    await t.test("the hypervisor's version, read by dom0 from /sys/hypervisor, is the package's", async (s) => {
      const parts = await Promise.all(['major', 'minor', 'extra'].map((f) => run('cat', `/sys/hypervisor/version/${f}`)));
      const version = parts
        .map((p) => p.stdout.trim())
        .join('.')
        .replace('..', '.');
      const packaged = packagedVersion(host.found!.xen);
      if (!packaged) return s.skip(`${host.found!.xen} belongs to no Debian package: nothing to compare with`);
      assert.equal(version, packaged);
    });

    await t.test('xen-livepatch list succeeds with nothing loaded, without a hypervisor line', async () => {
      const list = await run('list');
      assert.deepEqual([list.exitCode, list.log], [0, []]);
      assert.match(list.stdout, /Nothing to list/);
    });

    await t.test(
      "the real loader refuses the emulator's payload only for the hypervisor build-id it names (built as Xen's own, issue 16): its (XEN) line, Error 22, exit 1, nothing listed",
      { skip: existsSync(bundled) ? undefined : `${bundled} is not built (npm run samples)` },
      async () => {
        const upload = await run('upload', 'sample_hello', bundled);
        assert.equal(upload.exitCode, 1);
        assert.deepEqual(upload.log, ['(XEN) livepatch: sample_hello: check against hypervisor build-id failed']);
        assert.match(upload.stderr, /^Error 22: Invalid argument$/m);
        assert.doesNotMatch(upload.stdout, /\(XEN\)/);
        assert.doesNotMatch((await run('list')).stdout, /sample_hello/);
      },
    );
  } finally {
    await machine.close();
  }
});
