import type { FunctionFacts, FunctionSymbol, InlineSite } from '../facts/functionFacts';
import { klpFields, namingNote, patchableSymbol, symbolLabel } from '../facts/symbolNaming';
import type { Finding } from '../finding';
import type { FixData } from '../fixes';
import type { PatchedFunction } from './patchedFunctions';
import { executionContextFindings } from './executionContextChecks';
import { sourceChecks } from './sourceCatalogue';
import { integerValue } from './initializerValues';
import { finding, SourceContext } from './sourceContext';

/** The scheduler core that can never be live patched, whatever is inlined into it. */
const schedulerCore = new Set(['__schedule', 'context_switch', 'switch_to', '__switch_to', '__switch_to_asm']);

/**
 * LP102-LP110, LP118, LP142: what the target says about each patched function. Only vmlinux and the
 * hypervisor are checked: a klp_object naming a module patches code this target does not hold.
 */
export function targetFunctionChecks(context: SourceContext): Finding[] {
  const { facts } = context;
  if (!facts) return [];
  const findings: Finding[] = [];
  for (const patched of context.patched) {
    if (patched.object !== 'vmlinux' && patched.object !== 'xen') continue;
    const given = patched.flavour === 'klp' ? integerValue(patched.entry.fields.old_sympos) : undefined;
    const fn = facts.function(patched.name, given !== undefined && given > 0n && given <= 0xffffffffn ? { sympos: Number(given) } : {});
    if (!fn) {
      findings.push(unknown(context, patched));
      continue;
    }
    if (fn.basis === 'target' && fn.count === 0 && fn.symbols?.length) {
      findings.push(cloneOnly(context, patched, fn.symbols), ...inliningFindings(context, patched, fn));
      continue;
    }
    findings.push(
      ...symposFindings(context, patched, fn),
      ...placementFindings(context, patched, fn),
      ...inliningFindings(context, patched, fn),
      ...executionContextFindings(context, patched, fn),
    );
  }
  return findings;
}

function targetLabel(context: SourceContext): string {
  return context.targetName ? `the target ${context.targetName}` : 'the target';
}

/** What the kernel or Xen says when no symbol has the patched function's name. */
function notFoundSaying(patched: PatchedFunction): string {
  return patched.flavour === 'klp'
    ? `klp_enable_patch() fails: "symbol '${patched.name}' not found in symbol table"`
    : `Xen refuses the upload: "Could not resolve old address of ${patched.name}"`;
}

function unknown(context: SourceContext, patched: PatchedFunction): Finding {
  const said = notFoundSaying(patched);
  return finding(
    sourceChecks.unknownFunction,
    context,
    patched.range,
    `'${patched.name}' is not a function of ${targetLabel(context)}: ${said}. Check the spelling and whether it was renamed or became static inline; if it lives in a module, name that module in the klp_object's .name.`,
    // The nearest names are looked for when the fix is asked for: most findings are never opened.
    { data: { kind: 'didYouMean', name: patched.name } satisfies FixData },
  );
}

/** LP118: the source name has no symbol, only gcc's clones of it, and the kernel matches old_name exactly. */
function cloneOnly(context: SourceContext, patched: PatchedFunction, symbols: FunctionSymbol[]): Finding {
  const names = symbols.map((s) => symbolLabel({ function: s.name, ...(s.count > 1 ? { sympos: s.sympos } : {}) }));
  const said = notFoundSaying(patched);
  const first = symbols[0];
  const fields = patched.flavour === 'klp' ? klpFields({ function: first.name, ...(first.count > 1 ? { sympos: first.sympos } : {}) }) : `.name = "${first.name}"`;
  return finding(
    sourceChecks.cloneOnly,
    context,
    patched.range,
    `'${patched.name}' has no symbol of that name in ${targetLabel(context)}: gcc emitted it as ${names.join(', ')}${symbols.length > 1 ? ', each a function of its own' : ''}, so ${said}. Name ${symbols.length > 1 ? 'each' : 'it'} as the image does (${fields}), with a replacement that takes what the clone takes: ipa-sra and ipa-cp rewrite a clone's parameters. kpatch-build and klp-build find clones by their suffix themselves.`,
  );
}

function symposFindings(context: SourceContext, patched: PatchedFunction, fn: FunctionFacts): Finding[] {
  if (patched.flavour !== 'klp') return [];
  const sympos = integerValue(patched.entry.fields.old_sympos) ?? (patched.entry.fields.old_sympos ? undefined : 0n);
  if (sympos === undefined) return [];
  const where = (fn.instances ?? [])
    .map((instance, i) => `${i + 1}: 0x${instance.address.toString(16)} in ${instance.section}${instance.unit ? ` from ${instance.unit}` : ''}`)
    .join(', ');
  if (sympos === 0n && fn.count > 1) {
    return [
      finding(
        sourceChecks.ambiguousName,
        context,
        patched.range,
        `${fn.count} functions are named '${patched.name}' in ${targetLabel(context)}, so the kernel cannot tell which to patch: "unresolvable ambiguity for symbol '${patched.name}' in object '${patched.object}'". Add .old_sympos = N, the position in kallsyms order (${where}).`,
        {
          data: {
            kind: 'addSympos',
            count: fn.count,
            after: symposInsertion(patched),
            addresses: (fn.instances ?? []).map((instance) => `0x${instance.address.toString(16)} in ${instance.section}`),
          } satisfies FixData,
        },
      ),
    ];
  }
  if (sympos > BigInt(fn.count)) {
    const range = patched.entry.fieldRanges.old_sympos ?? patched.range;
    return [
      finding(
        sourceChecks.sympos,
        context,
        range,
        `.old_sympos = ${sympos} but ${targetLabel(context)} has ${fn.count} function${fn.count === 1 ? '' : 's'} named '${patched.name}': "symbol position ${sympos} for symbol '${patched.name}' in object '${patched.object}' not found". ${fn.count === 1 ? 'Use 0 (or omit it): the name is unique.' : `Use 1 to ${fn.count} (${where}).`}`,
      ),
    ];
  }
  return [];
}

function placementFindings(context: SourceContext, patched: PatchedFunction, fn: FunctionFacts): Finding[] {
  const findings: Finding[] = [];
  if (fn.section === '.init.text') {
    findings.push(
      finding(
        sourceChecks.initText,
        context,
        patched.range,
        `'${patched.name}' is __init (in .init.text), which is freed once boot is over: there is no code left to patch and its address may hold something else now. Patch its callers that still run, or redo its work from a callback (klp post_patch, Xen apply hook).`,
      ),
    );
  }
  if (fn.section === '.noinstr.text') {
    findings.push(
      finding(
        sourceChecks.noinstr,
        context,
        patched.range,
        `'${patched.name}' is noinstr (in .noinstr.text): it runs where tracing and RCU are not allowed (entry code, idle), so ftrace refuses it and a redirected call could run before RCU watches. Patch an instrumentable caller instead.`,
      ),
    );
  }
  if (patched.flavour === 'klp' && fn.notrace && fn.outOfLine && !schedulerCore.has(patched.name)) {
    findings.push(
      finding(
        sourceChecks.notrace,
        context,
        patched.range,
        `'${patched.name}' does not start with a call to __fentry__ (it is notrace${fn.basis === 'source' ? ', or inline' : ''}), so ftrace cannot attach to it and klp cannot redirect it: klp_enable_patch() fails with "failed to set ftrace filter". Patch a traceable caller instead.`,
      ),
    );
  }
  return findings;
}

function inliningFindings(context: SourceContext, patched: PatchedFunction, fn: FunctionFacts): Finding[] {
  const may = fn.basis === 'source' ? 'may be' : 'is';
  const intoSchedule = fn.inlinedInto.filter((site) => site.function === '__schedule');
  if (schedulerCore.has(patched.name) || intoSchedule.length) {
    const why = `__schedule cannot be patched: it is notrace and on the stack of every sleeping task, so the transition never completes, and switch_to does not save RIP on x86-64, so a replacement with another prologue corrupts the registers of tasks switched in by the old one. Fix the bug outside __schedule's inlined call chain, or defer the change with a callback and shadow state.`;
    const what = schedulerCore.has(patched.name)
      ? `'${patched.name}' is the scheduler core (__schedule or what it inlines to switch tasks): ${why}`
      : `'${patched.name}' ${may} inlined into __schedule (${sites(intoSchedule)}): patching its out-of-line copy changes nothing there, and ${why}`;
    return [finding(sourceChecks.inlinedIntoSchedule, context, patched.range, what)];
  }
  const findings: Finding[] = [];
  if (!fn.outOfLine) {
    const into = [...new Set(fn.inlinedInto.map((s) => symbolLabel(s)))];
    findings.push(
      finding(
        sourceChecks.inlineOnly,
        context,
        patched.range,
        `'${patched.name}' has no out-of-line copy in ${targetLabel(context)}: it ${may} only inlined${into.length ? ` into ${into.join(', ')}` : ''}, so there is no function to redirect. Patch ${into.length ? (into.length === 1 ? 'that caller' : 'those callers') : 'its callers'} instead.${namingNote(fn.inlinedInto)}`,
      ),
    );
  } else if (fn.inlinedInto.length) {
    const merged = fn.unit
      ? ` (the '${patched.name}' of ${fn.unit}${fn.symbols?.[0] && fn.symbols[0].count > 1 ? `, old_sympos ${fn.symbols[0].sympos}` : ''}: the other ${(fn.units ?? 1) - 1} unit(s) defining one are left out)`
      : (fn.units ?? 0) > 1
        ? ` (sites of all ${fn.units} functions named '${patched.name}', one per compile unit: set .old_sympos to see only this one's)`
        : '';
    findings.push(
      finding(
        sourceChecks.inlinedElsewhere,
        context,
        patched.range,
        `'${patched.name}' ${may} also inlined into ${sites(fn.inlinedInto)}${merged}: patching its out-of-line copy leaves those inlined copies unchanged. Patch each of these callers too (kpatch reports them as changed functions).${namingNote(fn.inlinedInto)}`,
        { data: { kind: 'inlinedInto', callers: [...new Set(fn.inlinedInto.map((s) => patchableSymbol(s.function)))] } },
      ),
    );
  }
  return findings;
}

function sites(list: InlineSite[]): string {
  const byFunction = new Map<string, string[]>();
  for (const site of list) {
    const at = site.file ? `${site.file.split('/').pop()}:${site.line}` : '';
    const label = symbolLabel(site);
    byFunction.set(label, [...(byFunction.get(label) ?? []), ...(at ? [at] : [])]);
  }
  return [...byFunction].map(([fn, at]) => (at.length ? `${fn} at ${[...new Set(at)].join(', ')}` : fn)).join('; ');
}

function symposInsertion(patched: PatchedFunction): { line: number; column: number } {
  return patched.entry.fieldRanges.old_name?.end ?? patched.entry.range.end;
}
