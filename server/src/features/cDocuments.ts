import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Tree } from 'web-tree-sitter';
import { createCParser } from '../c/cParser';
import { DocumentTrees } from '../c/documentTrees';
import { languageOf, OpenDocuments } from './openDocuments';

export interface VersionedTree {
  tree: Tree;
  version: number;
}

/**
 * The syntax trees of the open C documents. Every change is applied to the document's tree as an
 * edit at once (cheap), but the incremental re-parse waits until something asks for the tree: on a
 * large file a re-parse costs tens of milliseconds even when little changed, and most keystrokes
 * in a kernel file need no tree at all. The grammar loads asynchronously once; every operation is
 * chained on it, so they run in arrival order.
 */
export class CDocuments {
  private readonly trees: Promise<DocumentTrees>;
  /** The document each tree must be brought up to date with before it is handed out. */
  private readonly pending = new Map<string, TextDocument>();
  private readonly versions = new Map<string, number>();

  constructor(documents: OpenDocuments, onError: (message: string) => void, wasmDir?: string) {
    this.trees = createCParser(wasmDir).then((parser) => new DocumentTrees(parser));
    const run = (what: string, op: (trees: DocumentTrees) => void): void =>
      void this.trees.then(op).catch((error) => onError(`${what}: ${error instanceof Error ? error.message : String(error)}`));
    documents.onDidOpen((document) => {
      if (!CDocuments.isC(document)) return;
      run(`parsing ${document.uri}`, (trees) => {
        this.pending.delete(document.uri);
        if (trees.open(document.uri, document.getText())) this.versions.set(document.uri, document.version);
      });
    });
    documents.onDidChange((document, steps) => {
      if (!CDocuments.isC(document)) return;
      run(`editing the tree of ${document.uri}`, (trees) => {
        if (steps && trees.get(document.uri)) {
          for (const step of steps) trees.edit(document.uri, step.textBefore, step.start, step.oldEnd, step.inserted);
        } else {
          trees.close(document.uri);
        }
        this.pending.set(document.uri, document);
      });
    });
    documents.onDidClose((uri) => {
      this.versions.delete(uri);
      this.pending.delete(uri);
      run(`closing ${uri}`, (trees) => trees.close(uri));
    });
  }

  static isC(document: TextDocument): boolean {
    return languageOf(document) === 'c';
  }

  /** The tree of the document as of the latest change received before this call, re-parsed if needed. */
  async treeOf(uri: string): Promise<VersionedTree | undefined> {
    const trees = await this.trees;
    const document = this.pending.get(uri);
    if (document) {
      this.pending.delete(uri);
      const tree = trees.get(uri) ? trees.reparse(uri, document.getText()) : trees.open(uri, document.getText());
      if (tree) this.versions.set(uri, document.version);
    }
    const tree = trees.get(uri);
    const version = this.versions.get(uri);
    return tree && version !== undefined ? { tree, version } : undefined;
  }

  get ready(): Promise<unknown> {
    return this.trees;
  }
}
