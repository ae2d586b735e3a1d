import { availableParallelism } from 'node:os';
import { readElf } from '../elf';
import { buildTargetIndexData, targetKey } from './buildTargetIndexData';
import { BuildProgress } from './model';
import { readCachedIndex, shareIndex, sharedTables, writeCachedIndex } from './targetCache';
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

/** `shared`: the columns' bytes, for other threads (`sharedTargetIndex`). */
export type LoadedTargetIndex = TargetIndex & { fromCache: boolean; shared: SharedArrayBuffer };

/**
 * The index of a target image: from the cache when one matches its build-id and the format
 * version, else built (in a worker thread) and written to the cache. Malformed images reject
 * with ElfError / DwarfError.
 */
export async function loadTargetIndex(path: string, options: LoadOptions): Promise<LoadedTargetIndex> {
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
    const cached = await readCachedIndex(options.cacheDir, key);
    if (cached) return Object.assign(new TargetIndex({ ...cached.tables, path }), { fromCache: true, shared: cached.shared });
  }
  const dwarfWorkers = options.dwarfWorkers ?? Math.min(4, availableParallelism());
  const tables =
    options.inWorker !== false && workerAvailable()
      ? await runBuildInWorker(path, dwarfWorkers, report, options.signal)
      : await buildTargetIndexData(path, { onProgress: report, dwarfWorkers });
  options.signal?.throwIfAborted();
  const shared = await shareIndex(tables);
  if (options.cacheDir !== null) {
    report({ phase: 'cache', done: 0, total: 1, message: 'writing the index cache' });
    await writeCachedIndex(options.cacheDir, shared);
  }
  return Object.assign(new TargetIndex(shared.tables), { fromCache: false, shared: shared.shared });
}

/** What another thread needs to open a loaded index: plain data and shared memory, cheap to post. */
export interface SharedTarget {
  path: string;
  buildId: string;
  shared: SharedArrayBuffer;
}

export function shareTarget(index: LoadedTargetIndex): SharedTarget {
  return { path: index.path, buildId: index.buildId, shared: index.shared };
}

/** The index another thread loaded, over its shared bytes: the columns are not copied. */
export function sharedTargetIndex({ path, buildId, shared }: SharedTarget): TargetIndex {
  const tables = sharedTables(shared, buildId);
  if (!tables) throw new Error(`the shared index of ${path} is not of build ${buildId}`);
  return new TargetIndex({ ...tables, path });
}
