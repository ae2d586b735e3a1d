/**
 * What C text is handed to tree-sitter: the document's, with two shapes its C parser cannot take
 * neutralised, every position before the end kept.
 *
 * - A block comment never closed. The lexer is quadratic on it: at each later `/*` it scans to
 *   the end of the file again before giving up (a 10 KB line of `/* ` takes 12 s). A C compiler
 *   reads such a comment to the end of the file and stops with "unterminated comment"; closing
 *   it at the very end gives tree-sitter that reading in one scan. The caller reports the line.
 * - A run of thousands of comments with nothing but blanks between them. After some constructs
 *   (`unsigned long volatile x;`, a call statement) tree-sitter's WASM build overflows its stack
 *   on about 2,500 of them, and the module's memory is corrupt from then on: every later parse
 *   in the process fails. Comments mean nothing to the compiler and nothing to the analysis, so
 *   a run that long is blanked (the newlines stay) and the tree simply has no comment nodes there.
 */
export interface ParseableText {
  /** The text to hand to tree-sitter. */
  text: string;
  /** 0-based line of the `/*` that is never closed (`*\/` is appended to the text). */
  unterminatedCommentLine?: number;
  /** How many comments were blanked, in runs of `longCommentRun` or more. */
  blankedComments?: number;
}

/** Far below the ~2,500 that overflow, far above what anyone writes between two lines of code. */
export const longCommentRun = 256;

export function parseableText(original: string): ParseableText {
  const opened = unterminatedCommentAt(original);
  const closed = opened < 0 ? original : `${original}*/`;
  const { text, blanked } = blankCommentRuns(closed);
  return {
    text,
    ...(opened < 0 ? {} : { unterminatedCommentLine: lineAt(original, opened) }),
    ...(blanked ? { blankedComments: blanked } : {}),
  };
}

function lineAt(text: string, index: number): number {
  let line = 0;
  for (let at = text.indexOf('\n'); at >= 0 && at < index; at = text.indexOf('\n', at + 1)) line++;
  return line;
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

/** Comments, and the strings and character constants that can hide a comment opener; every block comment is closed by now. */
const commentsAndLiterals = /\/\*[\s\S]*?\*\/|\/\/(?:[^\n\\]|\\[\s\S])*|"(?:[^"\\\n]|\\[\s\S])*"?|'(?:[^'\\\n]|\\[\s\S])*'?/g;
const onlyBlanks = /^(?:\s|\\\r?\n)*$/;

function blankCommentRuns(text: string): { text: string; blanked: number } {
  if (!hasManyCommentOpeners(text)) return { text, blanked: 0 };
  const blank: Array<[number, number]> = [];
  let run: Array<[number, number]> = [];
  const endRun = (): void => {
    if (run.length >= longCommentRun) for (const comment of run) blank.push(comment);
    run = [];
  };
  for (const match of text.matchAll(commentsAndLiterals)) {
    if (!match[0].startsWith('/')) {
      endRun();
      continue;
    }
    if (run.length && !onlyBlanks.test(text.slice(run[run.length - 1][1], match.index))) endRun();
    run.push([match.index, match.index + match[0].length]);
  }
  endRun();
  if (!blank.length) return { text, blanked: 0 };
  // Each comment on its own: a line continuation between two of them may belong to a directive.
  const pieces: string[] = [];
  let kept = 0;
  for (const [from, to] of blank) {
    pieces.push(text.slice(kept, from), text.slice(from, to).replace(/[^\n\r]/g, ' '));
    kept = to;
  }
  pieces.push(text.slice(kept));
  return { text: pieces.join(''), blanked: blank.length };
}

/** Fewer openers than a long run has: no run can be long, and the file needs no scan. */
function hasManyCommentOpeners(text: string): boolean {
  let count = 0;
  for (const opener of ['/*', '//']) {
    for (let at = text.indexOf(opener); at >= 0; at = text.indexOf(opener, at + 2)) if (++count >= longCommentRun) return true;
  }
  return false;
}
