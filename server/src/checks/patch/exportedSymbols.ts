import type { CodeTokens } from '../../c/codeTokens';
import { genksymsHiddenLines } from '../../c/genksymsHidden';
import type { Definition, LineSpan } from '../../c/sourceFacts/definitions';
import { rangesOf, type EntityChange, type FileChange } from '../../diff/changes';
import type { CodeComparison } from '../../diff/lineOnlyChanges';
import { placedLine } from '../../diff/reconstruct';
import type { DiffLine, FileDiff } from '../../diff/unifiedDiff';
import { exportVersions } from '../facts/exportVersions';
import type { ExportVersions } from '../facts/functionFacts';
import type { Finding, Severity } from '../finding';
import { patchChecks } from './catalogue';
import type { ComparedFile } from './comparedFiles';
import { finding, PatchContext } from './context';

const exportMacro = /^EXPORT_(?:SYMBOL(?:_GPL|_NS|_NS_GPL|_GPL_FUTURE)?|UNUSED_SYMBOL(?:_GPL)?|PER_CPU_SYMBOL(?:_GPL)?)$/;
const shownSymbols = 12;

const wayOut =
  'or, where modules cannot see the difference, hide it from genksyms: `#ifndef __GENKSYMS__` ... `#endif` around the new lines (kpatch patch author guide, "Exported symbol versioning")';

/**
 * LP242: under CONFIG_MODVERSIONS every exported symbol carries a CRC that genksyms computes
 * from its declaration with every type in it expanded, through pointers too. A change outside
 * the function bodies of a file that exports symbols can change those CRCs: a new `#include`
 * can complete a type the file knew only as `struct foo;`, a changed struct changes every
 * export whose declaration reaches it. kpatch-build compares the Module.symvers before and after
 * and stops (`Version disagreement for symbol`).
 */
export function exportedSymbolChecks(compared: readonly ComparedFile[], context: PatchContext): Finding[] {
  const findings: Finding[] = [];
  let versions: ExportVersions | undefined | null = null;
  for (const { file, diff, code } of compared) {
    if (!diff || !code || !file.rebuilt) continue;
    const exports = exportedNames(code.before);
    if (!exports.length) continue;
    versions ??= context.targetFacts?.exportVersions?.() ?? exportVersions(undefined, context.sourceRoot);
    const fileContext = { file, context, exports, versions, definitions: firstByName(file.rebuilt.definitions) };
    const genksyms = genksymsView(file.rebuilt, diff);
    const { visible } = genksyms;
    const includes = changedIncludes(diff).filter(visible);
    if (includes.length) findings.push(...includeFinding(includes, fileContext));
    for (const entity of file.entities) {
      const cosmetic = entity.aspects.length === 1 && entity.aspects[0] === 'cosmetic';
      if (cosmetic && !codeChangedInType(entity, code, genksyms)) continue;
      if (![...entity.added, ...entity.removed].some(visible)) continue;
      findings.push(...entityFindings(entity, fileContext));
    }
  }
  return findings;
}

interface FileContext {
  file: FileChange;
  context: PatchContext;
  exports: string[];
  versions: ExportVersions | undefined;
  definitions: Map<string, Definition>;
}

/** `EXPORT_SYMBOL*(name)` outside macro definitions, each name once, in file order. */
function exportedNames(tokens: CodeTokens): string[] {
  const names = new Set<string>();
  const { texts } = tokens;
  for (let i = 0; i + 2 < texts.length; i++) {
    if (exportMacro.test(texts[i]) && texts[i + 1] === '(' && /^[A-Za-z_]\w*$/.test(texts[i + 2]) && texts[i - 1] !== 'define') names.add(texts[i + 2]);
  }
  return [...names];
}

function firstByName(definitions: { definitions: Definition[] }): Map<string, Definition> {
  const byName = new Map<string, Definition>();
  for (const d of definitions.definitions) if (!byName.has(`${d.kind}:${d.name}`)) byName.set(`${d.kind}:${d.name}`, d);
  return byName;
}

interface GenksymsView {
  hiddenBefore: Uint8Array;
  hiddenAfter: Uint8Array;
  /** A changed line genksyms reads: not inside `#ifndef __GENKSYMS__`, on the side of the file it belongs to. */
  visible: (line: DiffLine) => boolean;
}

function genksymsView(rebuilt: NonNullable<FileChange['rebuilt']>, diff: FileDiff): GenksymsView {
  const hiddenBefore = genksymsHiddenLines(rebuilt.before);
  const hiddenAfter = genksymsHiddenLines(rebuilt.after);
  const shifts = new Map<DiffLine, number>();
  for (const [index, hunk] of diff.hunks.entries()) {
    const placement = rebuilt.placements[index];
    if (!placement) continue;
    for (const line of hunk.lines) {
      const at = placedLine(line, hunk, placement);
      if (at !== undefined) shifts.set(line, at);
    }
  }
  const visible = (line: DiffLine): boolean => {
    const at = shifts.get(line);
    return at === undefined || !(line.kind === 'removed' ? hiddenBefore : hiddenAfter)[at];
  };
  return { hiddenBefore, hiddenAfter, visible };
}

/**
 * Members inside `#ifdef` blocks are not read into a type's definition, so a change there looks
 * cosmetic: the tokens tell, where genksyms sees them.
 */
function codeChangedInType(entity: EntityChange, code: CodeComparison, genksyms: GenksymsView): boolean {
  if (entity.kind !== 'struct' && entity.kind !== 'union' && entity.kind !== 'enum') return false;
  const within = (span: LineSpan | undefined, line: number, hidden: Uint8Array): boolean => !!span && line >= span.first && line <= span.last && !hidden[line];
  return code.alignment.changes.some((c) => {
    for (let k = c.oldFrom; k < c.oldTo; k++) if (within(entity.before?.lines, code.before.lines[k], genksyms.hiddenBefore)) return true;
    for (let k = c.newFrom; k < c.newTo; k++) if (within(entity.after?.lines, code.after.lines[k], genksyms.hiddenAfter)) return true;
    return false;
  });
}

/** `#include` lines added or removed, less those the patch only moves or rewrites the same way. */
function changedIncludes(diff: FileDiff): DiffLine[] {
  const target = (line: DiffLine): string | undefined => /^\s*#\s*include\s*([<"][^>"]*[>"])/.exec(line.text)?.[1];
  const lines = diff.hunks.flatMap((h) => h.lines).filter((l) => l.kind !== 'context' && target(l));
  const balance = new Map<string, number>();
  for (const line of lines) balance.set(target(line) ?? '', (balance.get(target(line) ?? '') ?? 0) + (line.kind === 'added' ? 1 : -1));
  return lines.filter((l) => balance.get(target(l) ?? '') !== 0);
}

function includeFinding(lines: DiffLine[], at: FileContext): Finding[] {
  const { versions } = at;
  // Without modversions an include changes no CRC, and there is no ABI change to speak of.
  if (versions && !versions.modversions) return [];
  const names = lines.map((l) => /#\s*include\s*(\S+)/.exec(l.text)?.[1] ?? l.text.trim());
  const verb = lines.some((l) => l.kind === 'added') ? (lines.some((l) => l.kind === 'removed') ? 'adds and removes' : 'adds') : 'removes';
  const { listed, severity, basis } = affected(at.exports, at);
  return [
    finding(
      patchChecks.exportedCrc,
      at.context,
      rangesOf(lines, at.context.patchLines)[0],
      `the patch ${verb} \`#include ${names.join('`, `#include ')}\` in ${at.file.path}, which exports ${at.exports.length} symbol(s): genksyms computes each exported symbol's CRC from its declaration with every type in it expanded, and a header can complete a type the file saw only as \`struct foo;\`, so the CRC of every one may change (which ones depends on the headers): ${listed}. ${basis} kpatch-build compares the exported symbols' CRCs before and after and stops: \`ERROR: Version disagreement for symbol ${at.exports[0]}\` (a false positive when the header changes nothing real, the guide says). Do without the new header (declare what you need locally), ${wayOut}.`,
      { severity, where: at.file.path, data: { symbols: at.exports, includes: names } },
    ),
  ];
}

function entityFindings(entity: EntityChange, at: FileContext): Finding[] {
  const { exports, definitions } = at;
  const declarationOf = (name: string): string | undefined => {
    const fn = definitions.get(`function:${name}`);
    if (fn?.kind === 'function') return fn.prototype;
    const variable = definitions.get(`variable:${name}`);
    return variable?.kind === 'variable' ? variable.type : undefined;
  };
  let why: string;
  let reached: Map<string, string>;
  if (entity.kind === 'struct' || entity.kind === 'union' || entity.kind === 'enum') {
    const through = containingTypes(entity, definitions);
    reached = new Map();
    for (const name of exports) {
      const declaration = declarationOf(name);
      if (!declaration) continue;
      for (const [type, via] of through) {
        if (!mentions(declaration, type)) continue;
        reached.set(name, via === entity.name ? `declared with ${entity.kind} ${entity.name}` : `through ${via}, which contains ${entity.kind} ${entity.name}`);
        break;
      }
    }
    why = `${entity.kind} ${entity.name} ${entity.change === 'added' ? 'is defined by the patch' : entity.change === 'removed' ? 'is removed' : 'changes'}`;
  } else if ((entity.kind === 'function' && entity.aspects.includes('prototype')) || (entity.kind === 'variable' && entity.aspects.includes('type'))) {
    if (!exports.includes(entity.name)) return [];
    reached = new Map([[entity.name, `its own ${entity.kind === 'function' ? 'prototype' : 'type'} changes`]]);
    why = `the declaration of ${entity.name} changes`;
  } else return [];
  if (!reached.size) return [];
  const symbols = [...reached.keys()];
  const { listed, severity, basis } = affected(symbols, at, reached);
  if (at.versions && !at.versions.modversions) {
    return [
      finding(
        patchChecks.exportedCrc,
        at.context,
        entity.ranges[0],
        `${why}, and ${symbols.length === 1 ? 'an exported symbol uses' : 'exported symbols use'} it: ${listed}. ${basis} so no CRC stops a module, but modules built for the running kernel still use the old ${entity.kind === 'function' || entity.kind === 'variable' ? 'declaration' : 'type'} with the new code. Keep the exported interface as it is (a new type or function under a new name, shadow variables).`,
        { severity: 'warning', where: at.file.path, data: { symbols } },
      ),
    ];
  }
  return [
    finding(
      patchChecks.exportedCrc,
      at.context,
      entity.ranges[0],
      `${why} in ${at.file.path}, and genksyms computes an exported symbol's CRC from its declaration with every type in it expanded, through pointers too: the CRC of ${listed} changes. ${basis} kpatch-build compares the CRCs before and after and stops: \`ERROR: Version disagreement for symbol ${symbols[0]}\`, and a module built against the new declaration does not load on the running kernel. Keep the exported interface as it is (a new type or function under a new name, shadow variables), ${wayOut}.`,
      { severity, where: at.file.path, data: { symbols } },
    ),
  ];
}

/** The changed type and every type of the file that contains it (at any depth), each with the one it reaches it through. */
function containingTypes(entity: EntityChange, definitions: Map<string, Definition>): Map<string, string> {
  const through = new Map<string, string>([[entity.name, entity.name]]);
  const types = [...definitions.values()].filter((d) => d.kind === 'struct' || d.kind === 'union');
  for (let grew = true; grew;) {
    grew = false;
    for (const type of types) {
      if (type.kind === 'function' || type.kind === 'variable' || type.kind === 'macro' || through.has(type.name)) continue;
      if (type.members.some((m) => [...through.keys()].some((name) => mentions(m.type, name)))) {
        through.set(type.name, `${type.kind} ${type.name}`);
        grew = true;
      }
    }
  }
  return through;
}

const mentions = (declaration: string, type: string): boolean => new RegExp(`\\b${type.replace(/\W/g, '')}\\b`).test(declaration);

/** The symbols as the message lists them, how sure it can be, and what the modversions facts are based on. */
function affected(symbols: string[], at: FileContext, why?: Map<string, string>): { listed: string; severity: Severity; basis: string } {
  const { versions } = at;
  const known = versions ? symbols.filter((s) => versions.exported(s)) : symbols;
  const unknown = symbols.filter((s) => !known.includes(s));
  const some = (names: string[]): string => names.slice(0, shownSymbols).join(', ') + (names.length > shownSymbols ? ` and ${names.length - shownSymbols} more` : '');
  // Grouped by why, so that 18 exports reached through one struct read as one reason.
  const shown = (names: string[]): string => {
    const groups = new Map<string, string[]>();
    for (const name of names) groups.set(why?.get(name) ?? '', [...(groups.get(why?.get(name) ?? '') ?? []), name]);
    return [...groups].map(([reason, group]) => (reason ? `${some(group)} (${reason})` : some(group))).join(', ');
  };
  const outside = unknown.length ? `; not exported by the kernel ${versions?.source} describes (built as a module, or configured out): ${shown(unknown)}` : '';
  const listed = (known.length ? shown(known) : 'none of them is exported by the kernel described') + outside;
  if (!versions)
    return {
      listed,
      severity: 'error',
      basis:
        'CONFIG_MODVERSIONS is assumed (Debian, Ubuntu, RHEL and SUSE kernels set it; a target with `__crc_*` symbols, or a Module.symvers next to it or in the source root, tells).',
    };
  if (!versions.modversions) return { listed, severity: 'warning', basis: `The kernel is built without CONFIG_MODVERSIONS (${versions.source}),` };
  return { listed, severity: known.length ? 'error' : 'warning', basis: `The kernel is built with CONFIG_MODVERSIONS (${versions.source}).` };
}
