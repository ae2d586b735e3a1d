import { DwarfReader, ElfFile, StructLayout } from '../../elf';
import { EmulatorError } from '../faults';

/**
 * Member offsets of the target's own structs (task_struct, rq, worker_pool, seq_file...), read
 * from its DWARF: the kernel model reads and writes guest data as the target's code does, so a
 * target with another layout works unchanged.
 */
export class TargetLayout {
  private constructor(
    private readonly structs: Map<string, StructLayout>,
    private readonly file: string,
  ) {}

  static read(elf: ElfFile, file: string): TargetLayout {
    if (!elf.section('.debug_info'))
      throw new EmulatorError(`${file}: no DWARF (.debug_info): the Linux runtime reads the target's task_struct and run-queue layouts from it; build the target with -g`);
    return new TargetLayout(new DwarfReader(elf).scanColumns().structs, file);
  }

  /** Whether the DWARF has `struct` (with a direct member named `member`, when given). */
  has(struct: string, member?: string): boolean {
    const layout = this.structs.get(struct);
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
    const layout = this.structs.get(name);
    if (!layout) throw new EmulatorError(`${this.file}: no struct ${name} in the DWARF (the Linux runtime needs it)`);
    return layout;
  }
}
