import { readFileSync } from 'node:fs';
import { DwarfReader, ElfFile, StructLayout } from '../../elf';
import { decodeIndex } from '../../target/cacheFormat';
import { cacheFile, defaultCacheDir } from '../../target/targetCache';
import { TargetIndex } from '../../target/targetIndex';
import { EmulatorError } from '../faults';

/**
 * Member offsets of the target's own structs (task_struct, rq, worker_pool, seq_file...), read
 * from its DWARF: the kernel model reads and writes guest data as the target's code does, so a
 * target with another layout works unchanged.
 */
export class TargetLayout {
  private constructor(
    private readonly structs: (name: string) => StructLayout | undefined,
    private readonly file: string,
  ) {}

  /**
   * From the target's index in the cache (the editor and `check` write it) when there is one for
   * its build-id: the same DWARF layouts without scanning vmlinux's 600 MB of DWARF again.
   */
  static read(elf: ElfFile, file: string, cacheDir: string | null = defaultCacheDir()): TargetLayout {
    const cached = cacheDir === null ? undefined : cachedIndex(elf, cacheDir);
    if (cached) return new TargetLayout((name) => cached.struct(name), file);
    if (!elf.section('.debug_info'))
      throw new EmulatorError(`${file}: no DWARF (.debug_info): the Linux runtime reads the target's task_struct and run-queue layouts from it; build the target with -g`);
    const structs = new DwarfReader(elf).scanColumns().structs;
    return new TargetLayout((name) => structs.get(name), file);
  }

  /** The struct's layout, or undefined when the DWARF has no such struct. */
  find(struct: string): StructLayout | undefined {
    return this.structs(struct);
  }

  /** Whether the DWARF has `struct` (with a direct member named `member`, when given). */
  has(struct: string, member?: string): boolean {
    const layout = this.structs(struct);
    return layout !== undefined && (member === undefined || layout.members.some((m) => m.name === member));
  }

  size(struct: string): number {
    return this.struct(struct).size;
  }

  /** Byte offset of a member path (`thread.sp`) inside `struct`. */
  offset(struct: string, path: string): bigint {
    let layout = this.struct(struct);
    let offset = 0;
    const names = path.split('.');
    names.forEach((name, i) => {
      const member = layout.members.find((m) => m.name === name);
      if (!member) throw new EmulatorError(`${this.file}: struct ${layout.name} has no member '${name}' (the Linux runtime needs ${struct}.${path})`);
      offset += member.offset;
      if (i < names.length - 1) layout = this.struct(member.type.replace(/^(struct|union) /, ''));
    });
    return BigInt(offset);
  }

  private struct(name: string): StructLayout {
    const layout = this.structs(name);
    if (!layout) throw new EmulatorError(`${this.file}: no struct ${name} in the DWARF (the Linux runtime needs it)`);
    return layout;
  }
}

/** The cached index of the image's build-id, if one is there and decodes; an image without a build-id has none. */
function cachedIndex(elf: ElfFile, cacheDir: string): TargetIndex | undefined {
  const buildId = elf.buildId();
  if (!buildId) return undefined;
  try {
    const tables = decodeIndex(readFileSync(cacheFile(cacheDir, buildId)), buildId);
    return tables && new TargetIndex({ ...tables, path: elf.path });
  } catch {
    // A missing or corrupt cache file only means the DWARF is read instead.
    return undefined;
  }
}
