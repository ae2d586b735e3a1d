import { unsizedArrayLength, type ComparedDefinition, type Definition, type SourceDefinitions } from '../c/sourceFacts/definitions';
import { ChangeAspect, EntityChange, entityKey, rangesOf } from './changes';
import { innermostByLine } from './definitionsByLine';
import { placedLine, type HunkPlacement } from './reconstruct';
import type { DiffLine, FileDiff } from './unifiedDiff';

/**
 * Classifies a file's changes by entity from both parsed versions: each removed line belongs to
 * the definition around it in the old file, each added line to the one in the new file, and a
 * definition touched on either side is compared whole with its namesake on the other.
 */
export function classifyFromSource(
  file: FileDiff,
  placements: readonly HunkPlacement[],
  before: SourceDefinitions,
  after: SourceDefinitions<ComparedDefinition>,
  patchText: readonly string[],
): EntityChange[] {
  const touched = new Map<string, { removed: DiffLine[]; added: DiffLine[] }>();
  const touch = (definition: ComparedDefinition | undefined, line: DiffLine, side: 'removed' | 'added'): void => {
    if (!definition) return;
    const key = entityKey(definition);
    const entry = touched.get(key);
    if (entry) entry[side].push(line);
    // An array made by its first push keeps room for 17 lines; most entities have one (50k added globals: 7 MB kept).
    else touched.set(key, side === 'removed' ? { removed: [line], added: [] } : { removed: [], added: [line] });
  };
  const oldAt = innermostByLine(before.definitions);
  const newAt = innermostByLine(after.definitions);
  for (const [index, hunk] of file.hunks.entries()) {
    for (const line of hunk.lines) {
      const at = placedLine(line, hunk, placements[index]);
      if (at !== undefined) touch((line.kind === 'removed' ? oldAt : newAt)(at), line, line.kind === 'removed' ? 'removed' : 'added');
    }
  }
  const oldByKey = firstByKey(before.definitions);
  const newByKey = firstByKey(after.definitions);
  const changes: EntityChange[] = [];
  for (const [key, lines] of touched) {
    const old = oldByKey.get(key);
    const updated = newByKey.get(key);
    const definition = old ?? updated;
    if (!definition) continue;
    const { removed, added } = lines;
    const change: EntityChange = {
      kind: definition.kind === 'variable' ? 'variable' : definition.kind,
      name: definition.name,
      change: !old ? 'added' : !updated ? 'removed' : 'modified',
      aspects: old && updated ? aspectsOf(old, updated) : [],
      // One side only is the usual entity of an added or removed definition (50k added globals): no copy of its lines.
      ranges: rangesOf(!removed.length ? added : !added.length ? removed : [...removed, ...added], patchText),
      removed,
      added,
    };
    // Assigned, not spread in: a spread of a new object per entity is most of this loop's time.
    if (old) change.before = old;
    if (updated) change.after = updated;
    changes.push(change);
  }
  return changes;
}

function firstByKey<D extends ComparedDefinition>(definitions: readonly D[]): Map<string, D> {
  const byKey = new Map<string, D>();
  for (const definition of definitions) {
    const key = entityKey(definition);
    if (!byKey.has(key)) byKey.set(key, definition);
  }
  return byKey;
}

function aspectsOf(before: Definition, after: ComparedDefinition): ChangeAspect[] {
  const aspects: ChangeAspect[] = [];
  if (before.kind === 'function' && after.kind === 'function') {
    if (before.prototype !== after.prototype) aspects.push('prototype');
    if (before.body !== after.body) aspects.push('body');
    const a = before.attributes;
    const b = after.attributes;
    if (
      a.isStatic !== b.isStatic ||
      a.inline !== b.inline ||
      a.alwaysInline !== b.alwaysInline ||
      a.noinline !== b.noinline ||
      a.notrace !== b.notrace ||
      a.section !== b.section
    ) {
      aspects.push('attributes');
    }
  } else if ((before.kind === 'struct' || before.kind === 'union' || before.kind === 'enum') && before.kind === after.kind) {
    if (JSON.stringify(before.members.map(memberKey)) !== JSON.stringify(after.members.map(memberKey))) aspects.push('members');
  } else if (before.kind === 'variable' && after.kind === 'variable') {
    if (before.type !== after.type || unsizedArrayLength(before) !== unsizedArrayLength(after)) aspects.push('type');
    if (JSON.stringify(before.initializer) !== JSON.stringify(after.initializer)) aspects.push('initializer');
  } else if (before.kind === 'macro' && after.kind === 'macro') {
    if (before.definition !== after.definition) aspects.push('definition');
  }
  return aspects.length ? aspects : ['cosmetic'];
}

function memberKey(member: { name: string; type: string }): string {
  return `${member.name}:${member.type}`;
}
