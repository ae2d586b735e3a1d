import type { ParseOptions, Parser, Tree } from 'web-tree-sitter';
import { treeEditFor } from './treeEdit';

/**
 * One syntax tree per open C document, kept current incrementally: each text change is first
 * applied to the old tree as an edit, then one re-parse reuses every untouched subtree. A replaced
 * tree is deleted at once: trees live in the WASM heap, which the JS garbage collector does not see.
 */
export class DocumentTrees {
  private readonly trees = new Map<string, Tree>();

  constructor(private readonly parser: Parser) {}

  /** Parses from scratch, replacing any tree the document had; none when `options` cancelled the parse. */
  open(uri: string, text: string, options?: ParseOptions): Tree | undefined {
    return this.replace(uri, this.parser.parse(text, null, options));
  }

  /** Records that text[start, oldEnd) of the current text became `inserted`; call `reparse` after the last edit. */
  edit(uri: string, textBefore: string, start: number, oldEnd: number, inserted: string): void {
    this.trees.get(uri)?.edit(treeEditFor(textBefore, start, oldEnd, inserted));
  }

  /** Re-parses the edited document, reusing its edited tree. */
  reparse(uri: string, text: string, options?: ParseOptions): Tree | undefined {
    const old = this.trees.get(uri);
    return this.replace(uri, this.parser.parse(text, old, options));
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

  private replace(uri: string, tree: Tree | null): Tree | undefined {
    const old = this.trees.get(uri);
    if (tree) this.trees.set(uri, tree);
    else this.trees.delete(uri);
    if (old && old !== tree) old.delete();
    return tree ?? undefined;
  }
}
