import { execFileSync } from 'node:child_process';

/**
 * The FUNC symbols of an ELF as readelf lists them, with how many share each name (static
 * functions of one name in several files): the oracle for what completion offers. nm's `t`
 * would also list section markers such as `__noinstr_text_end`.
 */
export function functionSymbols(elf: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of execFileSync('readelf', ['-sW', elf], { encoding: 'utf8', maxBuffer: 1 << 29 }).split('\n')) {
    // Num: Value Size Type Bind Vis Ndx Name
    const name = /^\s*\d+:\s+[0-9a-f]+\s+\d+\s+FUNC\s+\S+\s+\S+\s+\d+\s+(\S+)$/.exec(line)?.[1];
    if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}
