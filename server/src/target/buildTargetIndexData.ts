import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { DwarfReader, ET, readElf } from '../elf';
import { collectSymbols, symbolColumns } from './buildTargetData';
import { callGraphColumns } from './callGraphColumns';
import { dwarfTables, mergeDwarfTables } from './dwarfTables';
import { resolveHolders } from './holderSymbols';
import { BuildProgress } from './model';
import { StringTable } from './stringTable';
import { exportColumns } from './kernelExports';
import { Columns, DwarfTables, TargetTables } from './tables';
import { runDwarfPart, workerAvailable } from './workerClient';

export interface BuildOptions {
  onProgress?: (progress: BuildProgress) => void;
  /** Worker threads for the DWARF scan; 1 scans on the calling thread. */
  dwarfWorkers?: number;
}

/** Below this much .debug_info, starting workers costs more than it saves. */
const parallelThreshold = 16 * 1024 * 1024;

/**
 * The build-id that keys the cache. Images linked without --build-id get a stand-in from their
 * path, size and modification time, so a rebuilt file is never served stale facts.
 */
export function targetKey(path: string, buildId: string | undefined): string {
  if (buildId) return buildId;
  const stat = statSync(path);
  return `nobuildid-${createHash('sha1').update(`${path}\0${stat.size}\0${stat.mtimeMs}`).digest('hex')}`;
}

/** The index's tables for the image at `path` (TargetIndex queries them; loadTargetIndex caches them). */
export async function buildTargetIndexData(path: string, options: BuildOptions = {}): Promise<TargetTables> {
  const report = options.onProgress ?? (() => {});
  const elf = readElf(path);
  try {
    const buildId = targetKey(path, elf.buildId());
    const infoSize = elf.section('.debug_info')?.size ?? 0n;
    const workers = infoSize >= BigInt(parallelThreshold) && workerAvailable() ? Math.max(1, options.dwarfWorkers ?? 1) : 1;
    // Symbols are interned first, while the DWARF workers run: only the merge waits for them.
    const strings = new StringTable();
    type SymbolTables = { symbols: Columns<'symbols'>; exports: Columns<'exports'>; calls: Columns<'calls'> };
    const readSymbols = (): SymbolTables => {
      report({ phase: 'symbols', done: 0, total: 1, message: 'reading symbols' });
      const columns = { symbols: symbolColumns(collectSymbols(elf), strings), exports: exportColumns(elf, elf.symbols(), strings) };
      report({ phase: 'symbols', done: 1, total: 1, message: 'reading symbols' });
      report({ phase: 'calls', done: 0, total: 1, message: 'reading the call graph' });
      const calls = callGraphColumns(elf, columns.symbols);
      report({ phase: 'calls', done: 1, total: 1, message: 'reading the call graph' });
      return { ...columns, calls };
    };
    let parts: DwarfTables[];
    let symbols: SymbolTables;
    if (workers > 1) {
      const done = new Array<number>(workers).fill(0);
      const totals = new Array<number>(workers).fill(0);
      const pending = Array.from({ length: workers }, (_, index) =>
        runDwarfPart(path, { index, count: workers }, (d, t) => {
          done[index] = d;
          totals[index] = t;
          const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
          report({ phase: 'dwarf', done: sum(done), total: sum(totals), message: 'reading DWARF' });
        }),
      );
      symbols = readSymbols();
      parts = await Promise.all(pending);
    } else {
      symbols = readSymbols();
      parts = [dwarfTables(new DwarfReader(elf).scanColumns({ onProgress: (done, total) => report({ phase: 'dwarf', done, total, message: 'reading DWARF' }) }))];
    }
    const dwarf = mergeDwarfTables(parts, strings);
    // In a .o every section starts at 0: addresses name no one symbol there.
    if (elf.header.type !== ET.REL) resolveHolders(symbols.symbols, dwarf.functions, dwarf.inlines);
    return { path, buildId, ...symbols, ...dwarf, strings: strings.strings };
  } finally {
    elf.close();
  }
}
