import { Connection, Hover, HoverParams, MarkupKind } from 'vscode-languageserver';
import type { SourceRange } from '../c/sourceRange';
import { hazardPath, type ExecutionContext } from '../checks/facts/executionContexts';
import type { FunctionFacts, FunctionSymbol } from '../checks/facts/functionFacts';
import { isClone, klpFields, namingNote, symbolLabel } from '../checks/facts/symbolNaming';
import type { DisassembledInstruction } from '../elf';
import type { DocumentAnalyses } from './analysis/documentAnalyses';
import { asmBlock } from './asmBlock';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { patchedSiteAt, siteFlavour, type PatchedSite } from './analysis/patchedSites';
import { emulatorHoverLines } from './emulator/emulatorHover';
import type { EmulatorStates } from './emulator/emulatorStates';
import { functionStatus } from './emulator/functionStatus';
import { guarded } from './guard';
import { toLspRange } from './lspDiagnostics';
import { languageOf, OpenDocuments } from './openDocuments';
import type { TargetService } from './targetService';

const hex = (n: bigint) => `0x${n.toString(16)}`;

/** How the function would be patched: by ftrace at its fentry (Linux klp), by a jump Xen writes (its size and ENDBR64), or both for the sample target. */
function patchSiteRows(fn: FunctionFacts, as: 'linux' | 'xen' | undefined): string[] {
  const flavour = fn.flavour === 'either' ? as : fn.flavour;
  const rows: string[] = [];
  if (fn.flavour)
    rows.push(
      `| flavour | ${fn.flavour === 'either' ? `Linux or Xen (the image is neither for certain)${as ? `: judged as ${as === 'xen' ? 'Xen' : 'Linux'}, from this file` : ''}` : fn.flavour === 'xen' ? 'Xen hypervisor' : 'Linux kernel'} |`,
    );
  if (flavour !== 'xen')
    rows.push(`| traceable | ${fn.notrace ? 'no: no `call __fentry__` at its start (notrace)' : 'yes: starts with `call __fentry__`'}${fn.endbr ? ', after `endbr64`' : ''} |`);
  const site = fn.xenPatchSite;
  if (site && flavour !== 'linux') {
    rows.push(
      `| Xen patch site | ${site.fits ? 'fits' : '⚠ too small'}: the 5-byte jmp at +${site.offset}${site.offset ? ' (past `endbr64`)' : ''} needs ${site.needed} of its ${fn.size} bytes (old_size >= ${site.needed}) |`,
    );
  }
  return rows;
}

const contextLabels: Record<ExecutionContext, string> = { nmi: 'NMI', mce: '#MC', apply: 'patching code' };

/** Where the function runs besides its callers (LP142): the NMI and #MC entries and the patching code reaching it, each with its chain of calls. */
function executionRows(fn: FunctionFacts, as: 'linux' | 'xen' | undefined): string[] {
  if (!fn.executionHazards) return [];
  const patchers = as ? [as] : (['xen', 'linux'] as const);
  const shown = new Set<string>();
  for (const patcher of patchers) {
    for (const hazard of fn.executionHazards[patcher] ?? []) {
      shown.add(`${contextLabels[hazard.context]}: \`${hazardPath(hazard)}\``);
    }
  }
  return [`| runs in | ${shown.size ? `⚠ ${[...shown.values()].join('; ')} (LP142)` : 'no NMI, #MC or patching-code path reaches it by direct calls'} |`];
}

/** A symbol the function became, and the klp_func fields that name it. */
function symbolRow(s: FunctionSymbol): string {
  const named = { function: s.name, ...(s.count > 1 ? { sympos: s.sympos } : {}) };
  const from = s.unit ? ` from \`${s.unit}\`` : '';
  const clone = isClone(s.name) ? ' (gcc clone; kpatch-build and klp-build name it themselves)' : '';
  return `\`${symbolLabel(named)}\`${from}: \`${klpFields(named)}\`${clone}`;
}

/** Which flavour a hover's role speaks for (patchedSites.ts words them): a Xen livepatch_func or a klp_func. */
const roleFlavour = (role: string): 'linux' | 'xen' | undefined => (role.includes('Xen livepatch_func') ? 'xen' : role.includes('klp_func') ? 'linux' : undefined);

/** What a livepatch author wants to know about the function under the cursor before patching it. */
export function functionHoverMarkdown(
  name: string,
  role: string,
  fn: FunctionFacts | undefined,
  target: string | undefined,
  code: DisassembledInstruction[],
  emulator: string[] = [],
): string {
  const lines = [`**${name}** — ${role}`, ''];
  if (!target)
    return [...lines, '_No target is indexed yet: set `livepatch.target` (a vmlinux or xen-syms) to see its address, section, traceability and inlining._', ...emulator].join('\n');
  if (!fn) return [...lines, `Not a function of the target \`${target}\`.`, ...emulator].join('\n');
  const intoSchedule = fn.inlinedInto.some((site) => site.function === '__schedule');
  const callers = [...new Map(fn.inlinedInto.map((s) => [symbolLabel(s), s])).values()];
  lines.push('| | |', '|---|---|');
  if (fn.instances?.length) {
    fn.instances.forEach((instance, i) =>
      lines.push(`| ${fn.count > 1 ? `old_sympos ${i + 1}` : 'address'} | \`${hex(instance.address)}\`, ${instance.size} bytes, \`${instance.section}\` |`),
    );
  } else {
    lines.push('| address | none: no out-of-line copy |');
  }
  const renamed = (fn.symbols ?? []).filter((s) => s.name !== name || s.count > 1);
  if (renamed.length) lines.push(`| symbol | ${renamed.map(symbolRow).join('; ')} |`);
  lines.push(...patchSiteRows(fn, roleFlavour(role)));
  lines.push(...executionRows(fn, roleFlavour(role)));
  lines.push(
    `| inlined into | ${callers.length ? callers.map((s) => `${s.function === '__schedule' ? '⚠ ' : ''}\`${symbolLabel(s)}\`${s.file ? ` (${s.file.split('/').pop()}:${s.line})` : ''}`).join(', ') : 'nothing'} |`,
  );
  const note = namingNote(fn.inlinedInto).trim();
  if (note) lines.push('', note);
  if (intoSchedule) lines.push('', '⚠ Inlined into `__schedule`: its copy there cannot be live patched (LP108).');
  if (code.length) {
    lines.push('', `First instructions in \`${target}\` (the patch site):`, ...asmBlock(code));
  }
  return [...lines, ...emulator].join('\n');
}

/** In a patch, any identifier that names a function of the target: the hunk header's function, callees, callers. */
function functionWordAt(line: string, column: number): { name: string; start: number } | undefined {
  for (const match of line.matchAll(/[A-Za-z_]\w*/g)) {
    if (match.index <= column && column <= match.index + match[0].length) return { name: match[0], start: match.index };
  }
  return undefined;
}

/** The hover's heading for a site: the patched function itself, or (`.new_func`, `.new_addr`) what replaces it. */
function siteRole(site: PatchedSite, document: TextDocument | undefined): string {
  if (site.field !== 'replacement' && site.field !== 'replacementDefinition') return site.field === 'oldAddr' ? `its \`.old_addr\`, ${site.role}` : site.role;
  const written = document?.getText(toLspRange(site.range)).replace(/^&\s*/, '');
  return `replaced by \`${written}\`, ${site.role}`;
}

/** The file a patch line belongs to: the `+++` header above it (`b/` and `-p1` prefixes dropped). */
function patchedFileAbove(text: string, line: number): string | undefined {
  const lines = text.split(/\r?\n/, line + 1);
  for (let at = Math.min(line, lines.length - 1); at >= 0; at--) {
    const header = /^\+\+\+ (\S+)/.exec(lines[at]);
    if (header) return header[1] === '/dev/null' ? undefined : header[1].replace(/^[ab]\//, '');
  }
  return undefined;
}

export function registerHover(connection: Connection, documents: OpenDocuments, analyses: DocumentAnalyses, target: TargetService, emulator: EmulatorStates): void {
  const hoverFor = (name: string, role: string, range: SourceRange, fn: FunctionFacts | undefined, emulatorLines: string[] = []): Hover => {
    // fn.address is the name's own symbol when it has one, else the first clone's (targetFacts).
    const symbol = fn?.symbols?.some((s) => s.name === name) ? name : (fn?.symbols?.[0]?.name ?? name);
    const code = fn?.address !== undefined ? (target.functionCode()?.firstInstructions(symbol, fn.address, 6) ?? []) : [];
    return { contents: { kind: MarkupKind.Markdown, value: functionHoverMarkdown(name, role, fn, target.targetName(), code, emulatorLines) }, range: toLspRange(range) };
  };
  connection.onHover(
    guarded(connection, 'hover', null as Hover | null, async (params: HoverParams): Promise<Hover | null> => {
      const at = { line: params.position.line, column: params.position.character };
      const document = documents.get(params.textDocument.uri);
      if (document && languageOf(document) === 'diff') {
        const line = document.getText({ start: { line: at.line, character: 0 }, end: { line: at.line + 1, character: 0 } }).replace(/\r?\n$/, '');
        const word = /^(@@|[-+ ])/.test(line) ? functionWordAt(line, at.column) : undefined;
        if (!word) return null;
        const file = patchedFileAbove(document.getText(), at.line);
        // Once, scoped to the file: a name the target does not know is undefined in any scope.
        const fn = target.facts()?.function(word.name, file ? { file } : {});
        if (!fn) return null;
        return hoverFor(
          word.name,
          line.startsWith('@@') ? 'changed by this hunk' : 'named in this patch',
          { start: { line: at.line, column: word.start }, end: { line: at.line, column: word.start + word.name.length } },
          fn,
        );
      }
      const analysed = await analyses.current(params.textDocument.uri);
      const patched = analysed && patchedSiteAt(analysed.sites, at);
      if (!patched) return null;
      return hoverFor(
        patched.name,
        siteRole(patched, document),
        patched.range,
        target.facts()?.function(patched.name),
        emulatorHoverLines(functionStatus(emulator, patched.name, siteFlavour(patched))),
      );
    }),
  );
}
