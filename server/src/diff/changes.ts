import type { SourceRange } from '../c/sourceRange';
import type { ComparedDefinition, Definition, SourceDefinitions } from '../c/sourceFacts/definitions';
import type { HunkPlacement } from './reconstruct';
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
  /** Read as far as it is compared with `before` (readPatchedDefinitions). */
  after?: ComparedDefinition;
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
  /** `source` basis: the whole file before and after, where the hunks landed, and the original's definitions. */
  rebuilt?: { before: string; after: string; placements: HunkPlacement[]; definitions: SourceDefinitions };
  /**
   * What applying the file to the source root met, as GNU patch reports it: a hunk FAILED or the
   * file is missing (`not-applied`, the file then read from the hunks), a reversed or already
   * applied patch, a hunk applied with an offset or fuzz (`moved`), a strip level other than -p1,
   * C that does not parse after the patch, a file past the parse bound (`too-large`), and changed
   * lines the preprocessor leaves out or that the checks read under a guess (conditionalNotes.ts).
   */
  problems: Array<{ patchLine: number; message: string; code: 'not-applied' | 'reversed' | 'moved' | 'strip' | 'syntax' | 'not-compiled' | 'assumed-branch' | 'too-large' }>;
}

export function languageOf(path: string): FileLanguage {
  if (/\.(c|h)$/.test(path)) return 'c';
  if (/\.(S|s)$/.test(path)) return 'assembly';
  return 'other';
}

/** One range per run of consecutive changed lines, so a finding underlines what the author wrote. */
export function rangesOf(lines: readonly DiffLine[], patchText: readonly string[]): SourceRange[] {
  // An entity of one changed line (50k added globals): no set, no sort.
  if (lines.length === 1) {
    const line = lines[0].patchLine;
    return [{ start: { line, column: 0 }, end: { line, column: patchText[line]?.length ?? 0 } }];
  }
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
