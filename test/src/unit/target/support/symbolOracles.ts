import { execFileSync } from 'node:child_process';

/** A function symbol as `nm -S -n` lists it, with its klp sympos (position among symbols of its name, address order). */
export interface NmFunction {
  name: string;
  address: bigint;
  size: bigint;
  sympos: number;
}

/** Function symbols (t, T, w, W) of an image by address, from `nm -S -n --defined-only`. */
export function nmFunctions(file: string): NmFunction[] {
  const seen = new Map<string, number>();
  return execFileSync('nm', ['-S', '-n', '--defined-only', file], { encoding: 'utf8', maxBuffer: 256 << 20 })
    .split('\n')
    .flatMap((line) => {
      const m = /^([0-9a-f]+) ([0-9a-f]+) [tTwW] (\S+)$/.exec(line);
      if (!m) return [];
      const sympos = (seen.get(m[3]) ?? 0) + 1;
      seen.set(m[3], sympos);
      return [{ name: m[3], address: BigInt(`0x${m[1]}`), size: BigInt(`0x${m[2]}`), sympos }];
    });
}

/** The nm symbol whose [address, address + size) holds `pc`. */
export function holderOf(functions: readonly NmFunction[], pc: bigint): NmFunction | undefined {
  return functions.find((f) => f.address <= pc && pc < f.address + f.size);
}

/** An inlined copy as `readelf --debug-dump=info` shows it: the callee's name, its entry address, its compile unit. */
export interface ReadelfInline {
  callee: string;
  pc: bigint;
  unit: string;
}

/** A concrete subprogram as readelf shows it: its name (through abstract_origin), entry address, compile unit. */
export interface ReadelfFunction {
  name: string;
  pc: bigint;
  unit: string;
}

/**
 * Inlined copies with an address, and concrete subprograms, read from readelf's text dump of
 * .debug_info: an oracle independent of the project's DWARF reader. Small images only.
 */
export function readelfDwarf(file: string): { inlines: ReadelfInline[]; functions: ReadelfFunction[] } {
  interface Die {
    tag: string;
    name?: string;
    origin?: number;
    pc?: bigint;
    unit: string;
  }
  const dies = new Map<number, Die>();
  const order: Die[] = [];
  let current: Die | undefined;
  let unit = '';
  for (const line of execFileSync('readelf', ['--debug-dump=info', file], { encoding: 'utf8', maxBuffer: 256 << 20 }).split('\n')) {
    const head = /^ <\d+><([0-9a-f]+)>: Abbrev Number: \d+ \((DW_TAG_\w+)\)/.exec(line);
    if (head) {
      current = { tag: head[2], unit };
      dies.set(parseInt(head[1], 16), current);
      order.push(current);
      continue;
    }
    const attr = /^ {4}<[0-9a-f]+> +(DW_AT_\w+) *: (.*)$/.exec(line);
    if (!attr || !current) continue;
    const [, name, value] = attr;
    if (name === 'DW_AT_name') {
      current.name = value.replace(/^\(indirect (line )?string, offset: (?:0x)?[0-9a-f]+\): /, '').trim();
      if (current.tag === 'DW_TAG_compile_unit') unit = current.unit = current.name;
    } else if (name === 'DW_AT_abstract_origin' || name === 'DW_AT_specification') current.origin = parseInt(/<0x([0-9a-f]+)>/.exec(value)![1], 16);
    else if ((name === 'DW_AT_low_pc' || (name === 'DW_AT_entry_pc' && current.pc === undefined)) && /^0x[0-9a-f]+$/.test(value.trim())) current.pc = BigInt(value.trim());
  }
  const nameOf = (die: Die): string => {
    let at: Die | undefined = die;
    for (let hops = 0; at && at.name === undefined && at.origin !== undefined && hops < 8; hops++) at = dies.get(at.origin);
    return at?.name ?? '';
  };
  return {
    inlines: order.filter((d) => d.tag === 'DW_TAG_inlined_subroutine' && d.pc !== undefined).map((d) => ({ callee: nameOf(d), pc: d.pc!, unit: d.unit })),
    functions: order.filter((d) => d.tag === 'DW_TAG_subprogram' && d.pc !== undefined).map((d) => ({ name: nameOf(d), pc: d.pc!, unit: d.unit })),
  };
}
