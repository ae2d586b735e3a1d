import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { guestInit } from './guestInit';
import { GuestFiles } from './guestFiles';
import { LinuxPieces, sharedLibraries } from './hostPieces';
import { hostFileEntry, ImageEntry } from './initramfs';
import { MachineError } from './machineError';
import { qemuLinuxArgs } from './qemu';
import { MachineProfile } from './qemuMachine';

/** Bytes of a --modules-dir the image takes; a whole distribution's modules would make every boot slow. */
const modulesDirBytes = 128 * 1024 * 1024;

function modulesDirEntries(dir: string): ImageEntry[] {
  const entries: ImageEntry[] = [];
  let total = 0;
  const guestRoot = `/lib/modules/${path.basename(path.resolve(dir))}`;
  const walk = (host: string, guest: string) => {
    for (const name of readdirSync(host).sort()) {
      const file = path.join(host, name);
      const stat = statSync(file);
      if (stat.isDirectory()) walk(file, `${guest}/${name}`);
      else if (stat.isFile()) {
        total += stat.size;
        if (total > modulesDirBytes)
          throw new MachineError(`--modules-dir ${dir} holds more than ${modulesDirBytes / 1024 / 1024} MiB; pass the modules the scenario loads with --module FILE instead`);
        entries.push(hostFileEntry(file, `${guest}/${name}`));
      }
    }
  };
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new MachineError(`--modules-dir ${dir} is not a folder`);
  walk(dir, guestRoot);
  return entries;
}

/** A host executable at the guest path, with the libraries it loads at their own paths. */
export function executableEntries(executable: string, guestPath: string): ImageEntry[] {
  return [hostFileEntry(executable, guestPath), ...sharedLibraries(executable).map((lib) => hostFileEntry(lib, lib))];
}

/**
 * What every guest's initramfs holds: busybox (all the userland), /init, the console node the
 * kernel opens for init, kmod with its libraries when the host has it, the scenario's files
 * under /modules, and the user's modules folder under /lib/modules; then the runtime's own.
 */
export function guestImageEntries(pieces: Pick<LinuxPieces, 'busybox' | 'kmod'>, files: GuestFiles, modulesDir: string | undefined, extra: ImageEntry[] = []): ImageEntry[] {
  const entries: ImageEntry[] = [
    { kind: 'file', path: '/init', data: Buffer.from(guestInit, 'utf8'), mode: 0o755 },
    { kind: 'chardev', path: '/dev/console', major: 5, minor: 1 },
    ...executableEntries(pieces.busybox, '/bin/busybox'),
    ...(pieces.kmod ? executableEntries(pieces.kmod, '/bin/kmod') : []),
    ...files.entries().map(({ host, guest }) => hostFileEntry(host, guest)),
    ...(modulesDir ? modulesDirEntries(modulesDir) : []),
    ...extra,
  ];
  // busybox and kmod load the same libc: one copy.
  return [...new Map(entries.map((entry) => [entry.path, entry])).values()];
}

export interface LinuxProfileOptions {
  modulesDir?: string;
  memoryMiB?: number;
}

/** A Linux kernel booted directly; a command's log is the kernel log lines it caused. */
export function linuxProfile(pieces: LinuxPieces, files: GuestFiles, options: LinuxProfileOptions = {}): MachineProfile {
  return {
    qemu: pieces.qemu,
    booted: pieces.kernel,
    entries: () => guestImageEntries(pieces, files, options.modulesDir),
    qemuArgs: (boot) => qemuLinuxArgs({ ...boot, kernel: pieces.kernel, memoryMiB: options.memoryMiB ?? 512 }),
    guestArgv: (argv) => files.rewrite(argv),
    log: (frame) => frame.log,
  };
}
