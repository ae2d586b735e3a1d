/**
 * The lines genksyms does not see: `#ifndef __GENKSYMS__` (or `#if !defined(__GENKSYMS__)`)
 * blocks, and the `#else` of `#ifdef __GENKSYMS__`. genksyms preprocesses the file with
 * `__GENKSYMS__` defined, so what these hide is compiled but leaves every CRC as it was: the
 * way out the kpatch patch author guide gives for a new `#include`. One pass over the lines;
 * other conditionals are left alone (both branches count).
 */
export function genksymsHiddenLines(text: string): Uint8Array {
  const lines = text.split('\n');
  const hidden = new Uint8Array(lines.length);
  // Per open conditional: 1 hides, -1 shows only to genksyms, 0 neither.
  const frames: number[] = [];
  let hiding = 0;
  for (const [index, line] of lines.entries()) {
    const directive = /^\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b(.*)$/.exec(line);
    if (directive) {
      const [, word, rest] = directive;
      // The directives of a __GENKSYMS__ block are as invisible to genksyms as what they hide.
      const top = frames.length ? frames[frames.length - 1] : 0;
      if (word === 'ifndef' || word === 'ifdef' || word === 'if') {
        const negated = word === 'ifndef' || (word === 'if' && /^\s*!/.test(rest));
        const about = /^\s*(?:!\s*)?(?:defined\s*\(?\s*)?__GENKSYMS__\b\s*\)?\s*(?:\/[/*].*)?$/.test(rest);
        frames.push(about ? (negated ? 1 : -1) : 0);
        if (about) hidden[index] = 1;
      } else if (word === 'else') {
        if (frames.length) frames[frames.length - 1] = -top;
        if (top) hidden[index] = 1;
      } else if (word === 'elif') {
        if (frames.length) frames[frames.length - 1] = 0;
      } else {
        frames.pop();
        if (top) hidden[index] = 1;
      }
      hiding = frames.filter((f) => f === 1).length;
      continue;
    }
    if (hiding) hidden[index] = 1;
  }
  return hidden;
}
