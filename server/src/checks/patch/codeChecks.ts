import { declaredWord, withoutComments, withoutStrings } from '../../c/lineCode';
import type { ComparedFunction } from '../../c/sourceFacts/definitions';
import { rangesOf } from '../../diff/changes';
import type { EntityChange, FileChange } from '../../diff/changes';
import type { DiffLine } from '../../diff/unifiedDiff';
import type { Finding } from '../finding';
import { patchChecks } from './catalogue';
import { finding, PatchContext } from './context';

/**
 * LP230-LP232: changes inside a function body or prototype that the replacement mechanism
 * cannot carry over: state kept in static locals, the hidden static of a once-macro, and the
 * callers' view of the prototype.
 */
export function codeChecks(file: FileChange, entity: EntityChange, context: PatchContext): Finding[] {
  if (entity.kind !== 'function' || entity.change !== 'modified') return [];
  const where = `${file.path}: ${entity.name}()`;
  return [...removedStaticLocals(entity, context, where), ...addedOnceMacros(entity, context, where), ...changedPrototype(entity, context, where)];
}

function removedStaticLocals(entity: EntityChange, context: PatchContext, where: string): Finding[] {
  const before = entity.before?.kind === 'function' ? entity.before : undefined;
  const after = entity.after?.kind === 'function' ? entity.after : undefined;
  // Most functions keep no static local: nothing to compare (11,000 modified functions, a map each).
  if (before && after && !before.staticLocals.length) return [];
  const removed = new Map<string, DiffLine[]>();
  if (before && after) {
    for (const local of before.staticLocals) {
      const declaredAfter = after.staticLocals.some((l) => l.name === local.name);
      if (uses(before, local.name) > 0 && (!declaredAfter || uses(after, local.name) === 0)) {
        removed.set(
          local.name,
          entity.removed.filter((l) => new RegExp(`\\b${local.name}\\b`).test(l.text)),
        );
      }
    }
  } else {
    // Hunks only: a `static` declaration the patch removes and does not add back.
    const declared = (lines: DiffLine[]): Map<string, DiffLine> =>
      new Map(lines.flatMap((l) => (/^\s+static\b/.test(l.text) ? [[declaredWord(l.text) ?? '', l] as const] : [])).filter(([name]) => name));
    const added = declared(entity.added);
    for (const [name, line] of declared(entity.removed)) if (!added.has(name)) removed.set(name, [line]);
  }
  return [...removed].map(([name, lines]) =>
    finding(
      patchChecks.staticLocal,
      context,
      rangesOf(lines, context.patchLines)[0] ?? entity.ranges[0],
      `${entity.name}() no longer references its static local \`${name}\`: kpatch correlates a static local between the old and the new function only through the references to it, and refuses the patch (\`reference to static local variable ${name} in ${entity.name} was removed\`); a hand-written replacement gets a fresh variable, losing the value the running kernel has. Keep a (possibly non-functional) reference to ${name} in the new ${entity.name}() so it stays correlated and keeps its value.`,
      { where, data: { function: entity.name, staticLocal: name } },
    ),
  );
}

/** References after the declaration: the declarator itself is one identifier occurrence. */
function uses(fn: ComparedFunction, name: string): number {
  const declarations = fn.staticLocals.filter((l) => l.name === name).length;
  return (fn.staticLocalUses.get(name) ?? 0) - declarations;
}

const onceMacro =
  /\b(printk_once|printk_deferred_once|pr_(?:emerg|alert|crit|err|warn|warning|notice|info|debug|devel|cont)_once|dev_\w+_once|netdev_\w+_once|WARN_ONCE|WARN_ON_ONCE|DO_ONCE(?:_LITE)?(?:_IF)?)\s*\(/g;

function addedOnceMacros(entity: EntityChange, context: PatchContext, where: string): Finding[] {
  const count = (lines: DiffLine[]): Map<string, number> => {
    const counts = new Map<string, number>();
    // Every once-macro's name holds `once` in some case: other lines skip stripping and the regular expression.
    for (const line of lines) {
      if (!/once/i.test(line.text)) continue;
      for (const match of code(line.text).matchAll(onceMacro)) counts.set(match[1], (counts.get(match[1]) ?? 0) + 1);
    }
    return counts;
  };
  const before = count(entity.removed);
  const findings: Finding[] = [];
  for (const [macro, added] of count(entity.added)) {
    if (added <= (before.get(macro) ?? 0)) continue;
    const lines = entity.added.filter((l) => new RegExp(`\\b${macro}\\s*\\(`).test(code(l.text)));
    findings.push(
      finding(
        patchChecks.once,
        context,
        rangesOf(lines, context.patchLines)[0] ?? entity.ranges[0],
        `${macro}() in ${entity.name}() adds a hidden static local (its "already done" flag, in .data..once or .data..read_mostly): kpatch refuses the changed data section (\`data section .data..read_mostly selected for inclusion\`), and even where the tool accepts a new flag (klp-build, which never correlates .data..once), the patched and the old function keep separate flags. Use your own \`static bool\` flag and a plain printk/WARN, or drop the once-only behaviour.`,
        { where, data: { function: entity.name, macro } },
      ),
    );
  }
  return findings;
}

/** The line without comments and string literals, so a macro named in a message does not count. */
function code(text: string): string {
  return withoutStrings(withoutComments(text));
}

function changedPrototype(entity: EntityChange, context: PatchContext, where: string): Finding[] {
  if (!entity.aspects.includes('prototype')) return [];
  const before = entity.before?.kind === 'function' ? entity.before.prototype : undefined;
  const after = entity.after?.kind === 'function' ? entity.after.prototype : undefined;
  const change = before && after ? `from \`${before}\` to \`${after}\`` : 'in its header line';
  return [
    finding(
      patchChecks.prototype,
      context,
      entity.ranges[0],
      `${entity.name}()'s prototype changes ${change}: every caller not in the patch still passes the old arguments and reads the old return value, and during the klp transition old and new callers run side by side, so redirecting ${entity.name}() to the new prototype breaks them (an exported symbol's modversions CRC changes too: \`Version disagreement for symbol ${entity.name}\`). Add the new version under a new name (e.g. ${entity.name}_v2), keep ${entity.name}() as it is, and patch every caller to call the new one.`,
      { where, data: { function: entity.name, before, after } },
    ),
  ];
}
