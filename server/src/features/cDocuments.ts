import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Tree } from 'web-tree-sitter';
import { createCParser } from '../c/cParser';
import { DocumentTrees } from '../c/documentTrees';

/**
 * The C side of the open documents: their syntax trees, kept current as the editor sends changes.
 * The grammar loads asynchronously once; requests that arrive before it simply wait for it.
 */
export class CDocuments {
  private readonly trees: Promise<DocumentTrees>;
  private readonly parsedVersion = new Map<string, number>();

  constructor(wasmDir?: string) {
    this.trees = createCParser(wasmDir).then((parser) => new DocumentTrees(parser));
  }

  static isC(document: TextDocument): boolean {
    return document.languageId === 'c' || /\.[ch]$/.test(document.uri);
  }

  /** The tree of the document's current version, parsing it now if the last parse is older. */
  async treeOf(document: TextDocument): Promise<Tree | undefined> {
    if (!CDocuments.isC(document)) return undefined;
    const trees = await this.trees;
    if (this.parsedVersion.get(document.uri) === document.version) return trees.get(document.uri);
    this.parsedVersion.set(document.uri, document.version);
    return trees.update(document.uri, document.getText());
  }

  async close(uri: string): Promise<void> {
    this.parsedVersion.delete(uri);
    (await this.trees).close(uri);
  }

  get ready(): Promise<unknown> {
    return this.trees;
  }
}
