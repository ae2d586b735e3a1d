import { strerror } from './errno';

/** A file of sysfs or procfs: reading runs `read`, writing `write` (0, or a negative errno). */
export interface KernelFile {
  read?(): string;
  write?(value: string): number;
}

/**
 * The kernel's pseudo files by absolute path (/sys/..., /proc/...). The livepatch core fills
 * /sys/kernel/livepatch; the kernel model registers /proc. Directories are implied by paths.
 */
export class KernelFs {
  private readonly files = new Map<string, KernelFile>();

  register(path: string, file: KernelFile): void {
    this.files.set(normalize(path), file);
  }

  /** Removes `prefix` and everything below it. */
  unregister(prefix: string): void {
    const p = normalize(prefix);
    for (const path of [...this.files.keys()]) if (path === p || path.startsWith(`${p}/`)) this.files.delete(path);
  }

  get(path: string): KernelFile | undefined {
    return this.files.get(normalize(path));
  }

  /** Whether `path` is a directory: some registered file lies below it. */
  isDirectory(path: string): boolean {
    const p = normalize(path);
    return [...this.files.keys()].some((f) => f.startsWith(p === '/' ? '/' : `${p}/`));
  }

  /** The names directly below a directory, sorted as ls sorts them (C locale). */
  list(path: string): string[] {
    const p = normalize(path);
    const prefix = p === '/' ? '/' : `${p}/`;
    const names = new Set<string>();
    for (const f of this.files.keys()) if (f.startsWith(prefix)) names.add(f.slice(prefix.length).split('/')[0]);
    return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

function normalize(path: string): string {
  const parts = path.split('/').filter((p) => p && p !== '.');
  return `/${parts.join('/')}`;
}

/** An errno a pseudo file's read raises (its show function failed, or could not run). */
export class FileError extends Error {
  constructor(
    readonly errno: number,
    detail?: string,
  ) {
    super(detail ?? strerror(errno));
  }
}
