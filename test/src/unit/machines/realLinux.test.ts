import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { GuestFiles } from '../../../../server/out/machines/guestFiles';
import { findLinuxPieces } from '../../../../server/out/machines/hostPieces';
import { linuxProfile } from '../../../../server/out/machines/linuxProfile';
import { MachineError } from '../../../../server/out/machines/machineError';
import { QemuMachine } from '../../../../server/out/machines/qemuMachine';
import type { CommandResult } from '../../../../server/out/scenario/result';
import { kbuildSamples } from '../../support/kbuildSamples';
import { command } from './commands';
import { hostPieces } from './hostSkip';

const host = hostPieces(() => findLinuxPieces(), 'real machine');
const samples = kbuildSamples();

/**
 * The release the kernel image says it is, read from the file itself: a bzImage's setup header
 * points at its version string; a Debian vmlinux or vmlinuz is named after its release.
 */
function imageRelease(kernel: string): string {
  const image = readFileSync(kernel);
  if (image.toString('latin1', 0x202, 0x206) === 'HdrS') {
    const at = image.readUInt16LE(0x20e) + 0x200;
    return image.toString('latin1', at, image.indexOf(0, at)).split(' ')[0];
  }
  return path.basename(kernel).replace(/^vmlinu[xz]-/, '');
}

test('a real Linux kernel in QEMU: one boot, commands one by one, results apart', { skip: host.skip, timeout: 180_000 }, async (t) => {
  const files = new GuestFiles('/');
  const sample = samples.samples?.modules['livepatch-sample'];
  const demo = samples.samples?.modules['livepatch-callbacks-demo'];
  if (sample && demo) files.addNamedBy([command('insmod', sample), command('insmod', demo)]);
  const machine = await QemuMachine.boot(linuxProfile(host.found!, files));
  const kernel = machine.profile.booted;
  const run = (...words: string[]): Promise<CommandResult> => machine.run(command(...words));
  try {
    t.diagnostic(`booted ${kernel} with ${machine.accel} in ${machine.bootMs.toFixed(0)} ms${machine.kvmFailure ? ' (KVM refused by QEMU)' : ''}`);
    assert.ok(machine.accel === 'tcg' || machine.accel === 'kvm');
    assert.ok(
      machine.bootLog.some((line) => /^\[\s*\d+\.\d{6}\] Linux version /.test(line)),
      'the boot log comes back with kernel timestamps',
    );

    await t.test('the kernel that runs is the image booted', async () => {
      const release = await run('uname', '-r');
      assert.deepEqual([release.stdout, release.exitCode], [`${imageRelease(kernel)}\n`, 0]);
      assert.match((await run('cat', '/proc/version')).stdout, new RegExp(`^Linux version ${imageRelease(kernel).replace(/\./g, '\\.')} `));
      assert.match((await run('cat', '/proc/cmdline')).stdout, /^console=ttyS0 .*\bllnonce=[0-9a-f]{16}\n$/);
    });

    await t.test('stdout, stderr and exit status of each command, apart', async () => {
      assert.deepEqual(await run('echo', 'hi'), { command: 'echo hi', stdout: 'hi\n', stderr: '', exitCode: 0, log: [] });
      const failing = await run('sh', '-c', 'echo out; echo oops >&2; exit 7');
      assert.deepEqual([failing.stdout, failing.stderr, failing.exitCode], ['out\n', 'oops\n', 7]);
      const missing = await run('cat', '/nonexistent');
      assert.equal(missing.exitCode, 1);
      assert.match(missing.stderr, /No such file or directory/);
      assert.equal((await run('echo', "it's $HOME `x`", '>', '/tmp/quoted')).exitCode, 0);
      assert.equal((await run('cat', '/tmp/quoted')).stdout, "it's $HOME `x`\n", 'the guest shell expanded nothing');
    });

    await t.test("a command's kernel log lines come with it and only with it", async () => {
      const logged = await run('echo', 'marker from the test', '>', '/dev/kmsg');
      assert.equal(logged.log.length, 1);
      assert.match(logged.log[0], /^\[\s*\d+\.\d{6}\] marker from the test$/);
      assert.deepEqual((await run('true')).log, []);
    });

    await t.test('insmod of a real livepatch module patches the running kernel, and disabling it unpatches', { skip: samples.skip || undefined }, async () => {
      const before = (await run('cat', '/proc/cmdline')).stdout;
      const insmod = await run('insmod', sample!);
      assert.equal(insmod.exitCode, 0, insmod.stderr);
      // As the real kernel logged them by hand (shared/reference/real-machines.md), and nothing else: no line of another moment.
      assert.deepEqual(
        insmod.log.map((line) => line.replace(/^\[\s*\d+\.\d{6}\] /, '')),
        [
          'livepatch_sample: loading out-of-tree module taints kernel.',
          'livepatch_sample: tainting kernel with TAINT_LIVEPATCH',
          'livepatch_sample: module verification failed: signature and/or required key missing - tainting kernel',
          "livepatch: enabling patch 'livepatch_sample'",
          "livepatch: 'livepatch_sample': starting patching transition",
          "livepatch: 'livepatch_sample': patching complete",
        ],
      );
      assert.equal((await run('cat', '/proc/cmdline')).stdout, 'this has been live patched\n');
      const disable = await run('echo', '0', '>', '/sys/kernel/livepatch/livepatch_sample/enabled');
      assert.equal(disable.exitCode, 0, disable.stderr);
      assert.ok(
        disable.log.some((line) => line.endsWith("livepatch: 'livepatch_sample': unpatching complete")),
        disable.log.join('\n'),
      );
      assert.equal((await run('cat', '/proc/cmdline')).stdout, before);
      assert.equal((await run('rmmod', 'livepatch_sample')).exitCode, 0);
      assert.equal((await run('ls', '/sys/kernel/livepatch')).stdout, '');
    });

    await t.test('a module whose init fails: its error once (kmod, not busybox, loads it), its status, its log line', { skip: samples.skip || undefined }, async () => {
      const failed = await run('insmod', demo!, 'pre_patch_ret=-19');
      assert.notEqual(failed.exitCode, 0);
      assert.equal(failed.stderr.match(/No such device/g)?.length, 1, failed.stderr);
      assert.equal(failed.log.filter((line) => line.includes("livepatch: pre-patch callback failed for object 'vmlinux'")).length, 1, failed.log.join('\n'));
    });

    await t.test('a command past its time limit stops the machine with a message; nothing more runs', async () => {
      const started = performance.now();
      await assert.rejects(
        machine.run(command('sleep', '30'), 1500),
        (error: Error) => error instanceof MachineError && /'sleep 30' did not finish within 1500 ms/.test(error.message),
      );
      assert.ok(performance.now() - started < 5000);
      await assert.rejects(run('echo', 'after'), MachineError);
    });
  } finally {
    await machine.close();
  }
});

test('cancelling a boot kills QEMU at once and says so', { skip: host.skip, timeout: 30_000 }, async () => {
  const controller = new AbortController();
  const started = performance.now();
  setTimeout(() => controller.abort(), 300);
  await assert.rejects(QemuMachine.boot(linuxProfile(host.found!, new GuestFiles('/')), { signal: controller.signal }), /cancelled/);
  assert.ok(performance.now() - started < 3000, 'not left to boot to its end');
});

test('a boot past its time limit stops QEMU with a message naming the limit', { skip: host.skip, timeout: 30_000 }, async () => {
  await assert.rejects(QemuMachine.boot(linuxProfile(host.found!, new GuestFiles('/')), { bootTimeoutMs: 300 }), /the guest did not boot within 300 ms/);
});

test('a checkpoint resumes in a new QEMU as the guest was when it was taken, as many times as asked', { skip: host.skip, timeout: 240_000 }, async (t) => {
  const machine = await QemuMachine.boot(linuxProfile(host.found!, new GuestFiles('/')), { checkpoints: true });
  const resumed: QemuMachine[] = [];
  try {
    await machine.run(command('sh', '-c', 'echo before > /tmp/mark'));
    const checkpoint = await machine.checkpoint();
    try {
      // The machine runs on after its checkpoint; what it does then is not in the checkpoint.
      await machine.run(command('sh', '-c', 'echo after > /tmp/mark'));
      assert.equal((await machine.run(command('cat', '/tmp/mark'))).stdout, 'after\n');
      machine.discard();
      for (const round of [1, 2]) {
        const again = await QemuMachine.resume(checkpoint);
        resumed.push(again);
        t.diagnostic(`round ${round}: resumed in ${again.bootMs.toFixed(0)} ms; the boot took ${machine.bootMs.toFixed(0)} ms`);
        // The guest expects the command after the last one it ran before the checkpoint: a wrong count would fail here.
        assert.equal((await again.run(command('cat', '/tmp/mark'))).stdout, 'before\n', `round ${round}`);
        await again.run(command('sh', '-c', 'echo changed > /tmp/mark'));
        await again.close();
      }
    } finally {
      checkpoint.dispose();
    }
    assert.equal(existsSync(checkpoint.file), false, 'dispose() removes the saved state');
  } finally {
    machine.discard();
    for (const m of resumed) m.discard();
  }
});
