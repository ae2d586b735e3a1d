import assert from 'node:assert/strict';
import { test } from 'node:test';
import { debianKernel, findLinuxPieces, HostProbe, MissingPiecesError, parseLdd } from '../../../../server/out/machines/hostPieces';

function host(files: string[], onPath: Record<string, string> = {}, unreadable: string[] = []): HostProbe {
  return {
    which: (name) => onPath[name],
    list: (dir) => files.filter((f) => f.startsWith(`${dir}/`)).map((f) => f.slice(dir.length + 1)),
    readable: (file) => files.includes(file) && !unreadable.includes(file),
  };
}

function missing(run: () => unknown): MissingPiecesError {
  try {
    run();
  } catch (error) {
    if (error instanceof MissingPiecesError) return error;
    throw error;
  }
  assert.fail('expected a MissingPiecesError');
}

test('on a bare host every missing piece is named, with one apt-get line for all of them', () => {
  const error = missing(() => findLinuxPieces({}, host([])));
  assert.deepEqual(
    error.missing.map((m) => m.debianPackage),
    ['qemu-system-x86', 'busybox-static', 'linux-image-amd64'],
  );
  assert.match(error.message, /qemu-system-x86_64: not on PATH/);
  assert.match(error.message, /no \/boot\/vmlinuz-\*/);
  assert.equal(error.message.split('\n').at(-1), 'Install with: apt-get install qemu-system-x86 busybox-static linux-image-amd64');
});

test("a --kernel that does not exist is named without a package: apt-get cannot make the user's file", () => {
  const error = missing(() => findLinuxPieces({ kernel: '/tmp/bzImage' }, host([], { 'qemu-system-x86_64': '/q', busybox: '/b' })));
  assert.equal(error.missing.length, 1);
  assert.match(error.message, /\/tmp\/bzImage \(--kernel\) does not exist/);
  assert.doesNotMatch(error.message, /apt-get/);
});

test("Debian's unreadable vmlinuz says why and what to do", () => {
  const error = missing(() => findLinuxPieces({}, host(['/boot/vmlinuz-6.1.0-56-amd64'], { 'qemu-system-x86_64': '/q', busybox: '/b' }, ['/boot/vmlinuz-6.1.0-56-amd64'])));
  assert.match(error.message, /readable by root only/);
});

test('the newest Debian kernel is found by release order, and its -dbg vmlinux preferred for the faster PVH boot', () => {
  const boot = ['/boot/vmlinuz-6.1.0-9-amd64', '/boot/vmlinuz-6.1.0-56-amd64', '/boot/config-6.1.0-60-amd64'];
  assert.deepEqual(debianKernel(host(boot)), { kernel: '/boot/vmlinuz-6.1.0-56-amd64', release: '6.1.0-56-amd64' });
  assert.deepEqual(debianKernel(host([...boot, '/usr/lib/debug/boot/vmlinux-6.1.0-56-amd64'])), {
    kernel: '/usr/lib/debug/boot/vmlinux-6.1.0-56-amd64',
    release: '6.1.0-56-amd64',
  });
  assert.equal(debianKernel(host([...boot, '/usr/lib/debug/boot/vmlinux-6.1.0-9-amd64']))?.kernel, '/boot/vmlinuz-6.1.0-56-amd64', "another release's vmlinux is not this kernel");
  const found = findLinuxPieces({}, host(boot, { 'qemu-system-x86_64': '/q', busybox: '/b', kmod: '/k' }));
  assert.deepEqual(found, { qemu: '/q', busybox: '/b', kernel: '/boot/vmlinuz-6.1.0-56-amd64', kernelOrigin: 'debian', kmod: '/k' });
});

test('the libraries are read from ldd: resolved ones and the loader, not the vDSO or a static binary', () => {
  const ldd = [
    '\tlinux-vdso.so.1 (0x00007f20439c5000)',
    '\tlibzstd.so.1 => /lib/x86_64-linux-gnu/libzstd.so.1 (0x00007f20438cb000)',
    '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f204321e000)',
    '\t/lib64/ld-linux-x86-64.so.2 (0x00007f20439c7000)',
  ].join('\n');
  assert.deepEqual(parseLdd(ldd), ['/lib/x86_64-linux-gnu/libzstd.so.1', '/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2']);
  assert.deepEqual(parseLdd('\tnot a dynamic executable\n'), []);
});
