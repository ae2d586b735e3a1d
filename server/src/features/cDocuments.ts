import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Tree } from 'web-tree-sitter';
import { createCParser } from '../c/cParser';
import { DocumentTrees } from '../c/documentTrees';
import { languageOf, OpenDocuments, TextEditStep } from './openDocuments';

export interface VersionedTree {
  tree: Tree;
  version: number;
}

/**
 * The syntax trees of the open C documents, updated incrementally on every change. The grammar
 * loads asynchronously once; every operation is chained on it, so they run in arrival order.
 */
export class CDocuments {
  private readonly trees: Promise<DocumentTrees>;
  private readonly versions = new Map<string, number>();

  constructor(documents: OpenDocuments, onError: (message: string) => void, wasmDir?: string) {
    this.trees = createCParser(wasmDir).then((parser) => new DocumentTrees(parser));
    const run = (what: string, op: (trees: DocumentTrees) => void) =>
      this.trees.then(op).catch((error) => onError(`${what}: ${error instanceof Error ? error.message : String(error)}`));
    documents.onDidOpen((document) => {
      if (!CDocuments.isC(document)) return;
      run(`parsing ${document.uri}`, (trees) => this.track(document, trees.open(document.uri, document.getText())));
    });
    documents.onDidChange((document, steps) => {
      if (!CDocuments.isC(document)) return;
      run(`re-parsing ${document.uri}`, (trees) => this.track(document, CDocuments.update(trees, document, steps)));
    });
    documents.onDidClose((uri) => {
      this.versions.delete(uri);
      run(`closing ${uri}`, (trees) => trees.close(uri));
    });
  }

  static isC(document: TextDocument): boolean {
    return languageOf(document) === 'c';
  }

  private static update(trees: DocumentTrees, document: TextDocument, steps: TextEditStep[] | undefined): Tree | undefined {
    if (!steps || !trees.get(document.uri)) return trees.open(document.uri, document.getText());
    for (const step of steps) trees.edit(document.uri, step.textBefore, step.start, step.oldEnd, step.inserted);
    return trees.reparse(document.uri, document.getText());
  }

  private track(document: TextDocument, tree: Tree | undefined): void {
    if (tree) this.versions.set(document.uri, document.version);
  }

  /** The tree of the document as of the latest change received before this call. */
  async treeOf(uri: string): Promise<VersionedTree | undefined> {
    const trees = await this.trees;
    const tree = trees.get(uri);
    const version = this.versions.get(uri);
    return tree && version !== undefined ? { tree, version } : undefined;
  }

  get ready(): Promise<unknown> {
    return this.trees;
  }
}
