import { StructLayout } from '../elf';
import { TargetIndexData, TargetSymbol } from './model';

/** Bump whenever the meaning or layout of any field changes: old files are then ignored. */
export const cacheFormatVersion = 1;
const formatName = 'livepatch-lens-target-index';

/**
 * On-disk form of TargetIndexData: JSON, column-oriented with one string table, so a vmlinux
 * index (130k symbols, 300k inlined copies) parses in a fraction of a second. BigInts are hex
 * strings. See docs/target-index.md.
 */
export interface CachedIndex {
  format: typeof formatName;
  version: number;
  buildId: string;
  path: string;
  strings: string[];
  symbols: { name: number[]; address: string[]; size: number[]; section: number[]; sympos: number[]; flags: number[] };
  inlines: { callee: number[]; function: number[]; caller: number[]; file: number[]; line: number[]; address: string[] };
  concreteFunctions: number[];
  structs: StructLayout[];
}

const flag = { function: 1, traceable: 2, endbr: 4, local: 8, weak: 16 };

export function encodeIndex(data: TargetIndexData): CachedIndex {
  const ids = new Map<string, number>();
  const strings: string[] = [];
  const id = (text: string): number => {
    let n = ids.get(text);
    if (n === undefined) {
      n = strings.length;
      strings.push(text);
      ids.set(text, n);
    }
    return n;
  };
  const s = data.symbols;
  const sites = data.inlineSites;
  return {
    format: formatName, version: cacheFormatVersion, buildId: data.buildId, path: data.path, strings,
    symbols: {
      name: s.map((x) => id(x.name)), address: s.map((x) => x.address.toString(16)), size: s.map((x) => Number(x.size)),
      section: s.map((x) => id(x.section)), sympos: s.map((x) => x.sympos),
      flags: s.map((x) => (x.kind === 'function' ? flag.function : 0) | (x.traceable ? flag.traceable : 0) | (x.endbr ? flag.endbr : 0)
        | (x.binding === 'local' ? flag.local : 0) | (x.binding === 'weak' ? flag.weak : 0)),
    },
    inlines: {
      callee: sites.map((x) => id(x.callee)), function: sites.map((x) => id(x.function)), caller: sites.map((x) => id(x.caller)),
      file: sites.map((x) => id(x.file)), line: sites.map((x) => x.line), address: sites.map((x) => x.address?.toString(16) ?? ''),
    },
    concreteFunctions: data.concreteFunctions.map(id),
    structs: data.structs,
  };
}

/** Decodes a cached index, or returns undefined when it is of another format, version or build. */
export function decodeIndex(cached: CachedIndex, buildId: string): TargetIndexData | undefined {
  if (cached?.format !== formatName || cached.version !== cacheFormatVersion || cached.buildId !== buildId) return undefined;
  const { strings, symbols: s, inlines: i } = cached;
  const symbols: TargetSymbol[] = s.name.map((name, n) => ({
    name: strings[name], address: BigInt(`0x${s.address[n]}`), size: BigInt(s.size[n]),
    kind: s.flags[n] & flag.function ? 'function' : 'object',
    binding: s.flags[n] & flag.local ? 'local' : s.flags[n] & flag.weak ? 'weak' : 'global',
    section: strings[s.section[n]], sympos: s.sympos[n],
    traceable: (s.flags[n] & flag.traceable) !== 0, endbr: (s.flags[n] & flag.endbr) !== 0,
  }));
  const inlineSites = i.callee.map((callee, n) => ({
    callee: strings[callee], function: strings[i.function[n]], caller: strings[i.caller[n]], file: strings[i.file[n]], line: i.line[n],
    ...(i.address[n] ? { address: BigInt(`0x${i.address[n]}`) } : {}),
  }));
  return { path: cached.path, buildId, symbols, inlineSites, concreteFunctions: cached.concreteFunctions.map((n) => strings[n]), structs: cached.structs };
}
