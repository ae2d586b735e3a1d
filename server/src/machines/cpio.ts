/**
 * A `newc` cpio archive, the format the kernel unpacks an initramfs from. Hand-written: the
 * format is a 110-byte ASCII header per entry, and the npm packages that write it are
 * unmaintained or stream-based wrappers larger than this; the kernel's own unpacker and
 * busybox's `cpio` are the oracles in the tests.
 */
export type CpioEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Uint8Array; mode?: number }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'chardev'; path: string; major: number; minor: number; mode?: number };

const typeBits = { dir: 0o040000, file: 0o100000, symlink: 0o120000, chardev: 0o020000 } as const;
const defaultMode = { dir: 0o755, file: 0o644, symlink: 0o777, chardev: 0o600 } as const;

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}

function padTo4(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}

function record(ino: number, path: string, mode: number, data: Uint8Array, rdev: { major: number; minor: number }): Buffer[] {
  const name = Buffer.from(`${path}\0`, 'utf8');
  const fields = [ino, mode, 0, 0, 1, 0, data.length, 0, 0, rdev.major, rdev.minor, name.length, 0];
  const header = Buffer.from(`070701${fields.map(hex8).join('')}`, 'ascii');
  return [header, name, padTo4(header.length + name.length), Buffer.from(data), padTo4(data.length)];
}

/** The archive of the entries, in order (parents before children), closed by the `TRAILER!!!` entry. */
export function cpioNewc(entries: CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  entries.forEach((entry, i) => {
    const path = entry.path.replace(/^\/+/, '');
    const mode = typeBits[entry.kind] | (entry.kind === 'symlink' ? defaultMode.symlink : (entry.mode ?? defaultMode[entry.kind]));
    const data = entry.kind === 'file' ? entry.data : entry.kind === 'symlink' ? Buffer.from(entry.target, 'utf8') : new Uint8Array();
    const rdev = entry.kind === 'chardev' ? entry : { major: 0, minor: 0 };
    parts.push(...record(i + 1, path, mode, data, rdev));
  });
  parts.push(...record(0, 'TRAILER!!!', 0, new Uint8Array(), { major: 0, minor: 0 }));
  return Buffer.concat(parts);
}
