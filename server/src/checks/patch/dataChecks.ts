import type { FixData } from '../fixes';
import { unsizedArrayLength, type InitializerEntry, type Member } from '../../c/sourceFacts/definitions';
import type { EntityChange, FileChange } from '../../diff/changes';
import type { StructFacts } from '../facts/functionFacts';
import type { Finding } from '../finding';
import { patchChecks } from './catalogue';
import { finding, PatchContext } from './context';

/**
 * LP220-LP222: live patching replaces functions, never data. A struct that changes layout, a
 * global that changes size or type, or an initializer that changes value describes data the
 * running kernel already has in the old form, and keeps.
 */
export function dataChecks(file: FileChange, entity: EntityChange, context: PatchContext): Finding[] {
  const range = entity.ranges[0];
  if (!range || entity.change !== 'modified') return [];
  const where = `${file.path}: ${entity.kind} ${entity.name}`;
  if ((entity.kind === 'struct' || entity.kind === 'union') && entity.aspects.includes('members')) {
    const { differences, added } = memberDifferences(entity);
    if (!differences.length) return [];
    const layout = context.targetFacts?.struct(entity.name) ?? context.sourceFacts?.struct(entity.name);
    return [
      finding(
        patchChecks.layout,
        context,
        range,
        `${entity.kind} ${entity.name} changes layout: ${differences.join('; ')}. Live patching replaces functions, not data: every ${entity.kind} ${entity.name} that already exists, and all code not in the patch, keep the old layout${layout ? ` (${layout.size} bytes${layout.basis === 'source' ? ', computed from the source' : ''})` : ''}, so patched code would read and write the wrong offsets. No tool catches this at build time (kpatch at best reports \`object size mismatch\` for a resized global). ${layoutAdvice(layout)}`,
        {
          where,
          data: { kind: 'shadowSkeleton', type: entity.name, kindOfType: entity.kind, added: added.map((m) => ({ name: m.name, type: m.type })), differences } satisfies FixData,
        },
      ),
    ];
  }
  if (entity.kind !== 'variable') return [];
  const findings: Finding[] = [];
  if (entity.aspects.includes('type')) {
    const from = entity.before?.kind === 'variable' ? entity.before.type : undefined;
    const to = entity.after?.kind === 'variable' ? entity.after.type : undefined;
    findings.push(
      finding(
        patchChecks.resized,
        context,
        range,
        `${entity.name} changes ${resizedBy(entity) ?? (from && to ? `type from \`${from}\` to \`${to}\`` : 'its declaration')}: the running kernel keeps the object it has, with its old size and type, and code outside the patch keeps using it that way; new code would index or read past it. kpatch refuses this (\`object size mismatch: ${entity.name}\`), klp-build too (\`changed data: ${entity.name}\`). Keep the object as it is and add what is new as a separate (new) variable or a shadow variable.`,
        { where, data: { variable: entity.name } },
      ),
    );
  }
  if (entity.aspects.includes('initializer')) {
    const differences = initializerDifferences(entity);
    findings.push(
      finding(
        patchChecks.initializer,
        context,
        range,
        `the initializer of ${entity.name} changes${differences.length ? ` (${differences.join('; ')})` : ''}: an initializer is applied when the kernel or module is loaded, so the running system keeps the value it has now, possibly already modified at run time; a patch cannot re-initialize it. kpatch refuses it (\`data section .data selected for inclusion\`, or .rodata for a const table), klp-build too (\`changed data: ${entity.name}\`). Set the new value from a pre- or post-patch callback (and restore it in the unpatch callback), or change the code that uses the value instead.`,
        { where, data: { variable: entity.name, differences } },
      ),
    );
  }
  return findings;
}

/** "size from 9 to 10 elements" when an array sized by its initializer gains or loses entries. */
function resizedBy(entity: EntityChange): string | undefined {
  if (entity.before?.kind !== 'variable' || entity.after?.kind !== 'variable' || entity.before.type !== entity.after.type) return undefined;
  const [from, to] = [unsizedArrayLength(entity.before), unsizedArrayLength(entity.after)];
  return from !== undefined && to !== undefined && from !== to ? `size from ${from} to ${to} elements (\`${entity.after.type}\` is sized by its initializer)` : undefined;
}

/** Member-level differences, from both parsed versions or, with hunks only, from the member lines the hunk adds and removes. */
function memberDifferences(entity: EntityChange): { differences: string[]; added: Member[] } {
  const before = entity.before && 'members' in entity.before ? entity.before.members : entity.removed.map((l) => memberFromLine(l.text)).filter(isMember);
  const after = entity.after && 'members' in entity.after ? entity.after.members : entity.added.map((l) => memberFromLine(l.text)).filter(isMember);
  const key = (m: Member): string => m.name || m.type;
  const oldByKey = new Map(before.map((m) => [key(m), m]));
  const newByKey = new Map(after.map((m) => [key(m), m]));
  const out: string[] = [];
  const added: Member[] = [];
  for (const [index, member] of after.entries()) {
    if (oldByKey.has(key(member))) continue;
    added.push(member);
    const previous = after[index - 1];
    out.push(`member \`${key(member)}\` (${member.type}) added${previous ? ` after \`${key(previous)}\`` : entity.before ? ' at the start' : ''}`);
  }
  for (const member of before) if (!newByKey.has(key(member))) out.push(`member \`${key(member)}\` (${member.type}) removed`);
  for (const member of after) {
    const old = oldByKey.get(key(member));
    if (old && old.type !== member.type) out.push(`member \`${key(member)}\` retyped from ${old.type} to ${member.type}`);
  }
  const oldOrder = before.map(key).filter((k) => newByKey.has(k));
  const newOrder = after.map(key).filter((k) => oldByKey.has(k));
  // With hunks only, a member removed and added again unchanged is a move.
  if (entity.before ? oldOrder.join() !== newOrder.join() : newOrder.some((k) => oldByKey.get(k)?.type === newByKey.get(k)?.type)) {
    out.push(entity.before ? `members reordered: ${oldOrder.join(', ')} -> ${newOrder.join(', ')}` : `member(s) moved: ${newOrder.join(', ')}`);
  }
  return { differences: out, added };
}

const memberLine = /^\s*((?:[A-Za-z_][\w\s]*?)(?:\s*\*+\s*|\s+))([A-Za-z_]\w*)\s*((?:\[[^\]]*\]\s*)*)(:\s*\d+\s*)?;/;

function memberFromLine(text: string): Member | undefined {
  const match = memberLine.exec(text.replace(/\/\*.*?\*\/|\/\/.*$/g, ''));
  if (!match) return undefined;
  const type = `${match[1]}${match[3]}${match[4] ?? ''}`
    .replace(/\s+/g, ' ')
    .replace(/ ?([*[\]]) ?/g, '$1')
    .trim();
  return { name: match[2], type, line: 0 };
}

function isMember(member: Member | undefined): member is Member {
  return member !== undefined;
}

/** Padding holes in the layout the running kernel has: where a small new member could go without moving any other. */
function layoutAdvice(layout: StructFacts | undefined): string {
  const shadow =
    'Keep the layout and attach new state with a shadow variable (klp_shadow_alloc / klp_shadow_get_or_alloc), or change the code that uses the data instead of the data';
  if (!layout) return `${shadow}.`;
  const sorted = [...layout.members].sort((a, b) => a.offset - b.offset);
  const holes: string[] = [];
  for (const [index, member] of sorted.entries()) {
    const end = member.offset + member.size;
    const next = sorted[index + 1]?.offset ?? layout.size;
    if (next > end) holes.push(`${next - end} byte(s) after \`${member.name || member.type}\` at offset ${end}`);
  }
  if (!holes.length) return `${shadow}; the current layout has no padding hole to reuse.`;
  return `${shadow}. The current layout has padding: ${holes.join(', ')}; a new member that fits there leaves every other offset and the size unchanged, but existing objects hold whatever the padding held (usually zero), so new code must accept that value.`;
}

function initializerDifferences(entity: EntityChange): string[] {
  const before = entity.before?.kind === 'variable' ? entity.before.initializer : undefined;
  const after = entity.after?.kind === 'variable' ? entity.after.initializer : undefined;
  if (!before && !after) {
    return [...entity.removed.map((l) => `- ${l.text.trim()}`), ...entity.added.map((l) => `+ ${l.text.trim()}`)].slice(0, 6);
  }
  const label = (entry: InitializerEntry): string => entry.path || 'value';
  const oldByPath = new Map((before ?? []).map((e) => [e.path, e.value]));
  const newByPath = new Map((after ?? []).map((e) => [e.path, e.value]));
  const out: string[] = [];
  for (const entry of after ?? []) {
    const old = oldByPath.get(entry.path);
    if (old === undefined) out.push(`${label(entry)} = ${entry.value} added`);
    else if (old !== entry.value) out.push(`${label(entry)}: ${old} -> ${entry.value}`);
  }
  for (const entry of before ?? []) if (!newByPath.has(entry.path)) out.push(`${label(entry)} = ${entry.value} removed`);
  return out;
}
