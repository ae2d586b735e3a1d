import { Connection } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import { analyzePatch } from '../checks/patch';
import { analyzeSource, sourceNeedsAnalysis } from '../checks/source/analyzeSource';
import type { Finding } from '../checks';
import type { CDocuments } from './cDocuments';
import { toLspDiagnostic } from './lspDiagnostics';
import { languageOf, OpenDocuments } from './openDocuments';
import type { TargetService } from './targetService';

/** How one language's documents are analysed; undefined when the result would be stale. */
type DocumentAnalyzer = (document: TextDocument, context: { file: string }) => Promise<Finding[] | undefined>;

/**
 * Publishes findings while the user types: debounced per document, and tagged with the version
 * analysed, so a slow result never overwrites the diagnostics of a newer version.
 */
export class Diagnostics {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly analyzers = new Map<string, DocumentAnalyzer>();

  constructor(
    private readonly connection: Connection,
    private readonly documents: OpenDocuments,
    cDocuments: CDocuments,
    private readonly target: TargetService,
    sourceRoot: () => string,
    private readonly delayMs = 150,
  ) {
    this.analyzers.set('c', async (document, { file }) => {
      if (!sourceNeedsAnalysis(document.getText())) return [];
      const parsed = await cDocuments.treeOf(document.uri);
      if (!parsed || parsed.version !== document.version) return undefined;
      const facts = this.target.facts();
      const targetName = this.target.targetName();
      return analyzeSource(parsed.tree, { file, ...(facts ? { facts } : {}), ...(targetName ? { targetName } : {}) });
    });
    this.analyzers.set('diff', (document, { file }) => {
      const facts = this.target.facts();
      const root = this.target.sourceRoot(sourceRoot());
      return analyzePatch(document.getText(), { file, ...(root ? { sourceRoot: root } : {}), ...(facts ? { facts } : {}) });
    });
    documents.onDidOpen((document) => this.schedule(document.uri, 0));
    documents.onDidChange((document) => this.schedule(document.uri, this.delayMs));
    documents.onDidClose((uri) => {
      clearTimeout(this.timers.get(uri));
      this.timers.delete(uri);
      void connection.sendDiagnostics({ uri, diagnostics: [] });
    });
    // Target facts change what the checks can say: re-check everything open.
    target.onDidChange((state) => {
      if (state.state === 'ready' || state.state === 'failed') for (const document of documents.all()) this.schedule(document.uri, 0);
    });
  }

  private schedule(uri: string, delayMs: number): void {
    clearTimeout(this.timers.get(uri));
    this.timers.set(uri, setTimeout(() => void this.run(uri), delayMs));
  }

  private async run(uri: string): Promise<void> {
    this.timers.delete(uri);
    const document = this.documents.get(uri);
    const analyzer = document && this.analyzers.get(languageOf(document));
    if (!document || !analyzer) return;
    const version = document.version;
    try {
      const findings = await analyzer(document, { file: uri.startsWith('file:') ? fileURLToPath(uri) : uri });
      if (!findings || this.documents.get(uri)?.version !== version) return;
      await this.connection.sendDiagnostics({ uri, version, diagnostics: findings.map(toLspDiagnostic) });
    } catch (error) {
      this.connection.console.error(`checking ${uri} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
}
