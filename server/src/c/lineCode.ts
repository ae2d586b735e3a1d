/**
 * What one C line of a hunk says, read without a syntax tree: its code without comments or
 * string literals, the word it calls, the name it declares. A patch line can be a megabyte
 * long, and the regular expressions these replace rescan the rest of the line from every
 * unclosed `/*`, every open string and every word (quadratic): each function here scans the
 * line a bounded number of times and returns exactly what its regular expression did.
 */

/** JavaScript's `.` stops at these; a comment or an escape may not cross them. */
const lineBreaks = /([\n\r\u2028\u2029])/;

/** `text.replace(/\/\*.*?\*\/|\/\/.*$/g, ' ')`: one line of a hunk. */
export function withoutComments(text: string): string {
  if (!text.includes('/')) return text;
  if (!lineBreaks.test(text)) return commentsOut(text, () => text.length);
  const parts = text.split(lineBreaks);
  // Separators sit at odd indices; a `//` comment reaches the end of the input only from the last part.
  return parts.map((part, i) => (i % 2 ? part : commentsOut(part, i === parts.length - 1 ? () => part.length : undefined))).join('');
}

/**
 * `/\/\*[\s\S]*?\*\/|\/\/.*$/gm` replaced by a space (`lineEnd` /[\n\r\u2028\u2029]/g), or the same
 * with `[^\n]*` for `.*$` and no m flag (`lineEnd` /\n/g): a stretch of source, where block
 * comments span lines.
 */
export function withoutSourceComments(text: string, lineEnd: RegExp): string {
  if (!text.includes('/')) return text;
  return commentsOut(text, (start) => {
    lineEnd.lastIndex = start;
    return lineEnd.exec(text)?.index ?? text.length;
  });
}

/**
 * Each `//` or `/*` is found once: a search's answer stays right until the scan passes it, and
 * once no `*\/` follows some `/*`, none follows a later one. `lineCommentEnd` says where a `//`
 * comment starting at a position ends; without it, `//` starts none.
 */
function commentsOut(text: string, lineCommentEnd: ((start: number) => number) | undefined): string {
  let out = '';
  let copied = 0;
  const stale = -2;
  let line = lineCommentEnd ? stale : -1;
  let block = stale;
  let close = stale;
  for (let at = 0; ;) {
    if (line === stale || (line >= 0 && line < at)) line = text.indexOf('//', at);
    if (block === stale || (block >= 0 && block < at)) {
      block = text.indexOf('/*', at);
      close = block < 0 || close === -1 ? -1 : text.indexOf('*/', block + 2);
    }
    if (lineCommentEnd && line >= 0 && (close < 0 || line < block)) {
      out += `${text.slice(copied, line)} `;
      copied = at = lineCommentEnd(line);
      continue;
    }
    if (close < 0) return out + text.slice(copied);
    out += `${text.slice(copied, block)} `;
    copied = at = close + 2;
  }
}

/** `text.replace(/"(?:[^"\\]|\\.)*"/g, '""')`. */
export function withoutStrings(text: string): string {
  if (!text.includes('"')) return text;
  const n = text.length;
  // closing[p]: the quote that ends a string literal whose contents start at p, or -1 (read from the right, once).
  const closing = new Int32Array(n + 2).fill(-1);
  for (let p = n - 1; p >= 0; p--) {
    if (text[p] === '"') closing[p] = p;
    else if (text[p] === '\\') closing[p] = p + 1 < n && !lineBreaks.test(text[p + 1]) ? closing[p + 2] : -1;
    else closing[p] = closing[p + 1];
  }
  let out = '';
  let copied = 0;
  for (let quote = text.indexOf('"'); quote >= 0;) {
    const close = closing[quote + 1];
    if (close < 0) {
      quote = text.indexOf('"', quote + 1);
      continue;
    }
    out += `${text.slice(copied, quote)}""`;
    copied = close + 1;
    quote = text.indexOf('"', copied);
  }
  return out + text.slice(copied);
}

/**
 * `/(\w+)\s*\(/.exec(code)`: a match can only start where a word does (a shorter tail of the
 * same word is followed by a word character, not by `(`), and `\b` lets the engine skip the
 * rest of every word instead of retrying from each of its characters.
 */
export function calledWord(code: string): { name: string; index: number } | undefined {
  const match = /\b(\w+)\s*\(/.exec(code);
  return match ? { name: match[1], index: match.index } : undefined;
}

/**
 * `/(\w+)\s*(?:\[[^\]]*\]\s*)*(?:=|;)/.exec(code)?.[1]`: the first word followed by array
 * brackets and `=` or `;`. Whether that tail follows a position does not depend on the word,
 * so it is worked out once per position from the right; the first word it follows wins.
 */
export function declaredWord(code: string): string | undefined {
  const n = code.length;
  const follows = new Uint8Array(n + 1);
  let nextClose = -1;
  for (let p = n - 1; p >= 0; p--) {
    const c = code[p];
    if (c === ']') nextClose = p;
    if (c === '=' || c === ';') follows[p] = 1;
    else if (c === '[') follows[p] = nextClose >= 0 ? follows[nextClose + 1] : 0;
    else if (isSpace(c)) follows[p] = follows[p + 1];
  }
  for (let p = 0; p < n;) {
    if (!isWord(code.charCodeAt(p))) {
      p++;
      continue;
    }
    const start = p;
    while (p < n && isWord(code.charCodeAt(p))) p++;
    if (follows[p]) return code.slice(start, p);
  }
  return undefined;
}

function isWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

const space = /\s/;

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || space.test(c);
}
