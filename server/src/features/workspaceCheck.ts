import { Connection, Diagnostic, DidChangeWatchedFilesParams, FileChangeType } from 'vscode-languageserver';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { limits, settingToRaise } from '../limits';
import { CheckWorkspaceFileParams, checkWorkspaceFileRequest, CheckWorkspaceFileResult } from '../protocol';
import type { AnalysisLanes } from './analysis/analysisLanes';
import type { AnalysisContext } from './analysis/documentAnalyses';
import { outcomeDiagnostics } from './diagnostics';
import { guarded } from './guard';
import { serverDiagnostic, toLspDiagnostic } from './lspDiagnostics';
import type { OpenDocuments } from './openDocuments';
import { inspectInWorker } from './payloadInspection';
import type { TargetService } from './targetService';

/** Only C files that hold a patch's function table are patch-module sources; the rest of a tree is not ours to check. */
const patchModuleSource = /\b(klp_func|livepatch_func)\b/;

/**
 * A `.ko` or `.o` is a live patch when it says so: a Xen payload object has `.livepatch.funcs`, a
 * klp module the `livepatch=Y` modinfo of MODULE_INFO(livepatch, "Y"). A build tree's other
 * objects and modules would each get the payload checks' verdicts on what is no payload at all.
 */
const livepatchMarkers = [Buffer.from('.livepatch.funcs'), Buffer.from('livepatch=Y')];
/** Larger objects are not read to look for the markers: no live patch is near this size. */
const objectReadBound = 256 * 1024 * 1024;

async function isLivepatchObject(file: string): Promise<boolean> {
  if (file.endsWith('.livepatch')) return true;
  const size = await stat(file).then(
    (s) => s.size,
    () => Infinity,
  );
  if (size > objectReadBound) return false;
  const bytes = await readFile(file).catch(() => undefined);
  return bytes !== undefined && livepatchMarkers.some((marker) => bytes.includes(marker));
}

const kindOf = (file: string): 'c' | 'diff' | 'payload' | undefined =>
  /\.c$/.test(file) ? 'c' : /\.(patch|diff)$/.test(file) ? 'diff' : /\.(livepatch|ko|o)$/.test(file) ? 'payload' : undefined;

/**
 * Check Workspace, as rust-analyzer's flycheck: the findings of files checked from disk, kept
 * while they are closed and published under their URIs; a watched file that changes on disk is
 * checked again. An open document publishes its own live diagnostics instead (diagnostics.ts),
 * and on close these come back, checked afresh since the editor may have saved it meanwhile.
 * The work is the open documents' own: the analysis workers for text, the payload worker for ELFs.
 */
export class WorkspaceCheck {
  private readonly found = new Map<string, Diagnostic[]>();
  private readonly inFlight = new Map<string, Promise<CheckWorkspaceFileResult>>();

  constructor(
    private readonly connection: Connection,
    private readonly documents: OpenDocuments,
    private readonly runner: AnalysisLanes,
    private readonly context: AnalysisContext,
    private readonly target: TargetService,
  ) {}

  register(): void {
    // What the checks know changed: the closed files' findings are checked again.
    this.target.onDidChange((state) => {
      if (state.state === 'ready' || state.state === 'failed') for (const uri of this.found.keys()) if (!this.documents.get(uri)) void this.check(uri).catch(() => undefined);
    });
    this.connection.onRequest(
      checkWorkspaceFileRequest,
      guarded(this.connection, 'checkWorkspaceFile', null, (params: CheckWorkspaceFileParams) => this.check(params.uri)),
    );
    this.connection.onDidChangeWatchedFiles((params: DidChangeWatchedFilesParams) => {
      for (const change of params.changes) {
        if (change.type === FileChangeType.Deleted) this.forget(change.uri);
        // Before any Check Workspace, a file event says nothing anyone asked about.
        else if (this.found.has(change.uri) || (this.found.size > 0 && change.type === FileChangeType.Created)) void this.check(change.uri).catch(() => undefined);
      }
    });
  }

  /** A document or payload inspector closed: the file's findings from disk take the place of the live ones. */
  closed(uri: string): void {
    if (this.found.has(uri)) void this.check(uri).catch(() => undefined);
  }

  /**
   * One check of a file at a time, the newer after the older: Check Workspace and a file event
   * for the same file (a file just written) share the analysis key, and two at once cancelled
   * each other until one gave up with "cancelled twice".
   */
  check(uri: string): Promise<CheckWorkspaceFileResult> {
    const run = (this.inFlight.get(uri) ?? Promise.resolve()).catch(() => undefined).then(() => this.checkNow(uri));
    this.inFlight.set(uri, run);
    const settled = () => {
      if (this.inFlight.get(uri) === run) this.inFlight.delete(uri);
    };
    run.then(settled, settled);
    return run;
  }

  private async checkNow(uri: string): Promise<CheckWorkspaceFileResult> {
    const file = fileURLToPath(uri);
    const kind = kindOf(file);
    const diagnostics = kind === 'payload' ? await this.payload(file) : kind ? await this.text(uri, file, kind) : undefined;
    if (!diagnostics) {
      this.forget(uri);
      return { checked: false, findings: 0 };
    }
    this.found.set(uri, diagnostics);
    if (!this.documents.get(uri)) void this.connection.sendDiagnostics({ uri, diagnostics });
    return { checked: true, findings: diagnostics.length };
  }

  private forget(uri: string): void {
    if (!this.found.delete(uri)) return;
    if (!this.documents.get(uri)) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  private async text(uri: string, file: string, language: 'c' | 'diff'): Promise<Diagnostic[] | undefined> {
    // Not read at all past the bound an open document has: a generated file of gigabytes is no patch module.
    const size = await stat(file).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined) return undefined;
    if (size > limits().documentBytes)
      return [
        serverDiagnostic(
          file,
          `not checked: ${size} bytes, more than the ${limits().documentBytes} bytes per document the analyzers read; ${settingToRaise('documentBytes')} to check it.`,
        ),
      ];
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined || (language === 'c' && !patchModuleSource.test(text))) return undefined;
    // A key of its own, so the check of the file on disk never cancels the open document's analysis.
    const key = `${uri}#workspace-check`;
    try {
      // Cancelled when a newer check of the same file (or a new target) took its place: once more, then say so.
      for (let attempt = 0; attempt < 2; attempt++) {
        const outcome = await this.runner.analyze({ uri: key, version: 0, language, text, file, ...this.context() });
        const diagnostics = outcomeDiagnostics(this.connection, uri, outcome);
        if (diagnostics) return diagnostics;
      }
      return [serverDiagnostic(file, 'the check was cancelled twice by newer ones; run Check Workspace again.')];
    } finally {
      this.runner.close(key);
    }
  }

  private async payload(file: string): Promise<Diagnostic[] | undefined> {
    if (!existsSync(file) || !(await isLivepatchObject(file))) return undefined;
    const state = this.target.state;
    try {
      const { findings } = await inspectInWorker(file, state.state === 'ready' ? state.shared : undefined);
      return findings.map(toLspDiagnostic);
    } catch (error) {
      return [serverDiagnostic(file, `the payload was not checked: ${(error as Error).message.split('\n')[0]}`)];
    }
  }
}
