import type { Parser, Tree } from 'web-tree-sitter';

/**
 * One syntax tree per open C document. A replaced tree is deleted at once: trees live in the
 * WASM heap, which the JS garbage collector does not see.
 */
export class DocumentTrees {
  private readonly trees = new Map<string, Tree>();

  constructor(private readonly parser: Parser) {}

  /** Parses the document's new text, replacing its previous tree. */
  update(uri: string, text: string): Tree | undefined {
    const tree = this.parser.parse(text) ?? undefined;
    this.trees.get(uri)?.delete();
    if (tree) this.trees.set(uri, tree);
    else this.trees.delete(uri);
    return tree;
  }

  get(uri: string): Tree | undefined {
    return this.trees.get(uri);
  }

  close(uri: string): void {
    this.trees.get(uri)?.delete();
    this.trees.delete(uri);
  }

  get size(): number {
    return this.trees.size;
  }
}
