import { Connection } from 'vscode-languageserver';
import { targetStateNotification, TargetStateParams } from '../protocol';
import { targetFacts } from '../checks/facts/targetFacts';
import type { FactsProvider } from '../checks/facts/functionFacts';
import { disassemble } from '../elf';
import { defaultCacheDir, FunctionNames, loadTargetIndex, SharedTarget, shareTarget, TargetIndex } from '../target';
import { realImageKind } from '../emulator/realImages';
import { bundledSampleTarget, bundledSampleTargetHint } from '../target/bundledSampleTarget';
import { FunctionCode } from '../target/functionCode';
import { basename, dirname } from 'node:path';

export type TargetState =
  | { state: 'none'; reason: string }
  | { state: 'loading'; path: string }
  | {
      state: 'ready';
      path: string;
      index: TargetIndex;
      /** The same index for the workers, over the same memory. */
      shared: SharedTarget;
      facts: FactsProvider;
      code: FunctionCode;
      fromCache: boolean;
      seconds: number;
    }
  | { state: 'failed'; path: string; reason: string };

/**
 * The target image of this session: `livepatch.target`, or the bundled sample target. Its index
 * is built (or read from the cache) in a worker thread with a progress notification in the
 * editor, so no request waits for it; checks use source-level facts until it is ready.
 */
export class TargetService {
  private current: TargetState = { state: 'none', reason: 'not started' };
  private readonly listeners: Array<(state: TargetState) => void> = [];

  constructor(private readonly connection: Connection) {}

  get state(): TargetState {
    return this.current;
  }

  facts(): FactsProvider | undefined {
    return this.current.state === 'ready' ? this.current.facts : undefined;
  }

  functionCode(): FunctionCode | undefined {
    return this.current.state === 'ready' ? this.current.code : undefined;
  }

  /** The image's path once it is indexed: a kernel configuration may sit next to it. */
  targetPath(): string | undefined {
    return this.current.state === 'ready' ? this.current.path : undefined;
  }

  /** How messages and hovers name the target: its file name. */
  targetName(): string | undefined {
    return this.current.state === 'ready' ? basename(this.current.path) : undefined;
  }

  /**
   * The tree patches apply to: the configured source root, else the samples when the target is
   * the bundled sample target (its patches are written against samples/).
   */
  sourceRoot(configured: string): string {
    if (configured) return configured;
    const sample = bundledSampleTarget();
    return sample && this.current.state !== 'none' && 'path' in this.current && this.current.path === sample ? dirname(dirname(dirname(sample))) : '';
  }

  onDidChange(listener: (state: TargetState) => void): void {
    this.listeners.push(listener);
  }

  async load(configured: string, cacheDir = defaultCacheDir()): Promise<void> {
    const path = configured || bundledSampleTarget();
    if (!path) return this.set({ state: 'none', reason: bundledSampleTargetHint });
    this.set({ state: 'loading', path });
    const progress = await this.connection.window.createWorkDoneProgress();
    progress.begin('Livepatch Lens: indexing the target', 0, path, false);
    const started = Date.now();
    try {
      const index = await loadTargetIndex(path, {
        cacheDir,
        onProgress: ({ message, done, total }) => progress.report(total ? Math.round((100 * done) / total) : 0, message),
      });
      const seconds = (Date.now() - started) / 1000;
      this.connection.console.info(
        `target ${path}: build-id ${index.buildId}, ${index.tables.symbols.name.length} symbols, ${index.fromCache ? 'from the cache' : 'indexed'} in ${seconds.toFixed(2)} s`,
      );
      // The disassembler compiles its WASM on first use (about 100 ms): pay it now, while no
      // request waits, rather than in the first hover.
      disassemble(Buffer.from([0x90]), 0n);
      // Likewise the sorted function names completion searches (tens of ms on a vmlinux).
      FunctionNames.of(index.tables);
      this.set({ state: 'ready', path, index, shared: shareTarget(index), facts: targetFacts(index), code: new FunctionCode(path), fromCache: index.fromCache, seconds });
    } catch (error) {
      // ELF and DWARF errors name the file already; other errors (ENOENT, ...) may not.
      const message = error instanceof Error ? error.message : String(error);
      const reason = message.includes(path) ? message : `${path}: ${message}`;
      this.connection.console.error(`cannot index the target: ${reason}`);
      this.connection.window.showWarningMessage(`Livepatch Lens cannot index the target: ${reason}. Checks use source-level facts only.`);
      this.set({ state: 'failed', path, reason: message });
    } finally {
      progress.done();
    }
  }

  private set(state: TargetState): void {
    if (this.current.state === 'ready') this.current.code.close();
    this.current = state;
    void this.connection.sendNotification(targetStateNotification, describeTarget(state));
    for (const listener of this.listeners) listener(state);
  }
}

function describeTarget(state: TargetState): TargetStateParams {
  const bundled = 'path' in state && state.path === bundledSampleTarget();
  switch (state.state) {
    case 'none':
      return { state: 'none', detail: state.reason, bundled };
    case 'loading':
      return { state: 'loading', path: state.path, bundled };
    case 'ready': {
      const realImage = bundled ? undefined : realImageKind((name) => state.index.symbolsNamed(name).length > 0);
      return { state: 'ready', path: state.path, buildId: state.index.buildId, flavour: state.index.flavour.flavour, bundled, ...(realImage ? { realImage } : {}) };
    }
    case 'failed':
      return { state: 'failed', path: state.path, detail: state.reason, bundled };
  }
}
