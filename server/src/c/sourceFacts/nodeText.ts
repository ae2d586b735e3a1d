import type { Node } from 'web-tree-sitter';
import { firstAtOrAfter } from '../sortedSearch';

/**
 * Texts and lines of a tree's nodes read from the string it was parsed from. Each `node.text`,
 * `endIndex` or `endPosition` is a call into WASM with the node copied in and out: reading a
 * kernel-sized file asked about 20 of them per function. A name token's end is where its
 * characters stop, and a line is found from a table of the text's newlines.
 */
export class NodeText {
  private newlines: number[] | undefined;

  /** `errorFree`: the tree has no ERROR or MISSING node (a MISSING name is empty though characters follow it). */
  constructor(
    readonly parsed: string,
    readonly errorFree: boolean,
  ) {}

  /** `node.text` of an identifier, field, type or statement name. */
  name(node: Node): string {
    if (!this.errorFree) return node.text;
    const start = node.startIndex;
    let end = start;
    for (let c = this.parsed.charCodeAt(end); isAsciiNameChar(c); c = this.parsed.charCodeAt(++end));
    // Past ASCII (a Unicode letter, a `\u` escape) the grammar's rule decides: ask the tree.
    const stop = this.parsed.charCodeAt(end);
    return end > start && !(stop >= 0x80 || stop === backslash) ? this.parsed.slice(start, end) : node.text;
  }

  /** The parsed text between two offsets (one node's start and a later node's start, or its end). */
  between(start: number, end: number): string {
    return this.parsed.slice(start, end);
  }

  /** The 0-based row of an offset, as tree-sitter counts them (`\n` only). */
  rowAt(offset: number): number {
    // As many rows before it as newlines before it.
    return firstAtOrAfter((this.newlines ??= newlinesOf(this.parsed)), offset);
  }

  /** Whether an offset is at the start of a line (column 0). */
  atLineStart(offset: number): boolean {
    return offset === 0 || this.parsed.charCodeAt(offset - 1) === newline;
  }
}

const backslash = 0x5c;
const newline = 0x0a;

function isAsciiNameChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x24;
}

function newlinesOf(text: string): number[] {
  const at: number[] = [];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) at.push(i);
  return at;
}
