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
// fixup, alternatives and a run_in_exception_handler() frame, built for Debian's xen-syms
// (samples/Makefile's real-xen), loaded on Debian's Xen 4.17 in QEMU and on the emulated real
// image (the same xen-syms in the emulator); then xen_trap_world (the torn-write scenario's
// payload) with a WARN after it, whose register dump's banner calls the patched xen_build_info;
// then, each from a checkpoint of the same boot, the payloads that take the hypervisor down (a
// bare ud2, a division by zero, an alternative Xen BUG()s on). What both print is compared once
// the parts only the real one has (its banner, code bytes, stack words, the call trace beyond the
// trapping frame, Xen's own frames) and the values that differ by nature (addresses, registers)
// are set aside.
const artifacts = JSON.parse(readFileSync(fromRoot('scripts', 'debian-artifacts.json'), 'utf8')) as { files: { xenSyms: string } };
const xenSyms = artifacts.files.xenSyms;
const realPayloads = fromRoot('samples', 'build', 'payloads', 'xen-real', path.basename(xenSyms));
const payloads = ['xen_warn', 'xen_extable', 'xen_alternative', 'xen_run_fn'];
const fatal = ['xen_fatal_trap', 'xen_divide_error', 'xen_bad_alternative'];
const all = [...payloads, 'xen_trap_world', ...fatal];
const file = (name: string): string => path.join(realPayloads, `${name}.livepatch`);

const host = hostPieces(() => findXenPieces(), 'real Xen');
const missing = all.filter((p) => !existsSync(file(p)));
const skip = host.skip ?? (missing.length ? `no ${missing.join(', ')} in ${realPayloads} (install xen-hypervisor-4.17-amd64-dbg, then npm run samples)` : undefined);

/**
 * The lines both hypervisors print for an exception in payload code: the hooks' own, the WARN,
 * BUG and FATAL TRAP lines, the RIP's symbol and the trapping frame of the call trace when they
 * are a payload's, and what panic() says, addresses taken out.
 */
export function comparable(log: string[]): string[] {
  let trace = false;
  let panic = false;
  const kept: string[] = [];
  const payloadSymbol = / \[\w+\]$/;
  for (const line of log) {
    const text = line.replace(/^\(XEN\) /, '');
    if (panic) {
      if (/^\*+$/.test(text)) panic = false;
      else kept.push(`panic: ${text}`);
    } else if (text === 'Panic on CPU 0:') panic = true;
    else if (/^alt table /.test(text)) kept.push(text.replace(/[0-9a-f]{16}/g, 'ADDR'));
    else if (/^\w+_(hook|handler): /.test(text) || /^Xen (WARN|BUG) at /.test(text) || /^livepatch: \w+: Applying /.test(text)) kept.push(text);
    else if (/^RIP: /.test(text) && payloadSymbol.test(text)) kept.push(text.replace(/\[<[0-9a-f]+>\]/, '[<ADDR>]'));
    else if (text === 'Xen call trace:') trace = true;
    else if (trace && / R /.test(text)) {
      if (payloadSymbol.test(text)) kept.push(`trace: ${text.replace(/\[<[0-9a-f]+>\]/, '[<ADDR>]').trim()}`);
      trace = false;
    }
  }
  return kept;
}

/**
 * The banners of the register dumps (`----[ Xen-4.17.7  x86_64  debug=n  ... ]----`), what
 * print_xen_info() printed, its taint flags set aside: the real machine boots with sync_console
 * (`Tainted:   C    `), the emulated one is not tainted.
 */
const banners = (log: string[]): string[] =>
  log
    .map((line) => line.replace(/^\(XEN\) /, ''))
    .filter((text) => text.startsWith('----[ Xen-'))
    .map((text) => text.replace(/ {2}(Not tainted|Tainted: .{6}) \]----$/, '  TAINT ]----'));

test(
  'real Xen in QEMU and the emulated xen-syms print the same WARN, fixup, alternative, run_fn and FATAL TRAP lines for the sample payloads',
  { skip, timeout: 420_000 },
  async (t) => {
    const files = new GuestFiles('/');
    for (const name of all) files.add(file(name));
    let machine = await QemuMachine.boot(xenProfile(host.found!, files), { checkpoints: true });
    const checkpoint = await machine.checkpoint();
    const emulated = new XenSession({ target: xenSyms });
    const load = async (name: string, ...options: string[]) => {
      const real = await machine.run(command('load', file(name), ...options));
      const ours = emulated.run(['load', file(name), ...options]);
      assert.equal(real.exitCode, 0, `${real.stdout}${real.stderr}${real.log.join('\n')}`);
      assert.equal(ours.exitCode, 0, `${ours.stdout}${ours.stderr}${ours.console.join('\n')}`);
      t.diagnostic(`${name} on real Xen:\n${real.log.join('\n')}`);
      assert.deepEqual(comparable(ours.console), comparable(real.log));
      return { real, ours };
    };
    const unload = async (name: string) => {
      for (const step of ['revert', 'unload']) {
        assert.equal((await machine.run(command(step, name))).exitCode, 0, `${step} ${name} on real Xen`);
        assert.equal(emulated.run([step, name]).exitCode, 0, `${step} ${name} in the emulator`);
      }
    };
    try {
      t.diagnostic(`booted ${machine.profile.booted} with ${machine.accel} in ${machine.bootMs.toFixed(0)} ms`);
      for (const name of payloads) {
        await t.test(name, async () => {
          const { real } = await load(name);
          assert.ok(
            comparable(real.log).some((line) => /_hook: /.test(line)),
            `the real load hook ran:\n${real.log.join('\n')}`,
          );
          // One at a time: each payload depends on the hypervisor itself, not on the one before.
          await unload(name);
        });
      }
      await t.test("xen_trap_world, then a WARN: the register dump's banner calls the patched xen_build_info", async () => {
        await load('xen_trap_world');
        const { real, ours } = await load('xen_warn', '--nodeps');
        const patched = /return "([^"]+)";/.exec(readFileSync(fromRoot('samples', 'payloads', 'xen', 'xen_trap_world_func.c'), 'utf8'))![1];
        assert.deepEqual(
          banners(real.log).map((banner) => banner.includes(`  x86_64  ${patched}  `)),
          [true],
          `the real banner names the replacement's string:\n${real.log.join('\n')}`,
        );
        assert.deepEqual(banners(ours.console), banners(real.log));
        assert.equal(emulated.run(['call', 'xen_build_info', '--string']).call?.string, patched);
        await unload('xen_warn');
        await unload('xen_trap_world');
      });
      for (const name of fatal) {
        await t.test(name, async () => {
          let real: string[];
          try {
            await assert.rejects(machine.run(command('load', file(name))), 'the real hypervisor goes down');
            real = machine.unfinishedConsole();
          } finally {
            // The next one starts from the checkpoint, whatever this one found.
            await machine.close();
            machine = await QemuMachine.resume(checkpoint);
          }
          t.diagnostic(`${name} on real Xen:\n${real.join('\n')}`);
          const ours = new XenSession({ target: xenSyms }).run(['load', file(name)]);
          assert.notEqual(ours.exitCode, 0);
          const expected = comparable(real);
          assert.ok(
            expected.some((line) => line.startsWith('panic: ')),
            `the real one panicked:\n${real.join('\n')}`,
          );
          assert.deepEqual(comparable(ours.console), expected);
        });
      }
    } finally {
      await machine.close();
      checkpoint.dispose();
    }
  },
);
