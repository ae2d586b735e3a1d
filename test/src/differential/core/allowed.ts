import { readFileSync } from 'node:fs';
import { fromRoot } from '../../support/paths';
import { listedRows } from '../../unit/machines/xenDifferences';
import type { Disagreement } from './variant';

export const differentialDoc = fromRoot('docs', 'differential.md');
export const allowedHeading = (loader: string): string => `### Allowed differences: ${loader}`;

/** How docs/differential.md keys a disagreement: judge, mutator, field, real, ours (the last column is the reason). */
export const disagreementKey = (d: Disagreement): string => [d.judge, d.variant.mutator, d.field, d.real, d.ours].join(' | ');

/** The allowed differences of `loader`, keyed as disagreementKey keys them, with their reasons. */
export function allowedDifferences(loader: string): Map<string, string> {
  return listedRows(readFileSync(differentialDoc, 'utf8'), allowedHeading(loader));
}

/** The disagreements the table does not list, and the rows no disagreement matched (stale). */
export function judgeAgainstTable(loader: string, found: readonly Disagreement[], allowed = allowedDifferences(loader)): { unlisted: Disagreement[]; stale: string[] } {
  const keys = new Set(found.map(disagreementKey));
  return { unlisted: found.filter((d) => !allowed.has(disagreementKey(d))), stale: [...allowed.keys()].filter((k) => !keys.has(k)) };
}
