import { blankRanges, newlinesIn } from './blankedText';
import { compiledBranches } from './conditionals';
import type { KernelConfig } from './kernelConfig';

/**
 * What C text is handed to tree-sitter: the document's, with one branch of each preprocessor
 * conditional chosen (conditionals.ts: the others blanked, as the compiler never sees them) and
 * three shapes its C parser cannot take neutralised, every position before the end kept.
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
 * - Many `*\/` that close no comment: its error recovery is quadratic in them. Each is a syntax
 *   error to a compiler; past `manyStrayCloses` they are blanked and the caller reports the first.
 */
export interface ParseableText {
  /** The text to hand to tree-sitter. */
  text: string;
  /** 0-based line of the `/*` that is never closed (`*\/` is appended to the text). */
  unterminatedCommentLine?: number;
  /** How many comments were blanked, in runs of `longCommentRun` or more. */
  blankedComments?: number;
  /** When `manyStrayCloses` or more `*\/` close no comment: the first one's 0-based line, and how many were blanked. */
  strayCommentCloses?: { line: number; count: number };
}

/** Far below the ~2,500 that overflow, far above what anyone writes between two lines of code. */
export const longCommentRun = 256;
/** tree-sitter's error recovery is quadratic in `*\/` that close nothing: 1,000 take 0.5 s, 4,000 10 s, 8,000 a minute. */
export const manyStrayCloses = 128;

/** `config` decides conditions on `CONFIG_*`; without one they are unknown and the first branch is read. */
export function parseableText(document: string, config?: KernelConfig): ParseableText {
  const original = compiledBranches(document, config).text;
  const opened = unterminatedCommentAt(original);
  const closed = opened < 0 ? original : `${original}*/`;
  const { text, comments, strays } = blankPathologicalRuns(closed);
  return {
    text,
    ...(opened < 0 ? {} : { unterminatedCommentLine: newlinesIn(original, 0, opened) }),
    ...(comments ? { blankedComments: comments } : {}),
    ...(strays.length ? { strayCommentCloses: { line: newlinesIn(original, 0, strays[0]), count: strays.length } } : {}),
  };
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

/**
 * Comments, the strings and character constants that can hide a comment opener, and `*\/` that
 * opens no comment after it (a `/` starting `/*` or `//` is the comment's); every block comment is
 * closed by now, so a `*\/` matched on its own closes nothing.
 */
const scanned = /\/\*[\s\S]*?\*\/|\/\/(?:[^\n\\]|\\[\s\S])*|"(?:[^"\\\n]|\\[\s\S])*"?|'(?:[^'\\\n]|\\[\s\S])*'?|\*\/(?![*/])/g;
const onlyBlanks = /^(?:\s|\\\r?\n)*$/;

function blankPathologicalRuns(text: string): { text: string; comments: number; strays: number[] } {
  const opens = occurrences(text, '/*');
  if (opens + occurrences(text, '//') < longCommentRun && occurrences(text, '*/') - opens < manyStrayCloses) return { text, comments: 0, strays: [] };
  const blank: Array<[number, number]> = [];
  const strays: number[] = [];
  let run: Array<[number, number]> = [];
  const endRun = (): void => {
    if (run.length >= longCommentRun) for (const comment of run) blank.push(comment);
    run = [];
  };
  for (const match of text.matchAll(scanned)) {
    const first = match[0][0];
    if (first === '*') strays.push(match.index);
    if (first !== '/') {
      endRun();
      continue;
    }
    if (run.length && !onlyBlanks.test(text.slice(run[run.length - 1][1], match.index))) endRun();
    run.push([match.index, match.index + match[0].length]);
  }
  endRun();
  const comments = blank.length;
  // A stray `*\/` is a syntax error whatever follows (`/` is never unary): blanked, tree-sitter sees the rest as the compiler would.
  if (strays.length >= manyStrayCloses) for (const at of strays) blank.push([at, at + 2]);
  else strays.length = 0;
  // Each comment on its own: a line continuation between two of them may belong to a directive.
  return { text: blankRanges(text, blank), comments, strays };
}

function occurrences(text: string, what: string): number {
  let count = 0;
  for (let at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + what.length)) count++;
  return count;
}
