import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GuestFiles } from '../../../../server/out/machines/guestFiles';
import { HostProbe, MissingPiecesError } from '../../../../server/out/machines/hostPieces';
import { qemuXenArgs } from '../../../../server/out/machines/qemu';
import { findXenPieces } from '../../../../server/out/machines/xenPieces';
import { xenArgv, xenProfile } from '../../../../server/out/machines/xenProfile';

function host(files: string[], onPath: Record<string, string> = {}): HostProbe {
  return {
    which: (name) => onPath[name],
    list: (dir) => [...new Set(files.filter((f) => f.startsWith(`${dir}/`)).map((f) => f.slice(dir.length + 1).split('/')[0]))],
    readable: (file) => files.includes(file),
  };
}

const debian = [
  '/boot/vmlinuz-6.1.0-56-amd64',
  '/usr/lib/debug/boot/vmlinux-6.1.0-56-amd64',
  '/boot/xen-4.16-amd64.gz',
  '/boot/xen-4.17-amd64.gz',
  '/boot/xen-4.17-amd64.efi',
  '/boot/xen-4.17-amd64.config',
  '/usr/lib/xen-4.17/bin/xen-livepatch',
  '/usr/lib/xen-common/bin/xen-utils-wrapper',
  '/lib/modules/6.1.0-56-amd64/kernel/drivers/xen/xen-privcmd.ko',
  '/lib/modules/6.1.0-56-amd64/kernel/drivers/xen/xenfs/xenfs.ko',
];
const tools = { 'qemu-system-x86_64': '/usr/bin/qemu-system-x86_64', busybox: '/usr/bin/busybox' };

test("Debian's Xen pieces: the newest gzipped hypervisor, the versioned xen-livepatch, dom0's bzImage (not the -dbg vmlinux) and its two modules in load order", () => {
  const pieces = findXenPieces({}, host(debian, tools));
  assert.equal(pieces.xen, '/boot/xen-4.17-amd64.gz');
  assert.equal(pieces.xenLivepatch, '/usr/lib/xen-4.17/bin/xen-livepatch');
  assert.equal(pieces.dom0Kernel, '/boot/vmlinuz-6.1.0-56-amd64');
  assert.deepEqual(pieces.dom0Modules, ['/lib/modules/6.1.0-56-amd64/kernel/drivers/xen/xen-privcmd.ko', '/lib/modules/6.1.0-56-amd64/kernel/drivers/xen/xenfs/xenfs.ko']);
});

test('a host without Xen: Linux and Xen pieces named together, each package once', () => {
  try {
    findXenPieces({}, host([]));
    assert.fail('expected a MissingPiecesError');
  } catch (error) {
    assert.ok(error instanceof MissingPiecesError);
    assert.deepEqual(
      error.missing.map((m) => m.piece),
      ['qemu-system-x86_64', 'busybox', 'kernel', 'hypervisor', 'xen-livepatch'],
    );
    assert.equal(error.message.split('\n').at(-1), 'Install with: apt-get install qemu-system-x86 busybox-static linux-image-amd64 xen-system-amd64');
  }
});

test("QEMU boots Xen with dom0's kernel, its line and the image as multiboot modules; qemu64 under TCG; commas in paths doubled", () => {
  const args = qemuXenArgs({ xen: '/c/xen', dom0Kernel: '/k,1/vmlinuz', initrd: '/i,2.cpio.gz', nonce: 'n0', accel: 'tcg', memoryMiB: 1024 });
  const after = (flag: string) => args[args.indexOf(flag) + 1];
  assert.deepEqual([after('-kernel'), after('-cpu'), after('-m')], ['/c/xen', 'qemu64', '1024']);
  assert.match(after('-append'), /(^| )console=com1 .*dom0_mem=512M,max:512M/);
  const [dom0, image, ...rest] = after('-initrd').split(/(?<!,),(?!,)/);
  assert.deepEqual(rest, []);
  assert.match(dom0, /^\/k,,1\/vmlinuz console=hvc0 .*llnonce=n0 /);
  assert.equal(image, '/i,,2.cpio.gz');
});

test("a Xen command's words: the bare verbs of emu are xen-livepatch's, the payload file rewritten to its copy; its log is the (XEN) lines alone", () => {
  assert.deepEqual(xenArgv(['load', 'a.livepatch']), ['xen-livepatch', 'load', 'a.livepatch']);
  assert.deepEqual(xenArgv(['xen-livepatch', 'list']), ['xen-livepatch', 'list']);
  assert.deepEqual(xenArgv(['cat', '/sys/hypervisor/version/extra']), ['cat', '/sys/hypervisor/version/extra']);
  const files = new GuestFiles('/');
  files.add('/p/hello.livepatch');
  files.add('/q/hello.livepatch');
  const profile = xenProfile({ ...findXenPieces({}, host(debian, tools)) }, files);
  assert.deepEqual(profile.guestArgv(['upload', 'hello', '/q/hello.livepatch']), ['xen-livepatch', 'upload', 'hello', '/modules/2/hello.livepatch']);
  assert.deepEqual(profile.guestArgv(['load', '/p/hello.livepatch']), ['xen-livepatch', 'load', '/modules/hello.livepatch']);
  assert.deepEqual(profile.guestArgv(['upload', 'hello']), ['xen-livepatch', 'upload', 'hello'], 'no file operand: nothing to rewrite');
  const frame = {
    index: 0,
    exitCode: 0,
    stdout: '',
    stderr: '',
    log: ['[    1.0] dom0 line'],
    console: ['(XEN) livepatch: hello: Applying 1 functions', 'stray dom0 console line'],
  };
  assert.deepEqual(profile.log(frame), ['(XEN) livepatch: hello: Applying 1 functions']);
});
