// Parsers for binutils output: the oracles the ELF and DWARF readers are checked against.
import { run } from './fixtures';

export interface OracleSection {
  index: number;
  name: string;
  type: string;
  addr: bigint;
  offset: bigint;
  size: bigint;
  entsize: bigint;
  flags: string;
  link: number;
  info: number;
  align: bigint;
}

export function readelfSections(file: string): OracleSection[] {
  const rows: OracleSection[] = [];
  const re = /^\s*\[\s*(\d+)\] (.*?)\s+(\S+)\s+([0-9a-f]{16})\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([A-Za-z]*)\s+(\d+)\s+(\d+)\s+(\d+)$/;
  for (const line of run('readelf', ['-SW', file]).split('\n')) {
    const m = re.exec(line);
    if (!m) continue;
    rows.push({
      index: Number(m[1]),
      name: m[2].trim(),
      type: m[3],
      addr: BigInt(`0x${m[4]}`),
      offset: BigInt(`0x${m[5]}`),
      size: BigInt(`0x${m[6]}`),
      entsize: BigInt(`0x${m[7]}`),
      flags: m[8],
      link: Number(m[9]),
      info: Number(m[10]),
      align: BigInt(m[11]),
    });
  }
  return rows;
}

export interface OracleHeader {
  type: string;
  machine: string;
  entry: bigint;
  shoff: bigint;
  shnum: number;
  shstrndx: number;
  phnum: number;
}

export function readelfHeader(file: string): OracleHeader {
  const text = run('readelf', ['-hW', file]);
  const field = (name: string): string => {
    const m = new RegExp(`^\\s*${name}:\\s*(.*)$`, 'm').exec(text);
    if (!m) throw new Error(`readelf -h has no ${name}`);
    return m[1].trim();
  };
  // prettier-ignore
  return {
    type: field('Type').split(' ')[0], machine: field('Machine'), entry: BigInt(field('Entry point address')),
    shoff: BigInt(field('Start of section headers').split(' ')[0]), shnum: Number(field('Number of section headers')),
    shstrndx: Number(field('Section header string table index')), phnum: Number(field('Number of program headers')),
  };
}

export interface OracleSymbol {
  index: number;
  value: bigint;
  size: bigint;
  type: string;
  bind: string;
  vis: string;
  ndx: string;
  name: string;
}

export function readelfSymbols(file: string): OracleSymbol[] {
  const rows: OracleSymbol[] = [];
  const re = /^\s*(\d+): ([0-9a-f]{16})\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/;
  let inSymtab = false;
  for (const line of run('readelf', ['-sW', file]).split('\n')) {
    if (line.startsWith("Symbol table '")) inSymtab = line.startsWith("Symbol table '.symtab'");
    const m = inSymtab ? re.exec(line) : null;
    if (!m) continue;
    rows.push({
      index: Number(m[1]),
      value: BigInt(`0x${m[2]}`),
      size: m[3].startsWith('0x') ? BigInt(m[3]) : BigInt(m[3]),
      type: m[4],
      bind: m[5],
      vis: m[6],
      ndx: m[7],
      name: m[8],
    });
  }
  return rows;
}

export interface OracleRelocation {
  section: string;
  offset: bigint;
  type: string;
  symbolName: string;
  addend: bigint;
  symbolIndex: number;
}

export function readelfRelocations(file: string): OracleRelocation[] {
  const rows: OracleRelocation[] = [];
  let section = '';
  const re = /^([0-9a-f]{16})\s+([0-9a-f]{16})\s+(\S+)\s+(?:[0-9a-f]{16}\s+(.*?)\s+([+-])\s+([0-9a-f]+)|([+-]?[0-9a-f]+))$/;
  for (const line of run('readelf', ['-rW', file]).split('\n')) {
    const head = /^Relocation section '([^']+)'/.exec(line);
    if (head) section = head[1];
    const m = re.exec(line.trim());
    if (!m) continue;
    const info = BigInt(`0x${m[2]}`);
    const addend = m[5] ? BigInt(`0x${m[6]}`) * (m[5] === '-' ? -1n : 1n) : BigInt(m[7].startsWith('-') ? `-0x${m[7].slice(1)}` : `0x${m[7].replace('+', '')}`);
    rows.push({ section, offset: BigInt(`0x${m[1]}`), type: m[3], symbolName: m[4] ?? '', addend, symbolIndex: Number(info >> 32n) });
  }
  return rows;
}

export function readelfNotes(file: string): { buildId: string | undefined; notes: Array<{ owner: string; type: string }> } {
  const text = run('readelf', ['-nW', file]);
  const notes = [...text.matchAll(/^\s{2}(\S+)\s+0x[0-9a-f]+\s+(.*)$/gm)].filter((m) => m[1] !== 'Owner').map((m) => ({ owner: m[1], type: m[2].trim() }));
  return { buildId: /Build ID: ([0-9a-f]+)/.exec(text)?.[1], notes };
}

/** One DIE of `readelf --debug-dump=info`, with its attributes as printed. */
export interface OracleDie {
  offset: number;
  depth: number;
  tag: string;
  attrs: Map<string, string>;
}

export function readelfDies(file: string): OracleDie[] {
  const dies: OracleDie[] = [];
  let current: OracleDie | undefined;
  for (const line of run('readelf', ['--debug-dump=info', file]).split('\n')) {
    const head = /^\s*<(\d+)><([0-9a-f]+)>: Abbrev Number: (\d+)(?: \((\w+)\))?/.exec(line);
    if (head) {
      current = head[3] === '0' ? undefined : { offset: parseInt(head[2], 16), depth: Number(head[1]), tag: head[4], attrs: new Map() };
      if (current) dies.push(current);
      continue;
    }
    const attr = /^\s*<[0-9a-f]+>\s+(DW_AT_\w+)\s*:\s*(.*)$/.exec(line);
    if (attr && current) current.attrs.set(attr[1], attr[2].trim());
  }
  return dies;
}

/** The value after the last ': ' of an indirect string, or the inline string itself. */
export function dieString(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const m = /^\(indirect (?:line )?string, offset: 0x[0-9a-f]+\): (.*)$/.exec(value);
  return m ? m[1] : value;
}

export function dieRef(value: string | undefined): number | undefined {
  const m = value && /<0x([0-9a-f]+)>/.exec(value);
  return m ? parseInt(m[1], 16) : undefined;
}
