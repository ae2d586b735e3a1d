import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fromRoot } from '../../support/paths';

/* The oracles for the sample tests: binutils' own reading of the files, parsed minimally. */

export const samplesDir = fromRoot('samples');
export const samplePath = (...parts: string[]): string => path.join(samplesDir, ...parts);
export const targetPath = samplePath('build', 'target', 'sample-target');

export function run(command: string, args: string[], cwd?: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Incremental: a no-op when nothing changed, so every test file may call it. */
export function buildSamples(): void {
  run('make', ['-s', '-C', samplesDir]);
}

export interface Section {
  index: number;
  name: string;
  type: string;
  addr: bigint;
  size: number;
  flags: string;
}

export function sections(file: string): Map<string, Section> {
  const out = new Map<string, Section>();
  const row = /^\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([A-Za-z]*)\s+\d+\s+\d+\s+\d+\s*$/;
  for (const line of run('readelf', ['-SW', file]).split('\n')) {
    const m = row.exec(line);
    if (m) out.set(m[2], { index: Number(m[1]), name: m[2], type: m[3], addr: BigInt('0x' + m[4]), size: parseInt(m[5], 16), flags: m[6] });
  }
  return out;
}

export function elfHeaderField(file: string, field: string): string {
  const line = run('readelf', ['-hW', file])
    .split('\n')
    .find((l) => l.trim().startsWith(field + ':'));
  if (!line) throw new Error(`readelf -h ${file}: no ${field}`);
  return line.slice(line.indexOf(':') + 1).trim();
}

export interface Sym {
  addr: bigint;
  size: number | undefined;
  type: string;
}

/** nm -S: the defined symbols by name (the first one for duplicated local names). */
export function symbols(file: string): Map<string, Sym> {
  const out = new Map<string, Sym>();
  for (const line of run('nm', ['-S', '--defined-only', file]).split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length === 4 && !out.has(f[3])) out.set(f[3], { addr: BigInt('0x' + f[0]), size: parseInt(f[1], 16), type: f[2] });
    else if (f.length === 3 && !out.has(f[2])) out.set(f[2], { addr: BigInt('0x' + f[0]), size: undefined, type: f[1] });
  }
  return out;
}

export function undefinedSymbols(file: string): string[] {
  return run('nm', ['-u', file])
    .split('\n')
    .map((l) => l.trim().split(/\s+/).pop() ?? '')
    .filter(Boolean);
}

/** The section's file contents, as objcopy extracts them (relocations not applied). */
export function sectionBytes(file: string, name: string): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), 'lpl-section-'));
  try {
    const out = path.join(dir, 'bytes');
    run('objcopy', ['--dump-section', `${name}=${out}`, file, path.join(dir, 'discard')]);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Rela {
  offset: number;
  type: string;
  symbol: string;
  addend: bigint;
}

/** readelf -r: the RELA entries that apply to section `target`. */
export function relocationsFor(file: string, target: string): Rela[] {
  const out: Rela[] = [];
  let inside = false;
  const row = /^([0-9a-f]+)\s+[0-9a-f]+\s+(R_X86_64_\w+)\s+[0-9a-f]+\s+(\S+)\s+([+-])\s+([0-9a-f]+)\s*$/;
  for (const line of run('readelf', ['-rW', file]).split('\n')) {
    const header = /^Relocation section '([^']+)'/.exec(line);
    if (header) inside = header[1] === `.rela${target}`;
    const m = inside ? row.exec(line) : null;
    if (m) out.push({ offset: parseInt(m[1], 16), type: m[2], symbol: m[3], addend: (m[4] === '-' ? -1n : 1n) * BigInt('0x' + m[5]) });
  }
  return out;
}

export function cString(bytes: Buffer, offset: number): string {
  const end = bytes.indexOf(0, offset);
  return bytes.subarray(offset, end < 0 ? bytes.length : end).toString('latin1');
}

export interface Note {
  name: string;
  type: number;
  desc: Buffer;
}

/** Decodes one ELF note (namesz, descsz, type, name, desc; 4-byte aligned). */
export function parseNote(bytes: Buffer): Note {
  const namesz = bytes.readUInt32LE(0);
  const descsz = bytes.readUInt32LE(4);
  const descOffset = 12 + Math.ceil(namesz / 4) * 4;
  return {
    name: bytes
      .subarray(12, 12 + namesz)
      .toString('latin1')
      .replace(/\0+$/, ''),
    type: bytes.readUInt32LE(8),
    desc: bytes.subarray(descOffset, descOffset + descsz),
  };
}

/** readelf -n's build-id of the file, as hex. */
export function buildIdHex(file: string): string {
  const m = /Build ID: ([0-9a-f]+)/.exec(run('readelf', ['-n', file]));
  if (!m) throw new Error(`${file}: readelf -n shows no build-id`);
  return m[1];
}

/**
 * For every out-of-line function in DWARF, the names of the functions inlined into it
 * (transitively), from readelf's dump of the DIE tree.
 */
export function inlinedInto(file: string): Map<string, Set<string>> {
  interface Die {
    depth: number;
    tag: string;
    attrs: Map<string, string>;
  }
  const dies = new Map<number, Die>();
  const order: Die[] = [];
  let current: Die | undefined;
  for (const line of run('readelf', ['--debug-dump=info', file]).split('\n')) {
    const head = /^\s*<(\d+)><([0-9a-f]+)>: Abbrev Number: \d+ \((DW_TAG_\w+)\)/.exec(line);
    if (head) {
      current = { depth: Number(head[1]), tag: head[3], attrs: new Map() };
      dies.set(parseInt(head[2], 16), current);
      order.push(current);
      continue;
    }
    const attr = /^\s*<[0-9a-f]+>\s+(DW_AT_\w+)\s*:\s*(.*)$/.exec(line);
    if (attr && current) current.attrs.set(attr[1], attr[2]);
  }
  const nameOf = (die: Die): string | undefined => {
    const direct = die.attrs.get('DW_AT_name');
    if (direct !== undefined) return direct.split(':').pop()?.trim();
    const ref = die.attrs.get('DW_AT_abstract_origin') ?? die.attrs.get('DW_AT_specification');
    const target = ref && /<0x([0-9a-f]+)>/.exec(ref);
    const origin = target ? dies.get(parseInt(target[1], 16)) : undefined;
    return origin ? nameOf(origin) : undefined;
  };
  const result = new Map<string, Set<string>>();
  const stack: Die[] = [];
  for (const die of order) {
    while (stack.length && stack[stack.length - 1].depth >= die.depth) stack.pop();
    stack.push(die);
    if (die.tag !== 'DW_TAG_inlined_subroutine') continue;
    const outer = [...stack].reverse().find((d) => d.tag === 'DW_TAG_subprogram' && d.attrs.has('DW_AT_low_pc'));
    const caller = outer && nameOf(outer);
    const callee = nameOf(die);
    if (!caller || !callee) continue;
    if (!result.has(caller)) result.set(caller, new Set());
    result.get(caller)?.add(callee);
  }
  return result;
}
