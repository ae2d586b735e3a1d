import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { XenSession } from '../../../../server/out/emulator/xen';
import { GuestFiles } from '../../../../server/out/machines/guestFiles';
import { QemuMachine } from '../../../../server/out/machines/qemuMachine';
import { findXenPieces } from '../../../../server/out/machines/xenPieces';
import { xenProfile } from '../../../../server/out/machines/xenProfile';
import { fromRoot } from '../../support/paths';
import { command } from './commands';
import { hostPieces } from './hostSkip';

// Issue 17, item 5, judged by the real thing: the sample payloads with a WARN, an exception-table
// fixup and alternatives, built for Debian's xen-syms (samples/Makefile's real-xen), loaded on
// Debian's Xen 4.17 in QEMU and on the emulated real image (the same xen-syms in the emulator).
// What both print is compared once the parts only the real one has (its banner, code bytes,
// stack words, the call trace beyond the trapping frame) and the values that differ by nature
// (addresses, registers) are set aside.
const artifacts = JSON.parse(readFileSync(fromRoot('scripts', 'debian-artifacts.json'), 'utf8')) as { files: { xenSyms: string } };
const xenSyms = artifacts.files.xenSyms;
const realPayloads = fromRoot('samples', 'build', 'payloads', 'xen-real', path.basename(xenSyms));
const payloads = ['xen_warn', 'xen_extable', 'xen_alternative'];
const file = (name: string): string => path.join(realPayloads, `${name}.livepatch`);

const host = hostPieces(() => findXenPieces(), 'real Xen');
const missing = payloads.filter((p) => !existsSync(file(p)));
const skip = host.skip ?? (missing.length ? `no ${missing.join(', ')} in ${realPayloads} (install xen-hypervisor-4.17-amd64-dbg, then npm run samples)` : undefined);

/**
 * The lines both hypervisors print for an exception in payload code: the hooks' own, the WARN
 * line, the RIP's symbol and the trapping frame of the call trace, addresses taken out.
 */
export function comparable(log: string[]): string[] {
  let trace = false;
  const kept: string[] = [];
  for (const line of log) {
    const text = line.replace(/^\(XEN\) /, '');
    if (/^alt table /.test(text)) kept.push(text.replace(/[0-9a-f]{16}/g, 'ADDR'));
    else if (/^(warn|extable|alternative)_hook: /.test(text) || /^Xen (WARN|BUG) at /.test(text) || /^livepatch: \w+: Applying /.test(text)) kept.push(text);
    else if (/^RIP: /.test(text)) kept.push(text.replace(/\[<[0-9a-f]+>\]/, '[<ADDR>]'));
    else if (text === 'Xen call trace:') trace = true;
    else if (trace && / R /.test(text)) {
      kept.push(`trace: ${text.replace(/\[<[0-9a-f]+>\]/, '[<ADDR>]').trim()}`);
      trace = false;
    }
  }
  return kept;
}

test('real Xen in QEMU and the emulated xen-syms print the same WARN, fixup and alternative lines for the sample payloads', { skip, timeout: 180_000 }, async (t) => {
  const files = new GuestFiles('/');
  for (const name of payloads) files.add(file(name));
  const machine = await QemuMachine.boot(xenProfile(host.found!, files));
  const emulated = new XenSession({ target: xenSyms });
  try {
    t.diagnostic(`booted ${machine.profile.booted} with ${machine.accel} in ${machine.bootMs.toFixed(0)} ms`);
    for (const name of payloads) {
      await t.test(name, async () => {
        const real = await machine.run(command('load', file(name)));
        const ours = emulated.run(['load', file(name)]);
        assert.equal(real.exitCode, 0, `${real.stdout}${real.stderr}${real.log.join('\n')}`);
        assert.equal(ours.exitCode, 0, `${ours.stdout}${ours.stderr}${ours.console.join('\n')}`);
        t.diagnostic(`${name} on real Xen:\n${real.log.join('\n')}`);
        const expected = comparable(real.log);
        assert.ok(
          expected.some((line) => /_hook: /.test(line)),
          `the real load hook ran:\n${real.log.join('\n')}`,
        );
        assert.deepEqual(comparable(ours.console), expected);
        // One at a time: each payload depends on the hypervisor itself, not on the one before.
        for (const step of ['revert', 'unload']) {
          assert.equal((await machine.run(command(step, name))).exitCode, 0, `${step} ${name} on real Xen`);
          assert.equal(emulated.run([step, name]).exitCode, 0, `${step} ${name} in the emulator`);
        }
      });
    }
  } finally {
    await machine.close();
  }
});
