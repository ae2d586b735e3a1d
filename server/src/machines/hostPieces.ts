import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

/** What the host must have to boot a Linux machine, as found on it. */
export interface LinuxPieces {
  qemu: string;
  busybox: string;
  kernel: string;
  /** Where the kernel came from: Debian's package (found in /boot) or the user's --kernel. */
  kernelOrigin: 'debian' | 'user';
  /** kmod, for a real insmod; busybox's is used without it. */
  kmod?: string;
}

/** One missing piece: what it is, why it was not found, and the Debian package that installs it. */
export interface MissingPiece {
  piece: string;
  problem: string;
  /** Absent when no package can supply it (a --kernel file that does not exist). */
  debianPackage?: string;
}

export class MissingPiecesError extends Error {
  constructor(readonly missing: MissingPiece[]) {
    super(missingPiecesMessage(missing));
  }
}

/** The message `vm` prints: each missing piece, then the one command that installs those a package supplies. */
function missingPiecesMessage(missing: MissingPiece[]): string {
  const packages = [...new Set(missing.flatMap((m) => (m.debianPackage ? [m.debianPackage] : [])))];
  return [
    'cannot boot the machine; missing:',
    ...missing.map((m) => `  ${m.piece}: ${m.problem}${m.debianPackage ? ` (Debian package ${m.debianPackage})` : ''}`),
    ...(packages.length ? [`Install with: apt-get install ${packages.join(' ')}`] : []),
  ].join('\n');
}

/** How the host is looked at, so tests can give a made-up one. */
export interface HostProbe {
  /** The path of an executable on PATH. */
  which(name: string): string | undefined;
  /** A folder's entries, empty when it does not exist. */
  list(dir: string): string[];
  readable(file: string): boolean;
}

export const realHost: HostProbe = {
  which(name) {
    for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
      const file = path.join(dir, name);
      try {
        accessSync(file, constants.X_OK);
        return file;
      } catch {
        // not in this folder
      }
    }
    return undefined;
  },
  list: (dir) => (existsSync(dir) ? readdirSync(dir) : []),
  readable(file) {
    try {
      accessSync(file, constants.R_OK);
      return true;
    } catch {
      return false;
    }
  },
};

/** Compares kernel releases the way people read them: 6.1.0-56 after 6.1.0-9. */
export function compareReleases(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/**
 * Debian's kernel to boot: the newest /boot/vmlinuz-RELEASE, or, when its -dbg package is
 * installed, the same release's /usr/lib/debug/boot/vmlinux-RELEASE, which QEMU starts through
 * its PVH entry without decompressing the bzImage (about 4.5 s less under TCG).
 */
export function debianKernel(probe: HostProbe, pvh = true): { kernel: string; release: string } | undefined {
  const releases = probe
    .list('/boot')
    .filter((name) => name.startsWith('vmlinuz-'))
    .map((name) => name.slice('vmlinuz-'.length))
    .sort(compareReleases);
  const release = releases.at(-1);
  if (release === undefined) return undefined;
  const debug = `/usr/lib/debug/boot/vmlinux-${release}`;
  return { kernel: pvh && probe.list('/usr/lib/debug/boot').includes(`vmlinux-${release}`) && probe.readable(debug) ? debug : `/boot/vmlinuz-${release}`, release };
}

export interface PieceOptions {
  /** The user's own kernel image (bzImage or an ELF vmlinux with a PVH note). */
  kernel?: string;
  /** The QEMU binary; qemu-system-x86_64 on PATH otherwise. */
  qemu?: string;
}

/**
 * The pieces, or a MissingPiecesError naming every one that is missing at once. `pvh`: whether
 * Debian's -dbg vmlinux may stand for the bzImage (a Xen dom0 is given the bzImage: the
 * vmlinux is a 633 MB multiboot module).
 */
export function findLinuxPieces(options: PieceOptions = {}, probe: HostProbe = realHost, pvh = true): LinuxPieces {
  const missing: MissingPiece[] = [];
  const qemu = options.qemu ?? probe.which('qemu-system-x86_64');
  if (!qemu) missing.push({ piece: 'qemu-system-x86_64', problem: 'not on PATH', debianPackage: 'qemu-system-x86' });
  else if (options.qemu && !probe.readable(options.qemu)) missing.push({ piece: 'QEMU', problem: `${options.qemu} cannot be read` });
  const busybox = probe.which('busybox');
  if (!busybox) missing.push({ piece: 'busybox', problem: 'not on PATH (the guest runs its shell and tools)', debianPackage: 'busybox-static' });
  let kernel: string | undefined;
  if (options.kernel) {
    if (probe.readable(options.kernel)) kernel = options.kernel;
    else missing.push({ piece: 'kernel', problem: `${options.kernel} (--kernel) does not exist or cannot be read` });
  } else {
    const found = debianKernel(probe, pvh);
    if (!found) missing.push({ piece: 'kernel', problem: 'no /boot/vmlinuz-* (or pass --kernel FILE)', debianPackage: 'linux-image-amd64' });
    else if (!probe.readable(found.kernel))
      missing.push({ piece: 'kernel', problem: `${found.kernel} cannot be read (Debian makes it readable by root only; run as root or pass --kernel FILE)` });
    else kernel = found.kernel;
  }
  if (missing.length || !qemu || !busybox || !kernel) throw new MissingPiecesError(missing);
  return { qemu, busybox, kernel, kernelOrigin: options.kernel ? 'user' : 'debian', kmod: probe.which('kmod') };
}

/**
 * The shared libraries a host executable loads, from `ldd` (what the dynamic loader itself
 * resolves, so the guest gets the same files); none for a static one.
 */
export function sharedLibraries(executable: string): string[] {
  const run = spawnSync('ldd', [executable], { encoding: 'utf8' });
  if (run.status !== 0) return [];
  return parseLdd(run.stdout);
}

/** The absolute paths in `ldd` output: `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)` and the loader's own line. */
export function parseLdd(text: string): string[] {
  return [...text.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/g)].map((m) => m[1]);
}
