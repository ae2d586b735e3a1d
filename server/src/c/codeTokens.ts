/**
 * The C tokens of a file, without comments and spacing: two versions of a file whose token
 * streams are equal compile to the same code, except where `__LINE__` is expanded (and where a
 * macro argument is stringified, `#x`, which keeps the spacing inside it). One pass, linear in
 * the text; a token's line is where it starts.
 *
 * Preprocessor lines keep their shape: each directive ends with a `\n` token, an `#include`
 * target is one token as written (`<a.h>` and `< a.h >` differ), and the `(` of a function-like
 * macro, which must touch the macro's name, is `#(` (`#define F(x)` and `#define F (x)` differ).
 */
export interface CodeTokens {
  texts: string[];
  /** 0-based line of each token. */
  lines: Int32Array;
}

export const directiveEnd = '\n';
export const macroParameters = '#(';

const punctuators3 = new Set(['<<=', '>>=', '...']);
const punctuators2 = new Set(['->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=', '##']);

const startsLonger = new Set([...punctuators3, ...punctuators2].map((p) => p.charCodeAt(0)));

const isIdentifierStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isIdentifierPart = (c: number): boolean => isIdentifierStart(c) || isDigit(c);

/** `most`: stop once there are more tokens than that (a comparison with a shorter stream needs no more). */
export function codeTokens(text: string, most = Infinity): CodeTokens {
  const texts: string[] = [];
  let lines = new Int32Array(Math.max(16, text.length >> 3));
  let line = 0;
  let atLineStart = true;
  // Tokens of the directive so far (0 outside one): `#` is 1, `define` 2, its name 3.
  let directive = 0;
  let directiveName = '';
  const push = (token: string, at: number): void => {
    if (texts.length === lines.length) {
      const grown = new Int32Array(lines.length * 2);
      grown.set(lines);
      lines = grown;
    }
    lines[texts.length] = at;
    texts.push(token);
    if (directive) {
      directive++;
      if (directive === 3) directiveName = token;
    }
  };
  const n = text.length;
  let i = 0;
  while (i < n && texts.length <= most) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      if (directive) push(directiveEnd, line);
      directive = 0;
      line++;
      atLineStart = true;
      i++;
      continue;
    }
    if (c === 92 && (text.charCodeAt(i + 1) === 10 || (text.charCodeAt(i + 1) === 13 && text.charCodeAt(i + 2) === 10))) {
      // A continued line: the directive (or the token) goes on.
      i += text.charCodeAt(i + 1) === 13 ? 3 : 2;
      line++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) {
      i++;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let k = i; k < stop; k++) if (text.charCodeAt(k) === 10) line++;
      i = stop;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 47) {
      // To the end of the line, a backslash-newline continuing it.
      while (i < n && !(text.charCodeAt(i) === 10 && text.charCodeAt(i - 1) !== 92)) {
        if (text.charCodeAt(i) === 10) line++;
        i++;
      }
      continue;
    }
    const start = i;
    const startLine = line;
    if (c === 35 && atLineStart) {
      atLineStart = false;
      directive = 0;
      directiveName = '';
      push('#', startLine);
      directive = 1;
      i++;
      continue;
    }
    atLineStart = false;
    if (directive === 2 && directiveName === '' && texts[texts.length - 1] === 'include') {
      // The target as written, to the end of the line (a trailing comment aside).
      let end = i;
      while (end < n && text.charCodeAt(end) !== 10 && !text.startsWith('/*', end) && !text.startsWith('//', end)) end++;
      push(text.slice(i, end).trimEnd(), startLine);
      i = end;
      continue;
    }
    if (isIdentifierStart(c)) {
      while (i < n && isIdentifierPart(text.charCodeAt(i))) i++;
      const word = text.slice(start, i);
      push(word, startLine);
      if (directive === 3 && texts[texts.length - 2] === 'define' && text.charCodeAt(i) === 40) {
        push(macroParameters, startLine);
        i++;
      }
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if ((d === 43 || d === 45) && /[eEpP]/.test(text[i - 1])) i++;
        else if (isIdentifierPart(d) || d === 46 || d === 39) i++;
        else break;
      }
      push(text.slice(start, i), startLine);
      continue;
    }
    if (c === 34 || c === 39) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92) i += 2;
        else if (d === c || d === 10) break;
        else i++;
      }
      if (text.charCodeAt(i) === c) i++;
      push(text.slice(start, i), startLine);
      continue;
    }
    // Most punctuators are one character that starts no longer one: no slices for them.
    let punctuator = text[i];
    if (startsLonger.has(c)) {
      const three = text.slice(i, i + 3);
      const two = text.slice(i, i + 2);
      if (punctuators3.has(three)) punctuator = three;
      else if (punctuators2.has(two)) punctuator = two;
    }
    i += punctuator.length;
    push(punctuator, startLine);
  }
  // A directive open at the end of the text ends there (not where the bound stopped the reading).
  if (directive && i >= n) push(directiveEnd, line);
  return { texts, lines: lines.subarray(0, texts.length) };
}
