import type { StructLayout } from '../elf';
import { TargetIndexData, TargetSymbol } from './model';
import { noAddress, TargetTables } from './tables';

/** The index's rows as TargetIndex reads them, which the lists are made of. */
export interface IndexRows {
  readonly path: string;
  readonly buildId: string;
  readonly tables: TargetTables;
  symbolRow(row: number): TargetSymbol;
  structRow(row: number): StructLayout;
}

/**
 * The index as plain objects (TargetIndexData), for callers that want whole lists. Each field
 * is built on first read: a caller that counts symbols should not pay for 300k inline sites.
 */
export function materialize(index: IndexRows): TargetIndexData {
  const { strings, symbols, inlines: i, functions, structs } = index.tables;
  const data = { path: index.path, buildId: index.buildId } as TargetIndexData;
  lazy(data, 'symbols', () => Array.from(symbols.name, (_, row) => index.symbolRow(row)));
  lazy(data, 'inlineSites', () =>
    Array.from(i.callee, (callee, row) => ({
      callee: strings[callee],
      function: strings[i.function[row]],
      caller: strings[i.caller[row]],
      file: strings[i.file[row]],
      line: i.line[row],
      ...(i.address[row] !== noAddress ? { address: i.address[row] } : {}),
    })),
  );
  lazy(data, 'concreteFunctions', () => Array.from(new Set(functions.name), (id) => strings[id]));
  lazy(data, 'structs', () => Array.from(structs.name, (_, row) => index.structRow(row)));
  return data;
}

/** An enumerable field computed on first read and then kept as a plain value. */
function lazy<K extends keyof TargetIndexData>(data: TargetIndexData, key: K, compute: () => TargetIndexData[K]): void {
  Object.defineProperty(data, key, {
    enumerable: true,
    configurable: true,
    get: () => {
      const value = compute();
      Object.defineProperty(data, key, { value, enumerable: true, writable: true, configurable: true });
      return value;
    },
  });
}
