/**
 * tree-sitter's C lexer is quadratic on a block comment that is never closed: at each later `/*`
 * it scans to the end of the file again before giving up (a 10 KB line of `/* ` takes 12 s). A C
 * compiler reads such a comment to the end of the file and stops with "unterminated comment";
 * closing it at the very end gives tree-sitter that reading in one scan, and every position
 * before the end stays what it was. The caller reports the line where the comment opens.
 */
export interface ParseableText {
  /** The text to hand to tree-sitter: the original, with `*\/` appended when a comment is left open. */
  text: string;
  /** 0-based line of the `/*` that is never closed. */
  unterminatedCommentLine?: number;
}

export function closeUnterminatedComment(text: string): ParseableText {
  const opened = unterminatedCommentAt(text);
  if (opened < 0) return { text };
  let line = 0;
  for (let at = text.indexOf('\n'); at >= 0 && at < opened; at = text.indexOf('\n', at + 1)) line++;
  return { text: `${text}*/`, unterminatedCommentLine: line };
}

/** Where the comment left open starts, or -1: strings, character constants and `//` comments hide a `/*`. */
function unterminatedCommentAt(text: string): number {
  const lastOpen = text.lastIndexOf('/*');
  // Every `/*` has a `*/` after it: nothing can be left open, and most files end up here without a scan.
  if (lastOpen < 0 || text.lastIndexOf('*/') > lastOpen + 1) return -1;
  for (let at = 0; at < text.length; at++) {
    const c = text[at];
    if (c === '/' && text[at + 1] === '*') {
      const close = text.indexOf('*/', at + 2);
      if (close < 0) return at;
      at = close + 1;
    } else if (c === '/' && text[at + 1] === '/') {
      // A backslash at the end of the line continues the comment onto the next.
      while (at < text.length && !(text[at] === '\n' && text[at - 1] !== '\\')) at++;
    } else if (c === '"' || c === "'") {
      for (at++; at < text.length && text[at] !== c && text[at] !== '\n'; at++) if (text[at] === '\\') at++;
    }
  }
  return -1;
}
