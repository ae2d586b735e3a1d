import type { LineSpan } from '../c/sourceFacts/definitions';

/**
 * Which definition spans a line, asked for every changed line of a patch: a table per line,
 * built by painting each definition's lines, the best one last. Definitions come from one
 * syntax tree, so they nest or lie apart and a line is painted about as often as definitions
 * nest there: the cost is the file's lines, where asking every definition per line would cost
 * lines times definitions.
 *
 * `better(a, b) < 0` when `a` should win a line both span; ties go to the earlier definition.
 */
export function bestByLine<D extends { lines: LineSpan }>(definitions: readonly D[], better: (a: D, b: D) => number): (line: number) => D | undefined {
  const order = definitions.map((_, i) => i).sort((a, b) => better(definitions[b], definitions[a]) || b - a);
  const end = definitions.reduce((max, d) => Math.max(max, d.lines.last + 1), 0);
  const owner = new Int32Array(end).fill(-1);
  for (const i of order) owner.fill(i, Math.max(0, definitions[i].lines.first), definitions[i].lines.last + 1);
  return (line) => (line >= 0 && line < end && owner[line] >= 0 ? definitions[owner[line]] : undefined);
}

const span = (d: { lines: LineSpan }): number => d.lines.last - d.lines.first;

/** The innermost definition around a line: a struct defined inside a declaration wins over the variable. */
export const innermostByLine = <D extends { lines: LineSpan }>(definitions: readonly D[]) => bestByLine(definitions, (a, b) => span(a) - span(b));
