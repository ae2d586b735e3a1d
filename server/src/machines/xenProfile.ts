import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { xenLivepatchVerbs } from '../scenario/dialect';
import { GuestFiles } from './guestFiles';
import { hostFileEntry, ImageEntry } from './initramfs';
import { cachedFile, machineCacheDir } from './machineCache';
import { executableEntries, guestImageEntries } from './linuxProfile';
import { qemuXenArgs } from './qemu';
import { MachineProfile } from './qemuMachine';
import { XenPieces } from './xenPieces';

/** The guest's words of a Xen scenario command: a bare xen-livepatch verb (`load X`, as `emu` takes it) gets the tool's name. */
export function xenArgv(argv: string[]): string[] {
  return xenLivepatchVerbs.includes(argv[0]) ? ['xen-livepatch', ...argv] : argv;
}

/** QEMU boots an ELF hypervisor, not Debian's gzipped one: unpacked once into the cache, by content. */
function unpackedXen(xen: string, cacheDir: string): string {
  const bytes = readFileSync(xen);
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return xen;
  return cachedFile(cacheDir, `xen-${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}.elf`, () => gunzipSync(bytes)).path;
}

/**
 * dom0's setup before the first command: xen-privcmd and xenfs (modules in Debian's kernel), and
 * xenfs mounted, which gives xen-livepatch its /dev/xen/privcmd.
 */
function setupScript(modules: string[]): string {
  return [...modules.map((m) => `insmod /lib/modules/xen/${path.basename(m)}`), 'mkdir -p /proc/xen', 'mount -t xenfs xenfs /proc/xen', ''].join('\n');
}

export interface XenProfileOptions {
  memoryMiB?: number;
  /** Where the unpacked hypervisor is kept. */
  xenCacheDir?: string;
}

/**
 * Xen with a Linux dom0 whose shell runs the commands: xen-livepatch (with its libraries) in the
 * image, a command's log the hypervisor's `(XEN)` lines that came on the console while it ran.
 */
export function xenProfile(pieces: XenPieces, files: GuestFiles, options: XenProfileOptions = {}): MachineProfile {
  const extra = (): ImageEntry[] => [
    ...executableEntries(pieces.xenLivepatch, '/usr/sbin/xen-livepatch'),
    ...pieces.dom0Modules.map((m) => hostFileEntry(m, `/lib/modules/xen/${path.basename(m)}`)),
    { kind: 'file', path: '/setup.sh', data: Buffer.from(setupScript(pieces.dom0Modules), 'utf8') },
  ];
  return {
    qemu: pieces.qemu,
    booted: pieces.xen,
    entries: () => guestImageEntries(pieces, files, undefined, extra()),
    qemuArgs: (boot) =>
      qemuXenArgs({
        ...boot,
        xen: unpackedXen(pieces.xen, options.xenCacheDir ?? machineCacheDir('xen')),
        dom0Kernel: pieces.dom0Kernel,
        memoryMiB: options.memoryMiB ?? 1024,
      }),
    guestArgv: (argv) => files.rewrite(xenArgv(argv)),
    log: (frame) => frame.console.filter((line) => line.startsWith('(XEN)')),
    // After a panic (or dom0's death) Xen waits five seconds, then resets the machine, which ends QEMU.
    downLine: /^\(XEN\) (Reboot in five seconds|Hardware Dom0 crashed)/,
  };
}
