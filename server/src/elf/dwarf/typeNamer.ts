import { DwarfError } from '../errors';
import { AbbrevTable } from './abbrev';
import { DW_AT, DW_FORM, DW_TAG } from './constants';
import { DieCursor } from './dieCursor';
import type { Unit } from './unit';

interface TypeDie {
  tag: number;
  name: string | undefined;
  type: number;
  byteSize: number;
  /** Elements of a subrange (count, or upper_bound + 1); -1 when unknown (flexible arrays). */
  count: number;
  /** Offsets of the children (subranges of an array, parameters of a subroutine type). */
  children: number[];
}

const qualifiers: Record<number, string> = {
  [DW_TAG.const_type]: 'const',
  [DW_TAG.volatile_type]: 'volatile',
  [DW_TAG.restrict_type]: 'restrict',
  [DW_TAG.atomic_type]: '_Atomic',
};

/** What the namer asks of the reader that owns it: the units and their abbreviations, by offset. */
export interface UnitDirectory {
  readonly elf: { readonly path: string };
  unitAt(offset: number): Unit;
  prepare(unit: Unit): void;
  abbrevsOf(unit: Unit): AbbrevTable;
}

/** C spellings and sizes of DWARF types, read by random access and memoized by DIE offset. */
export class TypeNamer {
  private readonly dies = new Map<number, TypeDie>();
  private readonly names = new Map<number, string>();
  private readonly sizes = new Map<number, number>();

  constructor(
    private readonly reader: UnitDirectory,
    private readonly cursor: DieCursor,
  ) {}

  /** The type's C spelling, such as `struct list_head *`, `const char *` or `unsigned char[4]`. */
  name(offset: number): string {
    let name = this.names.get(offset);
    if (name === undefined) {
      name = this.declarator(offset, '', 0).trim();
      this.names.set(offset, name);
    }
    return name;
  }

  /** The type's size in bytes (0 when it has none, e.g. void or a flexible array). */
  size(offset: number, hops = 0): number {
    if (offset < 0) return 0;
    const cached = this.sizes.get(offset);
    if (cached !== undefined) return cached;
    const die = this.die(offset);
    let size = die.byteSize;
    if (size < 0) {
      if (hops > 64) throw new DwarfError(this.reader.elf.path, 'type chain', BigInt(offset), 'type references loop');
      if (die.tag === DW_TAG.array_type) {
        const counts = die.children
          .map((c) => this.die(c))
          .filter((d) => d.tag === DW_TAG.subrange_type)
          .map((d) => d.count);
        size = counts.some((n) => n < 0) ? 0 : counts.reduce((a, n) => a * n, this.size(die.type, hops + 1));
      } else if (die.tag === DW_TAG.pointer_type) size = this.cursorUnitAddressSize(offset);
      else size = die.type >= 0 ? this.size(die.type, hops + 1) : 0;
    }
    this.sizes.set(offset, size);
    return size;
  }

  private cursorUnitAddressSize(offset: number): number {
    return this.reader.unitAt(offset).addressSize;
  }

  /** Builds a C declarator inside-out: `inner` is what the type applies to (`*`, `[4]`, ...). */
  private declarator(offset: number, inner: string, depth: number): string {
    if (depth > 64) throw new DwarfError(this.reader.elf.path, 'type chain', BigInt(offset), 'type references loop');
    if (offset < 0) return `void${inner ? ` ${inner}` : ''}`;
    const die = this.die(offset);
    const named = (prefix: string): string => `${prefix}${die.name ?? '{...}'}${inner ? ` ${inner}` : ''}`;
    // prettier-ignore
    switch (die.tag) {
      case DW_TAG.base_type: case DW_TAG.typedef: case DW_TAG.unspecified_parameters: return named('');
      case DW_TAG.structure_type: return named('struct ');
      case DW_TAG.union_type: return named('union ');
      case DW_TAG.enumeration_type: return named('enum ');
      // gdb's spelling: `char *`, `char * const`, `int (*)(int)`.
      case DW_TAG.pointer_type: return this.declarator(die.type, `*${/^[a-z_]/.test(inner) ? ` ${inner}` : inner}`, depth + 1);
      case DW_TAG.array_type: {
        const dims = die.children.map((c) => this.die(c)).filter((d) => d.tag === DW_TAG.subrange_type).map((d) => `[${d.count >= 0 ? d.count : ''}]`).join('');
        return this.declarator(die.type, inner.startsWith('*') ? `(${inner})${dims}` : `${inner}${dims}`, depth + 1);
      }
      case DW_TAG.subroutine_type: {
        const params = die.children.map((c) => this.die(c)).map((p, i) =>
          p.tag === DW_TAG.unspecified_parameters ? '...' : this.declarator(p.type, '', depth + 1).trim() || `arg${i}`);
        return this.declarator(die.type, `(${inner})(${params.join(', ') || 'void'})`, depth + 1);
      }
      default: {
        const qualifier = qualifiers[die.tag];
        if (qualifier === undefined) return named('');
        // A qualified pointer is `char *const`; anything else takes the qualifier in front.
        const target = die.type >= 0 ? this.die(die.type) : undefined;
        if (target?.tag === DW_TAG.pointer_type) return this.declarator(die.type, `${qualifier}${inner ? ` ${inner}` : ''}`, depth + 1);
        return `${qualifier} ${this.declarator(die.type, inner, depth + 1)}`;
      }
    }
  }

  private die(offset: number): TypeDie {
    let die = this.dies.get(offset);
    if (!die) {
      die = this.read(offset);
      this.dies.set(offset, die);
    }
    return die;
  }

  private read(offset: number): TypeDie {
    const c = this.cursor;
    const unit = this.reader.unitAt(offset);
    this.reader.prepare(unit);
    const abbrevs = this.reader.abbrevsOf(unit);
    c.unit = unit;
    c.pos = offset;
    const code = c.uleb();
    const tag = abbrevs.tag[code];
    if (tag === undefined) throw new DwarfError(this.reader.elf.path, 'type DIE', BigInt(offset), `abbreviation code ${code} is not in its unit's table`);
    const die: TypeDie = { tag, name: undefined, type: -1, byteSize: -1, count: -1, children: [] };
    for (let i = abbrevs.first[code]; i < abbrevs.first[code] + abbrevs.count[code]; i++) {
      const form = abbrevs.forms[i];
      // prettier-ignore
      switch (abbrevs.attrs[i]) {
        case DW_AT.name: die.name = c.string(form); break;
        case DW_AT.type: die.type = c.reference(form); break;
        case DW_AT.byte_size: die.byteSize = c.unsigned(form, abbrevs.implicitConsts[i]); break;
        case DW_AT.count: die.count = c.unsigned(form, abbrevs.implicitConsts[i]); break;
        case DW_AT.upper_bound: {
          // An exprloc or reference bound (VLA) is not a constant: the count stays unknown.
          const constant = form !== DW_FORM.exprloc && form !== DW_FORM.ref4 && form !== DW_FORM.ref_udata;
          const bound = constant ? c.unsigned(form, abbrevs.implicitConsts[i]) : (c.skip(form), -1);
          die.count = bound >= 0 ? bound + 1 : -1;
          break;
        }
        default: c.skip(form);
      }
    }
    if (abbrevs.hasChildren[code] && (die.tag === DW_TAG.array_type || die.tag === DW_TAG.subroutine_type)) die.children = this.childrenAt(c.pos, unit.end, abbrevs);
    return die;
  }

  /** Offsets of the direct children starting at `pos`, skipping grandchildren. */
  private childrenAt(pos: number, end: number, abbrevs: AbbrevTable): number[] {
    const c = this.cursor;
    c.pos = pos;
    const children: number[] = [];
    let depth = 0;
    while (c.pos < end) {
      const at = c.pos;
      const code = c.uleb();
      if (code === 0) {
        if (depth-- === 0) break;
        continue;
      }
      if (abbrevs.tag[code] === undefined) throw new DwarfError(this.reader.elf.path, 'type DIE', BigInt(at), `abbreviation code ${code} is not in its unit's table`);
      if (depth === 0) children.push(at);
      for (let i = abbrevs.first[code]; i < abbrevs.first[code] + abbrevs.count[code]; i++) c.skip(abbrevs.forms[i]);
      if (abbrevs.hasChildren[code]) depth++;
    }
    return children;
  }
}
