import type { MemberFacts } from './functionFacts';
import type { TypeDefinition } from '../../c/sourceFacts/definitions';

/**
 * The x86-64 (LP64) layout of a struct or union from its source, for the padding holes a data
 * change could use when there is no target DWARF. Only what can be known for certain is laid
 * out: any member of unknown size (a type defined elsewhere, a bitfield, an array sized by an
 * expression) makes the whole layout unknown rather than wrong.
 */

interface Shape {
  size: number;
  align: number;
}

// prettier-ignore
const scalars: Record<string, number> = {
  char: 1, 'signed char': 1, 'unsigned char': 1, bool: 1, _Bool: 1, u8: 1, s8: 1, __u8: 1, __s8: 1, int8_t: 1, uint8_t: 1,
  short: 2, 'short int': 2, 'unsigned short': 2, 'unsigned short int': 2, u16: 2, s16: 2, __u16: 2, __s16: 2, __le16: 2, __be16: 2, int16_t: 2, uint16_t: 2,
  int: 4, signed: 4, unsigned: 4, 'signed int': 4, 'unsigned int': 4, u32: 4, s32: 4, __u32: 4, __s32: 4, __le32: 4, __be32: 4,
  int32_t: 4, uint32_t: 4, pid_t: 4, uid_t: 4, gid_t: 4, atomic_t: 4, refcount_t: 4, float: 4,
  long: 8, 'long int': 8, 'unsigned long': 8, 'unsigned long int': 8, 'long long': 8, 'unsigned long long': 8, 'long long int': 8,
  u64: 8, s64: 8, __u64: 8, __s64: 8, __le64: 8, __be64: 8, int64_t: 8, uint64_t: 8, size_t: 8, ssize_t: 8, loff_t: 8,
  uintptr_t: 8, phys_addr_t: 8, dma_addr_t: 8, atomic64_t: 8, atomic_long_t: 8, ktime_t: 8, time64_t: 8, double: 8,
};

export function structLayout(
  definition: TypeDefinition,
  structs: ReadonlyMap<string, TypeDefinition>,
  macros: ReadonlyMap<string, string>,
): { size: number; members: MemberFacts[] } | undefined {
  const layout = new Layouter(structs, macros);
  const laid = layout.members(definition, new Set());
  return laid && { size: laid.shape.size, members: laid.members };
}

class Layouter {
  constructor(
    private readonly structs: ReadonlyMap<string, TypeDefinition>,
    private readonly macros: ReadonlyMap<string, string>,
  ) {}

  members(definition: TypeDefinition, open: Set<string>): { shape: Shape; members: MemberFacts[] } | undefined {
    if (open.has(definition.name)) return undefined;
    open.add(definition.name);
    const members: MemberFacts[] = [];
    let offset = 0;
    let align = 1;
    let size = 0;
    for (const member of definition.members) {
      const shape = this.shape(member.type, open);
      if (!shape) return undefined;
      const at = definition.kind === 'union' ? 0 : roundUp(offset, shape.align);
      members.push({ name: member.name, offset: at, size: shape.size, type: member.type });
      offset = at + shape.size;
      size = Math.max(size, offset);
      align = Math.max(align, shape.align);
    }
    open.delete(definition.name);
    return { shape: { size: roundUp(size, align), align }, members };
  }

  private shape(type: string, open: Set<string>): Shape | undefined {
    if (type.includes(':')) return undefined;
    const array = /^(.*?)\[([^\]]*)\]$/.exec(type);
    if (array) {
      const element = this.shape(array[1], open);
      const count = this.constant(array[2]);
      return element && count !== undefined ? { size: element.size * count, align: element.align } : undefined;
    }
    if (type.includes('*')) return { size: 8, align: 8 };
    const bare = type
      .replace(/\b(const|volatile)\b/g, '')
      .replace(/\s+/g, ' ')
      .trim();
    const scalar = scalars[bare];
    if (scalar) return { size: scalar, align: scalar };
    if (/^enum\b/.test(type)) return { size: 4, align: 4 };
    const named = /^(?:struct|union) (\w+)$/.exec(bare);
    const definition = named && this.structs.get(named[1]);
    return definition ? this.members(definition, open)?.shape : undefined;
  }

  /** An array bound: a number, or a macro that is one, possibly through other macros. */
  private constant(text: string, depth = 0): number | undefined {
    const trimmed = text
      .trim()
      .replace(/^\((.*)\)$/, '$1')
      .replace(/[uUlL]+$/, '');
    if (/^(0x[0-9a-f]+|\d+)$/i.test(trimmed)) return Number(trimmed);
    const macro = this.macros.get(trimmed);
    return macro !== undefined && depth < 8 ? this.constant(macro, depth + 1) : undefined;
  }
}

function roundUp(value: number, align: number): number {
  return Math.ceil(value / align) * align;
}
