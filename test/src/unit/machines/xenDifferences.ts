import { BootedFiles, RunDifference, runDifferences } from '../../../../server/out/scenario/compareRuns';
import type { CommandResult } from '../../../../server/out/scenario/result';

/** One stream of one command of one scenario whose normalised text differs between real Xen and the emulator. */
export type Difference = RunDifference & { scenario: string };

/** Each stream of each command of `scenario` that differs once normalised, as the editor's comparison finds them. */
export function differences(scenario: string, real: CommandResult[], emulated: CommandResult[], booted: { real: BootedFiles; emulated: BootedFiles }): Difference[] {
  return runDifferences(real, emulated, booted).map((d) => ({ scenario, ...d }));
}

const flat = (text: string): string => text.replace(/\n$/, '').replaceAll('\n', '⏎');
export const cell = (text: string): string => `\`${flat(text).replaceAll('|', '\\|')}\``;
const uncell = (text: string): string => text.trim().replace(/^`|`$/g, '').replaceAll('\\|', '|');

export const differenceKey = (d: Difference): string =>
  [d.scenario, String(d.index), d.command, d.stream, flat(d.real ?? '(not run)'), flat(d.emulated ?? '(not run)')].join(' | ');

/**
 * The rows of the table under the heading `heading` of a doc (docs/machines.md, docs/differential.md), keyed as the tests key
 * what they found: every cell but the last (the reason), unquoted, joined by ` | `.
 */
export function listedRows(doc: string, heading: string): Map<string, string> {
  const at = doc.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`no heading '${heading}' in the document`);
  const rows = new Map<string, string>();
  const lines = doc.slice(at + heading.length + 2).split('\n');
  const table = lines.slice(lines.findIndex((l) => l.startsWith('|')));
  for (const line of table.slice(2)) {
    if (!line.startsWith('|')) break;
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map(uncell);
    rows.set(cells.slice(0, -1).join(' | '), cells.at(-1)!);
  }
  return rows;
}
