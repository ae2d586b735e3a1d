import type { Parser, Tree } from 'web-tree-sitter';
import { DocumentTrees } from '../../c/documentTrees';
import type { KernelConfig } from '../../c/kernelConfig';
import { parseableText } from '../../c/parseableText';

/** text[start, oldEnd) of `before` became `inserted` in `after`: the one span between their common prefix and suffix. */
function changedSpan(before: string, after: string): { start: number; oldEnd: number; inserted: string } {
  const shorter = Math.min(before.length, after.length);
  let start = 0;
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let common = 0;
  while (common < shorter - start && before.charCodeAt(before.length - 1 - common) === after.charCodeAt(after.length - 1 - common)) common++;
  return { start, oldEnd: before.length - common, inserted: after.slice(start, after.length - common) };
}

/**
 * The analysis worker's syntax trees. A job brings a document's whole text, not the edits: the
 * span that changed since the text last parsed is found by comparing the two (one linear scan,
 * far cheaper than a parse), so the re-parse stays incremental. A parse can be stopped; the
 * document then starts from scratch next time.
 */
export class WorkerTrees {
  private readonly texts = new Map<string, string>();
  private readonly trees: DocumentTrees;

  constructor(private readonly parser: Parser) {
    this.trees = new DocumentTrees(parser);
  }

  /** `text` as the document has it; the tree is of its parseable form, and edits are found between those. */
  parse(uri: string, documentText: string, stop: () => boolean, config?: KernelConfig): Tree | undefined {
    const { text } = parseableText(documentText, config);
    const before = this.texts.get(uri);
    const options = { progressCallback: stop };
    let tree: Tree | undefined;
    if (before !== undefined && this.trees.get(uri)) {
      const { start, oldEnd, inserted } = changedSpan(before, text);
      this.trees.edit(uri, before, start, oldEnd, inserted);
      tree = this.trees.reparse(uri, text, options);
    } else {
      tree = this.trees.open(uri, text, options);
    }
    if (tree) {
      this.texts.set(uri, text);
    } else {
      this.texts.delete(uri);
      // A stopped parse would otherwise resume, on the next document, where it left off.
      this.parser.reset();
    }
    return tree;
  }

  close(uri: string): void {
    this.texts.delete(uri);
    this.trees.close(uri);
  }
}
