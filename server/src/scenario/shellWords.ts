/**
 * One word for a POSIX shell, taken literally whatever it holds: single quotes keep every byte
 * but `'` itself, which is closed, escaped and reopened. A scenario line is shell words, and on a
 * real machine the guest's shell runs it, so nothing the author wrote is ever expanded, globbed
 * or split there.
 */
export function quoteWord(word: string): string {
  if (word === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
