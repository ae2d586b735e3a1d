import { calledWord, declaredWord, withoutComments } from '../c/lineCode';
import { ChangeAspect, EntityChange, EntityKind, entityKey, rangesOf } from './changes';
import type { DiffLine, FileDiff } from './unifiedDiff';

/**
 * Classifies a file's changes from the hunks alone, when there is no source root to rebuild it
 * from: an entity starts at a line in column 0 that opens one (a function header, `struct x {`,
 * a `#define`, a global definition) or, before the hunk's first such line, at git's `@@`
 * function context; it ends at a `}` in column 0. Good for kernel-style code, and a guess the
 * findings must call one.
 */
interface Opening {
  kind: EntityKind;
  name: string;
  header: string;
  /** A definition on one line (a global, a one-line macro): it ends where it starts. */
  single: boolean;
}

export function classifyFromHunks(file: FileDiff, patchText: readonly string[]): EntityChange[] {
  const byKey = new Map<string, EntityChange>();
  // On which side of the diff each entity's opening line appears: both sides, or context, means it exists before and after.
  const openedOn = new Map<string, Map<DiffLine['kind'], string>>();
  const noteOpening = (entity: Opening, side: DiffLine['kind']): void => {
    const key = entityKey(entity);
    const sides = openedOn.get(key) ?? new Map<DiffLine['kind'], string>();
    sides.set(side, entity.header);
    openedOn.set(key, sides);
  };
  for (const hunk of file.hunks) {
    let current = hunk.section ? opening(hunk.section) : undefined;
    if (current) noteOpening(current, 'context');
    for (const line of hunk.lines) {
      const opened = opening(line.text);
      if (opened) {
        current = opened;
        noteOpening(opened, line.kind);
      }
      if (line.kind !== 'context' && current) record(byKey, current, line, opened !== undefined);
      if (/^}/.test(line.text) || current?.single) current = undefined;
    }
  }
  const changes = [...byKey.values()];
  for (const change of changes) {
    change.ranges = rangesOf([...change.removed, ...change.added], patchText);
    const sides = openedOn.get(entityKey(change)) ?? new Map<DiffLine['kind'], string>();
    const removedHeader = sides.get('removed');
    const addedHeader = sides.get('added');
    if (!sides.has('context') && addedHeader !== undefined && removedHeader === undefined) change.change = 'added';
    else if (!sides.has('context') && removedHeader !== undefined && addedHeader === undefined) change.change = 'removed';
    else if (change.kind === 'function' && removedHeader !== undefined && addedHeader !== undefined && squash(removedHeader) !== squash(addedHeader)) {
      change.aspects.unshift('prototype');
    }
  }
  return changes;
}

function squash(text: string): string {
  return text.replace(/\s+/g, '');
}

function record(byKey: Map<string, EntityChange>, entity: Opening, line: DiffLine, isOpeningLine: boolean): void {
  const key = entityKey(entity);
  const change = byKey.get(key) ?? { kind: entity.kind, name: entity.name, change: 'modified', aspects: [], ranges: [], removed: [], added: [], header: entity.header };
  byKey.set(key, change);
  change[line.kind === 'removed' ? 'removed' : 'added'].push(line);
  // A function's header line is its prototype, judged once both sides are seen; everything else is what aspectOf says.
  if (entity.kind === 'function' && isOpeningLine) return;
  const aspect = aspectOf(entity, line);
  if (!change.aspects.includes(aspect)) change.aspects.push(aspect);
}

function aspectOf(entity: Opening, line: DiffLine): ChangeAspect {
  switch (entity.kind) {
    case 'function':
      return 'body';
    case 'variable':
      return /=/.test(line.text) || line.text !== entity.header ? 'initializer' : 'type';
    case 'macro':
      return 'definition';
    default:
      return 'members';
  }
}

const attributeNoise = /__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)/g;

/** What entity, if any, a line in column 0 opens. */
function opening(text: string): Opening | undefined {
  const macro = /^#\s*define\s+(\w+)/.exec(text);
  if (macro) return { kind: 'macro', name: macro[1], header: text, single: !text.trimEnd().endsWith('\\') };
  if (!/^[A-Za-z_]/.test(text) || /^(return|if|else|for|while|do|switch|case|goto|typedef)\b/.test(text)) return undefined;
  const code = withoutComments(text.replace(attributeNoise, ' '));
  // The rest after the name is tested apart: `\s*\{?\s*$` after it retries every split of a run of blanks.
  const type = /^(?:(?:static|const|volatile)\s+)*(struct|union|enum)\s+(\w+)([\s\S]*)$/.exec(code.trim());
  if (type && ['', '{'].includes(type[3].trim())) return { kind: type[1] as EntityKind, name: type[2], header: text, single: false };
  const call = calledWord(code);
  const assignment = code.indexOf('=');
  if (call && (assignment < 0 || call.index < assignment) && !/;\s*$/.test(code)) return { kind: 'function', name: call.name, header: text, single: false };
  const variable = declaredWord(code);
  if (variable && !/^extern\b/.test(code)) return { kind: 'variable', name: variable, header: text, single: /;\s*$/.test(code) };
  return undefined;
}
