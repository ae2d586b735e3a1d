// DWARF oracles: readelf --debug-dump for the inline tree, gdb for struct layouts and C types.
import * as path from 'node:path';
import { run } from '../elf/support/fixtures';
import { dieRef, dieString, readelfDies } from '../elf/support/readelf';

/** "callee|function|caller|line" for every inlined copy inside an out-of-line function, from readelf. */
export function readelfInlineTuples(file: string): string[] {
  const dies = readelfDies(file);
  const byOffset = new Map(dies.map((d) => [d.offset, d]));
  const nameOf = (offset: number | undefined, hops = 0): string => {
    const die = offset === undefined ? undefined : byOffset.get(offset);
    if (!die || hops > 10) return '?';
    const own = dieString(die.attrs.get('DW_AT_name'));
    return own ?? nameOf(dieRef(die.attrs.get('DW_AT_abstract_origin') ?? die.attrs.get('DW_AT_specification')), hops + 1);
  };
  const tuples: string[] = [];
  const fn: Array<string | undefined> = [];
  const caller: Array<string | undefined> = [];
  for (const die of dies) {
    const parentFn = die.depth > 0 ? fn[die.depth - 1] : undefined;
    const parentCaller = die.depth > 0 ? caller[die.depth - 1] : undefined;
    fn[die.depth] = parentFn;
    caller[die.depth] = parentCaller;
    const hasCode = die.attrs.has('DW_AT_low_pc') || die.attrs.has('DW_AT_ranges');
    if (die.tag === 'DW_TAG_subprogram' && hasCode && !die.attrs.has('DW_AT_declaration')) {
      fn[die.depth] = nameOf(die.offset);
      caller[die.depth] = fn[die.depth];
    } else if (die.tag === 'DW_TAG_inlined_subroutine' && parentFn !== undefined) {
      const callee = nameOf(die.offset);
      tuples.push(`${callee}|${parentFn}|${parentCaller}|${Number(die.attrs.get('DW_AT_call_line') ?? 0)}`);
      caller[die.depth] = callee;
    }
  }
  return tuples.sort();
}

/** call_file index -> base name, from the first line table `readelf --debug-dump=rawline` prints. */
export function readelfFileNames(file: string): Map<number, string> {
  const names = new Map<number, string>();
  const text = run('readelf', ['--debug-dump=rawline', '-W', file]);
  const table = text.slice(text.indexOf('The File Name Table'));
  for (const line of table.slice(0, table.indexOf('\n\n')).split('\n').slice(2)) {
    const m = /^\s*(\d+)\s+.*?(\S+)$/.exec(line);
    if (m) names.set(Number(m[1]), path.basename(m[2]));
  }
  return names;
}

export interface GdbMember {
  name: string;
  offset: number;
  bit: number | undefined;
  size: number;
}

/** Top-level members of `ptype /o struct NAME`, with offsets, bit positions and sizes. */
export function gdbLayout(file: string, kind: 'struct' | 'union', name: string): { size: number; members: GdbMember[] } {
  const text = run('gdb', ['-nx', '-batch', '-ex', `ptype /o ${kind} ${name}`, file]);
  const members: GdbMember[] = [];
  let depth = 0;
  let pending: Omit<GdbMember, 'name'> | undefined;
  let size = -1;
  for (const line of text.split('\n')) {
    const row = /^\/\*\s+(\d+)?(?::\s*(\d+))?\s*\|\s*(\d+) \*\/\s+(.*)$/.exec(line);
    const decl = row ? row[4] : line.trim();
    if (row && depth === 1) {
      const fields = { offset: Number(row[1] ?? 0), bit: row[2] === undefined ? undefined : Number(row[2]), size: Number(row[3]) };
      if (decl.endsWith('{')) pending = fields;
      else members.push({ name: declaratorName(decl), ...fields });
    }
    const total = /total size \(bytes\):\s+(\d+)/.exec(line);
    if (total && depth === 1) size = Number(total[1]);
    if (!row && /^}/.test(decl) && depth === 2 && pending) {
      members.push({ name: declaratorName(decl.slice(1)), ...pending });
      pending = undefined;
    }
    depth += (decl.match(/{/g) ?? []).length - (decl.match(/}/g) ?? []).length;
  }
  return { size, members };
}

function declaratorName(decl: string): string {
  const clean = decl
    .replace(/;$/, '')
    .replace(/\s*:\s*\d+$/, '')
    .trim();
  const fnPointer = /\(\*\s*(\w+)\)/.exec(clean);
  if (fnPointer) return fnPointer[1];
  return /(\w+)\s*(\[[^\]]*\])*$/.exec(clean)?.[1] ?? clean;
}

/** gdb's `whatis` of each member: the C type spelling. */
export function gdbMemberTypes(file: string, kind: 'struct' | 'union', name: string, members: string[]): string[] {
  const text = run('gdb', ['-nx', '-batch', ...members.flatMap((m) => ['-ex', `whatis ((${kind} ${name} *)0)->${m}`]), file]);
  return [...text.matchAll(/^type = (.*)$/gm)].map((m) => m[1].trim());
}

/** gdb prints C base types by its own names; DWARF (and we) keep gcc's. */
export function gdbSpelling(type: string): string {
  return type
    .replace(/\blong long unsigned int\b/g, 'unsigned long long')
    .replace(/\blong long int\b/g, 'long long')
    .replace(/\blong unsigned int\b/g, 'unsigned long')
    .replace(/\blong int\b/g, 'long')
    .replace(/\bshort unsigned int\b/g, 'unsigned short')
    .replace(/\bshort int\b/g, 'short');
}
