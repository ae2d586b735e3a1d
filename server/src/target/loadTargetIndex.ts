import { availableParallelism } from 'node:os';
import { readElf } from '../elf';
import { buildTargetIndexData, targetKey } from './buildTargetIndexData';
import { BuildProgress } from './model';
import { readCachedIndex, writeCachedIndex } from './targetCache';
import { TargetIndex } from './targetIndex';
import { runBuildInWorker, workerAvailable } from './workerClient';

export interface LoadOptions {
  /** Where cached indexes live (see defaultCacheDir()); null: neither read nor write a cache. */
  cacheDir: string | null;
  onProgress?: (progress: BuildProgress) => void;
  /** Aborting stops the build (the worker is terminated) and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Build in a worker thread (default), so the caller's event loop is never blocked. */
  inWorker?: boolean;
  /** Threads for the DWARF scan (default: the machine's parallelism, at most 4). */
  dwarfWorkers?: number;
}

/**
 * The index of a target image: from the cache when one matches its build-id and the format
 * version, else built (in a worker thread) and written to the cache. Malformed images reject
 * with ElfError / DwarfError.
 */
export async function loadTargetIndex(path: string, options: LoadOptions): Promise<TargetIndex & { fromCache: boolean }> {
  const report = options.onProgress ?? (() => {});
  const elf = readElf(path);
  let key: string;
  try {
    key = targetKey(path, elf.buildId());
  } finally {
    elf.close();
  }
  if (options.cacheDir !== null) {
    report({ phase: 'cache', done: 0, total: 1, message: 'reading the cached index' });
    const cached = readCachedIndex(options.cacheDir, key);
    if (cached) return Object.assign(new TargetIndex({ ...cached, path }), { fromCache: true });
  }
  const dwarfWorkers = options.dwarfWorkers ?? Math.min(4, availableParallelism());
  const tables =
    options.inWorker !== false && workerAvailable()
      ? await runBuildInWorker(path, dwarfWorkers, report, options.signal)
      : await buildTargetIndexData(path, { onProgress: report, dwarfWorkers });
  options.signal?.throwIfAborted();
  if (options.cacheDir !== null) {
    report({ phase: 'cache', done: 0, total: 1, message: 'writing the index cache' });
    writeCachedIndex(options.cacheDir, tables);
  }
  return Object.assign(new TargetIndex(tables), { fromCache: false });
}
