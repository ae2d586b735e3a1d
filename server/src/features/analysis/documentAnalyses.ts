import type { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import { languageOf, OpenDocuments } from '../openDocuments';
import type { AnalysisLanes } from './analysisLanes';
import type { AnalysisOutcome } from './analysisRunner';
import type { AnalysisResult } from './protocol';

/** What a job needs beyond the document, read when it is queued: the target may change meanwhile. */
export type AnalysisContext = () => { sourceRoot: string; workspaceRoots: string[]; targetName?: string; kernelConfig?: string };

interface Latest {
  version: number;
  outcome: Promise<AnalysisOutcome>;
}

/**
 * The analysis of every open C and patch document, one result per version. A change is analysed
 * after a short pause (typing produces many versions nobody reads); a request that needs the
 * result (outline, hover, definition) has it analysed at once. Listeners hear every outcome.
 */
export class DocumentAnalyses {
  private readonly latest = new Map<string, Latest>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly listeners: Array<(uri: string, version: number, outcome: AnalysisOutcome) => void> = [];

  constructor(
    private readonly documents: OpenDocuments,
    private readonly runner: AnalysisLanes,
    private readonly context: AnalysisContext,
    private readonly delayMs = 150,
  ) {
    documents.onDidOpen((document) => this.schedule(document.uri, 0));
    documents.onDidChange((document) => this.schedule(document.uri, this.delayMs));
    documents.onDidClose((uri) => {
      clearTimeout(this.timers.get(uri));
      this.timers.delete(uri);
      this.latest.delete(uri);
      runner.close(uri);
    });
    // A new target changes what the checks know: analyse again what that worker analyses.
    runner.onTargetLoaded((inLane) => this.reanalyze((document) => inLane(document.getText())));
  }

  onDidAnalyze(listener: (uri: string, version: number, outcome: AnalysisOutcome) => void): void {
    this.listeners.push(listener);
  }

  reanalyze(which: (document: TextDocument) => boolean = () => true): void {
    for (const document of this.documents.all().filter(which)) {
      this.latest.delete(document.uri);
      this.schedule(document.uri, 0);
    }
  }

  /**
   * The result for the document's current version, analysed now if it is not yet; none if it
   * cannot be had. An analysis cancelled meanwhile (a newer version, a new target) is followed
   * to the one that replaced it.
   */
  async current(uri: string): Promise<AnalysisResult | undefined> {
    const document = this.documents.get(uri);
    if (!document || !DocumentAnalyses.analysed(document)) return undefined;
    let outcome = this.analyze(document);
    for (;;) {
      const settled = await outcome;
      if (settled.kind === 'analyzed') return settled.result;
      const replacement = this.latest.get(uri)?.outcome;
      if (settled.kind !== 'cancelled' || !replacement || replacement === outcome) return undefined;
      outcome = replacement;
    }
  }

  private static analysed(document: TextDocument): boolean {
    const language = languageOf(document);
    return language === 'c' || language === 'diff';
  }

  private schedule(uri: string, delayMs: number): void {
    clearTimeout(this.timers.get(uri));
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        const document = this.documents.get(uri);
        if (document && DocumentAnalyses.analysed(document)) void this.analyze(document);
      }, delayMs),
    );
  }

  private analyze(document: TextDocument): Promise<AnalysisOutcome> {
    const { uri, version } = document;
    const known = this.latest.get(uri);
    if (known?.version === version) return known.outcome;
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    const outcome = this.runner.analyze({
      uri,
      version,
      language: languageOf(document) as 'c' | 'diff',
      text: document.getText(),
      file: uri.startsWith('file:') ? fileURLToPath(uri) : uri,
      ...this.context(),
    });
    this.latest.set(uri, { version, outcome });
    void outcome.then((settled) => {
      if (this.latest.get(uri)?.outcome === outcome) for (const listener of this.listeners) listener(uri, version, settled);
    });
    return outcome;
  }
}
