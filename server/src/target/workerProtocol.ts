import { DwarfError, ElfError, ElfUnsupportedError } from '../elf';
import { BuildProgress } from './model';
import { DwarfTables, TargetTables } from './tables';

/** What a targetIndexWorker is asked to do (its workerData). */
export type WorkerJob = { kind: 'build'; path: string; dwarfWorkers: number } | { kind: 'dwarf-part'; path: string; part: { index: number; count: number } };

export interface SerializedError {
  name: string;
  message: string;
  elf?: { file: string; structure: string; offset: string; detail: string };
}

export type WorkerMessage =
  | { type: 'progress'; progress: BuildProgress }
  | { type: 'part-progress'; done: number; total: number }
  | { type: 'built'; tables: TargetTables }
  | { type: 'part'; tables: DwarfTables }
  | { type: 'error'; error: SerializedError };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof ElfError) {
    return { name: error.name, message: error.message, elf: { file: error.file, structure: error.structure, offset: error.offset.toString(), detail: error.detail } };
  }
  return { name: 'Error', message: error instanceof Error ? error.message : String(error) };
}

/** Rebuilds the typed error on the receiving side, so callers can still tell bad input from bugs. */
export function deserializeError(error: SerializedError): Error {
  if (error.elf) {
    const { file, structure, offset, detail } = error.elf;
    const kind = error.name === 'DwarfError' ? DwarfError : error.name === 'ElfUnsupportedError' ? ElfUnsupportedError : ElfError;
    return new kind(file, structure, BigInt(offset), detail);
  }
  return new Error(error.message);
}
