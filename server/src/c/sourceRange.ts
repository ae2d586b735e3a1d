import type { Node } from 'web-tree-sitter';

/** A zero-based line and a column in UTF-16 code units: what tree-sitter gives for JS strings and LSP expects. */
export interface SourcePosition {
  line: number;
  column: number;
}

export interface SourceRange {
  start: SourcePosition;
  end: SourcePosition;
}

export function rangeOf(node: Node): SourceRange {
  // prettier-ignore
  return {
    start: { line: node.startPosition.row, column: node.startPosition.column },
    end: { line: node.endPosition.row, column: node.endPosition.column },
  };
}

export function rangeContains(range: SourceRange, at: SourcePosition): boolean {
  const notBefore = (a: SourcePosition, b: SourcePosition) => a.line > b.line || (a.line === b.line && a.column >= b.column);
  return notBefore(at, range.start) && notBefore(range.end, at);
}
