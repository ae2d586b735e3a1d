/**
 * Fixtures mark what must fire with `/* expect: LP101 LP105 *\/` on the line where the finding
 * starts; every unmarked line is a near-miss that must stay quiet. Returns sorted `line:id`
 * pairs (1-based lines).
 */
export function expectedFindings(source: string): string[] {
  return source
    .split('\n')
    .flatMap((line, i) => (/expect: ([A-Z0-9 ]+?) ?\*\//.exec(line)?.[1].split(' ') ?? []).map((id) => `${i + 1}:${id}`))
    .sort();
}
