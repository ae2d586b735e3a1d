import type { SourceRange } from '../c/sourceRange';
import type { Definition } from '../c/sourceFacts/definitions';
import type { DiffLine } from './unifiedDiff';

/**
 * What a patch changes, by C entity: the unit the live-patch rules talk about (a function is
 * replaced whole; a struct, a global or an initializer cannot be replaced at all).
 */
export type EntityKind = 'function' | 'struct' | 'union' | 'enum' | 'variable' | 'macro';

/** One entity per kind and name, however it was found (hunks or parsed definitions). */
export const entityKey = (entity: { kind: string; name: string }): string => `${entity.kind}:${entity.name}`;

/**
 * What about the entity changed. `body`: the code; `prototype`: return or parameter types;
 * `attributes`: inline / notrace / section / static; `members`: a struct, union or enum's
 * members; `type`: a variable's type or size; `initializer`: its initial value; `definition`:
 * a macro's; `cosmetic`: only comments or spacing.
 */
export type ChangeAspect = 'body' | 'prototype' | 'attributes' | 'members' | 'type' | 'initializer' | 'definition' | 'cosmetic';

export interface EntityChange {
  kind: EntityKind;
  name: string;
  change: 'added' | 'removed' | 'modified';
  aspects: ChangeAspect[];
  /** The patch document's lines that make this change, one range per run of `-`/`+` lines. */
  ranges: SourceRange[];
  removed: DiffLine[];
  added: DiffLine[];
  /** Both versions, when the source root let us parse the file before and after. */
  before?: Definition;
  after?: Definition;
  /** Hunks only: the entity's first line as the patch shows it (a function's header, `struct x {`). */
  header?: string;
}

export type FileLanguage = 'c' | 'assembly' | 'other';

export interface FileChange {
  /** The path in the tree (the new path unless the file is deleted). */
  path: string;
  language: FileLanguage;
  status: 'modified' | 'added' | 'deleted' | 'renamed' | 'copied';
  /** Where the file's diff starts in the patch document. */
  patchLine: number;
  /** `source`: rebuilt from the source root and parsed before and after; `hunks`: read from the hunks alone. */
  basis: 'source' | 'hunks';
  entities: EntityChange[];
  /** Why this file fell back to the hunks (not in the source root, hunk does not apply, ...). */
  problems: Array<{ patchLine: number; message: string; code: 'not-applied' | 'syntax' | 'too-large' }>;
}

export function languageOf(path: string): FileLanguage {
  if (/\.(c|h)$/.test(path)) return 'c';
  if (/\.(S|s)$/.test(path)) return 'assembly';
  return 'other';
}

/** One range per run of consecutive changed lines, so a finding underlines what the author wrote. */
export function rangesOf(lines: readonly DiffLine[], patchText: readonly string[]): SourceRange[] {
  const sorted = [...new Set(lines.map((l) => l.patchLine))].sort((a, b) => a - b);
  const ranges: SourceRange[] = [];
  for (const line of sorted) {
    const last = ranges[ranges.length - 1];
    const end = { line, column: patchText[line]?.length ?? 0 };
    if (last && last.end.line === line - 1) last.end = end;
    else ranges.push({ start: { line, column: 0 }, end });
  }
  return ranges;
}
