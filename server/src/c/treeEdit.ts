import { Edit, Point } from 'web-tree-sitter';

/**
 * The tree-sitter edit for replacing text[start, oldEnd) with `inserted`. Offsets and columns are
 * UTF-16 code units, as web-tree-sitter counts them for JS strings and LSP counts them too; rows
 * count '\n' only, as tree-sitter does (a CRLF line keeps its '\r' as a last column).
 */
export function treeEditFor(text: string, start: number, oldEnd: number, inserted: string): Edit {
  const startPosition = pointAt(text, start);
  return new Edit({
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: start + inserted.length,
    startPosition,
    oldEndPosition: pointAt(text, oldEnd),
    newEndPosition: advance(startPosition, inserted),
  });
}

function pointAt(text: string, offset: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}

function advance(from: Point, inserted: string): Point {
  const lastNewline = inserted.lastIndexOf('\n');
  if (lastNewline === -1) return { row: from.row, column: from.column + inserted.length };
  let newlines = 0;
  for (let i = inserted.indexOf('\n'); i !== -1; i = inserted.indexOf('\n', i + 1)) newlines++;
  return { row: from.row + newlines, column: inserted.length - lastNewline - 1 };
}
