import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kvmUsable, qemuLinuxArgs } from '../../../../server/out/machines/qemu';

const boot = { kernel: '/k', initrd: '/i.cpio.gz', nonce: 'abc', memoryMiB: 512 };

test("QEMU's arguments: the accelerator with its CPU model, the nonce on the kernel line, the serial port alone on stdio", () => {
  const tcg = qemuLinuxArgs({ ...boot, accel: 'tcg' });
  const kvm = qemuLinuxArgs({ ...boot, accel: 'kvm' });
  const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];
  assert.deepEqual([after(tcg, '-accel'), after(tcg, '-cpu'), after(kvm, '-accel'), after(kvm, '-cpu')], ['tcg', 'max', 'kvm', 'host']);
  assert.deepEqual(
    [after(tcg, '-kernel'), after(tcg, '-initrd'), after(tcg, '-serial'), after(tcg, '-monitor'), after(tcg, '-nic')],
    ['/k', '/i.cpio.gz', 'stdio', 'none', 'none'],
  );
  assert.match(after(tcg, '-append'), /(^| )console=ttyS0 .*llnonce=abc( |$)/);
  assert.ok(tcg.includes('-no-reboot') && after(tcg, '-append').includes('panic=-1'), 'a panic ends QEMU instead of hanging the session');
});

test('KVM is not usable when its device does not open', () => {
  assert.equal(kvmUsable('/nonexistent/kvm'), false);
});
